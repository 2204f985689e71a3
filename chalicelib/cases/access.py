"""Who sees which ticket: tenancy, and finding a ticket by its case or order number.

A client of the Case Management API (and of TMF621, over the same tickets) acts for one
customer account (``Principal.account``) and sees only that account's tickets; another
account's ticket is a 404, as if it did not exist. A client with the scope ``cases-operator``
(the desk) sees every account's tickets and their INTERNAL notes. The rule is
``core.tenancy``'s, which the events feed, webhooks and hubs ask too.
"""
import re

from ..core import auth, tenancy
from ..core.errors import Forbidden, NotFound
from .models import Case, CaseNote

__all__ = ["OPERATOR_SCOPE", "ORDER_PREFIX", "is_operator", "acting_account", "tenant",
           "order_number", "find", "notes_of", "newest_notes"]

OPERATOR_SCOPE = "cases-operator"
ORDER_PREFIX = "1-2049"  # an order number is this and the case number (14 characters)
_CASE_NUMBER = re.compile(r"^[0-9]{8}$")
_ORDER_NUMBER = re.compile("^" + ORDER_PREFIX + r"([0-9]{8})$")


def is_operator(principal: auth.Principal) -> bool:
    return OPERATOR_SCOPE in principal.scopes


def acting_account(principal: auth.Principal) -> str:
    """The customer account ``principal`` acts for, or 403."""
    if not principal.account:
        raise Forbidden(f"Client {principal.client_id} acts for no customer account; an "
                        "operator binds it to one (ops.admin bind-account).", code="EQ-4030002",
                        reason="account_not_allowed", claimed_client=principal.client_id)
    return principal.account


def tenant(principal: auth.Principal) -> str | None:
    """The account whose tickets ``principal`` sees; None for an operator (every account);
    403 for a client that may read none (``core.tenancy`` decides, for every path)."""
    found = tenancy.reach(principal, "cases")
    if found == tenancy.EVERY_ACCOUNT:
        return None
    return found or acting_account(principal)


def order_number(case_number: str) -> str:
    return ORDER_PREFIX + case_number


def _case_number_of(identifier: str) -> str | None:
    if _CASE_NUMBER.match(identifier):
        return identifier
    match = _ORDER_NUMBER.match(identifier)
    return match.group(1) if match else None


def find(principal: auth.Principal, identifier: str) -> Case:
    """The ticket with case or order number ``identifier`` that ``principal`` may see, as
    its last write left it (a ticket just created answers at its own Location)."""
    account = tenant(principal)
    number = _case_number_of(identifier)
    try:
        case = Case.get(number, consistent_read=True) if number else None
    except Case.DoesNotExist:
        case = None
    if case is None or (account is not None and case.account != account):
        raise NotFound(f"No ticket {identifier}.", code="EQ-4040001")
    return case


#: How many notes ``newest_notes`` reads for each one it answers, at most.
READ_BUDGET = 5


def newest_notes(case: Case, most: int, operator: bool, until: str | None = None
                 ) -> list[CaseNote]:
    """The newest ``most`` notes of ``case`` that a reader sees (INTERNAL ones: an
    operator), written until ``until`` (a time; None: now), oldest first. Reads at most
    ``READ_BUDGET * most`` notes, however many the ticket has (a message's notes: ``events.
    bounds``), so it may answer fewer when INTERNAL notes crowd the newest."""
    found = []
    for note in CaseNote.query(case.case_number, scan_index_forward=False,
                               consistent_read=True, limit=READ_BUDGET * most):
        if (operator or note.visibility == "EXTERNAL") and (until is None
                                                            or note.created <= until):
            found.append(note)
            if len(found) == most:
                break
    return found[::-1]


def notes_of(case: Case, principal: auth.Principal) -> list[CaseNote]:
    """The notes of ``case`` that ``principal`` may read (INTERNAL ones: operators only)."""
    notes = CaseNote.query(case.case_number, consistent_read=True)  # a note just added too
    return [note for note in notes if note.visibility == "EXTERNAL" or is_operator(principal)]
