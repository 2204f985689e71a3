"""PATCH of a ticket: a merge patch (RFC 7386) or a JSON patch (RFC 6902), read as the moves
the Case Management API allows (openapi/tmf621.yaml, "PATCH").

A JSON patch is applied to the ticket as GET shows it (the ``jsonpatch`` library), and what
it changed is then read as a merge patch, so that both say the same with the same rules.
Everything is checked before anything is written; the writes are then the Case Management
API's own: notes, the kept fields (on the version read), the move of status.
"""
import copy
from typing import Any

from ..cases import access, service
from ..cases.models import Case
from ..core import auth, spec, validation
from ..core.errors import BadRequest, Conflict, FieldError, Forbidden
from . import intake
from .representation import ALWAYS, kept, ticket
from .statuses import TO_TMF, ticket_status

__all__ = ["apply", "merge_of_json_patch", "MERGE_TYPES"]

MERGE_TYPES = ("application/merge-patch+json", "application/json")
PATCH_ROUTE = "/tmf-api/troubleTicket/v5/troubleTicket/{id}"
#: Fields that only the service sets or that the ticket holds for good: a change of one
#: (to another value than it has) is refused, naming it.
_FIXED = ("description", "ticketType", "externalIdentifier", "relatedParty", "attachment",
          "relatedEntity", "troubleTicketCharacteristic", "creationDate", "lastUpdate",
          "statusChangeDate", "statusChangeHistory", "resolutionDate")
_IGNORED = ("@type", "@baseType", "@schemaLocation")


def merge_of_json_patch(shown: dict, operations: list[dict]) -> dict:
    """The merge patch that says what ``operations`` change in ``shown`` (a removed field:
    null); a failed ``test`` is a 409, an operation that cannot apply a 400 naming it."""
    import jsonpatch  # only a JSON patch pays for its import
    import jsonpointer
    try:
        changed = jsonpatch.JsonPatch(operations).apply(copy.deepcopy(shown))
    except jsonpatch.JsonPatchTestFailed as failed:
        raise Conflict(f"A test operation failed: {failed}.",
                       [FieldError(_failing(operations, shown), "invalid")]) from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError,
            KeyError, IndexError, ValueError) as error:
        raise BadRequest(f"The JSON patch cannot be applied to this ticket: {error}.",
                         [FieldError(_failing(operations, shown), "invalid")]) from None
    if not isinstance(changed, dict):
        raise BadRequest("A JSON patch of a ticket leaves an object.",
                         [FieldError("/0/path", "invalid")])
    merge = {name: value for name, value in changed.items() if shown.get(name) != value}
    merge.update({name: None for name in shown if name not in changed})
    kept_ids = {note.get("id") for note in merge.get("note") or [] if isinstance(note, dict)}
    if "note" in merge and not {note["id"] for note in shown["note"]} <= kept_ids:
        raise BadRequest("A ticket's notes are never removed.", [FieldError("note", "read-only")])
    return merge


def _failing(operations: list[dict], shown: dict) -> str:
    """The first operation of ``operations`` that cannot apply on its own (its index)."""
    import jsonpatch
    document = copy.deepcopy(shown)
    for position, operation in enumerate(operations):
        try:
            document = jsonpatch.JsonPatch([operation]).apply(document)
        except Exception:  # noqa: BLE001 - any failure names this operation
            return f"{position}/path"
    return "0/path"


def _checked(merge: dict) -> dict:
    """``merge`` (what a JSON patch changed) if it is what a merge patch may say; else 400
    naming the fields, as if it had been sent as one."""
    operation = spec.find_operation(PATCH_ROUTE, "PATCH")
    schema = operation.resolve(operation.resolve(operation.definition["requestBody"])
                               ["content"]["application/merge-patch+json"]["schema"])
    validation.check_value(operation, schema, {name: value for name, value in merge.items()
                                               if value is not None}, "json-patch")
    return merge


class _Plan:
    """What a patch will do, checked before anything is written."""

    def __init__(self) -> None:
        self.status: str | None = None  # the ticket's status to move to
        self.reason: str | None = None
        self.notes: list[str] = []
        self.kept: dict | None = None  # the new kept fields, when they change


def _plan(principal: auth.Principal, case: Case, shown: dict, merge: dict) -> _Plan:
    plan, problems = _Plan(), []
    given = kept(case)
    new_kept = dict(given)
    for name, value in merge.items():
        if name in _IGNORED or (name in ALWAYS and value == shown.get(name)):
            continue
        if name == "status":
            if value != shown["status"]:
                plan.status = ticket_status(value)
        elif name == "statusChangeReason":
            plan.reason = value
        elif name == "note":
            plan.notes = _new_notes(shown["note"], value or [], problems)
        elif name in _FIXED or name in ALWAYS:
            if value != shown.get(name):
                problems.append(FieldError(name, "read-only"))
        elif value is None:
            new_kept.pop(name, None)
        else:
            new_kept[name] = intake.normalized(name, value)
    if problems:
        raise BadRequest("These fields cannot be changed: " + ", ".join(
            p.xpath for p in problems) + " (a ticket's status, notes and the fields kept as "
            "given can).", problems)
    if plan.reason is not None and plan.status is None:
        raise BadRequest("statusChangeReason goes with a change of status.",
                         [FieldError("statusChangeReason", "invalid")])
    if new_kept != given:
        plan.kept = new_kept
    if plan.status is not None:
        _check_move(principal, case, plan.status)
    return plan


def _new_notes(current: list[dict], given: list, problems: list[FieldError]) -> list[str]:
    """The texts of the notes in ``given`` that the ticket has not; a note it has, given with
    another text, is a problem (notes are never changed)."""
    texts = {note["id"]: note["text"] for note in current}
    added = []
    for position, note in enumerate(given):
        if note.get("id") in texts:
            if "text" in note and note["text"] != texts[note["id"]]:
                problems.append(FieldError(f"note/{position}/text", "read-only"))
        else:
            added.append(note["text"])
    return added


def _check_move(principal: auth.Principal, case: Case, status: str) -> None:
    if status == "CANCELLED":
        allowed = case.status in service.CANCELLABLE
    else:
        if not access.is_operator(principal):
            raise Forbidden(f"Only the desk moves a ticket to {TO_TMF[status]}; a customer's "
                            "client may cancel it.", [FieldError("status", "invalid")],
                            reason="missing_scope", claimed_client=principal.client_id)
        allowed = status in service.TRANSITIONS[case.status]
    if not allowed:
        raise Conflict(f"Ticket {case.case_number} is {TO_TMF[case.status]}: it cannot move "
                       f"to {TO_TMF[status]}.", [FieldError("status", "invalid")])


def apply(principal: auth.Principal, identifier: str, media_type: str, body: Any,
          version: int | None, base_url: str) -> Case:
    """Apply the patch ``body`` (of ``media_type``) to the ticket; the ticket as changed."""
    case = access.find(principal, identifier)
    service.expect_version(case, version)
    shown = ticket(case, access.notes_of(case, principal), base_url)
    merge = body if media_type in MERGE_TYPES else _checked(merge_of_json_patch(shown, body))
    plan = _plan(principal, case, shown, merge)
    for text in plan.notes:
        service.add_note(principal, case.case_number, {"text": text})
    if plan.kept is not None:
        details = service.details_of(case)
        if plan.kept:
            details["tmf621"] = plan.kept
        else:
            details.pop("tmf621", None)
        case = service.change_details(principal, case, details or None)
    if plan.status == "CANCELLED":
        case, _ = service.cancel(principal, case.case_number,
                                 plan.reason or "Cancelled by the customer.", case.version)
    elif plan.status is not None:
        case, _ = service.move(principal, case.case_number, plan.status, plan.reason,
                               version=case.version)
    return case
