"""``/support/v2/...``, as ``openapi/cases.yaml`` describes it."""
from chalice import Blueprint, Response

from ..core import idempotency, pages
from ..core.http import call_of, paged, reply, route
from . import access, attachments, lists, representation, service

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)


@route(blueprint, "/tickets", "POST")
def create_ticket():
    call = call_of(blueprint.current_request)
    key = idempotency.of(call, "ticket")
    case, new = idempotency.create_once(
        key, lambda number: access.find(call.principal, number),
        lambda: service.create(call.principal, call.body, key))
    headers = {"Location": f"{call.base_url}/support/v2/tickets/{case.case_number}",
               **({} if new else idempotency.REPLAYED)}
    return Response(body=representation.created(case), status_code=200, headers=headers)


@route(blueprint, "/tickets", "GET")
def list_tickets():
    call = call_of(blueprint.current_request)
    params = call.params
    account = access.tenant(call.principal)
    named = params.get("accountNumber")
    asked = pages.Asked(params["limit"], params["offset"], params.get("cursor"))
    page = pages.Page([], None)  # a client of an account that names another sees none
    if account is None or named in (None, account):
        page = lists.tickets(named or account, params.get("status"),
                             params.get("customerReferenceId"), asked)
    return paged(call, {"tickets": [representation.summary(case) for case in page.items],
                        "offset": params["offset"], "limit": params["limit"],
                        "hasMore": page.next_cursor is not None}, page.next_cursor)


@route(blueprint, "/tickets/{id}", "GET")
def get_ticket(id):  # noqa: A002 - the seed's name of the path parameter
    principal = call_of(blueprint.current_request).principal
    case = access.find(principal, id)
    return reply(representation.ticket(case, access.notes_of(case, principal)))


@route(blueprint, "/tickets/{id}/notes", "POST")
def add_ticket_note(id):  # noqa: A002
    call = call_of(blueprint.current_request)
    case, note = service.add_note(call.principal, id, call.body)
    return reply(representation.result(case, note))


@route(blueprint, "/tickets/{id}/cancel", "POST")
def cancel_ticket(id):  # noqa: A002
    call = call_of(blueprint.current_request)
    case, note = service.cancel(call.principal, id, call.body["reason"])
    return reply(representation.result(case, note))


@route(blueprint, "/tickets/{id}/status", "POST")
def change_ticket_status(id):  # noqa: A002
    call = call_of(blueprint.current_request)
    body = call.body
    case, note = service.move(call.principal, id, body["status"], body.get("text"),
                              body.get("visibility", "EXTERNAL"))
    return reply(representation.result(case, note))


@route(blueprint, "/attachments", "POST")
def upload_attachment():
    call = call_of(blueprint.current_request)
    entry = attachments.upload(access.acting_account(call.principal), call.principal.client_id,
                               call.params["name"], call.body)
    return reply(representation.attachment(entry))


@route(blueprint, "/attachments/uploads", "POST")
def create_attachment_upload():
    call = call_of(blueprint.current_request)
    entry, form, expires = attachments.upload_form(
        access.acting_account(call.principal), call.principal.client_id, call.body["name"],
        call.body["size"])
    return reply({**representation.attachment(entry), "url": form["url"],
                  "fields": form["fields"], "expiresDateTime": expires})


@route(blueprint, "/attachments/{id}", "GET")
def get_attachment(id):  # noqa: A002
    principal = call_of(blueprint.current_request).principal
    entry = attachments.find(id, access.tenant(principal))
    return reply(representation.attachment(entry, attachments.download_url(entry)))
