"""Opaque list cursors: where the previous page ended, bound to the query it answered, signed.

A cursor is ``<payload>.<tag>``: the payload is base64url of ``{"after": <where the page
ended>, "query": <digest of the list and its filters>}``, the tag base64url of the first 16
bytes of its HMAC-SHA256. A cursor that is not one we gave, or was edited, is a 400 naming
``cursor``; so is one reused with other filters (or on another list). It names a key, not a
count, so pages stay right while the table changes (nothing skipped or repeated) and each costs
what it reads, at any depth.

The signing key is 32 random bytes that the first instance to need it stores in the unique
keys table (a conditional put: concurrent first instances agree on one), read once per warm
instance. It guards no secret: a list's partition is chosen from the caller's credentials,
never from the cursor, so a forged cursor could at most start a page elsewhere in the caller's
own list. The signature makes it a clean 400 instead of a query DynamoDB refuses.
"""
import base64
import binascii
import functools
import hashlib
import hmac
import json
import secrets

from .errors import BadRequest, FieldError

__all__ = ["encode", "decode"]

_KEY_ITEM = "secret#cursor-signing-key"
_TAG_BYTES = 16


@functools.lru_cache(maxsize=1)
def _signing_key() -> bytes:
    from .db import is_conditional_failure
    from .unique_keys import UniqueKey
    try:
        return bytes.fromhex(UniqueKey.get(_KEY_ITEM, consistent_read=True).owner)
    except UniqueKey.DoesNotExist:
        candidate = secrets.token_hex(32)
    try:
        UniqueKey(_KEY_ITEM, owner=candidate).save(condition=UniqueKey.key.does_not_exist())
        return bytes.fromhex(candidate)
    except Exception as error:
        if not is_conditional_failure(error):
            raise
        return bytes.fromhex(UniqueKey.get(_KEY_ITEM, consistent_read=True).owner)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(query: dict) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _tag(payload: str) -> str:
    return _b64(hmac.new(_signing_key(), payload.encode(), hashlib.sha256).digest()[:_TAG_BYTES])


def encode(after, query: dict) -> str:
    """The cursor of the page after ``after`` (a key: a string, or a dict of strings)."""
    payload = _b64(json.dumps({"after": after, "query": _digest(query)},
                              separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_tag(payload)}"


def _refused(message: str) -> BadRequest:
    return BadRequest(message, [FieldError("cursor", "invalid")])


def decode(cursor: str | None, query: dict, kind: type = str):
    """Where the page starts: the ``after`` of ``cursor`` (None: the first page). Refuses a
    cursor that is forged, edited, or not of this query."""
    if not cursor:
        return None
    payload, _, tag = cursor.partition(".")
    if not tag or not hmac.compare_digest(tag, _tag(payload)):
        raise _refused("The cursor is not one this list gave (or it was changed).")
    try:
        found = json.loads(_unb64(payload))
        after, bound = found["after"], found["query"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise _refused("The cursor is not one this list gave.") from None
    if bound != _digest(query):
        raise _refused("The cursor belongs to another query (other filters or another list).")
    if not isinstance(after, kind):
        raise _refused("The cursor is not one this list gave.")
    return after
