"""Benchmarks of task_api against a floor application (see README.rst)."""
