"""Turning task_api exceptions into WebOb HTTP errors.

WebOb renders the body of an HTTP error as JSON, HTML or plain text,
depending on the request's Accept header, which is what clients of the
Image API expect.
"""

import webob.exc


def to_http(error):
    """Return the webob HTTP exception answering a TaskApiException."""
    cls = webob.exc.status_map.get(error.code,
                                   webob.exc.HTTPInternalServerError)
    return cls(explanation=error.message, headers=dict(error.headers))
