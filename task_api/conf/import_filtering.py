"""Options of [import_filtering_opts]: which URLs a task may fetch from."""

from oslo_config import cfg
from oslo_config import types


class GlanceList(types.List):
    """A list written plainly (``a,b``) or as Glance writes it (``[a,b]``).

    glance-api.conf brackets these lists; a section copied from it must mean
    the same here. Every item is checked when the option is read, so that an
    invalid value fails when the configuration is loaded, not on a request.
    """

    def __call__(self, value):
        if isinstance(value, str):
            text = value.strip().rstrip(',')
            if text.startswith('[') or text.endswith(']'):
                return types.List(self.item_type, bounds=True)(text)
        return super().__call__(value)


_SCHEME = types.String(regex=r'^[A-Za-z][A-Za-z0-9+.\-]*$',
                       type_name='URL scheme')
# NOTE: HostDomain takes IP addresses and host names, underscores included;
# a network (10.0.0.0/8) or a URL is refused as a value.
_HOST = types.HostDomain(type_name='host name or IP address')
_PORT = types.Integer(min=1, max=65535)

group = cfg.OptGroup(
    'import_filtering_opts', title='Import URI filtering',
    help='Which URLs a task may name as the source of image data: '
         'input.import_from of an import task, '
         'input.import_req.method.uri of an api_image_import task and '
         'input.loc_url of a location_import task. A URL is checked when '
         'the task is created; its host name is resolved and every '
         'address it resolves to is checked. Lists are written a,b or, '
         'as in glance-api.conf, [a,b].')

opts = [
    cfg.Opt(
        'allowed_schemes', type=GlanceList(_SCHEME),
        default=['http', 'https'],
        help='Schemes a URL may use. When the list is empty, every scheme '
             'not in disallowed_schemes is allowed. Only http and https '
             'URLs are ever fetched.'),
    cfg.Opt(
        'disallowed_schemes', type=GlanceList(_SCHEME), default=[],
        help='Schemes refused when allowed_schemes is empty.'),
    cfg.Opt(
        'allowed_hosts', type=GlanceList(_HOST), default=[],
        help='Host names or IP addresses a URL may name. When the list is '
             'not empty, a URL passes only if its host name is listed or '
             'every address its host resolves to is listed; listed hosts '
             'pass even when they are loopback, private or link-local. '
             'When the list is empty, every host not in disallowed_hosts '
             'is allowed, provided every address it resolves to is '
             'globally routable: loopback, private, link-local, shared '
             '(100.64.0.0/10), benchmarking, reserved, multicast, '
             'documentation and unique-local addresses are refused, and '
             'so are IPv6 addresses standing for such an IPv4 address '
             '(IPv4-mapped, IPv4-compatible, NAT64) and 6to4 and Teredo '
             'addresses.'),
    cfg.Opt(
        'disallowed_hosts', type=GlanceList(_HOST), default=[],
        help='Host names or IP addresses refused when allowed_hosts is '
             'empty.'),
    cfg.Opt(
        'allowed_ports', type=GlanceList(_PORT), default=[80, 443],
        help='Ports a URL may use (the scheme\'s default port when the URL '
             'names none). When the list is empty, every port not in '
             'disallowed_ports is allowed.'),
    cfg.Opt(
        'disallowed_ports', type=GlanceList(_PORT), default=[],
        help='Ports refused when allowed_ports is empty.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
