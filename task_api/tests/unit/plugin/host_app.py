"""A stand-in for the host service's application in paste pipelines.

It answers every request with a JSON document of what it received: the
method, the paths, the request id header and what the host's middleware
left in the environment.
"""

import json


def application(environ, start_response):
    body = json.dumps({
        'app': 'host',
        'method': environ.get('REQUEST_METHOD'),
        'script_name': environ.get('SCRIPT_NAME', ''),
        'path_info': environ.get('PATH_INFO', ''),
        'request_id': environ.get('HTTP_X_OPENSTACK_REQUEST_ID'),
        'task_api_context': 'task_api.context' in environ,
    }).encode()
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]


def app_factory(global_conf, **local_conf):
    return application
