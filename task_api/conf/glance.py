"""Options of the [glance] group: the Image service import tasks use.

keystoneauth's session, authentication and adapter options, loaded as
nova and cinder load theirs for the Image service: service credentials
(``auth_type = password`` and its options), the endpoint from the catalog
(``service_type``, ``valid_interfaces``, ``region_name``) or
``endpoint_override``.

NOTE: registered by the worker when an import targets an Image service,
and listed for the sample configuration under the namespace
``task_api.glance``, not with task_api's other groups: keystoneauth
imports requests and urllib3, which the API processes do without.
"""

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

# NOTE: made once, so that the defaults the generator is told about
# (service_type) stay on the objects it lists.
_listed = []


def register_opts(conf):
    from keystoneauth1 import loading as ks_loading

    conf.register_group(glance_group)
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_adapter_conf_options(conf, GROUP,
                                             include_deprecated=False)
    conf.set_default('service_type', SERVICE_TYPE, group=GROUP)


def list_opts():
    from keystoneauth1 import loading as ks_loading

    if not _listed:
        _listed.extend(
            ks_loading.get_session_conf_options() +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password') +
            ks_loading.get_adapter_conf_options(include_deprecated=False))
        cfg.set_defaults(_listed, service_type=SERVICE_TYPE)
    return [(glance_group, _listed)]
