"""Fixed-window rate limits, counted in the unique keys table (one atomic ADD per call; the
counter's item expires with its window), for operations that cost more than they look:
sending webhook messages again, trying an endpoint, signing in.
"""
import time
from datetime import timedelta

from .errors import ApiError
from .unique_keys import UniqueKey, claim_key

__all__ = ["TooManyRequests", "take", "count"]


class TooManyRequests(ApiError):
    status = 429


def _item(name: str, window_seconds: int) -> tuple[UniqueKey, int]:
    now = int(time.time())
    start = now - now % window_seconds
    return UniqueKey(claim_key("rate", f"{name}#{start}"),
                     expires_at=timedelta(seconds=2 * window_seconds)), start + window_seconds


def take(name: str, most: int, window_seconds: int, what: str) -> None:
    """Count one call of ``name``; 429 (with ``Retry-After``) past ``most`` in a window."""
    item, ends = _item(name, window_seconds)
    item.update(actions=[UniqueKey.value.add(1), UniqueKey.expires_at.set(item.expires_at)])
    if int(item.value) > most:
        wait = max(1, ends - int(time.time()))
        raise TooManyRequests(f"{what} at most {most} times in {window_seconds} s; retry in "
                              f"{wait} s.", headers={"Retry-After": str(wait)},
                              code="rate_limited")


def count(name: str, window_seconds: int) -> int:
    """How many calls of ``name`` the current window has counted (no call counted)."""
    item, _ = _item(name, window_seconds)
    try:
        return int(UniqueKey.get(item.key, consistent_read=True).value or 0)
    except UniqueKey.DoesNotExist:
        return 0
