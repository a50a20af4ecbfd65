"""The versions document and the routing of ``/v2.N`` prefixes."""

import json
import re

import webob

from task_api.api import errors
from task_api.api.middleware import base
from task_api.api import responses
from task_api import conf as task_conf

CONF = task_conf.CONF

#: The minor versions of the Image API v2 that task_api serves, newest
#: first; the first one is CURRENT. They are those Glance 33 lists without
#: an image cache (with several stores): v2.14, v2.16 and v2.18 stand for
#: the cache API, which task_api does not serve. v2.12 brought the image
#: tasks call.
MINOR_VERSIONS = (17, 15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)

_VERSION_PREFIX = re.compile(r'^/v(\d+)(?:\.(\d+))?(?=/|$)')


def versions_document(base_url):
    """The ``{"versions": [...]}`` document, linking to ``base_url``."""
    href = base_url.rstrip('/') + '/v2/'
    return {'versions': [
        {'id': 'v2.%d' % minor,
         'status': 'CURRENT' if index == 0 else 'SUPPORTED',
         'links': [{'rel': 'self', 'href': href}]}
        for index, minor in enumerate(MINOR_VERSIONS)]}


def versions_response(request, status):
    base = CONF.api.public_endpoint or request.application_url
    body = json.dumps(versions_document(base)).encode('utf-8')
    return responses.json_bytes(body, status=status)


class VersionsApp:
    """``GET /versions`` answers 200; every other path 300 Multiple Choices.

    Mounted at ``/`` of the urlmap, so that it also answers every path that
    no API version serves.
    """

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        status = 200 if environ.get('PATH_INFO') == '/versions' else 300
        return versions_response(request, status)(environ, start_response)


class VersionNegotiationMiddleware(base.Middleware):
    """Route ``/v2.N/...`` like ``/v2/...`` for the minor versions served.

    A path under an unknown version (``/v3/...``, ``/v2.99/...``) is
    answered with the versions document and 300, so that a client can pick
    a version it shares with the server. A path or a query string that is
    not valid UTF-8 once percent-decoded is refused with 400 here, in front
    of everything else.
    """

    def __call__(self, environ, start_response):
        if not errors.path_is_text(environ):
            return errors.bad_path()(environ, start_response)
        if not errors.query_is_text(environ):
            return errors.bad_query()(environ, start_response)
        path = environ.get('PATH_INFO', '')
        match = _VERSION_PREFIX.match(path)
        if match:
            major, minor = match.groups()
            if major != '2' or (minor is not None
                                and int(minor) not in MINOR_VERSIONS):
                request = webob.Request(environ)
                return versions_response(request, 300)(
                    environ, start_response)
            if minor is not None:
                environ['PATH_INFO'] = '/v2' + path[match.end():]
        return self.application(environ, start_response)
