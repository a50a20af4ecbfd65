"""The HTTP API of task_api."""
