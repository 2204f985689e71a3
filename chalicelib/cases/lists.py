"""The list of tickets: the caller's, newest first, each filter a Query on an index made for it.

A page reads at most ``offset + limit + 1`` index items (the one past the page tells whether
there is more), whatever the table holds. A customerReferenceId names the few tickets that
ever carried it, so with a status as well those few are read and filtered.
"""
from .models import DESK, Case

__all__ = ["tickets"]


def _query(account: str | None, status: str | None, reference: str | None):
    """(index, hash key value, filter) for the caller's account (None: every account)."""
    if reference is not None:
        condition = Case.status == status if status else None
        if account is None:
            return Case.by_reference, reference, condition
        return Case.by_account_reference, f"{account}#{reference}", condition
    if status is not None:
        if account is None:
            return Case.by_status, status, None
        return Case.by_account_status, f"{account}#{status}", None
    if account is None:
        return Case.by_desk, DESK, None
    return Case.by_account, account, None


def tickets(account: str | None, status: str | None, reference: str | None, offset: int,
            limit: int) -> tuple[list[Case], bool]:
    """(the page of tickets, whether more follow)."""
    index, key, condition = _query(account, status, reference)
    found = list(index.query(key, filter_condition=condition, scan_index_forward=False,
                             limit=None if condition is not None else offset + limit + 1,
                             page_size=None if condition is not None else offset + limit + 1))
    return found[offset:offset + limit], len(found) > offset + limit
