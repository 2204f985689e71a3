"""``/tmf-api/troubleTicket/v5/...``, as ``openapi/tmf621.yaml`` describes it: TMF621 over
the Case Management API's tickets (``chalicelib/cases``)."""
from urllib.parse import urlencode

from chalice import Blueprint, Response

from ..cases import access, service
from ..core import idempotency
from ..core.errors import BadRequest, FieldError
from ..core.http import Call, call_of, reply, route
from . import changes, hub, intake, lists, representation

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
PATH = representation.PATH


def _shown(call: Call, case) -> dict:
    shown = representation.ticket(case, access.notes_of(case, call.principal), call.base_url)
    return representation.select(shown, call.params.get("fields"))


def _etag(case) -> dict:
    return {"ETag": f'"{case.version}"'}


def _version(call: Call) -> int | None:
    """The version that ``If-Match`` names (None: any), or 400 naming it."""
    given = call.params.get("If-Match")
    if given is None or given.strip() == "*":
        return None
    text = given.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise BadRequest("If-Match is the ETag of a ticket's GET.",
                         [FieldError("If-Match", "invalid")])
    return int(text)


@route(blueprint, "/troubleTicket", "GET")
def listTroubleTicket():  # noqa: N802 - the spec's operationId
    call = call_of(blueprint.current_request)
    if call.params.get("filter") is not None:
        raise BadRequest("JSONPath filter is not implemented; filter by status=, "
                         "ticketType=, severity= or externalIdentifier.id=.",
                         [FieldError("filter", "invalid")])
    found = lists.tickets(access.tenant(call.principal), call.params)
    fields = call.params.get("fields")
    with_notes = bool(fields) and "note" in {name.strip() for name in fields.split(",")}
    page = [representation.select(representation.ticket(
        case, access.notes_of(case, call.principal) if with_notes else None, call.base_url),
        fields) for case in found.items]
    headers = {"X-Result-Count": str(len(page))}
    if found.total is not None:
        headers["X-Total-Count"] = str(found.total)
    links = [f'<{_link(call, "after", found.after)}>; rel="next"'] if found.after else []
    if found.before:
        links.append(f'<{_link(call, "before", found.before)}>; rel="prev"')
    if links:
        headers["Link"] = ", ".join(links)
    return Response(body=page, status_code=200, headers=headers)


def _link(call: Call, name: str, cursor: str) -> str:
    query = [(key, value) for key, value in call.query.items()
             if key not in ("offset", "after", "before")]
    return f"{call.base_url}{PATH}?{urlencode([*query, (name, cursor)])}"


@route(blueprint, "/troubleTicket", "POST")
def createTroubleTicket():  # noqa: N802
    call = call_of(blueprint.current_request)
    account = access.acting_account(call.principal)
    body, notes = intake.case_body(call.body, account)
    key = idempotency.of(call, "tmf621-ticket")
    case, new = idempotency.create_once(
        key, lambda number: access.find(call.principal, number),
        lambda: service.create(call.principal, body, key, notes))
    headers = {"Location": representation.href(call.base_url, case.case_number), **_etag(case),
               **({} if new else idempotency.REPLAYED)}
    return Response(body=_shown(call, case), status_code=201, headers=headers)


@route(blueprint, "/troubleTicket/{id}", "GET")
def retrieveTroubleTicket(id):  # noqa: A002,N802 - the spec's name of the path parameter
    call = call_of(blueprint.current_request)
    case = access.find(call.principal, id)
    return Response(body=_shown(call, case), status_code=200, headers=_etag(case))


@route(blueprint, "/troubleTicket/{id}", "PATCH")
def patchTroubleTicket(id):  # noqa: A002,N802
    call = call_of(blueprint.current_request)
    request = blueprint.current_request
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    case = changes.apply(call.principal, id, media_type, call.body, _version(call),
                         call.base_url)
    return Response(body=_shown(call, case), status_code=200, headers=_etag(case))


@route(blueprint, "/hub", "POST")
def createHub():  # noqa: N802
    call = call_of(blueprint.current_request)
    endpoint, secret = hub.create(call.principal, call.body,
                                  idempotency.of(call, "tmf621-hub"))
    shown = hub.shown(endpoint, call.base_url, secret)
    return Response(body=shown, status_code=201, headers={
        "Location": shown["href"], **({} if secret else idempotency.REPLAYED)})


@route(blueprint, "/hub/{id}", "GET")
def hubGet(id):  # noqa: A002,N802
    call = call_of(blueprint.current_request)
    return reply(hub.shown(hub.find(call.principal, id), call.base_url))


@route(blueprint, "/hub/{id}", "DELETE")
def hubDelete(id):  # noqa: A002,N802
    hub.delete(call_of(blueprint.current_request).principal, id)
    return reply(None, 204)
