"""Base test cases of task_api."""

import datetime
import os

import fixtures
from oslo_config import fixture as config_fixture
from oslo_db.sqlalchemy import test_fixtures
from oslo_policy import opts as policy_opts
from oslotest import base
import sqlalchemy as sa

from task_api import conf
from task_api import context as task_context
from task_api.db import api as db_api
from task_api.db.sqlalchemy import models
from task_api import policy
from task_api.tests import fixtures as task_fixtures

CONF = conf.CONF
# NOTE: the test process is task_api's own, as a task_api server's is: its
# options and the defaults it gives other libraries are set on the global
# configuration, as task_api's entry points set them.
conf.set_defaults(CONF)


class TestCase(base.BaseTestCase):
    """Clean configuration, in-code policy and strict SQLAlchemy warnings."""

    def setUp(self):
        super().setUp()
        self.config = self.useFixture(config_fixture.Config(CONF)).config
        policy_opts.set_defaults(CONF)
        CONF([], project='task_api', default_config_files=[],
             default_config_dirs=[])
        self.useFixture(task_fixtures.PolicyFixture())
        self.useFixture(task_fixtures.WarningsFixture())

    def set_policy(self, rules):
        """Enforce ``rules`` (name -> check string) from a policy file."""
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'policy.yaml')
        with open(path, 'w') as stream:
            for name, check in rules.items():
                stream.write('"%s": "%s"\n' % (name, check))
        self.config(policy_file=path, group='oslo_policy')
        policy.reset()


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


def insert_task_rows(engine, **kw):
    """Write a task straight into tasks and task_info with SQL.

    This is how a task written by another program (an executor, or a
    database shared with another Image API service) reaches task_api.
    Returns the values written.
    """
    values = get_test_task(**kw)
    info = {key: values.pop(key) for key in ('input', 'result', 'message')}
    with engine.begin() as connection:
        connection.execute(sa.insert(models.Task.__table__).values(**values))
        connection.execute(sa.insert(models.TaskInfo.__table__).values(
            task_id=values['id'], **info))
    values.update(info)
    return values
