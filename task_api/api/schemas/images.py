"""The image schema: GET /v2/schemas/image."""

from task_api.api.schemas import tasks


def image_schema():
    """A minimal image schema document, for the glance CLI's discovery.

    Without a ``--os-image-api-version`` the glance CLI downloads the image
    schema (or one of two metadata-definition schemas) after the versions
    document, and falls back to the v1 API, which has no task commands,
    when none answers. task_api serves no images; this document names the
    two properties every image has.
    """
    return {
        'name': 'image',
        'properties': {
            'id': {
                'description': 'An identifier for the image',
                'pattern': tasks.UUID_PATTERN,
                'type': 'string',
            },
            'name': {
                'description': 'Descriptive name for the image',
                'maxLength': 255,
                'type': ['null', 'string'],
            },
        },
        'additionalProperties': {'type': 'string'},
    }
