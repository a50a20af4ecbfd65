"""One version, shown alike by every command of task_api."""

import importlib.metadata
import os
import subprocess
import sys

import testtools

from task_api import version


def _script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


class TestVersion(testtools.TestCase):

    def test_is_the_installed_packages(self):
        self.assertEqual(importlib.metadata.version('task_api'),
                         version.version_string())

    def test_every_command_prints_it(self):
        for command in ('task-api', 'task-api-worker'):
            process = subprocess.run(
                [_script(command), '--version'], capture_output=True,
                text=True, timeout=120)
            self.assertEqual(0, process.returncode, process.stderr)
            self.assertEqual(version.version_string(),
                             process.stdout.strip())

    def test_the_worker_loads_none_of_the_api_server(self):
        # NOTE: a fresh interpreter, as this one may have imported them.
        output = subprocess.run(
            [sys.executable, '-c',
             'import sys\n'
             'import task_api.cmd.worker\n'
             'print(sorted(name for name in ("task_api.cmd.api", "cheroot",'
             ' "task_api.api.middleware.request_log") if name in '
             'sys.modules))\n'],
            check=True, capture_output=True, text=True, timeout=120).stdout
        self.assertEqual('[]\n', output)
