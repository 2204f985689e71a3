"""Tickets: create, note, cancel and move them through their statuses (``access`` finds
them, for the caller's tenancy).

Every change of a ticket's status is conditional on the version that was read: of two
concurrent changes (a cancellation and an operator's move, say) exactly one is applied and
the other is a 409. Notes are items of their own, written on the condition that the ticket
is open at that moment, so concurrent notes never refuse each other.
"""
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..accounts import service as accounts
from ..core import actors, auth, db, timestamps, unique_keys
from ..core.email_address import is_email
from ..core.errors import ApiError, BadRequest, Conflict, FieldError, Forbidden
from ..core.idempotency import Idempotency
from . import attachments, codes
from .access import acting_account, find, is_operator
from .models import OPEN_STATUSES, Case, CaseNote, StatusChange

__all__ = ["create", "add_note", "cancel", "move", "TRANSITIONS", "CANCELLABLE",
           "MAX_DETAILS_BYTES", "expect_version", "change_details", "details_of"]

FIRST_CASE_NUMBER = 11000000  # the first ticket is 11000001: eight digits, as the seed's
MAX_DETAILS_BYTES = 16 * 1024
CANCELLABLE = ("SUBMITTED", "IN_PROGRESS", "ACTION_REQUIRED")
#: What an operator may move a ticket to, from each status (cancelling is cancel's).
TRANSITIONS = {
    "SUBMITTED": ("IN_PROGRESS", "RESOLVED"),
    "IN_PROGRESS": ("ACTION_REQUIRED", "RESOLVED"),
    "ACTION_REQUIRED": ("IN_PROGRESS", "RESOLVED"),
    "RESOLVED": ("CLOSED", "IN_PROGRESS"),
    "CLOSED": (),
    "CANCELLED": (),
}
REFERENCE_KIND = "case-reference"
#: The distinct addresses a ticket's changes e-mail at most (20 contacts of 5 EMAIL details
#: made one note send 100 e-mails of a client's choosing from the desk's identity).
MAX_RECIPIENTS = 10
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,30}$")


# -- create ----------------------------------------------------------------------------------


def _contacts(contacts: list[dict]) -> list[dict]:
    """The spec checks each contact's shape; the value of a detail must suit its type."""
    problems = []
    for i, contact in enumerate(contacts):
        for j, detail in enumerate(contact.get("details", [])):
            valid = (is_email if detail["type"] == "EMAIL" else _PHONE.fullmatch)
            if not valid(detail["value"]):
                problems.append(FieldError(f"contacts/{i}/details/{j}/value", "invalid"))
    if problems:
        raise BadRequest("Contact detail(s) that are not an e-mail address or a phone number "
                         "as their type says: " + ", ".join(p.xpath for p in problems), problems)
    addresses = {detail["value"].lower() for contact in contacts
                 if contact.get("type") == "NOTIFICATION"
                 for detail in contact.get("details", []) if detail["type"] == "EMAIL"}
    if len(addresses) > MAX_RECIPIENTS:
        raise BadRequest(f"A ticket e-mails at most {MAX_RECIPIENTS} distinct addresses; its "
                         f"NOTIFICATION contacts name {len(addresses)}.",
                         [FieldError("contacts", "invalid")])
    return contacts


def _details(details) -> str | None:
    if details is None:
        return None
    text = json.dumps(details, separators=(",", ":"))
    if len(text.encode("utf-8")) > MAX_DETAILS_BYTES:
        raise BadRequest(f"details may hold at most {MAX_DETAILS_BYTES} bytes of JSON.",
                         [FieldError("details", "too-long")])
    return text


def _occurred(body: dict) -> str | None:
    """The time the issue occurred (the pipeline has checked that it is one)."""
    if body.get("occurredDateTime") is None:
        return None
    return timestamps.to_storage(timestamps.parse_input(body["occurredDateTime"]))


def _active_account(account_id: str):
    try:
        return accounts.get_active_account(account_id)
    except ApiError:
        raise Forbidden(f"The customer account {account_id} that this client acts for is not "
                        "an active account.", code="EQ-4030002",
                        reason="account_not_allowed") from None


def create(principal: auth.Principal, body: dict,
           idempotency: Idempotency | None = None, notes: tuple[str, ...] = ()) -> Case:
    """A new ticket, SUBMITTED, written with ``idempotency``'s claim when there is one (see
    ``core.idempotency.create_once``), and with ``notes`` (EXTERNAL) in the same transaction
    (the TMF621 face takes notes on create)."""
    account_id = acting_account(principal)
    account = _active_account(account_id)
    contacts = _contacts(body.get("contacts", []))
    details, occurred = _details(body.get("details")), _occurred(body)
    files = attachments.referenced(body.get("attachments", []), account_id, "attachments")
    reference = body.get("customerReferenceId")
    # Every check is done before a number is taken: a refusal uses none.
    number = f"{unique_keys.next_number('case-number', FIRST_CASE_NUMBER):08d}"
    now = timestamps.storage_now()
    case = Case(number, case_id=uuid.uuid4().hex, account=account_id,
                account_name=account.full_name, client_id=principal.client_id,
                type=codes.ticket_type(body["code"]), code=body["code"],
                description=body["description"], primary_id=body["primaryId"],
                secondary_id=body.get("secondaryId"), occurred=occurred,
                customer_reference_id=reference, contacts=json.dumps(contacts), details=details,
                attachments=json.dumps(files), status="SUBMITTED",
                status_history=[StatusChange(status="SUBMITTED", at=now)], created=now,
                updated=now, updated_by=principal.name, created_key=f"{now}#{number}",
                account_status=f"{account_id}#SUBMITTED",
                account_reference=f"{account_id}#{reference}" if reference else None)
    key = unique_keys.UniqueKey
    actors.stamp(case)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.save(case, condition=Case.case_number.does_not_exist())
            if reference:
                transaction.save(key(unique_keys.claim_key(
                    REFERENCE_KIND, f"{account_id}#{reference}"), owner=number),
                    condition=key.key.does_not_exist())
            if idempotency:
                transaction.save(idempotency.claim(number), condition=key.key.does_not_exist())
            for position, text in enumerate(notes):
                note = _new_note(case, principal, text, "EXTERNAL", [])
                # made in one millisecond: their position, not chance, orders them
                note.note_id = f"{note.note_id[:12]}{position:02d}{note.note_id[14:]}"
                transaction.save(note, condition=CaseNote.note_id.does_not_exist())
    except TransactWriteError:
        holder = reference and unique_keys.owner_of(REFERENCE_KIND, f"{account_id}#{reference}")
        if holder:
            raise Conflict(f"Ticket {holder} of this account is open with customerReferenceId "
                           f"{reference}.", [FieldError("customerReferenceId", "taken")],
                           code="EQ-4090001") from None
        raise
    return case


# -- changes ---------------------------------------------------------------------------------


def _new_note(case: Case, principal: auth.Principal, text: str, visibility: str,
              files: list[dict], with_status: str | None = None) -> CaseNote:
    # Time-ordered (milliseconds, then random bits): a case's notes sort as they were made.
    note_id = f"{int(time.time() * 1000):012x}{secrets.token_hex(6)}"
    return CaseNote(case.case_number, note_id, text=text, visibility=visibility,
                    attachments=json.dumps(files), created=timestamps.storage_now(),
                    author=principal.name, client_id=principal.client_id,
                    with_status=with_status)


def _status_rule(case: Case, action: str) -> Conflict:
    return Conflict(f"Ticket {case.case_number} is {case.status}: it cannot be {action}.",
                    [FieldError("status", "invalid")], code="EQ-4090002")


def add_note(principal: auth.Principal, identifier: str, body: dict) -> tuple[Case, CaseNote]:
    visibility = body.get("visibility", "EXTERNAL")
    if visibility == "INTERNAL" and not is_operator(principal):
        raise Forbidden("INTERNAL notes are the desk's: this client writes EXTERNAL ones.",
                        [FieldError("visibility", "invalid")], code="EQ-4030003",
                        reason="missing_scope", claimed_client=principal.client_id)
    case = find(principal, identifier)
    files = attachments.referenced(body.get("attachments", []), case.account, "attachments")
    if case.status not in OPEN_STATUSES:
        raise _status_rule(case, "given notes")
    note = _new_note(case, principal, body["text"], visibility, files)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.condition_check(Case, case.case_number,
                                        condition=Case.status.is_in(*OPEN_STATUSES))
            transaction.save(note, condition=CaseNote.note_id.does_not_exist())
    except TransactWriteError as error:
        if db.is_conditional_failure(error):  # closed or cancelled meanwhile
            raise _status_rule(find(principal, identifier),
                               "given notes") from None
        raise
    return case, note


def _change_status(principal: auth.Principal, identifier: str, status: str,
                   allowed: Callable[[str], bool], action: str, text: str | None,
                   visibility: str, version: int | None = None) -> tuple[Case, CaseNote | None]:
    case = find(principal, identifier)
    expect_version(case, version)
    if not allowed(case.status):
        raise _status_rule(case, action)
    note = _new_note(case, principal, text, visibility, [], with_status=status) if text else None
    was_open = case.status in OPEN_STATUSES
    now = timestamps.storage_now()
    case.status = status
    case.status_history.append(StatusChange(status=status, at=now))
    case.status_changes += 1
    case.status_note = text if text and visibility == "EXTERNAL" else None
    case.updated, case.updated_by = now, principal.name
    case.account_status = f"{case.account}#{status}"
    actors.stamp(case)
    key = unique_keys.UniqueKey
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.save(case)  # on the condition that its version is the one read
            if note is not None:
                transaction.save(note, condition=CaseNote.note_id.does_not_exist())
            if case.customer_reference_id and was_open and status not in OPEN_STATUSES:
                # Closed or cancelled: its customerReferenceId is free for a new ticket.
                transaction.delete(key(unique_keys.claim_key(
                    REFERENCE_KIND, f"{case.account}#{case.customer_reference_id}")))
    except TransactWriteError as error:
        if db.is_conditional_failure(error):
            raise Conflict(f"Ticket {case.case_number} changed while it was being {action}; "
                           "read it again.", code="EQ-4090003") from None
        raise
    return case, note


def cancel(principal: auth.Principal, identifier: str, reason: str,
           version: int | None = None) -> tuple[Case, CaseNote]:
    """Cancel a ticket that the desk has not resolved; the reason is an EXTERNAL note."""
    return _change_status(principal, identifier, "CANCELLED", lambda s: s in CANCELLABLE,
                          "cancelled", reason, "EXTERNAL", version)


def move(principal: auth.Principal, identifier: str, status: str, text: str | None = None,
         visibility: str = "EXTERNAL", version: int | None = None
         ) -> tuple[Case, CaseNote | None]:
    """An operator's change of status, by ``TRANSITIONS``, with an optional note."""
    return _change_status(principal, identifier, status,
                          lambda current: status in TRANSITIONS[current],
                          f"moved to {status}", text, visibility, version)


def assign(principal: auth.Principal, identifier: str, assignee: str | None,
           group: str | None, fields: set[str]) -> Case:
    """The desk's assignment of ``fields`` (``assignee``, ``group``; None takes one away),
    optimistically locked: a lost race is applied again to the new version."""
    for _ in range(20):
        case = find(principal, identifier)
        if "assignee" in fields:
            case.desk_assignee = assignee
        if "group" in fields:
            case.desk_group = group
        case.updated, case.updated_by = timestamps.storage_now(), principal.name
        actors.stamp(case)
        try:
            case.save()
            return case
        except PutError as error:
            if not db.is_conditional_failure(error):
                raise
            time.sleep(0.01)
    raise Conflict(f"Ticket {identifier} keeps changing; read it again.", code="EQ-4090003")


def expect_version(case: Case, version: int | None) -> None:
    """409 unless ``case`` is at ``version`` (None: any), as a client read it (If-Match)."""
    if version is not None and case.version != version:
        raise Conflict(f"Ticket {case.case_number} is at version {case.version}, not "
                       f"{version}: read it again.", code="EQ-4090003")


def details_of(case: Case) -> dict:
    """``case``'s details as an object (a ticket's clients may have given any JSON value)."""
    details = json.loads(case.details) if case.details else {}
    return details if isinstance(details, dict) else {"details": details}


def change_details(principal: auth.Principal, case: Case, details: dict | None) -> Case:
    """Replace ``case``'s ``details`` (the fields its clients keep on it), on the condition
    that it is still the version read (409 otherwise)."""
    case.details = _details(details)
    case.updated, case.updated_by = timestamps.storage_now(), principal.name
    actors.stamp(case)
    try:
        case.save()  # on the condition that its version is the one read
    except PutError as error:
        if db.is_conditional_failure(error):
            raise Conflict(f"Ticket {case.case_number} changed meanwhile; read it again.",
                           code="EQ-4090003") from None
        raise
    return case
