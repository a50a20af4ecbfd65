"""Configuration options of task_api, registered on the global CONF."""

from oslo_config import cfg

from task_api.conf import api
from task_api.conf import database
from task_api.conf import import_filtering
from task_api.conf import paths
from task_api.conf import task
from task_api.conf import worker

CONF = cfg.CONF

paths.register_opts(CONF)
api.register_opts(CONF)
task.register_opts(CONF)
database.register_opts(CONF)
import_filtering.register_opts(CONF)
worker.register_opts(CONF)
