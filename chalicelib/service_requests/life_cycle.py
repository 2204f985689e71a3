"""The life cycle of a service request (seed 002): update, respond, resolve, complete, cancel
and the customer's acceptances, each one optimistically locked change."""
import random
import time

from pynamodb.exceptions import PutError

from ..accounts import service as accounts
from ..core import actors, db, timestamps
from ..core.errors import ApiError, BadRequest, FieldError
from ..core.records import plain
from . import configuration
from .models import ServiceRequest, Stage
from .service import (
    caller_of,
    completion_from,
    find,
    life_cycle_error,
    optional_reference,
    phone_number,
    status_of_type,
    time_of,
    too_large,
    user_defined,
)

__all__ = ["change", "update", "respond", "temporary_resolve", "final_resolve", "complete",
           "cancel", "response_accept", "temporary_resolution_accept",
           "final_resolution_accept"]

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
        actors.stamp(request)
        try:
            request.save()
            return request
        except PutError as error:
            if db.is_too_large(error):
                raise too_large() from None
            if not db.is_conditional_failure(error):
                raise
            time.sleep(random.uniform(0, 0.02))  # let the racers spread out
    raise ApiError("The service request keeps changing; read it again and retry.",
                   status=409)


def assign(number: str, assignee: str | None, group: str | None, fields: set[str]
           ) -> ServiceRequest:
    """The desk's assignment of ``fields`` (``assignee``, ``group``): to the CRM user or group
    of that name, which ``assigned_to`` then shows, else the desk's own; None takes it away."""
    users = {entry.name: entry.id for entry in configuration.entries("user")}
    groups = {entry.name: entry.id for entry in configuration.entries("group")}

    def apply(request: ServiceRequest) -> None:
        if "assignee" in fields:
            request.assigned_user_id = users.get(assignee)
            request.desk_assignee = None if assignee in users else assignee
        if "group" in fields:
            request.assigned_group_id = groups.get(group)
            request.desk_group = None if group in groups else group
    return change({"number": number}, apply)


def _type_of(request: ServiceRequest):
    return configuration.resolve("type", {"id": request.type_id}, "type")


def _status_in(request: ServiceRequest, body: dict, state: str, required: bool = True):
    """The body's status, which must be one of the request's type in ``state``; or, when the
    body names none and it may, the type's first status in that state (by name)."""
    request_type = _type_of(request)
    if body.get("status_identifier") is not None:
        status = status_of_type(request_type, body["status_identifier"])
        if status.life_cycle_state != state:
            raise life_cycle_error(f"Status {status.name} is {status.life_cycle_state}; this "
                                   f"method moves the request to {state} "
                                   "(status_identifier).")
        return status
    if required:
        raise BadRequest("status_identifier is missing.", [FieldError("status_identifier",
                                                                      "required")])
    candidates = [s for s in configuration.entries("status")
                  if s.type_id == request_type.id and s.life_cycle_state == state]
    if not candidates:
        raise life_cycle_error(f"Type {request_type.name} has no {state} status.")
    return candidates[0]


def _require_state(request: ServiceRequest, states: tuple[str, ...], method: str) -> None:
    if request.life_cycle_state not in states:
        raise life_cycle_error(f"{method} needs a request in {' or '.join(states)}; "
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
    when = time_of(stage_body, date_field) or timestamps.now()
    return Stage(category_id=category.id,
                 by_user_id=by and configuration.resolve("user", by,
                                                         f"{parameter}.{by_field}").id,
                 date=timestamps.to_storage(when), description=stage_body.get("description"),
                 requires_acceptance=bool(category.requires_acceptance) or None)


def _accepting_contact(request: ServiceRequest, identifier: dict | None) -> str:
    """The contact who accepts for the customer: the caller or the account's owner (one and
    the same person for an account of the Customers API); default the caller."""
    account = accounts.get_active_account(request.accounts_receivable, "accounts_receivable")
    return caller_of(account, identifier) if identifier is not None else request.contact


def update(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        if request.life_cycle_state in ("COMPLETED", "CANCELLED"):
            raise life_cycle_error(f"{request.number} is {request.life_cycle_state}: it "
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
                setattr(request, f"{field}_id",
                        optional_reference(kind, body, f"{field}_identifier"))
        request.user_defined = {**plain(request.user_defined), **user_defined(body)}
        if body.get("expected_completion_date") or body.get("estimated_completion_time"):
            expected, estimated = completion_from(
                timestamps.from_storage(request.start_date), time_of(
                    body, "expected_completion_date"), body.get("estimated_completion_time"))
            request.expected_completion_date = timestamps.to_storage(expected)
            request.estimated_completion_time = estimated
        assigned = body.get("assigned_to") or {}
        if assigned.get("user_identifier") is not None:
            request.assigned_user_id = optional_reference("user", assigned, "user_identifier")
        if assigned.get("group_identifier") is not None:
            request.assigned_group_id = optional_reference("group", assigned, "group_identifier")
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
        raise life_cycle_error(f"{method}: the request has no response yet (respond first).")
    if request.response.requires_acceptance and not request.response.accepted_by:
        raise life_cycle_error(f"{method}: the response's category requires the customer's "
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
            raise life_cycle_error("final_resolve: every temporary resolution must be "
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
            raise life_cycle_error("complete: the final resolution's category requires the "
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
            raise life_cycle_error("response_accept: the response waits for no acceptance.")
        _accept(request.response, request, body)
    return change(identifier, apply)


def temporary_resolution_accept(identifier: dict, body: dict) -> ServiceRequest:
    def apply(request: ServiceRequest) -> None:
        waiting = [stage for stage in request.temporary_resolutions if not stage.accepted_by]
        if request.life_cycle_state != "TEMPORARY RESOLVED" or not waiting:
            raise life_cycle_error("temporary_resolution_accept: no temporary resolution "
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
            raise life_cycle_error("final_resolution_accept: the final resolution waits for "
                                   "no acceptance.")
        _accept(final, request, body)
    return change(identifier, apply)
