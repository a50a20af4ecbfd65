"""Sphinx configuration of the release notes (tox -e releasenotes)."""

extensions = [
    'openstackdocstheme',
    'reno.sphinxext',
]

html_theme = 'openstackdocs'
openstackdocs_repo_name = 'openstack/task_api'
openstackdocs_use_storyboard = False
openstackdocs_bug_project = 'task_api'
openstackdocs_bug_tag = 'releasenotes'
openstackdocs_auto_name = False

project = 'task_api Release Notes'
copyright = 'task_api developers'
master_doc = 'index'
source_suffix = '.rst'
exclude_patterns = []
pygments_style = 'native'
