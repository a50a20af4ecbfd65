"""What every WSGI middleware of task_api has in common."""


class Middleware:
    """A WSGI middleware wrapping ``application``, loadable by paste."""

    def __init__(self, application):
        self.application = application

    @classmethod
    def factory(cls, global_conf, **local_conf):
        """paste.filter_factory: the class itself wraps the next app."""
        return cls
