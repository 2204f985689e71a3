"""From a table's stream record to an event, kept for the feed and sent to its endpoints.

Idempotent: the event is named by the record and its version and written only if new; the
fan-out is marked done on the event once every matching endpoint was queued, so a replayed
record queues nothing again (one that failed half-way queues again: at least once, and the
receiver knows a message by its ``webhook-id``).
"""
import hashlib
import json

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import db, timestamps
from ..core.config import settings
from . import bounds, queue
from .matching import Subscribers
from .models import NO_ACCOUNT, RETENTION, Event
from .sources import Source, source_of

__all__ = ["publish", "publishing", "message_id"]


def message_id(resource: str, identifier: str, version, event_type: str) -> str:
    """An event's id: of its record's change and its type (a change of several types is one
    event of each)."""
    digest = hashlib.sha256(f"{resource}#{identifier}#{version}#{event_type}".encode())
    return "msg_" + digest.hexdigest()[:32]


def _resource(source: Source, image: dict | None):
    return source.model.from_raw_data(image) if image else None


def _data(source: Source, record, shown: dict, actor: str) -> dict:
    """The resource as its API shows it, with what every event's data says of it."""
    version = getattr(record, "version", None) or 1
    return {**shown, "api": source.api, "id": source.identifier(record),
            "url": shown.get("ref") or _url(source, record), "version": version,
            "account": source.account(record), "actor": actor,
            "origin": source.origin(record) or source.api}


def _url(source: Source, record) -> str:
    base = settings.public_base_url or "http://localhost"
    paths = {"service-requests": "/crmapi/rest/v2/service_requests/show?number={}",
             "cases": "/support/v2/tickets/{}", "desk": "/desk/v1/work-items/{}"}
    identifier = source.identifier(record)
    return base + paths.get(source.api, "/{}").format(identifier.split("/")[0])


def _previous(old: dict, new: dict, growing: tuple[str, ...]) -> dict:
    """The old value of each field that changed, but the old entries of what grows without
    limit (``Source.growing``)."""
    skipped = {path for path in growing if "/" not in path}
    nested = [path.split("/", 1) for path in growing if "/" in path]
    found = {}
    for name in sorted(set(old) | set(new)):
        if name in skipped or old.get(name) == new.get(name):
            continue
        value = old.get(name)
        for outer, inner in nested:
            if outer == name and isinstance(value, dict):
                value = {key: entry for key, entry in value.items() if key != inner}
        found[name] = value
    return found


def events_of(kind: str, record: dict) -> tuple[list[Event], object]:
    """The events of one stream record, one per type of its change (none for a write that
    changed nothing), and the changed record."""
    dynamodb = record["dynamodb"]
    old_image, new_image = dynamodb.get("OldImage"), dynamodb.get("NewImage")
    if old_image == new_image:
        return [], None
    source = source_of(kind)
    base = settings.public_base_url or "http://localhost"
    old_record, new_record = _resource(source, old_image), _resource(source, new_image)
    current = new_record or old_record
    old = source.represent(old_record, base) if old_record else None
    new = source.represent(new_record, base) if new_record else None
    actor = getattr(current, "changed_by", None) or getattr(current, "client_id", None) \
        or "system"
    moment = timestamps.from_epoch(float(dynamodb["ApproximateCreationDateTime"]))
    when = timestamps.to_storage(moment)
    data = _data(source, current, new if new is not None else old, actor)
    previous = (_previous(old, new, source.growing) if old is not None and new is not None
                else None)
    version = data["version"] if new_record else "removed"
    found = []
    for place, event_type in enumerate(source.types_of(old, new)):
        message = {"type": event_type, "timestamp": when, "data": data}
        if previous is not None:
            message["previous"] = previous
        message = bounds.fit(message)
        found.append(Event(
            message_id(source.resource, data["id"], version, event_type), type=event_type,
            timestamp=when, body=json.dumps(message, separators=(",", ":")),
            api=source.api, scope=source.scope, restricted_to=source.restricted_to(current),
            account=data["account"] or NO_ACCOUNT, actor=actor,
            changed=source.changed_at(current) if new_record else None,
            position=f"{when}#{source.resource}#{data['id']}#{version:>010}#{place}",
            day=when[:10], expires_at=RETENTION))
    return found, current


def _unfanned(found: list[Event]) -> list[Event]:
    """Save the events of one change (one transaction: each only if new); those whose
    fan-out is still to do: all, or on a replay those that a failed try left."""
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            for event in found:
                transaction.save(event, condition=Event.message_id.does_not_exist())
        return found
    except TransactWriteError as error:
        if not db.is_conditional_failure(error):
            raise
    kept = {event.message_id: event for event in Event.batch_get(
        [event.message_id for event in found], consistent_read=True)}
    fresh = []
    for event in found:  # a replayed change: its events were saved before, some of them
        if event.message_id not in kept:
            event.save(condition=Event.message_id.does_not_exist())
        if not (kept.get(event.message_id) and kept[event.message_id].fanned_out):
            fresh.append(event)
    return fresh


def publish(kind: str, record: dict) -> list[Event]:
    """The events of one stream record, each kept once and queued once to the endpoints that
    matched it then (marked done even when none did: a replay, later, may find an endpoint
    enabled since, which the change was not for)."""
    found, current = events_of(kind, record)
    fresh = _unfanned(found) if found else []
    if not fresh:
        return found
    subscribers = Subscribers()
    sent = [(event, subscribers.of(event)) for event in fresh]
    if any(endpoints for _, endpoints in sent):
        queue.enqueue_first_attempts(sent, current)
    with TransactWrite(connection=db.connection()) as transaction:
        for event in fresh:
            transaction.update(event, actions=[Event.fanned_out.set(True)])
    return found


def publishing(kind: str, handle):
    """A stream handler that also publishes each record's event (after ``handle``: both are
    idempotent, so a record retried after either failed does each once)."""
    def handle_and_publish(record: dict) -> None:
        handle(record)
        publish(kind, record)
    return handle_and_publish
