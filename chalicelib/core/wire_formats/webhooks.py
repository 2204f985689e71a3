"""The error format of the Webhooks API (x-error-format: webhooks), in the manner of Stripe's
and Svix's: ``{"error": {"code", "message", "field"}}``, with a stable ``code`` per status and
``field`` naming the first field or parameter at fault (null when none is)."""
import json

from chalice import Response

from ..errors import ApiError
from . import WireFormat, register

__all__ = ["Webhooks", "CODES"]

CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large",
         415: "unsupported_media_type", 429: "rate_limited", 500: "server_error",
         503: "unavailable"}


@register
class Webhooks(WireFormat):
    name = "webhooks"

    def render_error(self, error: ApiError) -> Response:
        field = error.field_errors[0].xpath.lstrip("/") if error.field_errors else None
        message = error.message
        unnamed = [f for f in error.field_errors if f.xpath.lstrip("/") not in message]
        if unnamed and error.status == 400:  # what the message does not name already
            message += " " + "; ".join(f"{f.xpath.lstrip('/')}: {f.hint}" for f in unnamed)
        body = {"error": {"code": CODES.get(error.status, "server_error" if error.status >= 500
                                            else "invalid"),
                          "message": message, "field": field}}
        return Response(body=json.dumps(body), status_code=error.status,
                        headers={**error.headers, "Content-Type": "application/json"})


@register
class Desk(Webhooks):
    """The desk API (``/desk/v1``) writes its errors as the Webhooks API does."""
    name = "desk"
