"""What a task_api server process holds in memory, and what it leaves out.

A server imports alembic only when its start-up has a schema to change;
the revision of the database and of the scripts are read without it.
Checked in processes of their own, as a WSGI server starts them, on the
embedded SQLite database.
"""

import json
import os
import subprocess
import sys

from alembic import config as alembic_config
from alembic import script as alembic_script
import fixtures

from task_api.db import migration
from task_api.tests import base

_SERVE = '''
import json, sys
import webob
from task_api.wsgi import api
request = webob.Request.blank('/v2/tasks')
request.remote_addr = '127.0.0.1'
response = request.get_response(api.application)
print(json.dumps({'status': response.status_int,
                  'tasks': response.json['tasks'],
                  'alembic': 'alembic' in sys.modules}))
'''


class TestServerImports(base.TestCase):

    def serve(self, config):
        env = dict(os.environ, OS_TASK_API_CONFIG_FILES=config)
        output = subprocess.run([sys.executable, '-c', _SERVE], env=env,
                                capture_output=True, text=True, timeout=120,
                                check=True).stdout
        return json.loads(output.splitlines()[-1])

    def test_server_on_a_current_schema_imports_no_alembic(self):
        state = self.useFixture(fixtures.TempDir()).path
        config = os.path.join(state, 'task_api.conf')
        with open(config, 'w') as conf_file:
            conf_file.write('[DEFAULT]\nstate_path = %s\n'
                            '[api]\nauth_mode = noauth\n' % state)
        # The first start creates the schema, with alembic.
        self.assertEqual(
            {'status': 200, 'tasks': [], 'alembic': True},
            self.serve(config))
        # The next ones find it current.
        self.assertEqual(
            {'status': 200, 'tasks': [], 'alembic': False},
            self.serve(config))


class TestRevisions(base.TestCase):
    """task_api's reading of the scripts is alembic's."""

    def test_revisions_and_head_are_alembic_s(self):
        config = alembic_config.Config()
        config.set_main_option('script_location', migration.SCRIPT_LOCATION)
        scripts = alembic_script.ScriptDirectory.from_config(config)
        self.assertEqual(
            {script.revision: script.down_revision
             for script in scripts.walk_revisions()},
            migration.revisions())
        self.assertEqual(scripts.get_current_head(), migration.head())
        self.assertTrue(migration.is_known(scripts.get_current_head()))
        self.assertFalse(migration.is_known('0123456789ab'))
