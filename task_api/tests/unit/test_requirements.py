"""The requirements files name what task_api uses, and nothing else.

Each third-party module that task_api, its tests or its benchmarks import
comes from a distribution that the matching requirements file declares;
each declared distribution is imported somewhere, or is in NOT_IMPORTED
with what uses it. upper-constraints.txt pins every declared distribution
to one version from the package index, and every tox environment
installs with it.
"""

import ast
import configparser
import importlib.metadata
import os
import re
import sys

from oslotest import base

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
RUNTIME = 'requirements.txt'
TESTS = 'test-requirements.txt'
BENCHMARKS = os.path.join('benchmarks', 'requirements.txt')
DOCS = os.path.join('doc', 'requirements.txt')
CONSTRAINTS = 'upper-constraints.txt'
CONSTRAINT_OPTION = '-c{toxinidir}/' + CONSTRAINTS

# Declared distributions that no module imports, by file, and what uses
# each of them.
NOT_IMPORTED = {
    TESTS: {
        'hacking': 'the flake8 plugins of tox -e pep8',
        'stestr': 'the test runner of tox',
        'testresources': 'imported by oslo_db.sqlalchemy.test_fixtures',
        'testscenarios': 'imported by oslo_db.sqlalchemy.test_fixtures',
        'python-glanceclient': 'its glance command, in test_clients',
        'pymysql': 'the driver of the mysql+pymysql URLs of the '
                   'opportunistic database tests',
    },
    BENCHMARKS: {
        'gunicorn': 'the WSGI server the benchmarks run both applications '
                    'under',
    },
}
# Modules task_api imports only when an operator installed them: the
# database driver that the [database] connection URL names (install
# guide). The tests declare them.
DRIVERS = frozenset(['psycopg2', 'pymysql'])
# Each tree: the files that declare what it imports, the directory, a
# subdirectory left out, and the modules it may import undeclared.
SCOPES = {
    'task_api (without its tests)': ([RUNTIME], 'task_api', 'tests',
                                     DRIVERS),
    'task_api/tests': ([RUNTIME, TESTS], os.path.join('task_api', 'tests'),
                       None, frozenset()),
    'benchmarks': ([RUNTIME, BENCHMARKS], 'benchmarks', None, frozenset()),
}
FIRST_PARTY = {'task_api', 'benchmarks'}
PIN = re.compile(r'^([A-Za-z0-9][A-Za-z0-9._-]*)===?([A-Za-z0-9.!+_-]+)$')


def canonical(name):
    """A distribution's name as the package index compares names."""
    return re.sub(r'[-_.]+', '-', name).lower()


def requirements(relative):
    """The canonical names of the distributions a requirements file lists."""
    names = []
    with open(os.path.join(ROOT, relative)) as stream:
        for line in stream:
            line = line.split('#', 1)[0].strip()
            if line:
                names.append(canonical(
                    re.match(r'[A-Za-z0-9][A-Za-z0-9._-]*', line).group()))
    return names


def imports(top, skip=None):
    """{module: [file, ...]} of the absolute imports under ``top``."""
    found = {}
    for directory, subdirectories, files in os.walk(os.path.join(ROOT, top)):
        subdirectories[:] = [name for name in subdirectories
                             if name != skip and name != '__pycache__']
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(directory, name)
            with open(path) as stream:
                tree = ast.parse(stream.read(), path)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    found.setdefault(module.split('.')[0], []).append(
                        os.path.relpath(path, ROOT))
    return found


def third_party(found):
    return {module: files for module, files in found.items()
            if module not in sys.stdlib_module_names
            and module not in FIRST_PARTY}


def providers():
    """{top-level module: {canonical distribution name, ...}}."""
    return {module: {canonical(name) for name in names}
            for module, names in
            importlib.metadata.packages_distributions().items()}


class TestDeclaredRequirements(base.BaseTestCase):

    def test_every_import_is_declared(self):
        provided_by = providers()
        problems = []
        for scope, (files, top, skip, optional) in sorted(SCOPES.items()):
            declared = set()
            for relative in files:
                declared.update(requirements(relative))
            for module, where in sorted(
                    third_party(imports(top, skip)).items()):
                if module in optional:
                    continue
                distributions = provided_by.get(module)
                if not distributions:
                    problems.append(
                        '%s imports %s (%s), which no installed distribution '
                        'provides' % (scope, module, where[0]))
                elif not distributions & declared:
                    problems.append(
                        '%s imports %s (%s), from %s, which %s do not '
                        'declare' % (scope, module, where[0],
                                     ' or '.join(sorted(distributions)),
                                     ' and '.join(files)))
        self.assertEqual([], problems)

    def test_every_declared_distribution_is_imported(self):
        provided_by = providers()
        imported = {}
        for files, top, skip, _optional in SCOPES.values():
            modules = third_party(imports(top, skip))
            for relative in files:
                for module in modules:
                    imported.setdefault(relative, set()).update(
                        provided_by.get(module, ()))
        problems = []
        for relative in (RUNTIME, TESTS, BENCHMARKS):
            allowed = NOT_IMPORTED.get(relative, {})
            for name in requirements(relative):
                used = name in imported.get(relative, set())
                if used and name in allowed:
                    problems.append('%s: %s is imported now; take it out of '
                                    'NOT_IMPORTED' % (relative, name))
                elif not used and name not in allowed:
                    problems.append('%s: nothing imports %s' % (
                        relative, name))
            for name in sorted(set(allowed) - set(requirements(relative))):
                problems.append('%s: NOT_IMPORTED names %s, which it does '
                                'not list' % (relative, name))
        self.assertEqual([], problems)


class TestUpperConstraints(base.BaseTestCase):

    def pins(self):
        """{canonical name: version} of upper-constraints.txt."""
        pins = {}
        with open(os.path.join(ROOT, CONSTRAINTS)) as stream:
            for number, line in enumerate(stream, 1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                match = PIN.match(line)
                # NOTE: only name==version: no URL, path, index or option,
                # so that pip takes each pin from the package index.
                self.assertIsNotNone(match, '%s:%d is not "name==version": '
                                     '%s' % (CONSTRAINTS, number, line))
                name = canonical(match.group(1))
                self.assertNotIn(name, pins, '%s pins %s twice' % (
                    CONSTRAINTS, name))
                pins[name] = match.group(2)
        return pins

    def test_every_requirement_is_pinned(self):
        pins = self.pins()
        missing = ['%s: %s' % (relative, name)
                   for relative in (RUNTIME, TESTS, BENCHMARKS, DOCS)
                   for name in requirements(relative) if name not in pins]
        self.assertEqual([], missing, 'not pinned in %s; run "tox -e '
                         'constraints"' % CONSTRAINTS)

    def test_task_api_itself_is_not_pinned(self):
        self.assertNotIn('task-api', self.pins())


class TestToxEnvironments(base.BaseTestCase):

    def test_every_environment_installs_with_the_constraints(self):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(os.path.join(ROOT, 'tox.ini'))
        base_deps = parser.get('testenv', 'deps', fallback='')
        unconstrained = []
        for section in parser.sections():
            if section != 'testenv' and not section.startswith('testenv:'):
                continue
            if section == 'testenv:constraints':
                # It resolves the requirements afresh to write the file.
                continue
            deps = parser.get(section, 'deps', fallback=base_deps).split()
            if CONSTRAINT_OPTION not in deps:
                unconstrained.append(section)
        self.assertEqual([], unconstrained)
        self.assertEqual('True', parser.get('testenv',
                                            'constrain_package_deps'))
