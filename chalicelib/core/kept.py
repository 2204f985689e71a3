"""What a warm instance keeps for a while instead of reading it on every request.

Configuration (the CRM-style API's types, statuses and categories; the customers' communities
and additional fields) changes a few times a year and is read by nearly every request. A
function wrapped here answers from what it read last for ``settings.configuration_cache_seconds``
(60 by default, ``SERVICEDESK_CONFIGURATION_CACHE_SECONDS``; 0 reads every time): an
operator's change is seen by every instance within that time, and at once by the process that
made it (``forget_all``).
"""
import functools
import threading
import time
from collections.abc import Callable

from .config import settings

__all__ = ["for_a_while", "forget_all", "forgotten_with_the_rest"]

_caches: list[dict] = []
_lock = threading.Lock()


def for_a_while(function: Callable) -> Callable:
    """``function``, its answers kept per arguments for the configured time."""
    kept: dict = {}
    _caches.append(kept)

    @functools.wraps(function)
    def cached(*args):
        found = kept.get(args)
        now = time.monotonic()
        if found is not None and now - found[0] < settings.configuration_cache_seconds:
            return found[1]
        value = function(*args)
        with _lock:
            kept[args] = (now, value)
        return value
    return cached


def forgotten_with_the_rest(kept: dict) -> dict:
    """``kept`` (a dict that a module keeps things in), emptied by ``forget_all`` too."""
    _caches.append(kept)
    return kept


def forget_all() -> None:
    """Read everything again on next use (after this process changed configuration)."""
    with _lock:
        for kept in _caches:
            kept.clear()
