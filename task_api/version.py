"""The version of the installed task_api, for every command that shows it."""

import importlib.metadata


def version_string():
    """The full version (``1.2.3``, ``1.2.4.dev5``), or ``unknown``.

    ``unknown`` when task_api runs from a tree that was never installed,
    where no package metadata says what it is.
    """
    try:
        return importlib.metadata.version('task_api')
    except importlib.metadata.PackageNotFoundError:
        return 'unknown'
