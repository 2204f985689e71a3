"""Service requests: create and find them, by the rules of seed 002 and its configuration;
the life cycle that follows is in ``life_cycle``."""
import re
import uuid
from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..accounts import service as accounts
from ..core import actors, db, timestamps, unique_keys
from ..core.errors import ApiError, BadRequest, FieldError, NotFound
from ..core.idempotency import Idempotency
from . import configuration
from .models import ServiceRequest

__all__ = ["create", "find", "USER_DEFINED_FIELDS", "completion_from", "add_period",
           "accounts_receivable", "status_of_type", "phone_number", "caller_of", "time_of",
           "user_defined", "life_cycle_error", "optional_reference", "too_large"]

USER_DEFINED_FIELDS = ([f"udf_string_{n}" for n in range(1, 9)]
                       + [f"udf_float_{n}" for n in range(1, 5)]
                       + [f"udf_date_{n}" for n in range(1, 5)])
_UNITS = {"MINUTES": timedelta(minutes=1), "HOURS": timedelta(hours=1),
          "DAYS": timedelta(days=1), "WEEKS": timedelta(weeks=1)}


def life_cycle_error(message: str) -> ApiError:
    return ApiError(message, status=409, code="LIFE_CYCLE_RULE")


def add_period(start: datetime, value: int, uot: str, parameter: str) -> datetime:
    """``start`` plus ``value`` units of time (months and years by the calendar, clamped to
    the last day of a shorter month); INVALID_PARAMETER naming ``parameter`` past year 9999."""
    try:
        if uot in _UNITS:
            return start + value * _UNITS[uot]
        months = value * (12 if uot == "YEARS" else 1)
        year, month = divmod(start.month - 1 + months, 12)
        year, month = start.year + year, month + 1
        for day in range(start.day, 27, -1):
            try:
                return start.replace(year=year, month=month, day=day)
            except ValueError:
                if not 1 <= year <= 9999:
                    raise
        return start.replace(year=year, month=month, day=min(start.day, 28))
    except (OverflowError, ValueError):
        raise BadRequest(f"{parameter} reaches past the year 9999.",
                         [FieldError(parameter, "invalid")]) from None


def completion_from(start: datetime, expected: datetime | None,
                    estimated: dict | None) -> tuple[datetime | None, dict | None]:
    """Expected completion and estimated completion time, each computed from the other (the
    estimate is then in whole minutes)."""
    if expected is not None and estimated is not None:
        raise BadRequest("Give expected_completion_date or estimated_completion_time, not both.",
                         [FieldError("estimated_completion_time", "invalid")])
    if estimated is not None:
        return add_period(start, estimated["value"], estimated["uot"],
                          "estimated_completion_time"), estimated
    if expected is not None:
        if expected < start:
            raise BadRequest("expected_completion_date is before start_date.",
                             [FieldError("expected_completion_date", "invalid")])
        return expected, {"value": int((expected - start).total_seconds() // 60),
                          "uot": "MINUTES"}
    return None, None


def caller_of(account, identifier: dict | None) -> str:
    """The caller: the account's owner, the only contact the product holds for an account."""
    if identifier is None:
        return account.identifier
    field, value = configuration.named_field(identifier, ("id", "email"), "contact information",
                                             "contact_information_identifier")
    owner_value = account.identifier if field == "id" else account.email
    if str(value).lower() != owner_value.lower():
        raise NotFound(f"No contact of accounts receivable {account.identifier} has {field} "
                       f"{value} (contact_information_identifier).")
    return account.identifier


def accounts_receivable(identifier: dict, parameter: str = "accounts_receivable_identifier"):
    """The customer account that an accounts receivable identifier names (id or number: the
    customer identifier; or the owner's full name, when only one account has it)."""
    field, value = configuration.named_field(identifier, ("id", "number", "name"),
                                             "accounts receivable", parameter)
    if field == "name":
        found = accounts.find_by_name(str(value))
        if len(found) > 1:
            raise BadRequest(f"More than one accounts receivable is named {value} "
                             f"({parameter}); use id or number.",
                             [FieldError(parameter, "invalid")])
        if not found:
            raise NotFound(f"No accounts receivable has name {value} ({parameter}).")
        value = found[0]
    try:
        return accounts.get_active_account(str(value), parameter)
    except NotFound:
        raise NotFound(f"No accounts receivable has {field} {value} ({parameter}).") from None


def status_of_type(request_type, identifier: dict, parameter: str = "status_identifier"):
    """A status of ``request_type`` (statuses of other types may share its name)."""
    label, allowed = configuration.KINDS["status"]
    field, value = configuration.named_field(identifier, allowed, label, parameter)
    for status in configuration.entries("status"):
        if status.type_id == request_type.id and getattr(status, field) == value:
            return status
    raise NotFound(f"Type {request_type.name} has no status with {field} {value} "
                   f"({parameter}).")


def phone_number(text: str | None) -> str | None:
    """A caller phone as SNS texts it (E.164: "+", then 8 to 15 digits); spaces, dashes and
    parentheses are dropped."""
    if text is None:
        return None
    number = re.sub(r"[ ()-]", "", text)
    if not re.fullmatch(r"\+[1-9][0-9]{7,14}", number):
        raise BadRequest(f"caller_phone {text} is not an international number (+ and country "
                         "code, as a text message needs).", [FieldError("caller_phone",
                                                                        "invalid")])
    return number


def optional_reference(kind: str, body: dict, parameter: str) -> str | None:
    value = body.get(parameter)
    return None if value is None else configuration.resolve(kind, value, parameter).id


def time_of(body: dict, field: str) -> datetime | None:
    """A time of the body (the pipeline has checked that it is one), or None."""
    value = body.get(field)
    return None if value is None else timestamps.parse_input(value)


def user_defined(body: dict) -> dict:
    """The body's user-defined fields, dates in the one form answers write them."""
    return {field: timestamps.to_storage(timestamps.parse_input(value))
            if field.startswith("udf_date_") else value
            for field in USER_DEFINED_FIELDS if (value := body.get(field)) is not None}


def _require_a_channel(request_type, body: dict) -> None:
    """A type that tells its customers of status changes needs a way to reach the caller: a
    type that e-mails needs ``caller_email``, one that texts ``caller_phone``, and one that
    does both either (each one given is used: clients written before ``caller_phone``
    existed give only the e-mail)."""
    channels = [field for field, used in (("caller_email", request_type.emails_customers),
                                          ("caller_phone", request_type.texts_customers))
                if used]
    if channels and not any(body.get(field) for field in channels):
        raise BadRequest(f"{' or '.join(channels)} is mandatory: type {request_type.name} "
                         "tells its customers of status changes that way.",
                         [FieldError(field, "required") for field in channels])


def create(body: dict, idempotency: Idempotency | None = None) -> ServiceRequest:
    """A new PENDING request; written with ``idempotency``'s claim when there is one
    (``core.idempotency.create_once``)."""
    request_type = configuration.resolve("type", body["type_identifier"], "type_identifier")
    account = accounts_receivable(body["accounts_receivable_identifier"])
    contact = caller_of(account, body.get("contact_information_identifier"))
    _require_a_channel(request_type, body)
    status = status_of_type(request_type, body["status_identifier"])
    if status.life_cycle_state != "PENDING":
        raise life_cycle_error(f"A new service request takes a PENDING status; {status.name} "
                               f"is {status.life_cycle_state} (status_identifier).")
    category = configuration.resolve("category", body["category_identifier"],
                                     "category_identifier")
    now = timestamps.now()
    start = time_of(body, "start_date") or now
    expected, estimated = completion_from(start, time_of(body, "expected_completion_date"),
                                          body.get("estimated_completion_time"))
    assigned = body.get("assigned_to") or {}
    references = {  # every reference resolved before a number is taken: a refusal uses none
        "owned_by_group_id": optional_reference("group", body, "owned_by_group_identifier"),
        "privacy_level_id": optional_reference("privacy_level", body, "privacy_level_identifier"),
        "assigned_user_id": optional_reference("user", assigned, "user_identifier"),
        "assigned_group_id": optional_reference("group", assigned, "group_identifier"),
        "related_numbers": [find(item["service_request_identifier"],
                                 "related_service_requests").number
                            for item in body.get("related_service_requests", [])]}
    request = ServiceRequest(
        f"SR{unique_keys.next_number('service-request-number', 0):08d}", id=uuid.uuid4().hex,
        type_id=request_type.id, accounts_receivable=account.identifier, contact=contact,
        accounts_receivable_name=account.full_name, contact_email=account.email,
        caller_email=body.get("caller_email"), caller_phone=phone_number(body.get("caller_phone")),
        description=body.get("description"), notes=body.get("notes"), status_id=status.id,
        life_cycle_state="PENDING", category_id=category.id,
        urgency_level=body["urgency_level"], impact_level=body["impact_level"],
        user_defined=user_defined(body),
        start_date=timestamps.to_storage(start),
        expected_completion_date=expected and timestamps.to_storage(expected),
        estimated_completion_time=estimated, referring_to=body.get("referring_to"),
        services=body.get("services", []), physical_goods=body.get("physical_goods", []),
        created_date=timestamps.to_storage(now), updated_date=timestamps.to_storage(now),
        **references)
    request.refresh_list_keys()
    actors.stamp(request)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.save(request, condition=ServiceRequest.number.does_not_exist())
            if idempotency:
                transaction.save(idempotency.claim(request.number),
                                 condition=unique_keys.UniqueKey.key.does_not_exist())
    except TransactWriteError as error:
        if db.is_conditional_failure(error):  # a number taken twice: never by the counter
            raise ApiError("The service request number is taken; retry.", status=409) from None
        if db.is_too_large(error):
            raise too_large() from None
        raise
    return request


def too_large() -> ApiError:
    return ApiError("The service request would outgrow what one record holds (400 KB).",
                    status=413)


def find(identifier: dict, parameter: str = "service_request_identifier") -> ServiceRequest:
    """The request that an identifier object names (id or number)."""
    field, value = configuration.named_field(identifier, ("id", "number"), "service request",
                                             parameter)
    try:
        if field == "number":
            return ServiceRequest.get(str(value), consistent_read=True)
        found = list(ServiceRequest.by_id.query(str(value), limit=1))
        if found:  # an index is eventually consistent: read the item itself
            return ServiceRequest.get(found[0].number, consistent_read=True)
    except ServiceRequest.DoesNotExist:
        pass
    raise NotFound(f"No service request has {field} {value} ({parameter}).")
