"""Service requests: create and find them, by the rules of seed 002 and its configuration."""
import random
import re
import time
import uuid
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from ..accounts import service as accounts
from ..core import db, timestamps, unique_keys
from ..core.errors import ApiError, BadRequest, FieldError, NotFound
from ..core.records import plain
from . import configuration
from .models import ServiceRequest, Stage

__all__ = ["create", "find", "update", "respond", "temporary_resolve", "final_resolve",
           "complete", "cancel", "response_accept", "temporary_resolution_accept",
           "final_resolution_accept", "USER_DEFINED_FIELDS", "completion_from"]

USER_DEFINED_FIELDS = ([f"udf_string_{n}" for n in range(1, 9)]
                       + [f"udf_float_{n}" for n in range(1, 5)]
                       + [f"udf_date_{n}" for n in range(1, 5)])
_UNITS = {"MINUTES": timedelta(minutes=1), "HOURS": timedelta(hours=1),
          "DAYS": timedelta(days=1), "WEEKS": timedelta(weeks=1)}


def _life_cycle_error(message: str) -> ApiError:
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


def _contact(account, identifier: dict | None) -> str:
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
        caller_email=body.get("caller_email"), caller_phone=phone_number(body.get("caller_phone")),
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


# -- the life cycle -----------------------------------------------------------------------

_CHANGEABLE = ("caller_email", "caller_phone", "description", "notes", "urgency_level",
               "impact_level")
_ATTEMPTS = 20  # a change that lost a race is applied again on the new version


def change(identifier: dict, apply) -> ServiceRequest:
    """Apply ``apply(request)`` to the request ``identifier`` names and save it, optimistically
    locked: a change that lost a race to another is applied again to the new version (whose
    rules may then refuse it), so no change is lost and none is applied twice."""
    for _ in range(_ATTEMPTS):
        request = find(identifier)
        before = request.status_id
        apply(request)
        if request.status_id != before:
            request.status_changes = (request.status_changes or 0) + 1
        request.updated_date = timestamps.storage_now()
        request.refresh_list_keys()
        try:
            request.save()
            return request
        except PutError as error:
            if not db.is_conditional_failure(error):
                raise
            time.sleep(random.uniform(0, 0.02))  # let the racers spread out
    raise ApiError("The service request keeps changing; read it again and retry.",
                   status=409)


def _type_of(request: ServiceRequest):
    return configuration.resolve("type", {"id": request.type_id}, "type")


def _status_in(request: ServiceRequest, body: dict, state: str, required: bool = True):
    """The body's status, which must be one of the request's type in ``state``; or, when the
    body names none and it may, the type's first status in that state (by name)."""
    request_type = _type_of(request)
    if body.get("status_identifier") is not None:
        status = status_of_type(request_type, body["status_identifier"])
        if status.life_cycle_state != state:
            raise _life_cycle_error(f"Status {status.name} is {status.life_cycle_state}; this "
                                    f"method moves the request to {state} "
                                    "(status_identifier).")
        return status
    if required:
        raise BadRequest("status_identifier is missing.", [FieldError("status_identifier",
                                                                      "required")])
    candidates = [s for s in configuration.entries("status")
                  if s.type_id == request_type.id and s.life_cycle_state == state]
    if not candidates:
        raise _life_cycle_error(f"Type {request_type.name} has no {state} status.")
    return candidates[0]


def _require_state(request: ServiceRequest, states: tuple[str, ...], method: str) -> None:
    if request.life_cycle_state not in states:
        raise _life_cycle_error(f"{method} needs a request in {' or '.join(states)}; "
                                f"{request.number} is {request.life_cycle_state}.")


def _texts(request: ServiceRequest, body: dict) -> None:
    for field in ("description", "notes"):
        if body.get(field) is not None:
            setattr(request, field, body[field])


def _stage(kind: str, stage_body: dict, by_field: str, date_field: str,
           parameter: str) -> Stage:
    category = configuration.resolve(kind, stage_body["category_identifier"],
                                     f"{parameter}.category_identifier")
    by = stage_body.get(by_field)
    when = _time(stage_body, date_field) or timestamps.now()
    return Stage(category_id=category.id,
                 by_user_id=by and configuration.resolve("user", by,
                                                         f"{parameter}.{by_field}").id,
                 date=timestamps.to_storage(when), description=stage_body.get("description"),
                 requires_acceptance=bool(category.requires_acceptance) or None)


def _accepting_contact(request: ServiceRequest, identifier: dict | None) -> str:
    """The contact who accepts for the customer: the caller or the account's owner (one and
    the same person for an account of the Customers API); default the caller."""
    account = accounts.get_active_account(request.accounts_receivable, "accounts_receivable")
    return _contact(account, identifier) if identifier is not None else request.contact


def update(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        if request.life_cycle_state in ("COMPLETED", "CANCELLED"):
            raise _life_cycle_error(f"{request.number} is {request.life_cycle_state}: it "
                                    "changes no more.")
        if body.get("status_identifier") is not None:
            request.status_id = _status_in(request, body, request.life_cycle_state).id
        for field in _CHANGEABLE:
            if body.get(field) is not None:
                setattr(request, field, body[field])
        if body.get("caller_phone") is not None:
            request.caller_phone = phone_number(body["caller_phone"])
        if body.get("category_identifier") is not None:
            request.category_id = configuration.resolve(
                "category", body["category_identifier"], "category_identifier").id
        for field, kind in (("owned_by_group", "group"), ("privacy_level", "privacy_level")):
            if body.get(f"{field}_identifier") is not None:
                setattr(request, f"{field}_id", _optional(kind, body, f"{field}_identifier"))
        request.user_defined = {**plain(request.user_defined),
                                **{f: body[f] for f in USER_DEFINED_FIELDS
                                   if body.get(f) is not None}}
        if body.get("expected_completion_date") or body.get("estimated_completion_time"):
            expected, estimated = completion_from(
                timestamps.from_storage(request.start_date), _time(
                    body, "expected_completion_date"), body.get("estimated_completion_time"))
            request.expected_completion_date = timestamps.to_storage(expected)
            request.estimated_completion_time = estimated
        assigned = body.get("assigned_to") or {}
        if assigned.get("user_identifier") is not None:
            request.assigned_user_id = _optional("user", assigned, "user_identifier")
        if assigned.get("group_identifier") is not None:
            request.assigned_group_id = _optional("group", assigned, "group_identifier")
        for field in ("referring_to", "services", "physical_goods"):
            if body.get(field) is not None:
                setattr(request, field, body[field])
    return change(identifier, apply)


def respond(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        _require_state(request, ("PENDING",), "respond")
        request.status_id = _status_in(request, body, "RESPONDED").id
        request.response = _stage("response_category", body["response"],
                                  "responded_by_identifier", "response_date", "response")
        request.life_cycle_state = "RESPONDED"
        _texts(request, body)
    return change(identifier, apply)


def _response_settled(request: ServiceRequest, method: str) -> None:
    if request.response is None:
        raise _life_cycle_error(f"{method}: the request has no response yet (respond first).")
    if request.response.requires_acceptance and not request.response.accepted_by:
        raise _life_cycle_error(f"{method}: the response's category requires the customer's "
                                "acceptance first (response_accept).")


def temporary_resolve(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        _require_state(request, ("RESPONDED", "TEMPORARY RESOLVED"), "temporary_resolve")
        _response_settled(request, "temporary_resolve")
        stage_body = body["temporary_resolution"]
        stage = _stage("temporary_resolution_category", stage_body,
                       "temporary_resolved_by_identifier", "temporary_resolution_date",
                       "temporary_resolution")
        stage.requires_acceptance = True  # a final resolution waits for every one
        if stage_body.get("accepted_by_identifier") is not None:
            stage.accepted_by = _accepting_contact(request, stage_body["accepted_by_identifier"])
            stage.accepted_date = timestamps.storage_now()
        request.temporary_resolutions = [*request.temporary_resolutions, stage]
        request.status_id = _status_in(request, body, "TEMPORARY RESOLVED", required=False).id
        request.life_cycle_state = "TEMPORARY RESOLVED"
        _texts(request, body)
    return change(identifier, apply)


def final_resolve(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        _require_state(request, ("RESPONDED", "TEMPORARY RESOLVED"), "final_resolve")
        _response_settled(request, "final_resolve")
        if any(not stage.accepted_by for stage in request.temporary_resolutions):
            raise _life_cycle_error("final_resolve: every temporary resolution must be "
                                    "accepted first (temporary_resolution_accept).")
        request.status_id = _status_in(request, body, "FINAL RESOLVED").id
        request.final_resolution = _stage("final_resolution_category",
                                          body["final_resolution"],
                                          "final_resolved_by_identifier",
                                          "final_resolution_date", "final_resolution")
        request.life_cycle_state = "FINAL RESOLVED"
        _texts(request, body)
    return change(identifier, apply)


def complete(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        _require_state(request, ("FINAL RESOLVED",), "complete")
        final = request.final_resolution
        if final.requires_acceptance and not final.accepted_by:
            raise _life_cycle_error("complete: the final resolution's category requires the "
                                    "customer's acceptance first (final_resolution_accept).")
        request.status_id = _status_in(request, body, "COMPLETED").id
        request.life_cycle_state = "COMPLETED"
        _texts(request, body)
    return change(identifier, apply)


def cancel(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        _require_state(request, ("PENDING",), "cancel")
        request_type = _type_of(request)
        if body.get("status_identifier") is None and request_type.cancellation_status_id:
            request.status_id = request_type.cancellation_status_id
        else:
            request.status_id = _status_in(request, body, "CANCELLED", required=False).id
        reason = body.get("cancellation_reason_identifier")
        request.cancellation_reason_id = (
            configuration.resolve("cancellation_reason", reason,
                                  "cancellation_reason_identifier").id
            if reason is not None else request_type.cancellation_reason_id)
        request.life_cycle_state = "CANCELLED"
        _texts(request, body)
    return change(identifier, apply)


def _accept(stage: Stage, request: ServiceRequest, body: dict) -> None:
    stage.accepted_by = _accepting_contact(request, body.get("accepted_by_identifier"))
    stage.accepted_date = timestamps.storage_now()
    _texts(request, body)


def response_accept(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        _require_state(request, ("RESPONDED",), "response_accept")
        if not request.response.requires_acceptance or request.response.accepted_by:
            raise _life_cycle_error("response_accept: the response waits for no acceptance.")
        _accept(request.response, request, body)
    return change(identifier, apply)


def temporary_resolution_accept(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        waiting = [stage for stage in request.temporary_resolutions if not stage.accepted_by]
        if request.life_cycle_state != "TEMPORARY RESOLVED" or not waiting:
            raise _life_cycle_error("temporary_resolution_accept: no temporary resolution "
                                    "waits for acceptance.")
        for stage in waiting:  # every one not yet accepted
            _accept(stage, request, body)
        request.temporary_resolutions = list(request.temporary_resolutions)
    return change(identifier, apply)


def final_resolution_accept(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        _require_state(request, ("FINAL RESOLVED",), "final_resolution_accept")
        final = request.final_resolution
        if not final.requires_acceptance or final.accepted_by:
            raise _life_cycle_error("final_resolution_accept: the final resolution waits for "
                                    "no acceptance.")
        _accept(final, request, body)
    return change(identifier, apply)
