"""Benchmark databases: creation, schema, bulk seeding and sampling.

Each size N gets a database of its own (``task_api_bench_<N>``, or a SQLite
file of that name), built with task_api's migrations and filled with N
synthetic tasks by bulk inserts: COPY on PostgreSQL, multi-row INSERTs on
MySQL/MariaDB and SQLite. The table ``bench_seed`` records N and the
version of the generator, so that a later run with the same N reuses the
database as it is.
"""

import datetime
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid

from sqlalchemy.engine import url as sa_url

#: Bumped whenever the generated data changes, so that old seeds are
#: rebuilt rather than reused.
SEED_VERSION = 3

DEFAULT_URLS = {
    'postgresql': 'postgresql+psycopg2://openstack_citest:openstack_citest'
                  '@localhost/postgres',
    'mysql': 'mysql+pymysql://openstack_citest:openstack_citest@localhost/'
             '?charset=utf8mb4',
    'sqlite': 'sqlite://',
}

#: Owner of the tasks the create scenario makes (noauth's anonymous
#: administrator); no seeded task has it, so they are easy to remove.
BENCH_OWNER = 'admin'

_TASK_COLUMNS = ('id', 'type', 'status', 'owner', 'expires_at', 'created_at',
                 'updated_at', 'deleted_at', 'deleted', 'image_id',
                 'request_id', 'user_id')
_INFO_COLUMNS = ('task_id', 'input', 'result', 'message')
_CHUNK = 20000

# The mix: statuses with their weights; of the finished tasks a share has
# expired already, and a share of all tasks is soft-deleted.
_STATUSES = (('success', 70), ('failure', 22), ('processing', 4),
             ('pending', 4))
_EXPIRED_SHARE = 0.3
_DELETED_SHARE = 0.05
_HISTORY_DAYS = 90
_TYPES = (('import', 40), ('api_image_import', 50), ('location_import', 10))
_NAMES = ('cirros', 'ubuntu-24.04', 'debian-12', 'fedora-40', 'centos-9',
          'windows-2022', 'image de test', 'образ', 'イメージ', 'alpine')
_FORMATS = ('qcow2', 'raw', 'vmdk', 'iso', 'vhd')
_ERRORS = ('Image import failed: 404 Not Found from the remote server',
           'Unable to fetch the image data: connection timed out',
           'Image size exceeds the quota of the project',
           'Invalid disk format for the requested import method')


class Database:
    """One benchmark database: ``task_api_bench_<N>`` on a server.

    :param kind: ``postgresql``, ``mysql`` or ``sqlite``.
    :param admin_url: SQLAlchemy URL of the server, used to create the
        database (ignored for SQLite).
    :param size: N, the number of seeded tasks.
    :param workdir: where SQLite files live.
    :param prefix: the name of the database, before ``_<N>``.
    """

    def __init__(self, kind, admin_url, size, workdir,
                 prefix='task_api_bench'):
        self.kind = kind
        self.size = size
        self.name = '%s_%d' % (prefix, size)
        if kind == 'sqlite':
            self.path = os.path.join(workdir, self.name + '.sqlite')
            self.url = 'sqlite:///' + self.path
            self.admin = None
        else:
            self.admin = sa_url.make_url(admin_url)
            self.url = self.admin.set(database=self.name).render_as_string(
                hide_password=False)
        self.param = '?' if kind == 'sqlite' else '%s'

    def connect_args(self, database=True):
        """Keyword arguments of the driver's connect()."""
        if self.kind == 'sqlite':
            return {'database': self.path}
        url = self.admin
        args = {'host': url.host or 'localhost', 'user': url.username,
                'password': url.password or ''}
        if url.port:
            args['port'] = url.port
        if self.kind == 'postgresql':
            args['dbname'] = self.name if database else url.database
        else:
            args['charset'] = 'utf8mb4'
            if database:
                args['database'] = self.name
        return args

    def floor_spec(self):
        """What benchmarks.floor reads from TASK_API_BENCH_FLOOR_DB."""
        return json.dumps({'driver': self.kind,
                           'connect': self.connect_args()})

    def connect(self, database=True, autocommit=False):
        args = self.connect_args(database)
        if self.kind == 'postgresql':
            import psycopg2
            connection = psycopg2.connect(**args)
            connection.autocommit = autocommit
        elif self.kind == 'mysql':
            import pymysql
            connection = pymysql.connect(autocommit=autocommit, **args)
        else:
            import sqlite3
            connection = sqlite3.connect(
                isolation_level=None if autocommit else 'DEFERRED', **args)
        return connection

    def sql(self, statement):
        return statement.replace('%s', self.param)

    # -- creation ---------------------------------------------------------

    def seeded_size(self):
        """N recorded by a finished seed of this version, else None."""
        if self.kind == 'sqlite' and not os.path.exists(self.path):
            return None
        try:
            connection = self.connect()
        except Exception:
            return None
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql(
                'SELECT n FROM bench_seed WHERE version = %s'),
                (SEED_VERSION,))
            row = cursor.fetchone()
            return row[0] if row else None
        except Exception:
            return None
        finally:
            connection.close()

    def recreate(self):
        """Drop the database if it exists and create it empty."""
        if self.kind == 'sqlite':
            for suffix in ('', '-wal', '-shm'):
                if os.path.exists(self.path + suffix):
                    os.unlink(self.path + suffix)
            return
        connection = self.connect(database=False, autocommit=True)
        try:
            cursor = connection.cursor()
            if self.kind == 'postgresql':
                cursor.execute('DROP DATABASE IF EXISTS %s WITH (FORCE)'
                               % self.name)
                cursor.execute('CREATE DATABASE %s' % self.name)
            else:
                cursor.execute('DROP DATABASE IF EXISTS %s' % self.name)
                cursor.execute('CREATE DATABASE %s CHARACTER SET utf8mb4'
                               % self.name)
        finally:
            connection.close()

    def sync_schema(self, config_file):
        """Build the schema with task_api's own migrations."""
        manage = os.path.join(os.path.dirname(sys.executable),
                              'task-api-manage')
        command = ([manage] if os.path.exists(manage) else
                   [sys.executable, '-c',
                    'from task_api.cmd.manage import main; main()'])
        subprocess.run(command + ['--config-file', config_file, 'db',
                                  'sync'], check=True)

    # -- seeding ----------------------------------------------------------

    def seed(self, log):
        """Insert N synthetic tasks in bulk and record N."""
        started = time.monotonic()
        connection = self.connect()
        try:
            cursor = connection.cursor()
            if self.kind == 'sqlite':
                cursor.execute('PRAGMA journal_mode=WAL')
                cursor.execute('PRAGMA synchronous=OFF')
            insert = (self._copy if self.kind == 'postgresql'
                      else self._insert_many)
            done = 0
            for tasks, infos in _chunks(generate(self.size), _CHUNK):
                insert(cursor, 'tasks', _TASK_COLUMNS, tasks)
                insert(cursor, 'task_info', _INFO_COLUMNS, infos)
                done += len(tasks)
                if done % 200000 == 0 or done == self.size:
                    log('  seeded %d/%d tasks (%.0f s)'
                        % (done, self.size, time.monotonic() - started))
            cursor.execute('CREATE TABLE bench_seed (n INTEGER NOT NULL, '
                           'version INTEGER NOT NULL)')
            cursor.execute(self.sql(
                'INSERT INTO bench_seed (n, version) VALUES (%s, %s)'),
                (self.size, SEED_VERSION))
            connection.commit()
        finally:
            connection.close()
        self.analyze()
        log('  seeded %d tasks in %.0f s'
            % (self.size, time.monotonic() - started))

    def _copy(self, cursor, table, columns, rows):
        buffer = io.StringIO()
        for row in rows:
            buffer.write('\t'.join(_copy_value(value) for value in row))
            buffer.write('\n')
        buffer.seek(0)
        cursor.copy_expert('COPY %s (%s) FROM STDIN' % (
            table, ', '.join(columns)), buffer)

    def _insert_many(self, cursor, table, columns, rows):
        statement = self.sql('INSERT INTO %s (%s) VALUES (%s)' % (
            table, ', '.join(columns), ', '.join(['%s'] * len(columns))))
        if self.kind == 'sqlite':
            rows = [tuple(int(v) if isinstance(v, bool) else v for v in row)
                    for row in rows]
        for start in range(0, len(rows), 2000):
            cursor.executemany(statement, rows[start:start + 2000])

    def analyze(self):
        """Refresh the planner's statistics after bulk changes."""
        connection = self.connect(autocommit=True)
        try:
            cursor = connection.cursor()
            if self.kind == 'postgresql':
                cursor.execute('VACUUM ANALYZE tasks')
                cursor.execute('VACUUM ANALYZE task_info')
            elif self.kind == 'mysql':
                cursor.execute('ANALYZE TABLE tasks, task_info')
                cursor.fetchall()
            else:
                cursor.execute('ANALYZE')
        finally:
            connection.close()

    # -- during the runs --------------------------------------------------

    def remove_created(self):
        """Delete the tasks the create scenario made; return how many.

        Requests still in flight when wrk stops may commit a task between
        the two deletes; the removal is then tried again.
        """
        for attempt in range(10):
            connection = self.connect()
            try:
                cursor = connection.cursor()
                # NOTE: a pending task task_api created has a claim row
                # for its workers.
                for table in ('task_api_claims', 'task_info'):
                    cursor.execute(self.sql(
                        'DELETE FROM %s WHERE task_id IN '
                        '(SELECT id FROM tasks WHERE owner = %%s)' % table),
                        (BENCH_OWNER,))
                cursor.execute(self.sql(
                    'DELETE FROM tasks WHERE owner = %s'), (BENCH_OWNER,))
                count = cursor.rowcount
                connection.commit()
                return count
            except Exception:
                connection.rollback()
                if attempt == 9:
                    raise
                time.sleep(0.5)
            finally:
                connection.close()

    def query(self, statement, args=()):
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql(statement), args)
            rows = cursor.fetchall()
            connection.rollback()
            return rows
        finally:
            connection.close()

    def all_ids(self):
        return [row[0] for row in self.query('SELECT id FROM tasks')]

    def show_rows(self, ids):
        """Rows as benchmarks.floor.render_show takes them."""
        rows = []
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows.extend(self.query(
                'SELECT t.id, t.type, t.status, t.owner, t.expires_at, '
                't.created_at, t.updated_at, t.image_id, t.request_id, '
                't.user_id, i.input, i.result, i.message FROM tasks t '
                'LEFT OUTER JOIN task_info i ON i.task_id = t.id '
                'WHERE t.id IN (%s)' % ', '.join(['%s'] * len(part)), part))
        return rows

    def visible_ids(self, limit):
        """Ids of the listed tasks in the default order, newest first."""
        now = datetime.datetime.now(
            datetime.timezone.utc).replace(tzinfo=None)
        if self.kind == 'sqlite':
            now = now.strftime('%Y-%m-%d %H:%M:%S.%f')
        return [row[0] for row in self.query(
            'SELECT id FROM tasks WHERE deleted = %s AND (expires_at IS '
            'NULL OR expires_at > %s) ORDER BY created_at DESC, id DESC '
            'LIMIT ' + str(int(limit)), (False, now))]


def _copy_value(value):
    if value is None:
        return '\\N'
    if value is True:
        return 't'
    if value is False:
        return 'f'
    return (value.replace('\\', '\\\\').replace('\t', '\\t')
            .replace('\n', '\\n').replace('\r', '\\r'))


def _chunks(rows, size):
    tasks, infos = [], []
    for task, info in rows:
        tasks.append(task)
        infos.append(info)
        if len(tasks) == size:
            yield tasks, infos
            tasks, infos = [], []
    if tasks:
        yield tasks, infos


def _weighted(rng, choices):
    values = [value for value, _ in choices]
    weights = [weight for _, weight in choices]
    return lambda: rng.choices(values, weights)[0]


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _timestamp(value):
    return value.strftime('%Y-%m-%d %H:%M:%S.%f')


def _input(rng, task_type, image_id, size):
    """A task input: mostly small, some of a few KB."""
    name = rng.choice(_NAMES)
    if task_type == 'import':
        user = 'glance:s3cr3t-%d@' % rng.randrange(100) if (
            rng.random() < 0.05) else ''
        value = {
            'import_from': 'https://%smirror%d.example.com/images/%s.%s'
                           % (user, rng.randrange(20), name.replace(' ', '-'),
                              rng.choice(_FORMATS)),
            'import_from_format': rng.choice(_FORMATS),
            'image_properties': {'name': name, 'disk_format': 'qcow2',
                                 'container_format': 'bare'},
        }
    elif task_type == 'api_image_import':
        value = {'image_id': image_id, 'import_req': {
            'method': {'name': rng.choice(('glance-direct', 'web-download',
                                           'copy-image'))},
            'stores': ['ceph', 'file'][:rng.randrange(1, 3)]},
            'backend': ['ceph']}
    else:
        value = {'image_id': image_id, 'loc_url': 'rbd://%s/images/%s/snap'
                 % (_uuid(rng), image_id), 'validation_data': {
                     'os_hash_algo': 'sha512',
                     'os_hash_value': '%0128x' % rng.getrandbits(512)}}
    if size == 'large':
        properties = value.setdefault('image_properties', {})
        for index in range(rng.randrange(20, 60)):
            properties['x_meta_%02d' % index] = '%x' % rng.getrandbits(
                rng.randrange(64, 400))
    elif size == 'medium':
        value['description'] = ('Built by the nightly pipeline %d; ' %
                                rng.randrange(10000)) * rng.randrange(3, 12)
    return value


def generate(size, seed=20240601):
    """Yield ``size`` (tasks row, task_info row) pairs of a realistic mix.

    Statuses mostly success and failure, some pending and processing; 16
    owners of unequal weight; inputs from about 100 bytes to a few KB;
    about a fifth of the tasks expired and 5% soft-deleted, scattered over
    90 days of history. Timestamps are text that every backend accepts.
    """
    rng = random.Random(seed + size)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    owners = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(16)]
    owner_weights = [1.0 / (index + 1) for index in range(16)]
    users = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(40)]
    status = _weighted(rng, _STATUSES)
    task_type = _weighted(rng, _TYPES)
    input_size = _weighted(rng, (('small', 70), ('medium', 25),
                                 ('large', 5)))
    history = _HISTORY_DAYS * 86400.0
    for _ in range(size):
        task_id = _uuid(rng)
        kind = task_type()
        state = status()
        created = now - datetime.timedelta(seconds=rng.uniform(60, history))
        image_id = _uuid(rng) if kind != 'import' or rng.random() < 0.8 \
            else None
        finished = state in ('success', 'failure')
        updated = created + datetime.timedelta(
            seconds=rng.uniform(1, 600) if state != 'pending' else 0)
        expires = None
        if finished:
            if rng.random() < _EXPIRED_SHARE:
                expires = updated + (now - updated) * rng.random()
            else:
                expires = now + datetime.timedelta(
                    days=rng.uniform(30, 365))
        deleted = rng.random() < _DELETED_SHARE
        deleted_at = None
        if deleted:
            deleted_at = updated + (now - updated) * rng.random()
        result = None
        message = ''
        if state == 'success':
            result = json.dumps({'image_id': image_id or _uuid(rng)})
        elif state == 'failure':
            message = rng.choice(_ERRORS)
        task = (task_id, kind, state,
                rng.choices(owners, owner_weights)[0],
                _timestamp(expires) if expires else None,
                _timestamp(created), _timestamp(updated),
                _timestamp(deleted_at) if deleted_at else None,
                deleted, image_id, 'req-' + _uuid(rng),
                rng.choice(users))
        info = (task_id,
                json.dumps(_input(rng, kind, image_id, input_size())),
                result, message)
        yield task, info
