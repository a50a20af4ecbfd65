"""Turning task_api exceptions into WebOb HTTP errors.

WebOb renders the body of an HTTP error as JSON, HTML or plain text,
depending on the request's Accept header, which is what clients of the
Image API expect.
"""

import webob.exc

from task_api.common import masking


def to_http(error):
    """Return the webob HTTP exception answering a TaskApiException.

    A message may quote a refused input: its credentials are masked.
    """
    cls = webob.exc.status_map.get(error.code,
                                   webob.exc.HTTPInternalServerError)
    return cls(explanation=masking.mask_credentials(error.message),
               headers=dict(error.headers))
