"""Who makes the change being written: the API client of the request (or ``system``).

The pipeline names the caller for the length of a request; every write of a record that
events follow stamps it as ``changed_by``, so that an event names its ``actor`` and an
endpoint can leave out its own client's changes (a receiver that writes back makes no loop).
"""
import contextvars

__all__ = ["SYSTEM", "acting", "current", "stamp"]

SYSTEM = "system"  # operators' commands, stream handlers, the demo seed
_current: contextvars.ContextVar[str] = contextvars.ContextVar("actor", default=SYSTEM)


def acting(client_id: str | None) -> contextvars.Token:
    """Name the caller of this request; hand the token to ``_current.reset`` (or call again)."""
    return _current.set(client_id or SYSTEM)


def current() -> str:
    return _current.get()


def stamp(record) -> None:
    """Mark ``record`` (a model with ``changed_by``) as written by the current caller."""
    record.changed_by = current()
