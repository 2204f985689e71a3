"""Fixes to moto's SQS (5.2.5), so that the embedded stand-in's queues cost what SQS's do.
Applied by ``local.aws.start_moto``; nothing deployed imports this.

1. Attributes. moto computes a queue's attributes (``Queue.attributes``) by counting every
   message of the queue, three times over, and reads them once per message: for each message
   that ``ReceiveMessage`` hands out (its retention check) and for each ``SendMessage`` (its
   check of content-based deduplication). A receive from a queue of n messages cost O(n²).
   Here the attributes are computed once per call to the stand-in (``new_call``, which
   ``local.aws`` calls as each call starts: they cannot change while one call runs).
2. Time. Each message's ``visible`` and ``delayed`` read the clock through a datetime (about
   two microseconds each, twice per message per receive); here through ``time.time()``, the
   same instant in milliseconds.
3. Visible messages. ``ReceiveMessage`` builds the list of every visible message, then takes
   ten; here ``Queue.messages`` is read lazily, so a receive stops at what it hands out.

With the webhook retries of a soak, the delivery queue holds thousands of messages, and every
other call to the stand-in (which serves one at a time) waited behind each receive.
"""
import time

from moto.sqs import models

__all__ = ["apply", "new_call"]

_call = 0
_computed = models.Queue.attributes.fget


def new_call() -> None:
    global _call
    _call += 1


def _attributes(queue) -> dict:
    kept = queue.__dict__.get("_standin_attributes")
    if kept is None or kept[0] != _call:
        kept = (_call, _computed(queue))
        queue.__dict__["_standin_attributes"] = kept
    return dict(kept[1])


def _now_ms() -> float:
    return time.time() * 1000


def _visible(message) -> bool:
    return _now_ms() > message.visible_at


def _delayed(message) -> bool:
    return _now_ms() < message.delayed_until


class _Visible:
    """A queue's visible messages, read as they are iterated (a receive stops early)."""

    def __init__(self, queue) -> None:
        self._queue = queue

    def __iter__(self):
        now = _now_ms()
        return (message for message in list(self._queue._messages)
                if now > message.visible_at and now >= message.delayed_until)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None


def apply() -> None:
    """Install the fixes (idempotent)."""
    models.Queue.attributes = property(_attributes)
    models.Message.visible = property(_visible)
    models.Message.delayed = property(_delayed)
    models.Queue.messages = property(_Visible)
