"""The list of tickets: the caller's, newest first, each filter a Query on an index made for it.

A page reads at most ``offset + limit + 1`` index items (the one past the page tells whether
there is more), whatever the table holds. A customerReferenceId names the few tickets that
ever carried it, so with a status as well those are read, newest first, until the page is full.
"""
from itertools import islice

from .models import DESK, Case

__all__ = ["tickets"]


def _index(account: str | None, status: str | None, reference: str | None):
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


def tickets(account: str | None, status: str | None, reference: str | None, offset: int,
            limit: int) -> tuple[list[Case], bool]:
    """(the page of tickets, whether more follow)."""
    index, key = _index(account, status, reference)
    wanted = offset + limit + 1
    # A Query of the index read backwards (DynamoDB's ScanIndexForward=false), not a Scan.
    newest_first = index.query(key, scan_index_forward=False, page_size=wanted,
                               limit=None if reference and status else wanted)
    if reference and status:  # the reference's index, then its tickets of that status
        newest_first = (case for case in newest_first if case.status == status)
    found = list(islice(newest_first, wanted))
    return found[offset:offset + limit], len(found) > offset + limit
