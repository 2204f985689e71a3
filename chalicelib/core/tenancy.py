"""Who may read a record: one rule, asked by every path that lets a record out (the APIs and
their faces, the events feed, webhook deliveries, TMF621 hubs, ``recover``, ``redeliver``,
the desk).

A reader is an API client as it is now (its scopes and the customer account it is bound to),
never as it was when it made a token or an endpoint. A record has the scope that reads it, the
customer account it belongs to (None for a record of no account, such as a property), and may
be restricted to readers holding one more scope (an INTERNAL note: the desk's).

- A reader needs the record's scope (or the scope that reads every account's records of it),
  and the restricting one, if any.
- A reader bound to an account reads that account's records only.
- A reader bound to none reads every account's records, except those of an
  ``ACCOUNT_SCOPES`` scope (tickets): of those it reads none unless it holds the scope that
  reads every account's (the desk's, ``cases-operator``).
- The desk API (``DESK_SCOPE``) reads every store's records: only a reader with its scope and
  bound to no account acts for the desk (a customer account's client never does).
"""
__all__ = ["EVERY_ACCOUNT", "ACCOUNT_SCOPES", "reach", "may_read", "Reader", "DESK_SCOPE",
           "acts_for_desk"]

#: ``reach``'s answer for a reader of every account's records.
EVERY_ACCOUNT = "*"
#: The desk API's scope.
DESK_SCOPE = "desk"
#: Scopes whose records belong to one account each -> the scope that reads them all.
ACCOUNT_SCOPES = {"cases": "cases-operator"}


class Reader:
    """What the rule needs of a reader (an ``auth.Principal`` and an ``auth.ApiClient`` have
    both attributes too)."""

    def __init__(self, scopes, account: str | None) -> None:
        self.scopes = set(scopes or ())
        self.account = account


def reach(reader, scope: str) -> str | None:
    """Whose records of ``scope`` ``reader`` reads: ``EVERY_ACCOUNT``, one account's
    identifier, or None (none)."""
    scopes = reader.scopes or set()
    if scope == DESK_SCOPE:
        return EVERY_ACCOUNT if acts_for_desk(reader) else None
    every = ACCOUNT_SCOPES.get(scope)
    if every is not None and every in scopes:  # the desk's scope reads without the other
        return EVERY_ACCOUNT
    if scope not in scopes:
        return None
    if reader.account:
        return reader.account
    return None if every is not None else EVERY_ACCOUNT


def may_read(reader, scope: str, account: str | None, restricted_to: str | None = None) -> bool:
    """Whether ``reader`` may read a record of ``scope`` that belongs to ``account``."""
    if restricted_to and restricted_to not in (reader.scopes or set()):
        return False
    found = reach(reader, scope)
    return found == EVERY_ACCOUNT or (found is not None and found == account)


def acts_for_desk(reader) -> bool:
    """Whether ``reader`` may use the desk API: its scope, and no customer account."""
    return DESK_SCOPE in (reader.scopes or set()) and not reader.account
