"""``/open311/v2/...``, as ``openapi/open311.yaml`` describes it: each document in XML and in
JSON, the path's suffix choosing (one route, and one operation, per path)."""
import json
from collections.abc import Callable

from chalice import Blueprint, Response

from ..core.errors import BadRequest, FieldError
from ..core.http import call_of, route
from . import services
from .documents import to_xml

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this face last changed what it serves (discovery's ``changeset``).
CHANGESET = "2026-12-01T00:00:00Z"
MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}


def _answer(document: str, data, suffix: str) -> Response:
    body = json.dumps(data) if suffix == "json" else to_xml(document, data)
    return Response(body=body, status_code=200, headers={"Content-Type": MEDIA_TYPES[suffix]})


def _in_both_formats(path: str, operation: str, document: str, data: Callable[[], object]):
    """Routes ``<path>.json`` and ``<path>.xml`` (operations ``<operation>_json`` and
    ``_xml``) answering ``data()`` as the document ``<document>``."""
    for suffix in MEDIA_TYPES:
        def view(suffix=suffix):
            return _answer(document, data(), suffix)
        view.__name__ = view.__qualname__ = f"{operation}_{suffix}"
        route(blueprint, f"{path}.{suffix}", "GET")(view)


def _discovery() -> dict:
    base = call_of(blueprint.current_request).base_url + "/open311/v2"
    endpoint = {"specification": SPECIFICATION, "url": base, "changeset": CHANGESET,
                "formats": list(MEDIA_TYPES.values())}
    return {"changeset": CHANGESET, "contact": "The service desk that runs this service.",
            "key_service": "Reading needs no key; ask the desk that runs this service for "
                           "one to raise reports.",
            "endpoints": [{**endpoint, "type": "production"}, {**endpoint, "type": "test"}]}


_in_both_formats("/discovery", "get_discovery", "discovery", _discovery)
_in_both_formats("/services", "get_services", "services", services.services)


@route(blueprint, "/services/{definition}", "GET")
def get_service_definition(definition):
    code, _, suffix = definition.rpartition(".")
    if suffix not in MEDIA_TYPES or not code:
        raise BadRequest("A definition's path ends in .json or .xml.",
                         [FieldError("definition", "invalid")])
    return _answer("service_definition", services.definition(code), suffix)
