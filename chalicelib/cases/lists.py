"""The list of tickets: the caller's, newest first, each filter a Query on an index made for it.

A page reads at most ``offset + limit + 1`` index items (the one past the page tells whether
there is more), whatever the table holds, and ``limit + 1`` with a cursor at any depth. A
customerReferenceId names the few tickets that ever carried it, so with a status as well those
are read, newest first, and checked: such a page reads at most ``pages.BUDGET`` times its size
and may then be short, with a cursor to go on.
"""
from ..core import pages
from .models import DESK, Case

__all__ = ["tickets", "index_of"]


def index_of(account: str | None, status: str | None, reference: str | None):
    """(index, hash key value) for the caller's account (None: every account)."""
    if reference is not None:
        if account is None:
            return Case.by_reference, reference
        return Case.by_account_reference, f"{account}#{reference}"
    if status is not None:
        if account is None:
            return Case.by_status, status
        return Case.by_account_status, f"{account}#{status}"
    if account is None:
        return Case.by_desk, DESK
    return Case.by_account, account


def tickets(account: str | None, status: str | None, reference: str | None,
            asked: pages.Asked) -> pages.Page:
    """The page of tickets, and the cursor of the next one."""
    index, key = index_of(account, status, reference)
    asked.query = {"list": "tickets", "index": index.Meta.index_name, "of": key,
                   "status": status}
    keep = (lambda case: case.status == status) if reference and status else None
    # A Query of the index read backwards (DynamoDB's ScanIndexForward=false), not a Scan.
    return pages.read(index, key, asked, forward=False, keep=keep)
