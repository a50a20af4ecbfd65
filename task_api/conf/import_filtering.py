"""Options of [import_filtering_opts]: which URLs an import may read."""

from oslo_config import cfg

group = cfg.OptGroup(
    'import_filtering_opts', title='Import URI filtering',
    help='Which URLs an import task may name in input.import_from. A '
         'URL is checked when the task is created; its host name is '
         'resolved first and every address it resolves to is checked.')

opts = [
    cfg.ListOpt(
        'allowed_schemes', default=['http', 'https'],
        help='Schemes an import URL may use. When the list is empty, every '
             'scheme not in disallowed_schemes is allowed.'),
    cfg.ListOpt(
        'disallowed_schemes', default=[],
        help='Schemes refused when allowed_schemes is empty.'),
    cfg.ListOpt(
        'allowed_hosts', default=[],
        help='Host names or IP addresses an import URL may name. When the '
             'list is empty, every host not in disallowed_hosts is allowed, '
             'except loopback, link-local and private addresses, which are '
             'allowed only when listed here.'),
    cfg.ListOpt(
        'disallowed_hosts', default=[],
        help='Host names or IP addresses refused when allowed_hosts is '
             'empty.'),
    cfg.ListOpt(
        'allowed_ports', item_type=cfg.types.Integer(min=1, max=65535),
        default=[80, 443],
        help='Ports an import URL may use (the scheme\'s default port when '
             'the URL names none). When the list is empty, every port not '
             'in disallowed_ports is allowed.'),
    cfg.ListOpt(
        'disallowed_ports', item_type=cfg.types.Integer(min=1, max=65535),
        default=[],
        help='Ports refused when allowed_ports is empty.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
