"""Options of the [glance] group: the Image service import tasks use.

keystoneauth's session, authentication and adapter options, loaded as
nova and cinder load theirs for the Image service: service credentials
(``auth_type = password`` and its options), the endpoint from the catalog
(``service_type``, ``valid_interfaces``, ``region_name``) or
``endpoint_override``.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'glance'
SERVICE_TYPE = 'image'

glance_group = cfg.OptGroup(
    GROUP, title='Image service options',
    help='The Image service (Glance, or any service of the Image API v2) '
         'where import tasks create their images when [task] '
         'import_target is "glance": its endpoint, found in the catalog '
         'or given by endpoint_override, and the service credentials '
         'task_api authenticates with (keystoneauth options). The user '
         'must be allowed to create images owned by other projects (an '
         'administrator, by Glance\'s default policy).')


def register_opts(conf):
    conf.register_group(glance_group)
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_adapter_conf_options(conf, GROUP,
                                             include_deprecated=False)
    conf.set_default('service_type', SERVICE_TYPE, group=GROUP)


# NOTE: made once, so that the defaults the generator is told about
# (service_type) stay on the objects it lists.
_LISTED_OPTS = (ks_loading.get_session_conf_options() +
                ks_loading.get_auth_common_conf_options() +
                ks_loading.get_auth_plugin_conf_options('password') +
                ks_loading.get_adapter_conf_options(include_deprecated=False))


def list_opts():
    return {glance_group: _LISTED_OPTS}
