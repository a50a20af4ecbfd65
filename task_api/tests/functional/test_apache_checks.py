"""When the Apache tests skip, and when they fail instead."""

import unittest
from unittest import mock

import fixtures
from oslotest import base

from task_api.tests.functional import test_apache


class TestRequireApache(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        if not (test_apache._apache_binary()
                and test_apache.os.path.exists(test_apache.MOD_WSGI)):
            self.skipTest('Apache and mod_wsgi are not installed')
        # A mod_wsgi built for a Python the tests do not run on.
        self.useFixture(fixtures.MockPatchObject(
            test_apache, '_mod_wsgi_python', mock.Mock(return_value=(2, 7))))

    def test_another_python_skips_with_the_reason(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'TASK_API_REQUIRE_APACHE'))
        error = self.assertRaises(unittest.SkipTest,
                                  test_apache._require_apache)
        self.assertIn('mod_wsgi embeds Python 2.7 but the tests run on',
                      str(error))

    def test_another_python_fails_when_apache_is_required(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'TASK_API_REQUIRE_APACHE', '1'))
        error = self.assertRaises(AssertionError,
                                  test_apache._require_apache)
        self.assertIn('(TASK_API_REQUIRE_APACHE is set)', str(error))
