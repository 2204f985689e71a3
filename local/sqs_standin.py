"""One fix to moto's SQS (5.2.5), so that the embedded stand-in's queues cost what SQS's do.

moto computes a queue's attributes (``Queue.attributes``) by counting every message of the
queue, three times over, and reads them once per message: for each message that
``ReceiveMessage`` hands out (its retention check) and for each ``SendMessage`` (its check of
content-based deduplication). A receive from a queue of n messages cost O(n²): with the
webhook retries of a soak, the delivery queue held hundreds, and every other call to the
stand-in (which serves one at a time) waited behind it. Here the attributes are computed
once per call to the stand-in (``new_call``, which ``local.aws`` calls as each call starts:
they cannot change while one call runs), so a receive costs O(n), as moto's own loop over
the queue does. Applied by ``local.aws.start_moto``; nothing deployed imports this.
"""
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


def apply() -> None:
    """Install the fix (idempotent)."""
    models.Queue.attributes = property(_attributes)
