"""task_api.common holds no database code: the DB layer keeps it.

Start-up checks reach the database through task_api.db (its migration
module and its classifier of errors), never through SQLAlchemy, alembic
or oslo.db themselves.
"""

import ast
import os

from task_api.tests import base

COMMON = os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), 'common')
DATABASE_LIBRARIES = ('sqlalchemy', 'alembic', 'oslo_db')


def imported(path):
    """The top-level packages the module at ``path`` imports."""
    with open(path) as stream:
        tree = ast.parse(stream.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {name.split('.')[0] for name in names}


class TestCommonLayering(base.TestCase):

    def test_no_database_library(self):
        modules = sorted(name for name in os.listdir(COMMON)
                         if name.endswith('.py'))
        self.assertIn('service.py', modules)
        self.assertEqual(
            {name: set() for name in modules},
            {name: imported(os.path.join(COMMON, name)) & set(
                DATABASE_LIBRARIES) for name in modules})
