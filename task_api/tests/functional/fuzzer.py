"""A seeded generator of hostile HTTP requests, sent raw to a server.

Each request is built from one ``random.Random`` draw sequence, so a seed
reproduces the whole run. Requests go over a raw socket, so that the
generator controls every byte: methods, percent-encodings, header values
with control characters, ``Content-Length`` lies and chunked bodies.

A request breaks a promise when its answer is a 5xx other than ``503``,
when the server closes the connection without answering, when it does
not answer within the timeout, or when the body shows a traceback. After
a run, :func:`sweep` reads back every task the run created (show, list,
tasks of an image) to find a stored task that breaks a read.

Standalone: ``python -m task_api.tests.functional.fuzzer URL COUNT SEED``.
"""

import http.client
import json
import random
import socket
import sys
import time
import urllib.parse
import uuid

#: Keys of the list filters and sort keys, and some that are not.
LIST_KEYS = ('limit', 'marker', 'sort_key', 'sort_dir', 'status', 'type',
             'owner', 'image_id', 'request_id', 'user_id', 'created_at',
             'updated_at', 'expires_at', 'deleted', 'deleted_at', 'id',
             'message', 'input', 'result', 'foo', 'sort', 'Limit')
SORT_KEYS = ('id', 'type', 'status', 'owner', 'expires_at', 'created_at',
             'updated_at', 'deleted_at', 'deleted', 'image_id',
             'request_id', 'user_id', 'input', 'message', 'bogus', '')
HOSTILE_VALUES = (
    '', '-1', '0', '1', '25', '1000', '1001', '99999999999999999999',
    '1e3', '0x10', 'abc', 'asc', 'desc', 'ASC', 'asc,desc', 'pending',
    'success', 'import', 'api_image_import', 'true', 'false', 'True', '1.5',
    'NULL', 'null', '2026-01-01T00:00:00Z', '9999-12-31T23:59:59-01:00',
    '0001-01-01T00:00:00+01:00', '2026-13-45T99:99:99',
    '1970-01-01T00:00:00.000001Z', '2026-01-01', 'gte:2026-01-01T00:00:00Z',
    'in:a,b', '\x00', '%00', '\u2603', '\ud800', '\xff', 'a' * 300,
    'a' * 5000, "'; DROP TABLE tasks; --", '%', '%%', '%ff', '*', '..',
    'created_at,id', '   ', 'x' * 37, str(uuid.uuid4()),
)
CONTENT_TYPES = (
    None, 'application/json', 'application/json; charset=utf-8',
    'application/json; charset=UTF-8', 'application/json; charset=latin-1',
    'application/json; charset=bogus', 'application/json; charset=',
    'application/json; charset="utf-8"', 'application/json;;;',
    'application/json; charset=utf-16', 'application/json; charset=\x01',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=latin-1',
    'application/x-www-form-urlencoded; charset=bogus',
    'multipart/form-data', 'multipart/form-data; boundary=xyz',
    'multipart/form-data; boundary=', 'text/plain', 'text/html',
    'application/openstack-images-v2.1-json-patch', '*/*', '', ';',
    'application/json; q=0.5; charset=utf-8', 'application/\u00e9',
)
ACCEPTS = (None, 'application/json', 'text/html', 'text/plain', '*/*', '',
           'application/xml', 'application/json;q=0', 'garbage;;;q=x',
           'text/*, application/json;q=0.9', 'application/json; q=abc')


def _json_value(rng, depth=0):
    kind = rng.randrange(12 if depth < 4 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice((True, False))
    if kind == 2:
        return rng.choice((0, -1, 2 ** 63, 2 ** 64 + 1, 10 ** 400, 1.5,
                           -0.0, 1e308))
    if kind in (3, 4, 5, 6):
        return _string(rng)
    if kind in (7, 8):
        return [_json_value(rng, depth + 1)
                for _ in range(rng.randrange(4))]
    return {_key(rng): _json_value(rng, depth + 1)
            for _ in range(rng.randrange(5))}


def _key(rng):
    return rng.choice(('image_id', 'import_from', 'import_from_format',
                       'image_properties', 'password', 'token', 'x',
                       'import_req', 'method', 'uri', 'loc_url', '',
                       'AUTH_KEY', 'api_key', '\u00e9', 'a' * 200,
                       'backend', 'stores'))


def _url(rng):
    scheme = rng.choice(('http', 'https', 'ftp', 'file', 'swift+http', '',
                         'HTTP', 'gopher'))
    user = rng.choice(('', 'u:p@', 'u:p@ss@', 'u:p%40ss@', 'tok@',
                       'u:pa ss@', 'u:p:q@', '@', '@@'))
    host = rng.choice(('example.com', '8.8.8.8', '127.0.0.1', '[::1]',
                       '0x7f000001', '2130706433', '0177.0.0.1',
                       '[::ffff:127.0.0.1]', '[64:ff9b::a00:1]',
                       '100.64.0.1', '169.254.169.254', 'localhost',
                       '127.0.0.1:80\\@8.8.8.8', 'xn--nxasmq6b.com',
                       '\u00e9xample.com', 'a' * 300, '', '[fe80::1%25eth0]',
                       '8.8.8.8:99999', '8.8.8.8:-1', '8.8.8.8:0x50',
                       '[2002:7f00:1::]', '256.1.1.1'))
    rest = rng.choice(('', '/', '/img?token=abc&sig=x#secret=y',
                       '/a?X-Amz-Signature=s', '/%00', '/\r\n', '/ x',
                       '?' + '&'.join(['a=b'] * 50)))
    return '%s://%s%s%s' % (scheme, user, host, rest)


def _string(rng):
    kind = rng.randrange(14)
    if kind == 0:
        return _url(rng)
    if kind == 1:
        return 'http://' + 'a:' * rng.randrange(10, 20000) + '@x'
    if kind == 2:
        return '://' * rng.randrange(1, 30000)
    if kind == 3:
        return '\ud800' if rng.random() < 0.5 else 'a\udfffb'
    if kind == 4:
        return '\x00' * rng.randrange(1, 3)
    if kind == 5:
        return rng.choice(('\u2603', '\U0001F600', 'é' * 1000, '\u202e'))
    if kind == 6:
        return 'x' * rng.choice((36, 37, 255, 256, 65535, 70000))
    if kind == 7:
        return 'password=%s token: %s' % ('s' * rng.randrange(40000), 't')
    if kind == 8:
        return str(uuid.uuid4())
    if kind == 9:
        return rng.choice(('', ' ', '\r\n', '\t', '"', '\\', '{}', '[]'))
    return ''.join(chr(rng.randrange(1, 0x3000))
                   for _ in range(rng.randrange(30)))


def _deep(rng):
    depth = rng.choice((31, 32, 33, 100, 500, 1000, 5000, 100000))
    if rng.random() < 0.5:
        return '[' * depth + ']' * depth
    return '{"a":' * depth + '1' + '}' * depth


def task_body(rng, image_ids):
    """A task creation body: mostly valid shape, hostile content."""
    task_type = rng.choice(('import', 'api_image_import', 'location_import',
                            'export', 'clone', '', None, 1, 'a' * 300))
    task_input = {}
    if rng.random() < 0.8:
        task_input['image_id'] = rng.choice(
            list(image_ids) + [str(uuid.uuid4()), 'x', '', 'x' * 37,
                               'a\x00b', None, 5, '\ud800'])
    if task_type == 'import' or rng.random() < 0.3:
        task_input['import_from'] = _url(rng)
        task_input['import_from_format'] = rng.choice(('qcow2', '', 5))
        task_input['image_properties'] = _json_value(rng)
    if rng.random() < 0.3:
        task_input['import_req'] = {'method': {'name': 'web-download',
                                               'uri': _url(rng)}}
    if rng.random() < 0.2:
        task_input['loc_url'] = _url(rng)
    for _ in range(rng.randrange(3)):
        task_input[_key(rng)] = _json_value(rng)
    body = {'type': task_type, 'input': task_input}
    if rng.random() < 0.4:
        # A valid task with one hostile value.
        return {'type': 'api_image_import',
                'input': {'image_id': rng.choice(image_ids),
                          _key(rng): _json_value(rng)}}
    extra = rng.random()
    if extra < 0.1:
        body['input'] = _json_value(rng)
    elif extra < 0.15:
        body['status'] = 'success'
    elif extra < 0.2:
        body['id'] = str(uuid.uuid4())
    elif extra < 0.25:
        del body['type']
    elif extra < 0.3:
        body['owner'] = 'other'
    return body


def _encode_json(rng, value):
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
    # NOTE: json.dumps writes lone surrogates as escapes with
    # ensure_ascii, and refuses them without; keep both.
    return text.encode('utf-8', 'surrogatepass')


def body_bytes(rng, image_ids):
    """A request body: bytes, possibly not JSON, not UTF-8, huge, deep."""
    kind = rng.randrange(20)
    if kind < 9:
        return _encode_json(rng, task_body(rng, image_ids))
    if kind == 9:
        return _deep(rng).encode()
    if kind == 10:
        return b'\xff\xfe' + rng.randbytes(rng.randrange(100))
    if kind == 11:
        return rng.choice((b'1e999', b'{"type":"import","input":{"a":1e999}}',
                           b'{"type":"import","input":{"a":NaN}}',
                           b'{"type":"import","input":{"a":-Infinity}}',
                           b'{"type":"import","input":{},"type":"x"}',
                           b'{"type":"import","input":{"a":"\\ud800"}}',
                           b'{"type":"import","input":{"a":"\\u0000"}}',
                           b'{"type":"import","input":{"image_id":'
                           b'"a\\u0000"}}', b'', b'null', b'[]', b'"x"',
                           b'{', b'}', b'\x00', b'{"type": "import", '
                           b'"input": {"a": 1}} trailing'))
    if kind == 12:
        size = rng.choice((65536, 70000, 1048576, 1048577, 3000000))
        return ('{"type":"import","input":{"image_id":"x","pad":"%s"}}'
                % ('p' * size)).encode()
    if kind == 13:
        return 'type=import&input=%7B%7D&\xe9=\xff'.encode('latin-1')
    if kind == 14:
        return (b'--xyz\r\nContent-Disposition: form-data; name="type"\r\n'
                b'\r\nimport\r\n--xyz--\r\n')
    if kind == 15:
        return _encode_json(rng, _json_value(rng))
    if kind == 16:
        return json.dumps(task_body(rng, image_ids)).encode('utf-16')
    if kind == 17:
        return _encode_json(rng, {'type': 'import', 'input': {
            'image_id': 'x', 'u': 'http://u:' + '@' * 40000 + '://x'}})
    return rng.randbytes(rng.randrange(200))


def _mangle(rng, path):
    """Percent-encode, double or break parts of a path."""
    roll = rng.random()
    if roll < 0.5:
        return path
    if roll < 0.6:
        index = rng.randrange(len(path) + 1)
        return path[:index] + rng.choice(
            ('%ff', '%00', '%2f', '%2F', '//', '/..', '/.', '%', '%zz',
             '%e2%98%83', '%c0%af', ';x=1', '%20', '\u00e9', '~', '%25',
             '%u2603', '\x7f')) + path[index:]
    if roll < 0.7:
        return ''.join('%%%02X' % ord(c) if c.isalnum() and rng.random() < 0.3
                       else c for c in path)
    if roll < 0.75:
        return path + '/'
    if roll < 0.8:
        return path.upper()
    if roll < 0.85:
        return path + '/' + 'a' * rng.choice((100, 5000, 20000))
    if roll < 0.9:
        return rng.choice(('*', '', 'http://example.com' + path,
                           '//' + path, path.replace('/', '\\')))
    return path + '/' + rng.choice(('x', 'tasks', 'actions/deactivate',
                                    '%2e%2e'))


def _query(rng, task_ids):
    pairs = []
    for _ in range(rng.choice((0, 1, 2, 3, 5, 8))):
        key = rng.choice(LIST_KEYS)
        if key == 'sort_key':
            value = rng.choice(SORT_KEYS)
        elif key == 'marker' and task_ids and rng.random() < 0.7:
            value = rng.choice(task_ids)
        else:
            value = rng.choice(HOSTILE_VALUES)
        pairs.append((key, value))
    if not pairs:
        return ''
    if rng.random() < 0.8:
        text = urllib.parse.urlencode(
            [(k, v.encode('utf-8', 'surrogatepass')) for k, v in pairs])
    else:
        text = '&'.join('%s=%s' % pair for pair in pairs)
        text = text.encode('utf-8', 'surrogatepass').decode('latin-1')
    return '?' + text


def path_of(rng, task_ids, image_ids):
    prefix = rng.choice(('/v2',) * 20 + (
        '/v2.0', '/v2.9', '/v2.14', '/v2.16', '/v2.17', '/v2.18', '/v2.99',
        '/v3', '/v1', '/v2.', '/v2.x', '/V2', '/v2.01'))
    task_id = rng.choice(list(task_ids) or ['x']) if rng.random() < 0.7 \
        else rng.choice(('x', str(uuid.uuid4()), 'a' * 37, '%00', '%ff',
                         'x%0d%0aSet-Cookie:%20a=b', '..', '%2e'))
    image_id = rng.choice(list(image_ids) or ['x']) if rng.random() < 0.7 \
        else rng.choice(('x', 'a' * 40, '%ff', str(uuid.uuid4())))
    base = rng.choice((
        '/', '/versions', '/healthcheck', '/healthcheck?detailed=1',
        prefix, prefix + '/', prefix + '/tasks', prefix + '/tasks',
        prefix + '/tasks', prefix + '/tasks/' + task_id,
        prefix + '/tasks/' + task_id, prefix + '/schemas/task',
        prefix + '/schemas/tasks', prefix + '/schemas',
        prefix + '/images/' + image_id + '/tasks', prefix + '/images',
        prefix + '/images/' + image_id))
    path = _mangle(rng, base)
    if 'tasks' in base and rng.random() < 0.6:
        path += _query(rng, list(task_ids))
    return path


def headers_of(rng, method):
    headers = []
    accept = rng.choice(ACCEPTS)
    if accept is not None:
        headers.append(('Accept', accept))
    roll = rng.random()
    if roll < 0.5:
        pass
    elif roll < 0.6:
        headers += [('X-Roles', rng.choice(('admin', 'member', 'reader', '',
                                            'member,reader', 'ADMIN'))),
                    ('X-Project-Id', rng.choice(('p1', 'P1', 'p1 ', '',
                                                 'admin', 'x' * 300))),
                    ('X-User-Id', rng.choice(('u1', '', 'u' * 300)))]
    elif roll < 0.65:
        headers.append(('X-Tenant-Id', 'p2'))
        headers.append(('X-Roles', 'member'))
    elif roll < 0.7:
        headers.append(('X-Auth-Token', rng.choice(('x', '', 'a' * 9000))))
    if rng.random() < 0.3:
        headers.append(('X-Openstack-Request-Id', rng.choice((
            'req-' + str(uuid.uuid4()), str(uuid.uuid4()), 'a' * 60,
            'a' * 61, 'req-' + 'a' * 60, 'a' * 65, 'a\rb', 'a\nb',
            'a\x00b', '\u00e9', '', ' ', 'req-', 'a\tb', 'x' * 10000))))
    if rng.random() < 0.2:
        headers.append(('If-None-Match', rng.choice((
            '*', '"x"', 'W/"x"', '', '"', '"a", "b"', 'x' * 5000, '\x01'))))
    if rng.random() < 0.1:
        headers.append(('Origin', rng.choice((
            'http://evil.example', 'null', '', 'http://127.0.0.1:9292',
            '\u00e9'))))
    if rng.random() < 0.1:
        headers.append(('X-Forwarded-Proto', rng.choice(('https', 'x', ''))))
    if rng.random() < 0.05:
        headers.append(('Forwarded', rng.choice((
            'for=1.2.3.4;proto=https', 'proto=gopher', ';;;', 'for="'))))
    if rng.random() < 0.05:
        headers.append(('Host', rng.choice(('', 'a' * 1000, 'x:y:z',
                                            '[::1'))))
    if rng.random() < 0.05:
        headers.append(('Access-Control-Request-Method', 'POST'))
    return headers


class Request:
    """One raw request and how to send it."""

    def __init__(self, method, path, headers, body, framing, probe=False):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.framing = framing
        #: whether PROBE follows on the same connection
        self.probe = probe

    def raw(self):
        lines = ['%s %s HTTP/1.1' % (self.method, self.path),
                 'Host: 127.0.0.1']
        if not self.probe:
            lines.append('Connection: close')
        lines += ['%s: %s' % header for header in self.headers]
        body = self.body or b''
        if self.framing == 'length':
            lines.append('Content-Length: %d' % len(body))
        elif self.framing == 'short':
            lines.append('Content-Length: %d' % (len(body) + 10))
        elif self.framing == 'long':
            lines.append('Content-Length: %d' % max(0, len(body) - 5))
        elif self.framing == 'bad-length':
            lines.append('Content-Length: %s' % rng_free_bad_length(body))
        elif self.framing in ('chunked', 'bad-chunk'):
            lines.append('Transfer-Encoding: chunked')
            body = _chunked(body, self.framing == 'bad-chunk')
        elif self.framing == 'both':
            lines.append('Transfer-Encoding: chunked')
            lines.append('Content-Length: %d' % len(body))
            body = _chunked(body, False)
        head = '\r\n'.join(lines) + '\r\n\r\n'
        if self.probe:
            body += PROBE
        return head.encode('utf-8', 'surrogateescape'), body

    def __repr__(self):
        return '%s %r headers=%r framing=%s probe=%s body=%r' % (
            self.method, self.path, self.headers, self.framing, self.probe,
            (self.body or b'')[:300])


#: A request sent after another on the same connection; its answer must
#: be its own.
PROBE = (b'GET /v2/schemas/task HTTP/1.1\r\nHost: 127.0.0.1\r\n'
         b'Accept: application/json\r\nConnection: close\r\n\r\n')
PROBE_ANSWER = b'"name": "task"'


def rng_free_bad_length(body):
    return '%d, %d' % (len(body), len(body) + 1) if body else '-1'


def _chunked(body, broken):
    out = b''
    for start in range(0, len(body), 4000):
        piece = body[start:start + 4000]
        out += b'%x\r\n%s\r\n' % (len(piece), piece)
    if broken:
        return out + b'zz\r\nbroken\r\n'
    return out + b'0\r\n\r\n'


def generate(rng, task_ids, image_ids, tokens=()):
    """One hostile request; ``tokens`` are Keystone tokens to send."""
    method = rng.choice(('GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'PUT',
                         'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get',
                         'TRACE', 'PROPFIND', 'X' * 40))
    path = path_of(rng, task_ids, image_ids)
    if method == 'POST' and rng.random() < 0.8:
        path = '/v2/tasks'
    headers = headers_of(rng, method)
    if tokens and rng.random() < 0.8:
        headers.append(('X-Auth-Token', rng.choice(tokens)))
    body = None
    framing = None
    if method in ('POST', 'PUT', 'PATCH') or rng.random() < 0.05:
        body = body_bytes(rng, image_ids)
        content_type = rng.choice(CONTENT_TYPES)
        if content_type is not None:
            headers.append(('Content-Type', content_type))
        framing = rng.choice(('length',) * 8 + (
            'chunked', 'chunked', 'short', 'long', 'bad-length',
            'bad-chunk', 'both', None))
    # NOTE: a body without a Content-Length or chunks is the next request,
    # and cheroot answers a HEAD it cannot parse with a body.
    probe = ((framing in ('length', 'chunked', 'bad-chunk', 'both')
              or (framing is None and body is None))
             and method != 'HEAD' and rng.random() < 0.2)
    return Request(method, path, headers, body, framing, probe)


class _Reader:
    """A socket for http.client whose buffered reads span answers.

    http.client closes the file of an answer read to its end; the next
    answer is read from the same buffer.
    """

    def __init__(self, sock):
        self.stream = sock.makefile('rb')

    def makefile(self, mode):
        return self

    def read(self, *args):
        return self.stream.read(*args)

    def readline(self, *args):
        return self.stream.readline(*args)

    def readinto(self, buffer):
        return self.stream.readinto(buffer)

    def close(self):
        pass


def send(host, port, request, timeout):
    """Send a request; return (status, headers, body) or raise.

    A probe's answer is checked here: unless the first answer closed the
    connection, the next one must be the probe's own.
    """
    head, body = request.raw()
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.sendall(head)
        # NOTE: a server may answer before it reads the whole body (a 413,
        # a 405) and close; its answer is still read below.
        try:
            if body:
                sock.sendall(body)
            if request.framing == 'short':
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        reader = _Reader(sock)
        response = http.client.HTTPResponse(reader, method=request.method)
        response.begin()
        data = response.read()
        if request.probe and not response.will_close:
            probe = http.client.HTTPResponse(reader, method='GET')
            try:
                probe.begin()
            except (http.client.RemoteDisconnected, ConnectionError):
                # NOTE: a server may close a connection after any answer.
                return response.status, response.getheaders(), data
            answer = probe.read()
            if probe.status != 200 or PROBE_ANSWER not in answer:
                raise ProbeMismatch(probe.status, answer[:300])
        return response.status, response.getheaders(), data
    finally:
        sock.close()


class ProbeMismatch(Exception):
    """The request after another got an answer not its own."""


class Finding:
    def __init__(self, kind, request, detail):
        self.kind = kind
        self.request = request
        self.detail = detail

    def __repr__(self):
        return '%s: %s -> %s' % (self.kind, self.request, self.detail)


def check(request, host, port, timeout):
    """Send one request; a Finding when its answer breaks a promise."""
    started = time.monotonic()
    try:
        status, headers, data = send(host, port, request, timeout)
    except socket.timeout:
        return Finding('hang', request, time.monotonic() - started), None
    except ProbeMismatch as error:
        return Finding('next request answered wrong', request,
                       repr(error)), None
    except (http.client.HTTPException, OSError) as error:
        return Finding('no answer', request, repr(error)), None
    if status >= 500 and status != 503:
        return Finding('5xx', request, (status, data[:2000])), None
    if b'Traceback' in data:
        return Finding('traceback', request, (status, data[:2000])), None
    for name, value in headers:
        if any(ord(c) < 32 and c != '\t' for c in value):
            return Finding('control character in header', request,
                           (name, value)), None
    if status == 503 and not any(name.lower() == 'retry-after'
                                 for name, _ in headers):
        return Finding('503 without Retry-After', request,
                       (status, data[:500])), None
    return None, (status, dict((k.lower(), v) for k, v in headers), data)


def run(url, count, seed, timeout=5.0, on_progress=None, tokens=()):
    """Send ``count`` requests generated from ``seed``; return findings.

    :returns: (findings, statuses, task_ids, image_ids)
    """
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname, parsed.port
    rng = random.Random(seed)
    task_ids, image_ids = [], [str(uuid.uuid4()) for _ in range(3)]
    findings, statuses = [], {}
    for number in range(count):
        request = generate(rng, task_ids, image_ids, tokens)
        finding, answer = check(request, host, port, timeout)
        if finding:
            findings.append(finding)
            continue
        status, headers, data = answer
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201 and data:
            try:
                created = json.loads(data)
                task_ids.append(created['id'])
                image_id = (created.get('input') or {}).get('image_id')
                if isinstance(image_id, str) and image_id not in image_ids:
                    image_ids.append(image_id)
            except (ValueError, KeyError, AttributeError, TypeError):
                findings.append(Finding('bad 201 body', request, data[:500]))
        if on_progress and number % 1000 == 0:
            on_progress(number, findings, statuses)
    return findings, statuses, task_ids, image_ids


def sweep(url, task_ids, image_ids, timeout=10.0):
    """Read back every task: show, every list page, tasks of each image."""
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname, parsed.port
    findings = []
    reads = 0

    def read(path, accept='application/json'):
        nonlocal reads
        reads += 1
        request = Request('GET', path, [('Accept', accept)], None, None)
        finding, answer = check(request, host, port, timeout)
        if finding:
            findings.append(finding)
            return None
        status, headers, data = answer
        if status != 200:
            findings.append(Finding('read not 200', request,
                                    (status, data[:500])))
            return None
        try:
            return json.loads(data)
        except ValueError as error:
            findings.append(Finding('read not JSON', request, repr(error)))
            return None

    for task_id in task_ids:
        read('/v2/tasks/' + urllib.parse.quote(task_id, safe=''))
    for sort_key in SORT_KEYS[:10]:
        for sort_dir in ('asc', 'desc'):
            path = '/v2/tasks?limit=1000&sort_key=%s&sort_dir=%s' % (
                sort_key, sort_dir)
            while path:
                page = read(path)
                path = page.get('next') if page else None
    for image_id in filter(None, image_ids):
        read('/v2/images/%s/tasks'
             % urllib.parse.quote(image_id.encode('utf-8', 'surrogatepass'),
                                  safe=''))
    return findings, reads


def main(argv):
    url, count, seed = argv[0], int(argv[1]), int(argv[2])

    def progress(number, findings, statuses):
        print('%d sent, %d findings, %s' % (number, len(findings),
                                            sorted(statuses.items())),
              flush=True)

    findings, statuses, task_ids, image_ids = run(url, count, seed,
                                                  on_progress=progress)
    for finding in findings:
        print('FINDING', finding, flush=True)
    swept, reads = sweep(url, task_ids, image_ids)
    for finding in swept:
        print('SWEEP', finding, flush=True)
    print('requests %d, statuses %s, tasks %d, sweep reads %d, findings %d'
          % (count, sorted(statuses.items()), len(task_ids), reads,
             len(findings) + len(swept)))


if __name__ == '__main__':
    main(sys.argv[1:])
