"""Service requests: create and find them, by the rules of seed 002 and its configuration."""
import uuid
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from ..accounts import service as accounts
from ..core import db, timestamps, unique_keys
from ..core.errors import ApiError, BadRequest, FieldError, NotFound
from . import configuration
from .models import ServiceRequest

__all__ = ["create", "find", "USER_DEFINED_FIELDS", "completion_from"]

USER_DEFINED_FIELDS = ([f"udf_string_{n}" for n in range(1, 9)]
                       + [f"udf_float_{n}" for n in range(1, 5)]
                       + [f"udf_date_{n}" for n in range(1, 5)])
_UNITS = {"MINUTES": timedelta(minutes=1), "HOURS": timedelta(hours=1),
          "DAYS": timedelta(days=1), "WEEKS": timedelta(weeks=1)}


def _life_cycle_error(message: str) -> ApiError:
    return ApiError(message, status=409, code="LIFE_CYCLE_RULE")


def add_period(start: datetime, value: int, uot: str) -> datetime:
    """``start`` plus ``value`` units of time (months and years by the calendar, clamped to
    the last day of a shorter month)."""
    if uot in _UNITS:
        return start + value * _UNITS[uot]
    months = value * (12 if uot == "YEARS" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    for day in range(start.day, 27, -1):
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return start.replace(year=year, month=month, day=min(start.day, 28))


def completion_from(start: datetime, expected: datetime | None,
                    estimated: dict | None) -> tuple[datetime | None, dict | None]:
    """Expected completion and estimated completion time, each computed from the other (the
    estimate is then in whole minutes)."""
    if expected is not None and estimated is not None:
        raise BadRequest("Give expected_completion_date or estimated_completion_time, not both.",
                         [FieldError("estimated_completion_time", "invalid")])
    if estimated is not None:
        return add_period(start, estimated["value"], estimated["uot"]), estimated
    if expected is not None:
        if expected < start:
            raise BadRequest("expected_completion_date is before start_date.",
                             [FieldError("expected_completion_date", "invalid")])
        return expected, {"value": int((expected - start).total_seconds() // 60),
                          "uot": "MINUTES"}
    return None, None


def _contact(account, identifier: dict | None) -> str:
    """The caller: the account's owner, the only contact the product holds for an account."""
    if identifier is None:
        return account.identifier
    if not isinstance(identifier, dict) or len(identifier) != 1 or \
            next(iter(identifier)) not in ("id", "email"):
        raise BadRequest("contact_information_identifier must name exactly one of: id, email.",
                         [FieldError("contact_information_identifier", "invalid")])
    (field, value), = identifier.items()
    owner_value = account.identifier if field == "id" else account.email
    if str(value).lower() != owner_value.lower():
        raise NotFound(f"No contact of accounts receivable {account.identifier} has {field} "
                       f"{value} (contact_information_identifier).")
    return account.identifier


def accounts_receivable(identifier: dict, parameter: str = "accounts_receivable_identifier"):
    """The customer account that an accounts receivable identifier names (id or number: the
    customer identifier)."""
    if not isinstance(identifier, dict) or len(identifier) != 1:
        raise BadRequest(f"{parameter} must name exactly one of: id, number.",
                         [FieldError(parameter, "invalid")])
    (field, value), = identifier.items()
    if field == "name":
        raise BadRequest(f"{parameter}.name cannot name an accounts receivable here (names are "
                         "not unique); use id or number, the customer identifier.",
                         [FieldError(parameter, "invalid")])
    if field not in ("id", "number"):
        raise BadRequest(f"{parameter}.{field} is not a field of an accounts receivable "
                         "identifier; use one of: id, number.", [FieldError(parameter, "invalid")])
    try:
        return accounts.get_active_account(str(value), parameter)
    except NotFound:
        raise NotFound(f"No accounts receivable has {field} {value} ({parameter}).") from None


def status_of_type(request_type, identifier: dict, parameter: str = "status_identifier"):
    """A status of ``request_type`` (statuses of other types may share its name)."""
    label, allowed = configuration.KINDS["status"]
    if not isinstance(identifier, dict) or len(identifier) != 1 or \
            next(iter(identifier)) not in allowed:
        return configuration.resolve("status", identifier, parameter)  # names the problem
    (field, value), = identifier.items()
    for status in configuration.entries("status"):
        if status.type_id == request_type.id and getattr(status, field) == value:
            return status
    raise NotFound(f"Type {request_type.name} has no status with {field} {value} "
                   f"({parameter}).")


def _optional(kind: str, body: dict, parameter: str) -> str | None:
    value = body.get(parameter)
    return None if value is None else configuration.resolve(kind, value, parameter).id


def _time(body: dict, field: str) -> datetime | None:
    value = body.get(field)
    return None if value is None else timestamps.parse_iso(value)


def create(body: dict) -> ServiceRequest:
    request_type = configuration.resolve("type", body["type_identifier"], "type_identifier")
    account = accounts_receivable(body["accounts_receivable_identifier"])
    contact = _contact(account, body.get("contact_information_identifier"))
    for needed, flag in (("caller_email", request_type.emails_customers),
                         ("caller_phone", request_type.texts_customers)):
        if flag and not body.get(needed):
            raise BadRequest(f"{needed} is mandatory: type {request_type.name} tells its "
                             f"customers of status changes that way.",
                             [FieldError(needed, "required")])
    status = status_of_type(request_type, body["status_identifier"])
    if status.life_cycle_state != "PENDING":
        raise _life_cycle_error(f"A new service request takes a PENDING status; {status.name} "
                                f"is {status.life_cycle_state} (status_identifier).")
    category = configuration.resolve("category", body["category_identifier"],
                                     "category_identifier")
    now = timestamps.now()
    start = _time(body, "start_date") or now
    expected, estimated = completion_from(start, _time(body, "expected_completion_date"),
                                          body.get("estimated_completion_time"))
    assigned = body.get("assigned_to") or {}
    references = {  # every reference resolved before a number is taken: a refusal uses none
        "owned_by_group_id": _optional("group", body, "owned_by_group_identifier"),
        "privacy_level_id": _optional("privacy_level", body, "privacy_level_identifier"),
        "assigned_user_id": _optional("user", assigned, "user_identifier"),
        "assigned_group_id": _optional("group", assigned, "group_identifier"),
        "related_numbers": [find(item["service_request_identifier"],
                                 "related_service_requests").number
                            for item in body.get("related_service_requests", [])]}
    request = ServiceRequest(
        f"SR{unique_keys.next_number('service-request-number', 0):08d}", id=uuid.uuid4().hex,
        type_id=request_type.id, accounts_receivable=account.identifier, contact=contact,
        caller_email=body.get("caller_email"), caller_phone=body.get("caller_phone"),
        description=body.get("description"), notes=body.get("notes"), status_id=status.id,
        life_cycle_state="PENDING", category_id=category.id,
        urgency_level=body["urgency_level"], impact_level=body["impact_level"],
        user_defined={f: body[f] for f in USER_DEFINED_FIELDS if body.get(f) is not None},
        start_date=timestamps.to_storage(start),
        expected_completion_date=expected and timestamps.to_storage(expected),
        estimated_completion_time=estimated, referring_to=body.get("referring_to"),
        services=body.get("services", []), physical_goods=body.get("physical_goods", []),
        created_date=timestamps.to_storage(now), updated_date=timestamps.to_storage(now),
        **references)
    request.refresh_list_keys()
    try:
        request.save(condition=ServiceRequest.number.does_not_exist())
    except PutError as error:
        if db.is_conditional_failure(error):  # a number taken twice: never by the counter
            raise ApiError("The service request number is taken; retry.", status=409) from None
        raise
    return request


def find(identifier: dict, parameter: str = "service_request_identifier") -> ServiceRequest:
    """The request that an identifier object names (id or number)."""
    if not isinstance(identifier, dict) or len(identifier) != 1 or \
            next(iter(identifier)) not in ("id", "number"):
        raise BadRequest(f"{parameter} must name exactly one of: id, number.",
                         [FieldError(parameter, "invalid")])
    (field, value), = identifier.items()
    try:
        if field == "number":
            return ServiceRequest.get(str(value), consistent_read=True)
        found = list(ServiceRequest.by_id.query(str(value), limit=1))
        if found:  # an index is eventually consistent: read the item itself
            return ServiceRequest.get(found[0].number, consistent_read=True)
    except ServiceRequest.DoesNotExist:
        pass
    raise NotFound(f"No service request has {field} {value} ({parameter}).")
