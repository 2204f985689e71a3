"""The account's name and login e-mail that each service request keeps (so that showing a
request reads no account), made current again when the account changes them.

Run from the accounts' stream: a renamed account's requests are found on the accounts
receivable index and each one whose copy differs is updated under its version (a concurrent
life cycle write is read again and the copy tried once more).
"""
from ..core import db
from .models import ServiceRequest

__all__ = ["refresh"]

_ATTEMPTS = 5


def _refresh_one(number: str, name: str, email: str) -> bool:
    """Whether the request's copy was written (False: it was current, or the request gone)."""
    for _ in range(_ATTEMPTS):
        try:
            request = ServiceRequest.get(number, consistent_read=True)
        except ServiceRequest.DoesNotExist:
            return False
        if (request.accounts_receivable_name, request.contact_email) == (name, email):
            return False
        try:
            request.update(actions=[ServiceRequest.accounts_receivable_name.set(name),
                                    ServiceRequest.contact_email.set(email)])
            return True
        except Exception as error:
            if not db.is_conditional_failure(error):
                raise
    raise RuntimeError(f"service request {number} kept changing; its account copy waits for "
                       "the record's retry")


def refresh(account_identifier: str, name: str, email: str) -> int:
    """Bring the copies of ``account_identifier``'s requests up to date; how many changed."""
    changed = 0
    for request in ServiceRequest.list_ar_index.query(account_identifier):
        if (request.accounts_receivable_name, request.contact_email) != (name, email):
            changed += _refresh_one(request.number, name, email)
    return changed
