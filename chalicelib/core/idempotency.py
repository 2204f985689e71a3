"""``Idempotency-Key`` on the creates of every API: a client that retries a create with the
same key and body gets the first record again (``Idempotent-Replayed: true``) instead of a
second one; the same key with another body is a 409 (code ``idempotency_key_reused``).

A key is a unique-key claim named by a digest of the pair (client, key), so that no two
clients' keys can ever share a claim, whatever characters their ids and keys hold. It is
written in the same transaction as the record it made (so of two concurrent creates with one
key, one makes the record and the other finds it), and holds the record's identifier and a
digest of the body and of the operation. DynamoDB deletes it 24 hours later (TTL), as Stripe
forgets its keys, and the key may then be used again.
"""
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .errors import Conflict, FieldError
from .unique_keys import UniqueKey, claim_key, owner_of

__all__ = ["Idempotency", "of", "create_once", "HEADER", "LIFETIME", "REPLAYED"]

HEADER = "Idempotency-Key"
#: The answer header of a replayed create.
REPLAYED = {"Idempotent-Replayed": "true"}
LIFETIME = timedelta(hours=24)
_KIND = "idempotency"


class Idempotency:
    """One client's Idempotency-Key for one create body."""

    def __init__(self, client_id: str, key: str, operation: str, body: Any) -> None:
        self.key = key
        self.value = hashlib.sha256(json.dumps([client_id, key]).encode("utf-8")).hexdigest()
        self.fingerprint = hashlib.sha256(json.dumps([operation, body], sort_keys=True,
                                                     default=str).encode("utf-8")).hexdigest()

    def earlier(self) -> str | None:
        """The identifier of the record that this key made, or None; 409 when that create
        carried another body."""
        owner = owner_of(_KIND, self.value)
        if owner is None:
            return None
        identifier, _, fingerprint = owner.rpartition(" ")
        if fingerprint != self.fingerprint:
            raise Conflict(f"The {HEADER} {self.key} was used for another request "
                           f"({identifier}).", [FieldError(HEADER, "taken")],
                           code="idempotency_key_reused")
        return identifier

    def claim(self, identifier: str) -> UniqueKey:
        """The claim to write (only if it does not exist) with the record ``identifier``."""
        return UniqueKey(claim_key(_KIND, self.value), owner=f"{identifier} {self.fingerprint}",
                         expires_at=LIFETIME)


def of(call, operation: str, body: Any = None) -> Idempotency | None:
    """The Idempotency-Key of a call of ``operation`` (a header parameter it declares), for
    ``body`` (default: the call's)."""
    key = call.params.get(HEADER)
    return None if key is None else Idempotency(
        call.principal.client_id, key, operation, call.body if body is None else body)


def create_once(idempotency: Idempotency | None, find: Callable[[str], Any],
                create: Callable[[], Any]) -> tuple[Any, bool]:
    """(record, True) for what ``create()`` makes, its transaction holding
    ``idempotency.claim(...)``; or (``find(identifier)``, False) when an earlier create with
    the key made the record ``identifier``, before this one or while it ran (then its claim
    lost, whatever the service took the refusal for)."""
    if idempotency is None:
        return create(), True
    if (earlier := idempotency.earlier()) is not None:
        return find(earlier), False
    try:
        return create(), True
    except Exception:
        if (earlier := idempotency.earlier()) is not None:
            return find(earlier), False
        raise
