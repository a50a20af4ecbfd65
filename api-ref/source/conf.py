"""Sphinx configuration of the API reference (tox -e api-ref)."""

extensions = [
    'os_api_ref',
    'openstackdocstheme',
]

html_theme = 'openstackdocs'
html_theme_options = {
    'sidebar_mode': 'toc',
}
openstackdocs_repo_name = 'openstack/task_api'
openstackdocs_use_storyboard = False
openstackdocs_bug_project = 'task_api'
openstackdocs_bug_tag = 'api-ref'
openstackdocs_auto_name = False

project = 'task_api API Reference'
copyright = 'task_api developers'
master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = ['samples']
pygments_style = 'native'
