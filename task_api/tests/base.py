"""Base test cases of task_api."""

import datetime

from oslo_config import fixture as config_fixture
from oslo_db.sqlalchemy import test_fixtures
from oslotest import base

from task_api import conf
from task_api import context as task_context
from task_api.db import api as db_api
from task_api.tests import fixtures as task_fixtures

CONF = conf.CONF


class TestCase(base.BaseTestCase):
    """Clean configuration, in-code policy and strict SQLAlchemy warnings."""

    def setUp(self):
        super().setUp()
        self.config = self.useFixture(config_fixture.Config(CONF)).config
        CONF([], project='task_api', default_config_files=[],
             default_config_dirs=[])
        self.useFixture(task_fixtures.PolicyFixture())
        self.useFixture(task_fixtures.WarningsFixture())


class DbTestCase(test_fixtures.OpportunisticDBTestMixin, TestCase):
    """A test on its own SQLite database; subclasses pick other backends."""

    FIXTURE = task_fixtures.SQLiteDatabase
    SKIP_ON_UNAVAILABLE_DB = not task_fixtures.db_required()

    def setUp(self):
        super().setUp()
        self.dbapi = db_api.get_instance()
        self.admin_context = task_context.get_admin_context()


def get_test_task(**kw):
    """Column values of a task, with realistic defaults."""
    now = datetime.datetime(2026, 11, 29, 4, 28, 35, 123456)
    values = {
        'id': '20840546-7c1e-4c1f-9b7e-2f8c0c6d8a11',
        'type': 'import',
        'status': 'pending',
        'owner': 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa',
        'expires_at': None,
        'created_at': now,
        'updated_at': now,
        'deleted_at': None,
        'deleted': False,
        'image_id': None,
        'request_id': 'req-11111111-2222-4333-8444-555555555555',
        'user_id': 'u1',
        'input': {'import_from': 'http://example.com/image.qcow2',
                  'import_from_format': 'qcow2',
                  'image_properties': {'name': 'cirros'}},
        'result': None,
        'message': '',
    }
    values.update(kw)
    return values


def create_test_task(context=None, **kw):
    """Store a task through the DB API and return it."""
    context = context or task_context.get_admin_context()
    return db_api.get_instance().task_create(context, get_test_task(**kw))
