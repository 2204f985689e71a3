"""The error format of TM Forum's Open APIs (TMF630; ``/tmf-api/...``, x-error-format: tmf):
one ``Error`` object::

    {"@type": "Error", "code": "ERR400", "reason": "Bad Request",
     "message": "Invalid field(s): description (required)", "status": "400"}

``code`` is ``ERR`` and the HTTP status (the spec's own examples), ``reason`` the status's
title, ``message`` what was wrong, naming the field or parameter. TMF621 lists 400, 401,
403, 404, 405, 409, 500, 501 and 503 only, so a body too large or of another media type is a
400 that says so. A path under the face that no route serves is a 404; a resource of the
spec that the face does not implement (``troubleTicketSpecification``) is a 405 whose empty
``Allow`` says that it takes no method (RFC 9110, 10.2.1), as the spec lists: its 501 would be a
server error to every client that retries 5xx answers.
"""
import json

from chalice import Response

from ..errors import ApiError
from . import WireFormat, register

__all__ = ["Tmf", "NOT_IMPLEMENTED"]

_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 500: "Internal Server Error",
            501: "Not Implemented", 503: "Service Unavailable"}
#: Statuses TMF621 does not list, and the one its clients get instead.
_STATUS = {413: 400, 415: 400, 422: 400}
#: Resources of the official spec that this face does not serve (405, no method allowed).
NOT_IMPLEMENTED = ("troubleTicketSpecification",)
BASE = "/tmf-api/troubleTicket/v5/"


@register
class Tmf(WireFormat):
    name = "tmf"

    def render_error(self, error: ApiError) -> Response:
        status = _STATUS.get(error.status, error.status)
        message = error.message
        if error.field_errors and not message.startswith("Invalid"):
            message += " (" + ", ".join(f"{f.xpath.lstrip('/')}: {f.hint}"
                                        for f in error.field_errors) + ")"
        body = {"@type": "Error", "code": f"ERR{status}",
                "reason": _REASONS.get(status, "Error"), "message": message,
                "status": str(status)}
        return Response(body=json.dumps(body), status_code=status,
                        headers={**error.headers, "Content-Type": "application/json"})

    def missing_route(self, path: str, method: str, allowed: list[str]) -> Response:
        resource = path.split("?")[0].removeprefix(BASE).split("/")[0]
        if not allowed and resource in NOT_IMPLEMENTED:
            return self.render_error(ApiError(
                f"This service does not implement {resource}: a ticket's kind is its "
                "ticketType and its code characteristic.", status=405,
                headers={"Allow": ""}))
        return super().missing_route(path, method, allowed)
