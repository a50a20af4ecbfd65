"""The ``import`` task type, as Glance's users know it.

Its input is Glance's: ``import_from`` (an http or https URL),
``import_from_format`` (the disk format of the data) and
``image_properties`` (an object; its ``disk_format``, when given, must
agree). The flow, each step reverting what it did when a later one fails:

1. ``Prepare``: checks the input and that the image store can be used,
   before any data is fetched.
2. ``Fetch``: reads ``import_from`` (:mod:`task_api.worker.fetch`) into a
   file of ``[task] work_dir``, computing its size, md5 checksum and sha512
   ``os_hash_value`` and running oslo.utils' format inspector over it as it
   streams, and saying in the task's message how far it got, at most once
   a second. Revert: the file goes.
3. ``CheckFormat``: the format the inspector detected must be
   ``import_from_format``, and its safety checks must pass (no qcow2 with a
   backing or data file, no VMDK whose descriptor names other files, ...).
4. ``Store``: the data goes to glance_store under the task's image id
   (:func:`image_id_of`, :mod:`task_api.worker.store`). Revert: it is
   deleted from the store.
5. ``Finish``: the result, ``{"image_id": ..., "checksum": ..., "size":
   ..., "os_hash_algo": "sha512", "os_hash_value": ..., "disk_format":
   ..., "virtual_size": ..., "location": ...}``; the work file goes.

A worker that dies (``SIGKILL``, a lost host) reverts nothing: the work
file and a partly stored image stay. Both are found from the task id
alone (the work file is ``<task id>.data``, the image id is derived from
the task id), and the worker that takes the task over removes them
(:meth:`ImportFlow.clean_up_lost`).
"""

import hashlib
import os
import time
import uuid

from oslo_log import log
from oslo_utils.imageutils import format_inspector
from taskflow.patterns import linear_flow
from taskflow import task as flow_task

from task_api.common import masking
from task_api.common import service
from task_api import conf as task_conf
from task_api.conf import import_task
from task_api import context as task_context
from task_api.db import api as db_api
from task_api import exception
from task_api import lifecycle
from task_api.worker import fetch
from task_api.worker import flows
from task_api.worker import image_service
from task_api.worker import store

CONF = task_conf.CONF
LOG = log.getLogger(__name__)

TASK_TYPE = 'import'
#: The keys Glance requires in the input of an import task.
INPUT_KEYS = ('import_from', 'import_from_format', 'image_properties')
HASH_ALGO = 'sha512'
#: Seconds between two progress messages, at least.
PROGRESS_INTERVAL = 1.0

#: The namespace of the image ids of imports: an import's image id is
#: the UUID of its task id in it (uuid5), so that the worker taking over
#: the task of a lost worker finds the image that one began to store.
IMAGE_ID_NAMESPACE = uuid.UUID('9c1fe5f1-6bc8-4d40-8f4a-0d1b4a7a8e65')

#: Image API disk formats whose data is raw bytes to the inspector.
_RAW_FORMATS = frozenset(('raw', 'ami', 'ari', 'aki'))
#: Inspector names that are Image API disk formats (gpt: a raw disk that
#: holds a partition table).
_INSPECTED_AS = {'raw': 'raw', 'gpt': 'raw', 'qcow2': 'qcow2', 'vhd': 'vhd',
                 'vhdx': 'vhdx', 'vmdk': 'vmdk', 'vdi': 'vdi', 'iso': 'iso'}


class ImportFailed(Exception):
    """An import that cannot go on; ``str()`` is the task's message.

    The message begins with ``Image import failed:``, as Glance's do,
    unless ``glance_message`` is Glance's own message for the case.
    """

    def __init__(self, reason, glance_message=False):
        super().__init__(reason if glance_message else
                         'Image import failed: %s' % reason)


def parse_input(task):
    """(import_from, import_from_format, image_properties) of a task.

    :raises: ImportFailed with Glance's message for a missing key.
    """
    task_input = task.get('input')
    if not isinstance(task_input, dict):
        task_input = {}
    for key in INPUT_KEYS:
        if key not in task_input:
            raise ImportFailed("Input does not contain '%s' field" % key,
                               glance_message=True)
    import_from = task_input['import_from']
    disk_format = task_input['import_from_format']
    properties = task_input['image_properties']
    if not isinstance(import_from, str):
        raise ImportFailed('input field import_from must be an http or '
                           'https URL')
    if not isinstance(properties, dict):
        raise ImportFailed('input field image_properties must be an object')
    if not isinstance(disk_format, str) or not disk_format:
        raise ImportFailed('input field import_from_format must name a '
                           'disk format (raw, qcow2, vmdk, ...)')
    expected = 'raw' if disk_format in _RAW_FORMATS else disk_format
    if expected not in _INSPECTED_AS.values():
        raise ImportFailed(
            "task_api cannot check images of format '%s'; import_from_format "
            "must be one of %s" % (masking.mask_credentials(disk_format),
                                   ', '.join(sorted(_RAW_FORMATS | set(
                                       _INSPECTED_AS.values())))))
    image_format = properties.get('disk_format')
    if image_format is not None and image_format != disk_format:
        raise ImportFailed(
            "image_properties.disk_format '%s' differs from "
            "import_from_format '%s'"
            % (masking.mask_credentials(str(image_format)), disk_format))
    return import_from, disk_format, properties


def image_id_of(task):
    """The id of the image the import ``task`` creates."""
    return str(uuid.uuid5(IMAGE_ID_NAMESPACE, task['id']))


def work_dir():
    """``[task] work_dir``: where fetched data waits for its checks."""
    return CONF.task.work_dir


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class Progress:
    """Writes how far a fetch got into the task's message.

    At most once per ``interval`` seconds, through the DB API's
    ``task_update``, and only while the task is ``processing``.
    """

    def __init__(self, task_id, interval=PROGRESS_INTERVAL):
        self.task_id = task_id
        self.interval = interval
        self.dbapi = db_api.get_instance()
        self.context = task_context.get_admin_context()
        self._last = time.monotonic()

    @staticmethod
    def message(size, total):
        if total is None:
            return 'Fetched %s' % fetch.describe_size(size)
        return 'Fetched %s of %s' % (fetch.describe_size(size),
                                     fetch.describe_size(total))

    def __call__(self, size, total):
        if time.monotonic() - self._last < self.interval:
            return
        self.write(self.message(size, total))
        # NOTE: counted from the end of the write, so that a write that
        # took long is not followed by one less than an interval after it
        # (the task's updated_at is when a write began).
        self._last = time.monotonic()
        # NOTE: a cancel asked for while the data is fetched stops it
        # here, at most one interval later; the flow then reverts.
        lifecycle.check_cancel(self.dbapi, self.context, self.task_id)

    def write(self, message):
        try:
            self.dbapi.task_update(self.context, self.task_id,
                                   {'message': message},
                                   expected_status=lifecycle.PROCESSING)
        except exception.TaskStatusConflict:
            raise ImportFailed('the task stopped being processing while '
                               'its data was fetched') from None
        except exception.DatabaseUnavailable:
            # NOTE: a progress message is worth no failed import.
            LOG.warning('Task %s: its progress could not be written; the '
                        'database is unavailable.', self.task_id)


class Prepare(flow_task.Task):
    """Check the input and the image store before fetching anything."""

    default_provides = 'request'

    def execute(self, task):
        _, disk_format, properties = parse_input(task)
        try:
            if CONF.task.import_target == import_task.IMAGE_SERVICE:
                image_service.ImageService()
            else:
                store.configure()
        except (store.StoreFailed, image_service.ImageServiceFailed) as error:
            raise ImportFailed('could not use the image store: %s'
                               % error) from None
        os.makedirs(work_dir(), mode=0o700, exist_ok=True)
        # NOTE: the URL stays in the task's input: taskflow may log what
        # a step returns.
        return {'disk_format': disk_format, 'properties': properties}


class Fetch(flow_task.Task):
    """Fetch the data into the work directory, inspecting it on the way."""

    default_provides = 'staged'

    def __init__(self, fetcher):
        super().__init__()
        self.fetcher = fetcher

    @staticmethod
    def path(task):
        return os.path.join(work_dir(), '%s.data' % task['id'])

    def execute(self, task, request):
        path = self.path(task)
        expected = 'raw' if request['disk_format'] in _RAW_FORMATS \
            else request['disk_format']
        progress = Progress(task['id'])
        md5 = hashlib.md5(usedforsecurity=False)
        sha512 = hashlib.sha512()
        try:
            import_from = parse_input(task)[0]
            with self.fetcher.download(import_from) as download:
                # NOTE: with the format expected, the inspector stops the
                # fetch as soon as the data cannot be of it.
                wrapper = format_inspector.InspectWrapper(
                    iter(download),
                    expected_format=None if expected == 'raw' else expected)
                with open(path, 'wb') as stream:
                    for chunk in wrapper:
                        stream.write(chunk)
                        md5.update(chunk)
                        sha512.update(chunk)
                        progress(download.size, download.total)
                wrapper.close()
                size = download.size
        except fetch.FetchFailed as error:
            raise ImportFailed('could not fetch import_from: %s'
                               % error) from None
        except format_inspector.ImageFormatError as error:
            raise ImportFailed("the data of import_from is not a %s image "
                               "(import_from_format): %s"
                               % (expected, error)) from None
        return {'path': path, 'size': size, 'checksum': md5.hexdigest(),
                'os_hash_value': sha512.hexdigest(), 'inspector': wrapper}

    def revert(self, task, **kwargs):
        _remove(self.path(task))


class CheckFormat(flow_task.Task):
    """The detected format must be the announced one, and safe."""

    default_provides = 'detected'

    def execute(self, request, staged):
        expected = 'raw' if request['disk_format'] in _RAW_FORMATS \
            else request['disk_format']
        try:
            inspector = staged['inspector'].format
        except format_inspector.ImageFormatError as error:
            raise ImportFailed('the format of the data of import_from is '
                               'ambiguous: %s' % error) from None
        detected = _INSPECTED_AS.get(inspector.NAME, inspector.NAME)
        if detected != expected:
            raise ImportFailed(
                "the data of import_from is a %s image, not %s as "
                "import_from_format says" % (inspector.NAME,
                                             request['disk_format']))
        try:
            inspector.safety_check()
        except format_inspector.SafetyCheckFailed as error:
            reasons = '; '.join('%s: %s' % (name, failure) for name, failure
                                in sorted(error.failures.items()))
            raise ImportFailed('the %s image of import_from fails the '
                               'safety checks (%s)'
                               % (inspector.NAME, reasons)) from None
        except format_inspector.ImageFormatError as error:
            raise ImportFailed('the %s image of import_from cannot be '
                               'checked: %s' % (inspector.NAME, error)) \
                from None
        return {'disk_format': request['disk_format'],
                'virtual_size': inspector.virtual_size}


class Store(flow_task.Task):
    """Put the data into glance_store under the task's image id."""

    default_provides = 'stored'

    def execute(self, task, staged):
        image_id = image_id_of(task)
        try:
            with open(staged['path'], 'rb') as data:
                location, size, checksum, os_hash_value = store.add(
                    image_id, data, staged['size'])
        except store.StoreFailed as error:
            raise ImportFailed('could not store the image: %s' % error) \
                from None
        stored = {'image_id': image_id, 'location': location}
        if (size, checksum, os_hash_value) != (
                staged['size'], staged['checksum'], staged['os_hash_value']):
            store.delete(location)
            raise ImportFailed('the image store wrote other data than was '
                               'fetched (size or checksum differ)')
        return stored

    def revert(self, result, **kwargs):
        if isinstance(result, dict) and result.get('location'):
            LOG.info('Deleting image %s from the store: the import failed.',
                     result['image_id'])
            store.delete(result['location'])


class CreateImage(flow_task.Task):
    """Create the image in the Image service and upload the data."""

    default_provides = 'stored'

    def __init__(self):
        super().__init__()
        self.image_id = None

    def execute(self, task, request, staged):
        client = image_service.ImageService()
        properties = dict(request['properties'])
        properties.setdefault('disk_format', request['disk_format'])
        properties.setdefault('container_format', 'bare')
        # NOTE: the image is the task owner's, as Glance's own import
        # makes it, whoever the service user is.
        properties['owner'] = task['owner']
        properties['id'] = image_id_of(task)
        try:
            self.image_id = client.create(properties)
            with open(staged['path'], 'rb') as data:
                client.upload(self.image_id, data, staged['size'])
            image = client.show(self.image_id)
        except image_service.ImageServiceFailed as error:
            raise ImportFailed(str(error)) from None
        expected = (staged['size'], staged['checksum'])
        if (image.get('size'), image.get('checksum')) != expected or (
                image.get('os_hash_algo') == HASH_ALGO and
                image.get('os_hash_value') != staged['os_hash_value']):
            raise ImportFailed('the Image service holds other data than was '
                               'fetched (size or checksum differ)')
        return {'image_id': self.image_id, 'location': None}

    def revert(self, **kwargs):
        if self.image_id is not None:
            LOG.info('Deleting image %s from the Image service: the import '
                     'failed.', self.image_id)
            image_service.ImageService().delete(self.image_id)


class Finish(flow_task.Task):
    """The task's result; the work file goes."""

    default_provides = 'result'

    def execute(self, task, staged, detected, stored):
        # NOTE: the task's progress message goes with its success
        # (lifecycle.succeed), in the same write.
        _remove(staged['path'])
        result = {
            'image_id': stored['image_id'],
            'checksum': staged['checksum'],
            'size': staged['size'],
            'os_hash_algo': HASH_ALGO,
            'os_hash_value': staged['os_hash_value'],
            'disk_format': detected['disk_format'],
            'virtual_size': detected['virtual_size'],
        }
        if stored['location']:
            # NOTE: some stores' locations held credentials once
            # (swift+https://user:key@...).
            result['location'] = masking.mask_credentials(
                stored['location'])
        return result


class ImportFlow(flows.FlowFactory):
    """The flow of ``import`` tasks.

    :param resolver: the function resolving host names to addresses for
        the fetch (:class:`task_api.worker.fetch.Fetcher`); the system's
        resolver when None.
    """

    # NOTE: a run that a lost worker left may have stored part of an
    # image; running it again would add a second one. Such a task fails,
    # saying the worker was lost.
    repeatable = False

    def __init__(self, resolver=None):
        self.fetcher = fetch.Fetcher(resolver)

    def clean_up_lost(self, task):
        """Remove what the run of a lost worker left.

        Its work file, and the image it may have begun to store (an image
        of the Image service, or data in glance_store).
        """
        _remove(Fetch.path(task))
        image_id = image_id_of(task)
        try:
            if CONF.task.import_target == import_task.IMAGE_SERVICE:
                image_service.ImageService().delete(image_id)
            else:
                store.configure()
                store.discard(image_id)
        except Exception as error:
            # NOTE: the task has failed all the same; an operator removes
            # the image, whose id the log gives.
            LOG.warning('Task %s: image %s that its lost worker may have '
                        'begun to store could not be removed: %s',
                        task['id'], image_id, service.one_line(error))

    def get_flow(self, task):
        target = CreateImage() if (CONF.task.import_target ==
                                   import_task.IMAGE_SERVICE) else Store()
        return linear_flow.Flow(TASK_TYPE).add(
            Prepare(), Fetch(self.fetcher), CheckFormat(), target, Finish())
