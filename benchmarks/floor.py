"""The floor: the least code that answers task_api's requests alike.

A plain WSGI callable with no framework and no middleware, talking to the
same database with the same driver as task_api: one statement per read
(a primary-key lookup for show, one ordered SELECT for a list), the body
built with json.dumps in the same shape, so that its bodies are
byte-identical to task_api's. What task_api costs above this is the price
of its framework, middleware, policy and ORM layers.

The database is named by the environment variable TASK_API_BENCH_FLOOR_DB,
a JSON object ``{"driver": "postgresql"|"mysql"|"sqlite", "connect":
{...}}`` whose ``connect`` holds the keyword arguments of the driver's
``connect()``. Each worker thread keeps one connection of its own.
"""

import datetime
import hashlib
import json
import os
import re
import threading
import urllib.parse
import uuid

_SPEC = json.loads(os.environ.get('TASK_API_BENCH_FLOOR_DB', '{}'))
_DRIVER = _SPEC.get('driver', 'postgresql')
_LOCAL = threading.local()

_TASK_COLUMNS = ('id, type, status, owner, expires_at, created_at, '
                 'updated_at, image_id, request_id, user_id')
_SHOW_SQL = ('SELECT t.id, t.type, t.status, t.owner, t.expires_at, '
             't.created_at, t.updated_at, t.image_id, t.request_id, '
             't.user_id, i.input, i.result, i.message FROM tasks t '
             'LEFT OUTER JOIN task_info i ON i.task_id = t.id '
             'WHERE t.id = %s')
_LIST_SQL = ('SELECT id, type, status, owner, expires_at, created_at, '
             'updated_at FROM tasks WHERE deleted = %s '
             'AND (expires_at IS NULL OR expires_at > %s)')
_MARKER_SQL = (' AND (created_at, id) < '
               '(SELECT created_at, id FROM tasks WHERE id = %s)')
_ORDER_SQL = ' ORDER BY created_at DESC, id DESC LIMIT %d'
_INSERT_TASK_SQL = ('INSERT INTO tasks (id, type, status, owner, '
                    'created_at, updated_at, deleted, image_id, '
                    'request_id, user_id) VALUES '
                    '(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)')
_INSERT_INFO_SQL = ('INSERT INTO task_info (task_id, input, result, '
                    'message) VALUES (%s, %s, NULL, %s)')

# NOTE: the password of a URL's userinfo is shown masked, as task_api
# does; only inputs holding both "://" and "@" are walked.
_PASSWORD = re.compile(r'([A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*:)'
                       r'[^\s/?#@]*(?=@)')
_JSON = [('Content-Type', 'application/json')]
_NOT_FOUND = '404 Not Found\n\nCould not find task %s\n\n   '


def _sql(statement):
    if _DRIVER == 'sqlite':
        return statement.replace('%s', '?')
    return statement


_SHOW_SQL, _LIST_SQL, _MARKER_SQL = (
    _sql(_SHOW_SQL), _sql(_LIST_SQL), _sql(_MARKER_SQL))
_INSERT_TASK_SQL, _INSERT_INFO_SQL = (
    _sql(_INSERT_TASK_SQL), _sql(_INSERT_INFO_SQL))


def _connect():
    args = _SPEC.get('connect', {})
    if _DRIVER == 'postgresql':
        import psycopg2
        connection = psycopg2.connect(**args)
        connection.autocommit = True
    elif _DRIVER == 'mysql':
        import pymysql
        connection = pymysql.connect(autocommit=True, **args)
    else:
        import sqlite3
        connection = sqlite3.connect(isolation_level=None, **args)
    return connection


def _cursor():
    connection = getattr(_LOCAL, 'connection', None)
    if connection is None:
        connection = _LOCAL.connection = _connect()
    return connection.cursor()


def _utcnow():
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    if _DRIVER == 'sqlite':
        # NOTE: SQLAlchemy keeps SQLite timestamps as text of this form.
        return now.strftime('%Y-%m-%d %H:%M:%S.%f')
    return now


def _iso(value):
    if isinstance(value, str):
        return value[:10] + 'T' + value[11:19] + 'Z'
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def _mask(value):
    if isinstance(value, str):
        return _PASSWORD.sub(r'\1***', value)
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value


def _load_input(text):
    if text is None:
        return None
    value = json.loads(text)
    if '://' in text and '@' in text:
        value = _mask(value)
    return value


def render_show(row):
    """The show body of a row of _SHOW_SQL, as bytes."""
    (task_id, task_type, status, owner, expires_at, created_at, updated_at,
     image_id, request_id, user_id, task_input, result, message) = row
    body = {
        'id': task_id,
        'input': _load_input(task_input),
        'type': task_type,
        'status': status,
        'owner': owner,
        'message': message or '',
        'result': None if result is None else json.loads(result),
        'created_at': _iso(created_at),
        'updated_at': _iso(updated_at or created_at),
        'self': '/v2/tasks/' + task_id,
        'schema': '/v2/schemas/task',
    }
    if image_id:
        body['image_id'] = image_id
    if request_id:
        body['request_id'] = request_id
    if user_id:
        body['user_id'] = user_id
    if expires_at is not None:
        body['expires_at'] = _iso(expires_at)
    return json.dumps(body, ensure_ascii=False).encode('utf-8')


def etag(body):
    """The ETag task_api gives a show body (without its quotes)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _respond(start_response, status, body, headers):
    headers = headers + [('Content-Length', str(len(body))),
                         ('x-openstack-request-id', 'req-%s' % uuid.uuid4())]
    start_response(status, headers)
    return [body]


def _show(environ, start_response, task_id):
    cursor = _cursor()
    cursor.execute(_SHOW_SQL, (task_id,))
    row = cursor.fetchone()
    cursor.close()
    if row is None:
        body = (_NOT_FOUND % task_id).encode('utf-8')
        return _respond(start_response, '404 Not Found', body,
                        [('Content-Type', 'text/plain; charset=UTF-8')])
    body = render_show(row)
    tag = '"%s"' % etag(body)
    headers = [('ETag', tag), ('Cache-Control', 'no-cache')]
    if tag in environ.get('HTTP_IF_NONE_MATCH', ''):
        start_response('304 Not Modified', headers)
        return []
    return _respond(start_response, '200 OK', body, _JSON + headers)


def _stub(row):
    task_id, task_type, status, owner, expires_at, created_at, updated_at = row
    body = {
        'id': task_id,
        'type': task_type,
        'status': status,
        'owner': owner,
        'created_at': _iso(created_at),
        'updated_at': _iso(updated_at or created_at),
        'self': '/v2/tasks/' + task_id,
        'schema': '/v2/schemas/task',
    }
    if expires_at is not None:
        body['expires_at'] = _iso(expires_at)
    return body


def _list(environ, start_response):
    params = dict(urllib.parse.parse_qsl(environ.get('QUERY_STRING', ''),
                                         keep_blank_values=True))
    limit = min(int(params.get('limit', 25)), 1000)
    statement = _LIST_SQL
    args = [False, _utcnow()]
    for key in ('status', 'type', 'owner'):
        if key in params:
            statement += ' AND %s = %s' % (key, '?' if _DRIVER == 'sqlite'
                                           else '%s')
            args.append(params[key])
    marker = params.pop('marker', None)
    if marker is not None:
        statement += _MARKER_SQL
        args.append(marker)
    cursor = _cursor()
    cursor.execute(statement + _ORDER_SQL % limit, args)
    rows = cursor.fetchall()
    cursor.close()
    query = urllib.parse.urlencode(params)
    body = {
        'tasks': [_stub(row) for row in rows],
        'first': '/v2/tasks' + ('?' + query if query else ''),
        'schema': '/v2/schemas/tasks',
    }
    if rows and len(rows) == limit:
        params['marker'] = rows[-1][0]
        body['next'] = '/v2/tasks?' + urllib.parse.urlencode(params)
    data = json.dumps(body, ensure_ascii=False).encode('utf-8')
    return _respond(start_response, '200 OK', data, list(_JSON))


def _create(environ, start_response):
    length = int(environ.get('CONTENT_LENGTH') or 0)
    request = json.loads(environ['wsgi.input'].read(length))
    task_type, task_input = request['type'], request['input']
    image_id = (task_input or {}).get('image_id')
    image_id = image_id if isinstance(image_id, str) else None
    task_id = str(uuid.uuid4())
    request_id = 'req-%s' % uuid.uuid4()
    now = _utcnow()
    cursor = _cursor()
    try:
        cursor.execute('BEGIN')
        cursor.execute(_INSERT_TASK_SQL, (
            task_id, task_type, 'pending', 'admin', now, now, False,
            image_id, request_id, 'admin'))
        cursor.execute(_INSERT_INFO_SQL,
                       (task_id, json.dumps(task_input), ''))
        cursor.execute('COMMIT')
    except Exception:
        # NOTE: a failed insert (a SQLite file busy past its timeout)
        # must not leave the thread's connection inside its transaction,
        # where every later BEGIN would fail.
        try:
            cursor.execute('ROLLBACK')
        except Exception:
            pass
        raise
    finally:
        cursor.close()
    body = render_show((task_id, task_type, 'pending', 'admin', None, now,
                        now, image_id, request_id, 'admin',
                        json.dumps(task_input), None, ''))
    location = '%s://%s/v2/tasks/%s' % (
        environ['wsgi.url_scheme'], environ.get('HTTP_HOST', ''), task_id)
    return _respond(start_response, '201 Created', body,
                    _JSON + [('Location', location)])


def application(environ, start_response):
    """The WSGI entry point."""
    path = environ.get('PATH_INFO', '')
    method = environ['REQUEST_METHOD']
    if path.startswith('/v2/tasks/') and method == 'GET':
        return _show(environ, start_response, path[len('/v2/tasks/'):])
    if path == '/v2/tasks' and method == 'GET':
        return _list(environ, start_response)
    if path == '/v2/tasks' and method == 'POST':
        return _create(environ, start_response)
    if path == '/healthcheck':
        return _respond(start_response, '200 OK', b'OK',
                        [('Content-Type', 'text/plain')])
    return _respond(start_response, '404 Not Found', b'404 Not Found',
                    [('Content-Type', 'text/plain')])
