"""WSGI middleware of the task_api paste pipelines."""
