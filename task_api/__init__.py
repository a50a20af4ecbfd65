"""task_api: the OpenStack Image API v2 tasks service."""
