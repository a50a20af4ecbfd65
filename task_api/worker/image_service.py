"""The Image service target of import tasks, reached through keystoneauth.

The ``[glance]`` options give the endpoint (from the catalog, or
``endpoint_override``) and the service credentials, as nova and cinder
configure their Image service clients. Requests are plain Image API v2
calls: create the image (owned by the task's owner), upload its data,
read it back, delete it when the import fails.
"""

import re

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading

from task_api.common import masking
from task_api.common import service
from task_api import conf as task_conf
from task_api.conf import glance as glance_conf


class ImageServiceFailed(Exception):
    """The Image service refused or failed; ``str()`` is one line."""


_TAG = re.compile(r'<[^<>]*>')
_MAX_DETAILS = 300


def _details(error):
    """What an error response's body says, on one short line."""
    details = getattr(error, 'details', None)
    if not isinstance(details, str):
        return ''
    # NOTE: Glance answers some errors with webob's HTML page, whose
    # title and heading repeat the status line.
    text = ' '.join(_TAG.sub(' ', details[:10000]).split())
    status = '%s %s' % (error.http_status, error.message or '')
    text = text.replace(status.split(' (HTTP')[0], '').strip()
    return text[:_MAX_DETAILS]


def _reason(error):
    if isinstance(error, ks_exc.HttpError):
        text = '%s' % (error.message or error.http_status)
        details = _details(error)
        if details and details not in text:
            text = '%s: %s' % (text, details)
        return masking.mask_credentials(service.one_line(text))
    return masking.mask_credentials(service.one_line(error))


class ImageService:
    """An Image API v2 client made from ``[glance]``.

    :raises: ImageServiceFailed when the options do not make a client.
    """

    def __init__(self, conf=None):
        conf = conf or task_conf.current()
        glance_conf.register_opts(conf)
        try:
            session = ks_loading.load_session_from_conf_options(
                conf, glance_conf.GROUP)
            auth = ks_loading.load_auth_from_conf_options(
                conf, glance_conf.GROUP)
            self.adapter = ks_loading.load_adapter_from_conf_options(
                conf, glance_conf.GROUP, session=session, auth=auth)
        except Exception as error:
            raise ImageServiceFailed(
                'the [glance] options do not make an Image service client: '
                '%s' % _reason(error)) from None

    def _call(self, what, method, path, **kwargs):
        try:
            return self.adapter.request(path, method, **kwargs)
        except ks_exc.ClientException as error:
            raise ImageServiceFailed('the Image service refused to %s: %s'
                                     % (what, _reason(error))) from None

    def create(self, properties):
        """Create an image with ``properties``; return its id."""
        response = self._call('create the image', 'POST', '/v2/images',
                              json=properties)
        return response.json()['id']

    def upload(self, image_id, data, size):
        """Upload ``data`` (a file object of ``size`` bytes)."""
        self._call('take the image data', 'PUT',
                   '/v2/images/%s/file' % image_id, data=data,
                   headers={'Content-Type': 'application/octet-stream',
                            'Content-Length': str(size)})

    def show(self, image_id):
        return self._call('show the image', 'GET',
                          '/v2/images/%s' % image_id).json()

    def delete(self, image_id):
        """Delete the image; one already gone is fine."""
        try:
            self.adapter.request('/v2/images/%s' % image_id, 'DELETE')
        except ks_exc.NotFound:
            pass
