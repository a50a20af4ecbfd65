"""The DB API tests on real PostgreSQL and MySQL/MariaDB servers."""

import socket

from task_api.db.sqlalchemy import api as sqla_api
from task_api.tests import base
from task_api.tests import fixtures
from task_api.tests.unit.db import test_api
from task_api.tests.unit import test_lifecycle


class TestTaskApiPostgreSQL(test_api.TaskApiTests, base.DbTestCase):
    """The DB API on PostgreSQL."""

    FIXTURE = fixtures.PostgreSQLDatabase


class TestTaskApiMySQL(test_api.TaskApiTests, base.DbTestCase):
    """The DB API on MySQL/MariaDB."""

    FIXTURE = fixtures.MySQLDatabase

    def test_connections_use_utf8mb4(self):
        # oslo.db names "utf8" (3 bytes) when the URL names no character
        # set; task_api asks for utf8mb4 instead.
        with sqla_api.get_engine().connect() as connection:
            charset = connection.exec_driver_sql(
                "SELECT @@character_set_client").scalar()
        self.assertEqual('utf8mb4', charset)

    def test_characters_outside_the_bmp_are_kept(self):
        message = 'Échec : image 🚀 introuvable'
        task = self._create(message=message)
        fetched = self.dbapi.task_get(test_api.project_context(test_api.OWNER),
                                      task['id'])
        self.assertEqual(message, fetched['message'])


def closed_port(test):
    """A local TCP port that refuses connections while the test runs.

    The socket is bound but never listens, so no other process can take
    the port and every connection to it is refused at once.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    test.addCleanup(sock.close)
    sock.bind(('127.0.0.1', 0))
    return sock.getsockname()[1]


class TestUnreachablePostgreSQL(test_api.UnreachableDatabaseTests,
                                base.TestCase):
    """A PostgreSQL URL whose port refuses connections."""

    def unreachable_url(self):
        return ('postgresql+psycopg2://openstack_citest:openstack_citest'
                '@127.0.0.1:%d/task_api' % closed_port(self))


class TestUnreachableMySQL(test_api.UnreachableDatabaseTests,
                           base.TestCase):
    """A MySQL/MariaDB URL whose port refuses connections."""

    def unreachable_url(self):
        return ('mysql+pymysql://openstack_citest:openstack_citest'
                '@127.0.0.1:%d/task_api?charset=utf8mb4' % closed_port(self))


class TestLifecyclePostgreSQL(test_lifecycle.LifecycleMixin, base.DbTestCase):
    """The status machine on PostgreSQL."""

    FIXTURE = fixtures.PostgreSQLDatabase


class TestLifecycleMySQL(test_lifecycle.LifecycleMixin, base.DbTestCase):
    """The status machine on MariaDB (whole-second timestamps)."""

    FIXTURE = fixtures.MySQLDatabase
