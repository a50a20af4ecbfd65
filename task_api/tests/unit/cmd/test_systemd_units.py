"""The sample systemd units of etc/systemd run task_api's commands.

Each unit starts a command task_api installs, and does not restart one
that refused to start: the status the command exits with on a bad
configuration is among the unit's RestartPreventExitStatus.
"""

import configparser
import os
import shlex
import subprocess
import sys

import fixtures
import testtools

import task_api

UNITS = os.path.join(os.path.dirname(os.path.dirname(task_api.__file__)),
                     'etc', 'systemd')


def _unit(name):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    with open(os.path.join(UNITS, name)) as stream:
        parser.read_file(stream)
    return parser


class TestSystemdUnits(testtools.TestCase):

    def refused_start_status(self, command):
        """The exit status of ``command`` given a bad configuration file."""
        directory = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(directory, 'task_api.conf')
        with open(path, 'w') as stream:
            stream.write('[database]\nconnection = nosuchdriver://x\n')
        process = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), command),
             '--config-file', path], capture_output=True, text=True,
            timeout=120)
        return process.returncode

    def check_runs(self, name, command):
        service = _unit(name)['Service']
        program, *options = shlex.split(service['ExecStart'])
        self.assertEqual(command, os.path.basename(program))
        self.assertEqual(['--config-file', '/etc/task_api/task_api.conf'],
                         options)
        self.assertIn(str(self.refused_start_status(command)),
                      service['RestartPreventExitStatus'].split())
        return service

    def test_api_unit(self):
        self.check_runs('task-api.service', 'task-api')

    def test_worker_unit(self):
        service = self.check_runs('task-api-worker.service',
                                  'task-api-worker')
        # SIGTERM goes to the worker's main process alone, which lets its
        # running tasks end, and the stop waits longer than oslo.service's
        # graceful_shutdown_timeout (60 s) before SIGKILL.
        self.assertEqual('mixed', service['KillMode'])
        self.assertGreater(int(service['TimeoutStopSec']), 60)
        self.assertEqual('19', service['Nice'])
