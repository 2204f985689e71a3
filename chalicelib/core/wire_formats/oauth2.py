"""The wire format of the OAuth 2.0 token endpoint (``/oauth2/token``, x-error-format:
oauth2): RFC 6749's ``{"error", "error_description"}`` (section 5.2)."""
import json

from chalice import Response

from ..errors import ApiError
from . import WireFormat, register

__all__ = ["OAuth2", "oauth2_code"]


def oauth2_code(error: ApiError) -> str:
    """The RFC 6749 (section 5.2) error code of a failure that did not name one."""
    if error.status == 401:
        return "invalid_client"
    if error.status == 403:
        return "unauthorized_client"
    if any(field.xpath == "grant_type" and field.hint == "invalid"
           for field in error.field_errors):
        return "unsupported_grant_type"
    if any(field.xpath == "scope" for field in error.field_errors):
        return "invalid_scope"
    return "invalid_request"


@register
class OAuth2(WireFormat):
    name = "oauth2"

    def render_error(self, error: ApiError) -> Response:
        body = json.dumps({"error": error.code or oauth2_code(error),
                           "error_description": error.message})
        return Response(body=body, status_code=error.status,
                        headers={**error.headers, "Content-Type": "application/json"})
