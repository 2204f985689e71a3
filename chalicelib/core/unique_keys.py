"""Unique values and counters, kept in one small table keyed by a string.

A unique value (an external id, a login) is *claimed* by writing ``<kind>#<value>`` with a
condition that it does not exist yet, inside the same transaction as the record that uses it:
two concurrent claimants can never both win, and there is no read-then-write window.
"""
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from .db import meta, shares_connection

__all__ = ["UniqueKey", "claim_key", "next_number", "owner_of"]


@shares_connection
class UniqueKey(Model):
    Meta = meta("unique_keys")
    key = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute(null=True)
    value = NumberAttribute(null=True)  # used by counters (see next_number)
    # A claim that lapses on this date (YYYY-MM-DD): from then on it may be claimed again.
    live_until = UnicodeAttribute(null=True)
    # A claim that DynamoDB deletes after this time (an Idempotency-Key's, after 24 hours).
    expires_at = TTLAttribute(null=True)


def claim_key(kind: str, value: str) -> str:
    return f"{kind}#{value}"


def owner_of(kind: str, value: str) -> str | None:
    """The identifier that holds ``value`` of ``kind``, read strongly consistently."""
    try:
        return UniqueKey.get(claim_key(kind, value), consistent_read=True).owner
    except UniqueKey.DoesNotExist:
        return None


def next_number(counter: str, start: int) -> int:
    """Atomically take the next number of ``counter`` (the first is ``start + 1``)."""
    item = UniqueKey(claim_key("counter", counter))
    item.update(actions=[UniqueKey.value.add(1)])
    return start + int(item.value)

