"""The error format of Open311 GeoReport v2 (``/open311/v2``, x-error-format: open311): a
list of errors, in the format the path's suffix names::

    [{"code": 400, "description": "service_code: required"}]
    <errors><error><code>400</code><description>...</description></error></errors>

``code`` is the HTTP status, as the standard's examples give it; the description names the
field or parameter at fault. A path without a suffix (``/open311/v2/nowhere``) answers XML,
the standard's required format.
"""
import json

from chalice import Response

from ...open311.documents import to_xml
from ..errors import ApiError
from . import WireFormat, register

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

    def render_error(self, error: ApiError) -> Response:
        errors = [{"code": error.status, "description": _description(error)}]
        body = json.dumps(errors) if self.media_type == "application/json" else \
            to_xml("errors", errors)
        return Response(body=body, status_code=error.status,
                        headers={**error.headers, "Content-Type": self.media_type})


class Open311Json(_Open311):
    media_type = "application/json"


class Open311Xml(_Open311):
    media_type = "text/xml"


@register
class Open311(Open311Xml):
    """Chosen by the spec; answers in the format of the path it serves (``for_path``)."""
    name = "open311"


FORMATS_BY_SUFFIX = {"json": Open311Json(), "xml": Open311Xml()}
