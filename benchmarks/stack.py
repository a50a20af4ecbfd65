"""The stack: the least application of task_api's libraries that shows a task.

Between the floor (no framework) and task_api stands what the design
fixes: a Pecan controller tree under ``/v2`` that WebOb requests and
responses flow through, and a SQLAlchemy pool the read's connection is
checked out of and back into. This application is only that: task_api's
Pecan application class (``task_api.api.app.Application``, with no hook)
routes ``GET /v2/tasks/{task_id}`` to a handler, which reads the
floor's statement on a pooled connection's driver cursor and answers
the floor's body. No middleware, no policy, no context, no validation:
its cost per show is the least any application of this design pays,
and so bounds from below what task_api can reach.

It answers the show scenarios only (and ``/healthcheck`` for the
benchmark's readiness check); the database is the floor's
(``TASK_API_BENCH_FLOOR_DB``).
"""

import pecan
import sqlalchemy as sa
import webob
import webob.exc

from benchmarks import floor
from task_api.api import app


def _creator():
    args = dict(floor._SPEC.get('connect', {}))
    if floor._DRIVER == 'sqlite':
        import sqlite3
        # NOTE: pooled connections move between the server's threads.
        return sqlite3.connect(isolation_level=None,
                               check_same_thread=False, **args)
    return floor._connect()


_DIALECTS = {'postgresql': 'postgresql+psycopg2://',
             'mysql': 'mysql+pymysql://', 'sqlite': 'sqlite://'}
_ENGINE = sa.create_engine(_DIALECTS[floor._DRIVER], creator=_creator,
                           poolclass=sa.pool.QueuePool, pool_size=4,
                           max_overflow=4)


class TasksController:

    @pecan.expose()
    def _route(self, args, request):
        if len(args) != 1 or request.method != 'GET':
            raise webob.exc.HTTPNotFound()
        return self.show, args

    @pecan.expose()
    def show(self, task_id):
        with _ENGINE.connect() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            try:
                cursor.execute(floor._SHOW_SQL, (task_id,))
                row = cursor.fetchone()
            finally:
                cursor.close()
        if row is None:
            raise webob.exc.HTTPNotFound()
        return webob.Response(body=floor.render_show(row),
                              content_type='application/json', charset=None)


class RootController:
    _children = {'tasks': TasksController()}

    @pecan.expose()
    def _route(self, args, request):
        child = self._children.get(args[0]) if args else None
        if child is None:
            raise webob.exc.HTTPNotFound()
        return child._route(args[1:], request)


def _healthcheck(application):
    def serve(environ, start_response):
        if environ['PATH_INFO'] == '/healthcheck':
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [b'OK']
        return application(environ, start_response)
    return serve


# NOTE: task_api's own Pecan application class (its routing and its taking
# of the handler's WebOb response), under /v2 as task_api's URL map mounts
# it, with no hook.
_PECAN = app.Application(RootController(), hooks=[], force_canonical=False,
                         guess_content_type_from_ext=False)


def _under_v2(environ, start_response):
    path = environ['PATH_INFO']
    if not path.startswith('/v2/'):
        start_response('404 Not Found', [('Content-Type', 'text/plain')])
        return [b'']
    environ['SCRIPT_NAME'] += '/v2'
    environ['PATH_INFO'] = path[3:]
    return _PECAN(environ, start_response)


application = _healthcheck(_under_v2)
