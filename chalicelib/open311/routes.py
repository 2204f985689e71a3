"""``/open311/v2/...``, as ``openapi/open311.yaml`` describes it: each document in XML and in
JSON, the path's suffix choosing (one route, and one operation, per path)."""
import json
from collections.abc import Callable

from chalice import Blueprint, Response

from ..core import idempotency
from ..core.errors import BadRequest, FieldError
from ..core.http import Call, call_of, route
from ..support_requests import service as support_requests
from . import intake, reports, services
from .documents import to_xml

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this face last changed what it serves (discovery's ``changeset``).
CHANGESET = "2026-12-01T00:00:00Z"
MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}
#: What a report's answer tells the reporter will happen (with an e-mail the reporter gave).
SERVICE_NOTICE = "The desk has your report as support request {identifier}."
EMAIL_NOTICE = " It e-mails {email} each time the request changes state."


def _answer(document: str, data, suffix: str) -> Response:
    body = json.dumps(data) if suffix == "json" else to_xml(document, data)
    return Response(body=body, status_code=200, headers={"Content-Type": MEDIA_TYPES[suffix]})


def _in_both_formats(path: str, operation: str, document: str, data: Callable[[Call], object],
                     method: str = "GET"):
    """Routes ``<path>.json`` and ``<path>.xml`` (operations ``<operation>_json`` and
    ``_xml``) answering ``data(call)`` as the document ``<document>``."""
    for suffix in MEDIA_TYPES:
        def view(suffix=suffix):
            return _answer(document, data(call_of(blueprint.current_request)), suffix)
        view.__name__ = view.__qualname__ = f"{operation}_{suffix}"
        route(blueprint, f"{path}.{suffix}", method)(view)


def _split(value: str, parameter: str) -> tuple[str, str]:
    """``Parking.json`` -> (``Parking``, ``json``); 400 naming ``parameter`` otherwise."""
    name, _, suffix = value.rpartition(".")
    if suffix not in MEDIA_TYPES or not name:
        raise BadRequest("The path ends in .json or .xml.", [FieldError(parameter, "invalid")])
    return name, suffix


def _discovery(call: Call) -> dict:
    base = call.base_url + "/open311/v2"
    endpoint = {"specification": SPECIFICATION, "url": base, "changeset": CHANGESET,
                "formats": list(MEDIA_TYPES.values())}
    return {"changeset": CHANGESET, "contact": "The service desk that runs this service.",
            "key_service": "Reading needs no key. To raise reports, ask the desk that runs "
                           "this service for an API key.",
            "endpoints": [{**endpoint, "type": "production"}, {**endpoint, "type": "test"}]}


def _raise(call: Call) -> list[dict]:
    form = {name: value for name, value in call.body.items()
            if name not in ("api_key", "jurisdiction_id")}
    key = idempotency.of(call, "open311-report", form)
    request, _ = idempotency.create_once(
        # a replay finds the request even if it is not public (a topic the desk keeps private)
        key, support_requests.get_request,
        lambda: intake.raise_report(call.principal, form, key))
    notice = SERVICE_NOTICE.format(identifier=request.identifier)
    if form.get("email"):  # the reporter's own address, never the account's
        notice += EMAIL_NOTICE.format(email=form["email"])
    answer = {"service_request_id": request.identifier, "service_notice": notice}
    if form.get("account_id"):
        answer["account_id"] = form["account_id"]  # as the reporter's app gave it
    return [answer]


def _requests(call: Call) -> list[dict]:
    params = call.params
    if params.get("service_request_id"):
        found = reports.by_ids(params["service_request_id"])
    else:
        size, status = params["page_size"], params.get("status")
        found = reports.listed(params.get("service_code"), None if status and "," in status
                               else status,
                               params.get("start_date"), params.get("end_date"),
                               (params["page"] - 1) * size, size)
    return [reports.document(request) for request in found]


_in_both_formats("/discovery", "get_discovery", "discovery", _discovery)
_in_both_formats("/services", "get_services", "services", lambda call: services.services())
_in_both_formats("/requests", "post_requests", "service_requests", _raise, "POST")
_in_both_formats("/requests", "get_requests", "service_requests", _requests)


@route(blueprint, "/services/{definition}", "GET")
def get_service_definition(definition):
    code, suffix = _split(definition, "definition")
    return _answer("service_definition", services.definition(code), suffix)


@route(blueprint, "/requests/{request}", "GET")
def get_request(request):
    identifier, suffix = _split(request, "request")
    return _answer("service_requests", [reports.document(reports.one(identifier))], suffix)


@route(blueprint, "/tokens/{token}", "GET")
def get_token(token):
    """A token is the request's own id: the POST answers the id at once, and a client that
    polls with what it got finds its request."""
    identifier, suffix = _split(token, "token")
    found = reports.one(identifier)
    return _answer("service_requests", [{"service_request_id": found.identifier,
                                         "token": identifier}], suffix)
