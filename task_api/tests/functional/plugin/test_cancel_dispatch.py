"""The cancel action inside a host's pipeline: task_api's only with POST."""

from task_api.tests.functional.plugin import test_dispatch

TASK_ID = test_dispatch.TASK_ID
CANCEL = '/v2/tasks/%s/actions/cancel' % TASK_ID


class TestCancelStaysWithTheHostByDefault(test_dispatch.PluginTestCase):

    def test_cancel_goes_to_the_host(self):
        for method in ('POST', 'GET'):
            self.assertHost(self.request(method, CANCEL), method, CANCEL)
        self.assertEqual('pending', self.dbapi.task_get(
            self.admin_context, TASK_ID)['status'])


class TestCancelToTaskApi(test_dispatch.PluginTestCase):

    methods = 'GET HEAD POST'

    def test_task_api_cancels_tasks(self):
        path = '/v2.9/tasks/%s/actions/cancel' % TASK_ID
        response = self.request('POST', path, status=202)

        self.assertEqual(b'', response.body)
        stored = self.dbapi.task_get(self.admin_context, TASK_ID)
        self.assertEqual(
            ('failure', 'Cancelled by user admin-user of project '
                        'admin-project'),
            (stored['status'], stored['message']))
        # Other methods on the action, and other actions, stay with the
        # host.
        self.assertHost(self.request('GET', CANCEL), 'GET', CANCEL)
        other = '/v2/tasks/%s/actions/undo' % TASK_ID
        self.assertHost(self.request('POST', other), 'POST', other)
