"""In-code policy defaults of task_api."""

import importlib.metadata
import itertools

from oslo_log import log
from oslo_policy import _checks

LOG = log.getLogger(__name__)


class _PluginChecks(dict):
    """oslo.policy's rule-check plugins, each imported when a rule names it.

    oslo.policy imports all of them when it parses its first ``kind:match``
    rule, among them its http and https checks, which bring requests,
    urllib3, idna and charset_normalizer (about 4 MiB in every process)
    although no default rule names them. The parser only asks whether a
    kind has a plugin and for that plugin; this mapping answers from the
    entry points and imports a plugin when it is first asked for. One that
    cannot be imported is logged and left out, as oslo.policy's own loading
    does.
    """

    def __init__(self):
        super().__init__()
        self._entry_points = {
            entry_point.name: entry_point
            for entry_point in importlib.metadata.entry_points(
                group='oslo.policy.rule_checks')}

    def _plugin(self, kind):
        if dict.__contains__(self, kind):
            return dict.__getitem__(self, kind)
        entry_point = self._entry_points.pop(kind, None)
        if entry_point is None:
            return None
        try:
            plugin = entry_point.load()
        except Exception:
            LOG.exception('Cannot load the policy check plugin %s',
                          entry_point.value)
            return None
        self[kind] = plugin
        return plugin

    def __contains__(self, kind):
        return self._plugin(kind) is not None

    def __getitem__(self, kind):
        plugin = self._plugin(kind)
        if plugin is None:
            raise KeyError(kind)
        return plugin


# NOTE: before the rules below are built, as building them parses them.
if _checks.extension_checks is None:
    _checks.extension_checks = _PluginChecks()

from task_api.policies import base  # noqa: E402
from task_api.policies import images  # noqa: E402
from task_api.policies import tasks  # noqa: E402


def list_rules():
    """Return every registered default rule, for oslo.policy's tools."""
    return list(itertools.chain(base.list_rules(), tasks.list_rules(),
                                images.list_rules()))
