"""The audit history: one entry per version of every tracked record, written once.

Each write of a record bumps its version, so (record, version) names a change exactly; the
entry is put only if it does not exist, and a replayed stream record writes nothing twice.
"""
import json

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from ..core import timestamps
from ..core.db import is_conditional_failure, meta, shares_connection
from ..core.records import SECRET_ATTRIBUTES
from .batch import image_value

__all__ = ["HistoryEntry", "record_change", "entries_of", "recorder", "scrubbed_changes"]

_NOT_AUDITED_PREFIX = "feed_"  # list keys, derived from the audited attributes
#: The most an entry's changes take: a record near DynamoDB's 400 KB changes values that,
#: old and new together, would not fit one entry; the largest then say only "changed".
MOST_CHANGES_BYTES = 300 * 1024



@shares_connection
class HistoryEntry(Model):
    Meta = meta("history")
    entity = UnicodeAttribute(hash_key=True)  # "<kind>#<identifier>"
    entry = UnicodeAttribute(range_key=True)  # "v<version, zero-padded>"
    event = UnicodeAttribute()  # INSERT | MODIFY | REMOVE
    version = NumberAttribute()
    at = UnicodeAttribute()
    changes = UnicodeAttribute()  # JSON: attribute -> {"old": .., "new": ..}


def _changes(old: dict, new: dict) -> dict:
    changed = {}
    for name in sorted(set(old) | set(new)):
        if name.startswith(_NOT_AUDITED_PREFIX) or old.get(name) == new.get(name):
            continue
        scalar = name not in SECRET_ATTRIBUTES and all(
            next(iter(v), "S") in ("S", "N", "BOOL", "NULL")
            for v in (old.get(name, {}), new.get(name, {})))
        changed[name] = ({"old": image_value(old, name), "new": image_value(new, name)}
                         if scalar else "changed")
    return _bounded(changed)


def _bounded(changed: dict) -> dict:
    """``changed``, its largest values said only to have "changed" until it fits."""
    def size(value) -> int:
        return len(json.dumps(value).encode())
    total = size(changed)
    for name in sorted(changed, key=lambda name: size(changed[name]), reverse=True):
        if total <= MOST_CHANGES_BYTES:
            break
        total -= size(changed[name]) - size("changed")
        changed[name] = "changed"
    return changed


def record_change(kind: str, record: dict, key_attribute: str = "identifier") -> bool:
    """Write the history entry of one stream record; False if it was already written.
    ``key_attribute`` names the record's key in its image (``number`` for service requests)."""
    dynamodb = record["dynamodb"]
    old, new = dynamodb.get("OldImage") or {}, dynamodb.get("NewImage") or {}
    if old == new:
        return False  # a write that changed nothing (DynamoDB itself would not emit it)
    image = new or old
    identifier = image_value(image, key_attribute)
    version = int(image_value(image, "version") or 0)
    at = timestamps.to_storage(timestamps.from_epoch(dynamodb["ApproximateCreationDateTime"]))
    entry = HistoryEntry(f"{kind}#{identifier}", f"v{version:010d}" if new else "removed",
                         event=record["eventName"], version=version, at=at,
                         changes=json.dumps(_changes(old, new)))
    try:
        entry.save(condition=HistoryEntry.entity.does_not_exist())
    except PutError as error:
        if is_conditional_failure(error):
            return False
        raise
    return True


def scrubbed_changes(changes: str) -> str | None:
    """An entry's ``changes`` with the values of secret attributes left out (as entries are
    written now), or None when it holds none."""
    found = json.loads(changes)
    secrets = [name for name in SECRET_ATTRIBUTES if isinstance(found.get(name), dict)]
    if not secrets:
        return None
    return json.dumps({**found, **dict.fromkeys(secrets, "changed")})


def entries_of(kind: str, identifier: str) -> list[HistoryEntry]:
    return list(HistoryEntry.query(f"{kind}#{identifier}", HistoryEntry.entry.startswith("v")))


def recorder(kind: str):
    """A stream record handler that only writes history, for records without side effects."""
    def handle(record: dict) -> None:
        record_change(kind, record)
    return handle
