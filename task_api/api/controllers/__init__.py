"""Pecan controllers of the tasks API."""
