"""``/crmapi/rest/v2/...``, as ``openapi/service_requests.yaml`` describes it."""
from chalice import Blueprint, Response

from ..core import auth, crm, idempotency, pages, tokens
from ..core.config import settings
from ..core.errors import ApiError, BadRequest, FieldError
from ..core.http import call_of, paged, reply, route
from . import configuration, life_cycle, lists, representation, service

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
SCOPE = "service-requests"


def _token_for(principal: auth.Principal) -> dict:
    """A login token with the client's scopes (it opens this API only: its scheme is the
    crmToken, which no other API takes), so that what it shows follows them."""
    if SCOPE not in principal.scopes:
        raise ApiError(f"Client {principal.client_id} lacks the scope {SCOPE}.", status=403,
                       reason="missing_scope", claimed_client=principal.client_id)
    token, _ = tokens.issue_token(principal,
                                lifetime_seconds=settings.crm_token_lifetime_seconds)
    return crm.ok({"token": token})


@route(blueprint, "/authentication/token", "POST")
def issue_crm_token():
    body = call_of(blueprint.current_request).body
    if body["organisation"] != settings.crm_organisation:
        raise ApiError(f"Unknown organisation {body['organisation']}.",
                       code="INVALID_CREDENTIALS", status=401, reason="unknown_organisation",
                       claimed_client=body["username"])
    try:
        principal = auth.verify_client(body["username"], body["password"], "crmToken")
    except ApiError as error:
        raise ApiError("Wrong username or password.", code="INVALID_CREDENTIALS",
                       status=401, reason=error.reason,
                       claimed_client=error.claimed_client) from None
    return reply(_token_for(principal))


@route(blueprint, "/authentication/token/release", "POST")
def release_crm_token():
    tokens.release_token(call_of(blueprint.current_request).body["token"])
    return reply(crm.ok(None))


@route(blueprint, "/authentication/web_api_key/token", "POST")
def issue_crm_token_with_web_api_key():
    return reply(_token_for(call_of(blueprint.current_request).principal))


# -- configuration: what identifiers may name ---------------------------------------------


def _configured(kind: str, entries=None) -> Response:
    """A page of ``entries`` (default: every entry of ``kind``), by name then id."""
    call = call_of(blueprint.current_request)
    params = call.params
    asked = pages.Asked(params["number_of_results"], params["offset"], params.get("cursor"),
                        query={"list": kind, **{name: params.get(name) for name in (
                            "type_identifier", "life_cycle_state")}})
    page = pages.of_sorted(configuration.entries(kind) if entries is None else entries,
                           lambda entry: {"0name": entry.name, "1id": entry.id}, asked)
    return paged(call, crm.ok([configuration.representation(e) for e in page.items]),
                 page.next_cursor)


@route(blueprint, "/service_requests/configuration/types/list", "GET")
def list_service_request_types():
    return _configured("type")


@route(blueprint, "/service_requests/configuration/statuses/list", "GET")
def list_service_request_statuses():
    params = call_of(blueprint.current_request).params
    statuses = configuration.entries("status")
    if params.get("type_identifier"):
        type_id = configuration.resolve("type", crm.identifier(
            params["type_identifier"], "type_identifier"), "type_identifier").id
        statuses = [s for s in statuses if s.type_id == type_id]
    if params.get("life_cycle_state"):
        statuses = [s for s in statuses if s.life_cycle_state == params["life_cycle_state"]]
    return _configured("status", statuses)


@route(blueprint, "/service_requests/configuration/categories/list", "GET")
def list_service_request_categories():
    return _configured("category")


@route(blueprint, "/service_requests/configuration/response_categories/list", "GET")
def list_response_categories():
    return _configured("response_category")


@route(blueprint, "/service_requests/configuration/temporary_resolution_categories/list", "GET")
def list_temporary_resolution_categories():
    return _configured("temporary_resolution_category")


@route(blueprint, "/service_requests/configuration/final_resolution_categories/list", "GET")
def list_final_resolution_categories():
    return _configured("final_resolution_category")


@route(blueprint, "/service_requests/configuration/cancellation_reasons/list", "GET")
def list_cancellation_reasons():
    return _configured("cancellation_reason")


@route(blueprint, "/service_requests/configuration/privacy_levels/list", "GET")
def list_privacy_levels():
    return _configured("privacy_level")


@route(blueprint, "/service_requests/configuration/groups/list", "GET")
def list_groups():
    return _configured("group")


@route(blueprint, "/service_requests/configuration/users/list", "GET")
def list_users():
    return _configured("user")


# -- service requests ---------------------------------------------------------------------

#: Who may see a customer's login e-mail, or name a contact by it (which tells whether an
#: address is an account's): a client that may also read customers.
EMAIL_SCOPE = "customers"
_NAMED_CONTACTS = (("contact_information_identifier",), ("accepted_by_identifier",),
                   ("temporary_resolution", "accepted_by_identifier"))


def _with_emails() -> bool:
    return EMAIL_SCOPE in call_of(blueprint.current_request).principal.scopes


def _shown(requests, fields_set: str | None) -> list[dict]:
    return representation.represent(requests, fields_set, _with_emails())


def _no_email_guesses(body: dict) -> None:
    """INVALID_PARAMETER for a contact named by e-mail, unless the client may read customers."""
    if _with_emails():
        return
    for path in _NAMED_CONTACTS:
        identifier = body
        for step in path:
            identifier = identifier.get(step) if isinstance(identifier, dict) else None
        if isinstance(identifier, dict) and "email" in identifier:
            name = ".".join(path)
            raise BadRequest(f"{name} names a contact by id here: by email only for a client "
                             f"with the scope {EMAIL_SCOPE}.", [FieldError(name, "invalid")])


@route(blueprint, "/service_requests/create", "POST")
def create_service_request():
    call = call_of(blueprint.current_request)
    body = call.body  # a retry after a new login carries another token: the same create
    _no_email_guesses(body)
    key = idempotency.of(call, "service-request",
                         {field: value for field, value in body.items() if field != "token"})
    request, new = idempotency.create_once(key, lambda number: service.find(
        {"number": number}), lambda: service.create(body, key))
    answer = reply(crm.ok(_shown([request], body.get("fields_set"))[0]))
    answer.headers.update({} if new else idempotency.REPLAYED)
    return answer


@route(blueprint, "/service_requests/show", "GET")
def show_service_request():
    params = call_of(blueprint.current_request).params
    request = service.find(crm.identifier(params["service_request_identifier"],
                                          "service_request_identifier"))
    return reply(crm.ok(_shown([request], params.get("fields_set"))[0]))


def _changed(method) -> Response:
    """Run a life cycle method on the body's request; answer the request as it is now."""
    body = call_of(blueprint.current_request).body
    _no_email_guesses(body)
    request = method(body["service_request_identifier"], body)
    return reply(crm.ok(_shown([request], body.get("fields_set"))[0]))


@route(blueprint, "/service_requests/update", "POST")
def update_service_request():
    return _changed(life_cycle.update)


@route(blueprint, "/service_requests/respond", "POST")
def respond_to_service_request():
    return _changed(life_cycle.respond)


@route(blueprint, "/service_requests/temporary_resolve", "POST")
def temporary_resolve_service_request():
    return _changed(life_cycle.temporary_resolve)


@route(blueprint, "/service_requests/final_resolve", "POST")
def final_resolve_service_request():
    return _changed(life_cycle.final_resolve)


@route(blueprint, "/service_requests/complete", "POST")
def complete_service_request():
    return _changed(life_cycle.complete)


@route(blueprint, "/service_requests/cancel", "POST")
def cancel_service_request():
    return _changed(life_cycle.cancel)


@route(blueprint, "/service_requests/response_accept", "POST")
def accept_service_request_response():
    return _changed(life_cycle.response_accept)


@route(blueprint, "/service_requests/temporary_resolution_accept", "POST")
def accept_service_request_temporary_resolution():
    return _changed(life_cycle.temporary_resolution_accept)


@route(blueprint, "/service_requests/final_resolution_accept", "POST")
def accept_service_request_final_resolution():
    return _changed(life_cycle.final_resolution_accept)


# -- the lists -----------------------------------------------------------------------------


def _listed(page, params: dict) -> Response:
    return paged(call_of(blueprint.current_request),
                 crm.ok(_shown(page.items, params.get("fields_set"))), page.next_cursor)


def _params() -> dict:
    return call_of(blueprint.current_request).params


@route(blueprint, "/service_requests/list", "GET")
def list_service_requests():
    params = _params()
    return _listed(lists.by_customer(lists.Filters(params)), params)


@route(blueprint, "/service_requests/get_pending", "GET")
def get_pending_service_requests():
    params = _params()
    return _listed(lists.in_state("PENDING", lists.Filters(params)), params)


@route(blueprint, "/service_requests/get_final_resolved", "GET")
def get_final_resolved_service_requests():
    params = _params()
    return _listed(lists.in_state("FINAL RESOLVED", lists.Filters(params)), params)


@route(blueprint, "/service_requests/get_completed", "GET")
def get_completed_service_requests():
    params = _params()
    return _listed(lists.in_state("COMPLETED", lists.Filters(params)), params)


@route(blueprint, "/service_requests/get_responded_pending_acceptance", "GET")
def get_responded_pending_acceptance_service_requests():
    params = _params()
    return _listed(lists.awaiting_acceptance("RESPONSE", lists.Filters(params)), params)


@route(blueprint, "/service_requests/get_final_resolved_pending_acceptance", "GET")
def get_final_resolved_pending_acceptance_service_requests():
    params = _params()
    return _listed(lists.awaiting_acceptance("FINAL_RESOLUTION", lists.Filters(params)),
                   params)


@route(blueprint, "/service_requests/get_close_to_estimated_completion_time", "GET")
def get_service_requests_close_to_estimated_completion_time():
    params = _params()
    filters = lists.Filters(params, allowed=("accounts_receivable", "type"))
    return _listed(lists.close_to_completion(params["period"], params["uot"], filters), params)
