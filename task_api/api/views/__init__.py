"""Explicit representations of task_api resources on the wire."""
