"""Raising work on a customer's behalf: a tenant phones or walks in, and an agent raises a
support request, a service request or a ticket for that customer's account (and property)
through the record's own service, which checks it by its own rules. Each record shows that
the desk raised it and for whom: a support request's ``origin`` is ``desk`` and its creator
the customer; a service request's caller is the customer and its actor the desk; a ticket
belongs to the customer's account, made by the desk's client.
"""
from ..cases import service as cases
from ..core import auth
from ..core.errors import ApiError, BadRequest, FieldError
from ..service_requests import configuration
from ..service_requests import service as service_requests
from ..support_requests import service as support_requests

__all__ = ["raise_work", "RAISE"]

#: A desk priority -> a service request's urgency.
_URGENCY = {"urgent": "URGENCY1", "high": "URGENCY2", "normal": "URGENCY3", "low": "URGENCY3"}


def _needs(body: dict, *fields: str) -> None:
    missing = [name for name in fields if not body.get(name)]
    if missing:
        raise BadRequest(f"A {body['kind']} raised by the desk needs {', '.join(missing)}.",
                         [FieldError(name, "required") for name in missing])


def _support_request(call, body: dict) -> str:
    _needs(body, "topic", "title")
    topic, _, sub_topic = body["topic"].partition(":")
    request = support_requests.raise_request(
        body["account"], topic, body["title"], sub_topic=sub_topic or None,
        description=body.get("description"), email=body.get("email"),
        property_identifier=body.get("property"), origin="desk")
    return request.identifier


def _pending_status(type_name: str) -> str:
    for entry in configuration.entries("status"):
        kind = configuration.entry("type", entry.type_id)
        if entry.life_cycle_state == "PENDING" and kind is not None and kind.name == type_name:
            return entry.name
    raise BadRequest(f"The service request type {type_name} has no PENDING status.",
                     [FieldError("topic", "invalid")])


def _service_request(call, body: dict) -> str:
    _needs(body, "topic", "category", "title")
    from ..accounts import service as accounts
    account = accounts.get_active_account(body["account"], "account")
    request = service_requests.create({
        "type_identifier": {"name": body["topic"]},
        "status_identifier": {"name": _pending_status(body["topic"])},
        "accounts_receivable_identifier": {"number": body["account"]},
        "category_identifier": {"code": body["category"]},
        "urgency_level": _URGENCY[body.get("priority", "normal")], "impact_level": "IMPACT3",
        "description": body["title"], "notes": body.get("description"),
        "caller_email": body.get("email") or account.email})
    return request.number


def _ticket(call, body: dict) -> str:
    _needs(body, "code", "title")
    acting = auth.Principal(call.principal.client_id, call.principal.name, {"cases-operator"},
                            "oauth2", body["account"])
    contacts = [{"type": "NOTIFICATION", "firstName": "Customer", "lastName": body["account"],
                 "details": [{"type": "EMAIL", "value": body["email"]}]}] \
        if body.get("email") else []
    case = cases.create(acting, {"code": body["code"], "description": body["title"],
                                 "primaryId": body.get("property") or body["account"],
                                 "contacts": contacts})
    return case.case_number


#: Each kind's raising, through its record's service.
RAISE = {"support-request": _support_request, "service-request": _service_request,
         "ticket": _ticket}


def raise_work(call, body: dict) -> str:
    """The new record's work item id (its work item follows through the stream)."""
    try:
        record = RAISE[body["kind"]](call, body)
    except ApiError as error:
        if 400 <= error.status < 500 and error.status not in (401, 403):
            named = _desk_field(error.field_errors[0].xpath if error.field_errors
                                else error.message)
            raise BadRequest(error.message, [FieldError(named, "invalid")]) from None
        raise
    return f"{body['kind']}-{record}"


#: Words of a record's field names (its XPaths, its parameters) -> the desk's field.
_FIELDS = (("category", "category"), ("sub-topic", "topic"), ("topic", "topic"),
           ("type", "topic"), ("property", "property"), ("account", "account"),
           ("accounts_receivable", "account"), ("code", "code"), ("email", "email"))


def _desk_field(named: str) -> str:
    """The desk's name of a field a record's service named (the title when none fits)."""
    return next((desk for word, desk in _FIELDS if word in named), "title")
