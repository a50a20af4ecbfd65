"""The version of the installed task_api, for every command that shows it."""

import pbr.version

version_info = pbr.version.VersionInfo('task_api')


def version_string():
    """The full version (``1.2.3``, ``1.2.4.dev5``), or ``unknown``.

    ``unknown`` when task_api runs from a tree that was never installed,
    where no package metadata says what it is.
    """
    try:
        return version_info.release_string()
    except Exception:
        # NOTE: pbr raises a bare Exception when it finds no metadata.
        return 'unknown'
