"""Tests of the task status machine and expiry."""

import datetime

from oslo_utils import timeutils
import sqlalchemy as sa

from task_api.db.sqlalchemy import api as sqla_api
from task_api.db.sqlalchemy import models
from task_api import exception
from task_api import lifecycle
from task_api.tests import base

NOW = datetime.datetime(2026, 11, 29, 10, 0, 0)


class LifecycleMixin:
    """The status machine on the DB API; mixed in per backend."""

    def setUp(self):
        super().setUp()
        self.task = base.create_test_task(self.admin_context)
        self.task_id = self.task['id']

    def at(self, moment):
        fixture = timeutils.set_time_override(moment)
        self.addCleanup(timeutils.clear_time_override)
        return fixture

    def row(self):
        with sqla_api.get_engine().connect() as connection:
            return connection.execute(
                sa.select(models.Task.status, models.Task.expires_at,
                          models.Task.updated_at)
                .where(models.Task.id == self.task_id)).one()

    def test_success_path(self):
        self.at(NOW)
        task = lifecycle.begin_processing(self.dbapi, self.admin_context,
                                          self.task_id)
        self.assertEqual(('processing', None, NOW),
                         (task['status'], task['expires_at'],
                          task['updated_at']))
        later = NOW + datetime.timedelta(minutes=5)
        timeutils.set_time_override(later)
        task = lifecycle.succeed(self.dbapi, self.admin_context,
                                 self.task_id, {'image_id': 'img-1'})
        self.assertEqual('success', task['status'])
        self.assertEqual({'image_id': 'img-1'}, task['result'])
        self.assertEqual(later, task['updated_at'])
        self.assertEqual(later + datetime.timedelta(hours=48),
                         task['expires_at'])
        self.assertEqual(('success', later + datetime.timedelta(hours=48),
                          later), tuple(self.row()))

    def test_failure_from_pending_with_configured_time_to_live(self):
        self.config(task_time_to_live=2, group='task')
        self.at(NOW)
        task = lifecycle.fail(self.dbapi, self.admin_context, self.task_id,
                              'Input does not contain '
                              "'image_properties' field")
        self.assertEqual(('failure', NOW + datetime.timedelta(hours=2)),
                         (task['status'], task['expires_at']))
        self.assertEqual("Input does not contain 'image_properties' field",
                         task['message'])

    def test_end_states_are_final_and_expiry_is_set_once(self):
        self.at(NOW)
        lifecycle.fail(self.dbapi, self.admin_context, self.task_id, 'x')
        expires = self.row().expires_at
        timeutils.set_time_override(NOW + datetime.timedelta(hours=1))
        for move in (lambda: lifecycle.begin_processing(
                         self.dbapi, self.admin_context, self.task_id),
                     lambda: lifecycle.succeed(
                         self.dbapi, self.admin_context, self.task_id, {}),
                     lambda: lifecycle.fail(
                         self.dbapi, self.admin_context, self.task_id, 'y')):
            self.assertRaises(exception.InvalidTaskStatusTransition, move)
        self.assertEqual(('failure', expires, NOW), tuple(self.row()))

    def test_pending_cannot_succeed_directly(self):
        error = self.assertRaises(
            exception.InvalidTaskStatusTransition, lifecycle.succeed,
            self.dbapi, self.admin_context, self.task_id, {})
        self.assertEqual('Task %s cannot go from pending to success.'
                         % self.task_id, str(error))
        self.assertEqual('pending', self.row().status)

    def test_concurrent_move_is_refused(self):
        # Another worker moved the task after this one read it.
        with sqla_api.get_engine().begin() as connection:
            connection.execute(sa.text(
                "UPDATE tasks SET status = 'processing'"))
        self.assertRaises(
            exception.TaskStatusConflict, self.dbapi.task_update,
            self.admin_context, self.task_id, {'status': 'processing'},
            expected_status='pending')

    def test_update_keeps_bookkeeping_columns(self):
        self.at(NOW)
        task = self.dbapi.task_update(self.admin_context, self.task_id, {
            'message': 'Copied 1 MiB', 'id': 'other', 'deleted': True,
            'created_at': NOW, 'updated_at': NOW - datetime.timedelta(1)})
        self.assertEqual((self.task_id, False, self.task['created_at'], NOW,
                          'Copied 1 MiB'),
                         (task['id'], task['deleted'], task['created_at'],
                          task['updated_at'], task['message']))

    def test_missing_task(self):
        self.assertRaises(exception.TaskNotFound, lifecycle.begin_processing,
                          self.dbapi, self.admin_context,
                          '00000000-0000-4000-8000-000000000000')


class TestLifecycle(LifecycleMixin, base.DbTestCase):
    """On SQLite."""
