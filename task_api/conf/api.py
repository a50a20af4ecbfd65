"""Options of the [api] group: how the HTTP API is served."""

from oslo_config import cfg

api_group = cfg.OptGroup(
    'api', title='API options',
    help='Options that control how the tasks API is served.')

api_opts = [
    cfg.HostAddressOpt(
        'bind_host', default='127.0.0.1',
        help='Address on which the task-api development server listens. '
             'Ignored when the application runs under Apache mod_wsgi, '
             'uwsgi or gunicorn, which bind their own sockets.'),
    cfg.PortOpt(
        'bind_port', default=9292,
        help='Port on which the task-api development server listens.'),
    cfg.IntOpt(
        'server_threads', default=16, min=1,
        help='Number of threads of the task-api server, i.e. how many '
             'requests it serves at once.'),
    cfg.StrOpt(
        'auth_mode', default='keystone', choices=[
            ('keystone', 'Authenticate every API request with a Keystone '
                         'token through keystonemiddleware auth_token, '
                         'configured in the [keystone_authtoken] group.'),
            ('noauth', 'Trust the X-User-Id, X-Project-Id and X-Roles '
                       'request headers; a request without them acts as '
                       'an administrator. For development and tests only.'),
        ],
        help='How callers of the tasks API are identified. This selects '
             'the matching pipeline of the paste configuration.'),
    cfg.BoolOpt(
        'allow_noauth_on_public_bind', default=False,
        help='Serve noauth mode to callers that are not on a loopback '
             'address: let the task-api server start in noauth mode on '
             'another address, and answer requests whose peer is not a '
             'loopback address under Apache, uwsgi or gunicorn (refused '
             'with 403 otherwise). Anyone who can reach the port is then '
             'an administrator; leave this off unless the network is '
             'private to you.'),
    cfg.BoolOpt(
        'run_worker', default=False,
        help='Also run the tasks in the task-api server process: one '
             'worker, as task-api-worker runs it ([worker] options), beside '
             'the API, stopped with it. On by default when task-api runs '
             'without a configuration file (the local trial). Production '
             'runs task-api-worker as a service of its own; under Apache, '
             'uwsgi or gunicorn this option is not used.'),
    cfg.URIOpt(
        'public_endpoint', schemes=['http', 'https'],
        help='Base URL under which clients reach the API, used in the '
             'links of the versions document, e.g. '
             'https://image.example.com:9292. When unset, the URL of the '
             'incoming request is used.'),
    cfg.StrOpt(
        'paste_config', default='api-paste.ini',
        help='Paste deployment file of the API pipelines. A relative name '
             'is looked up beside the configuration files, then in the '
             'etc/task_api directory of the installation.'),
    cfg.IntOpt(
        'limit_param_default', default=25, min=1,
        help='Tasks in a page of GET /v2/tasks when the request gives no '
             'limit.'),
    cfg.IntOpt(
        'api_limit_max', default=1000, min=1,
        help='Most tasks in a page of GET /v2/tasks; a larger limit is '
             'lowered to this silently.'),
    cfg.IntOpt(
        'max_request_body_size', default=1048576, min=1,
        help='Largest request body, in bytes, that the API reads. A body '
             'that declares a larger Content-Length is refused with 413 '
             'Request Entity Too Large before anything reads it; a chunked '
             'body is cut off with the same answer as soon as it passes '
             'the limit.'),
    cfg.IntOpt(
        'max_json_depth', default=32, min=1, max=100,
        help='Deepest nesting of arrays and objects accepted in a JSON '
             'request body, the body itself being level 1; a deeper one is '
             'refused with 400 Bad Request. A task created by POST '
             '/v2/tasks thus holds an input nested at most this deep '
             'less one.'),
    cfg.IntOpt(
        'max_request_id_length', default=64, min=0, max=64,
        help='Longest request id a client may send in '
             'X-Openstack-Request-Id, counted with the "req-" prefix that '
             'is added when it lacks one; a longer one is refused with 400 '
             'Bad Request on every request. At most 64, the length of the '
             'request_id column of the tasks table, so that an id accepted '
             'on one call is accepted on all of them.'),
]


def register_opts(conf):
    conf.register_group(api_group)
    conf.register_opts(api_opts, group=api_group)


def list_opts():
    return {api_group: api_opts}
