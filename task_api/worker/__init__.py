"""Execution of the tasks task_api records (task-api-worker)."""
