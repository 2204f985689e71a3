"""Opaque list cursors: where the previous page ended, bound to the query it answered.

A cursor is base64url of ``{"after": <the last key read>, "query": <digest of the filters>}``;
one reused with other filters, or one that is not a cursor, is a 400 naming ``cursor``. It
names a key, not a count, so pages stay right while the table changes (nothing skipped or
repeated) and each costs what it reads, at any depth.
"""
import base64
import hashlib
import json

from .errors import BadRequest, FieldError

__all__ = ["encode", "decode"]


def _digest(query: dict) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:16]


def encode(after: str, query: dict) -> str:
    text = json.dumps({"after": after, "query": _digest(query)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str | None, query: dict) -> str | None:
    """The key after which the page starts (None: the first page)."""
    if not cursor:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after, bound = found["after"], found["query"]
    except (ValueError, TypeError, KeyError):
        raise BadRequest("The cursor is not one this list gave.",
                         [FieldError("cursor", "invalid")]) from None
    if not isinstance(after, str) or bound != _digest(query):
        raise BadRequest("The cursor belongs to another query (other filters).",
                         [FieldError("cursor", "invalid")])
    return after
