"""Sphinx configuration of task_api's documentation (tox -e docs)."""

extensions = [
    'openstackdocstheme',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxpolicygen',
]

# openstackdocstheme
openstackdocs_repo_name = 'openstack/task_api'
openstackdocs_use_storyboard = False
openstackdocs_bug_project = 'task_api'
openstackdocs_bug_tag = 'doc'
openstackdocs_auto_name = False

# oslo_policy.sphinxext writes its sample file next to the sources
policy_generator_config_file = '../../etc/task_api/policy-generator.conf'
sample_policy_basename = '_static/task_api'
# oslo_config.sphinxext
config_generator_config_file = '../../etc/task_api/config-generator.conf'
sample_config_basename = '_static/task_api'

project = 'task_api'
copyright = 'task_api developers'
master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['_build']
pygments_style = 'native'
html_theme = 'openstackdocs'
html_static_path = ['_static']

# The manual pages: sphinx-build -b man doc/source doc/build/man
man_pages = [
    ('cli/task-api', 'task-api', 'the task_api API server',
     ['task_api developers'], 1),
    ('cli/task-api-manage', 'task-api-manage',
     'task_api database management', ['task_api developers'], 1),
    ('cli/task-api-worker', 'task-api-worker',
     'the task_api worker, which runs tasks', ['task_api developers'], 1),
]
