"""The error format of Open311 GeoReport v2 (``/open311/v2``, x-error-format: open311): a
list of errors, in the format the path's suffix names::

    [{"code": 400, "description": "service_code: required"}]
    <errors><error><code>400</code><description>...</description></error></errors>

``code`` is the HTTP status, as the standard's examples give it; the description names the
field or parameter at fault. A path without a suffix (``/open311/v2/nowhere``) answers XML,
the standard's required format.

A client names itself by its ``api_key``, a form field of the POST as the standard sends it (a
query parameter too, as many clients add it to every call); whatever refuses it, unknown,
missing, or a client without the scope, is the standard's 403.
"""
import json
from typing import Any

from chalice import Response

from ...open311.documents import to_xml
from .. import bodies
from ..config import settings
from ..errors import ApiError, FieldError
from . import WireFormat, register

API_KEY = "api_key"

__all__ = ["Open311"]


def _description(error: ApiError) -> str:
    if error.field_errors and not error.message.startswith("Invalid"):
        return error.message + " (" + ", ".join(f"{f.xpath.lstrip('/')}: {f.hint}"
                                               for f in error.field_errors) + ")"
    return error.message


class _Open311(WireFormat):
    media_type = ""

    def for_path(self, path: str) -> WireFormat:
        return FORMATS_BY_SUFFIX["json" if path.split("?")[0].endswith(".json") else "xml"]

    token_scheme = API_KEY

    def render_error(self, error: ApiError) -> Response:
        if error.status == 401:  # the standard's "invalid api_key"
            status, description = 403, ("Invalid api_key: no client has it, or its client is "
                                        "disabled.")
        else:
            status, description = error.status, _description(error)
        errors = [{"code": status, "description": description}]
        body = json.dumps(errors) if self.media_type == "application/json" else \
            to_xml("errors", errors)
        headers = {**error.headers, "Content-Type": self.media_type}
        headers.pop("WWW-Authenticate", None)  # an API key is no HTTP authentication scheme
        return Response(body=body, status_code=status, headers=headers)

    def token_of(self, request: Any) -> str | None:
        """The query's ``api_key``, else the form body's; 403 naming it when there is none."""
        key = (request.query_params or {}).get(API_KEY)
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
        if request.raw_body and content_type.lower() != bodies.FORM:
            raise ApiError(f"A report is a form, as GeoReport clients send it: Content-Type: "
                           f"{bodies.FORM}, not {content_type or 'none'}.",
                           [FieldError("Content-Type", "invalid")], status=415)
        if not key and request.raw_body and content_type.lower() == bodies.FORM:
            if len(request.raw_body) > settings.max_body_bytes:  # read no more than the cap
                raise ApiError(f"The request body exceeds {settings.max_body_bytes} bytes.",
                               status=413)
            form = bodies.decode(request.raw_body, bodies.FORM)  # 400 for a malformed form
            key = form.get(API_KEY) if isinstance(form.get(API_KEY), str) else None
        if not key:
            raise ApiError("An api_key is required to raise a report: ask the desk for one.",
                           [FieldError(API_KEY, "required")], status=403,
                           reason="missing_credentials")
        return key


class Open311Json(_Open311):
    media_type = "application/json"


class Open311Xml(_Open311):
    media_type = "text/xml"


@register
class Open311(Open311Xml):
    """Chosen by the spec; answers in the format of the path it serves (``for_path``)."""
    name = "open311"


FORMATS_BY_SUFFIX = {"json": Open311Json(), "xml": Open311Xml()}
