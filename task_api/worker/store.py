"""The image store of import tasks: glance_store, as Glance uses it.

Its options are glance_store's own, in ``[glance_store]``, registered and
read the way a service that uses glance_store does it
(``glance_store.register_opts``, ``create_stores``,
``verify_default_store``). task_api changes one default: the filesystem
store keeps its images in the directory ``images`` under ``[DEFAULT]
state_path``, so that an import runs on a fresh machine with no
configuration. Swift, Ceph, S3 and the other stores are configured as
glance_store documents them.

glance_store is imported when the first import task runs, not with the
API: it loads every store driver it has to list their options.
"""

import logging
import os
import threading

from task_api.common import service
from task_api import conf as task_conf

CONF = task_conf.CONF

GROUP = 'glance_store'
#: The default of [glance_store] filesystem_store_datadir in task_api.
DEFAULT_DATADIR = '$state_path/images'

_lock = threading.Lock()
_configured = []
_registered = set()


class StoreFailed(Exception):
    """The image store refused or failed; ``str()`` is one line."""


def register_opts(conf):
    """Register glance_store's options, with task_api's default datadir."""
    if id(conf) not in _registered:
        _register_store_opts(conf)
        _registered.add(id(conf))
    # NOTE: set each time: ConfigOpts.reset() unsets the defaults set.
    conf.set_default('filesystem_store_datadir', DEFAULT_DATADIR,
                     group=GROUP)


def _register_store_opts(conf):
    import glance_store

    # NOTE: glance_store lists the options of every store driver it has,
    # loading each; those whose libraries are not installed (cinder
    # without os-brick, ...) fail to load and stevedore logs an error for
    # each, although no store of theirs is configured. A configured store
    # that cannot load fails create_stores, which says so.
    stevedore_log = logging.getLogger('stevedore.extension')
    level = stevedore_log.level
    stevedore_log.setLevel(logging.CRITICAL)
    try:
        glance_store.register_opts(conf)
    finally:
        stevedore_log.setLevel(level)


def configure(conf=None):
    """Set glance_store up from the configuration, once per process.

    Called again after the configuration changed (its options are read
    again, as glance_store's ``create_stores`` does).

    :raises: StoreFailed when the default store cannot be used.
    """
    import glance_store

    conf = conf or task_conf.current()
    with _lock:
        register_opts(conf)
        key = (id(conf), tuple(conf.glance_store.stores),
               conf.glance_store.default_store,
               conf.glance_store.filesystem_store_datadir)
        if _configured and _configured[-1] == key:
            return
        try:
            glance_store.create_stores(conf)
            glance_store.verify_default_store()
        except Exception as error:
            raise StoreFailed('the image store [glance_store] %s cannot be '
                              'used: %s' % (conf.glance_store.default_store,
                                            service.one_line(error))) \
                from None
        _configured[:] = [key]


def add(image_id, data, size):
    """Store ``data`` (a file object of ``size`` bytes) as ``image_id``.

    :returns: (location, size, checksum, os_hash_value) as the store
        computed them (md5 and sha512).
    :raises: StoreFailed
    """
    import glance_store

    try:
        location, written, checksum, multihash, _ = \
            glance_store.add_to_backend_with_multihash(
                task_conf.current(), image_id, data, size, 'sha512')
    except Exception as error:
        raise StoreFailed('the image store [glance_store] %s refused the '
                          'image: %s' % (CONF.glance_store.default_store,
                                         service.one_line(error))) from None
    return location, written, checksum, multihash


def delete(location):
    """Delete what :func:`add` stored at ``location``; gone is fine."""
    import glance_store

    try:
        glance_store.delete_from_backend(location)
    except glance_store.exceptions.NotFound:
        pass


def discard(image_id):
    """Delete what an :func:`add` of ``image_id`` that never returned left.

    The filesystem store writes an image into a file named after its id
    in one of its directories; a worker killed meanwhile leaves part of
    it there. Other stores keep what their driver keeps of an interrupted
    write (their drivers name the objects after the image id too).
    """
    conf = task_conf.current()
    if conf.glance_store.default_store != 'file':
        return
    # NOTE: [glance_store] filesystem_store_datadirs entries are
    # "directory:priority"; the store writes into one of them.
    directories = [conf.glance_store.filesystem_store_datadir] + [
        entry.rsplit(':', 1)[0] if ':' in entry else entry
        for entry in conf.glance_store.filesystem_store_datadirs or ()]
    for directory in filter(None, directories):
        delete('file://' + os.path.join(directory, image_id))
