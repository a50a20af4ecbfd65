"""Tests of the task representation helpers."""

import datetime

from task_api.api.views import tasks as tasks_view
from task_api.common import masking
from task_api.tests import base


class TestMaskCredentials(base.TestCase):

    def test_masks_passwords_of_urls_at_any_depth(self):
        value = {'a': 'http://u:p@h/x', 'b': [{'c': 'swift+https://'
                                                    'acct:key@store/o'}],
                 'd': ('not', 'walked'), 'e': 7, 'f': None}
        self.assertEqual(
            {'a': 'http://u:***@h/x',
             'b': [{'c': 'swift+https://acct:***@store/o'}],
             'd': ('not', 'walked'), 'e': 7, 'f': None},
            masking.mask_credentials(value))

    def test_leaves_urls_without_userinfo(self):
        for value in ('http://h/x', 'http://h:8080/x@y', 'mailto:a@b',
                      'a:b@c', ''):
            self.assertEqual(value, masking.mask_credentials(value))

    def test_masks_a_lone_user_part(self):
        # NOTE: it may be a token (scheme://TOKEN@host).
        self.assertEqual('http://***@h/x',
                         masking.mask_credentials('http://user@h/x'))

    def test_masks_every_url_in_a_string(self):
        self.assertEqual(
            'from http://a:***@h1/x to https://b:***@h2/y',
            masking.mask_credentials(
                'from http://a:1@h1/x to https://b:2@h2/y'))

    def test_empty_password(self):
        self.assertEqual('http://a:***@h/',
                         masking.mask_credentials('http://a:@h/'))


class TestIsotime(base.TestCase):

    def test_whole_seconds_and_z(self):
        self.assertEqual('2026-01-02T03:04:05Z', tasks_view.isotime(
            datetime.datetime(2026, 1, 2, 3, 4, 5, 999999)))

    def test_four_digit_years(self):
        self.assertEqual('0999-12-31T23:59:59Z', tasks_view.isotime(
            datetime.datetime(999, 12, 31, 23, 59, 59)))
        self.assertEqual('9999-01-01T00:00:00Z', tasks_view.isotime(
            datetime.datetime(9999, 1, 1)))

    def test_aware_datetime_keeps_its_clock_time(self):
        self.assertEqual('2026-01-02T03:04:05Z', tasks_view.isotime(
            datetime.datetime(2026, 1, 2, 3, 4, 5,
                              tzinfo=datetime.timezone.utc)))
