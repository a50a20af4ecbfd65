"""Identity, policy and middleware code uses only libraries' public names.

No module here imports a private name of another library (``from x import
_y``, ``import x._y``) or assigns to an attribute of another library's
module (``x.y = ...``): a library upgrade cannot break them that way, and
importing them changes nothing in the libraries the process shares.
"""

import ast
import os

import testtools

import task_api

ROOT = os.path.dirname(task_api.__file__)
#: The modules this test holds to the rule, relative to the package.
CHECKED = ('context.py', 'policy.py', 'policies', 'version.py',
           os.path.join('api', 'middleware'),
           os.path.join('cmd', 'worker.py'))


def _files():
    for name in CHECKED:
        path = os.path.join(ROOT, name)
        if os.path.isdir(path):
            for entry in sorted(os.listdir(path)):
                if entry.endswith('.py'):
                    yield os.path.join(path, entry)
        else:
            yield path


def _own(module):
    return module == 'task_api' or module.startswith('task_api.')


def _private(dotted):
    return any(part.startswith('_') and not part.startswith('__')
               for part in dotted.split('.'))


def violations(source, filename):
    """The private names and foreign assignments of a module's source."""
    tree = ast.parse(source, filename)
    foreign = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _own(alias.name):
                    continue
                if _private(alias.name):
                    found.append('import %s' % alias.name)
                foreign.add((alias.asname or alias.name).split('.')[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if _own(node.module) or node.module == '__future__':
                continue
            for alias in node.names:
                if _private(node.module) or _private(alias.name):
                    found.append('from %s import %s'
                                 % (node.module, alias.name))
                foreign.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and getattr(
                node.func, 'id', None) == 'setattr' and node.args:
            targets = [ast.Attribute(value=node.args[0], attr='?')]
        for target in targets:
            base = target
            while isinstance(base, ast.Attribute):
                base = base.value
            if (base is not target and isinstance(base, ast.Name)
                    and base.id in foreign):
                found.append('assignment to %s' % ast.unparse(target))
    return found


class TestPublicNamesOnly(testtools.TestCase):

    def test_the_checker_sees_what_it_must(self):
        self.assertEqual(
            ['from oslo_policy import _checks',
             'import oslo_policy._parser',
             'from oslo_middleware.base import _x',
             'assignment to _checks.extension_checks',
             'assignment to pecan.util.getargspec',
             'assignment to pecan.?'],
            violations('from oslo_policy import _checks\n'
                       'import oslo_policy._parser\n'
                       'from oslo_middleware.base import _x\n'
                       'import pecan.util\n'
                       'from task_api import _mine\n'
                       '_checks.extension_checks = {}\n'
                       'pecan.util.getargspec = len\n'
                       'setattr(pecan, "x", 1)\n'
                       'local = object()\n'
                       'local.attribute = 1\n', '<test>'))

    def test_no_private_name_and_no_patch_of_a_library(self):
        found = {}
        for path in _files():
            with open(path, encoding='utf-8') as stream:
                names = violations(stream.read(), path)
            if names:
                found[os.path.relpath(path, ROOT)] = names
        self.assertEqual({}, found)
