"""Work items follow their records: a reaction of the three stores' stream handlers.

For a changed record, the kind (``desk.kinds``) reads it as a work item; one transaction
writes the item (only if it shows a newer version of its record than the stored one: a
replayed or late stream record changes nothing), its queue entries (those it no longer has
deleted), and the header's counters when its state or group changed. So an item, its entries
and the counts never disagree, whatever is retried.

``rebuild`` does the same from the stores themselves (an operator's command), for a stage that
had records before the desk, or to mend one after a fault: it writes only what differs.
"""
import logging

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import db, kept
from ..streams.batch import image_value
from .kinds import KINDS, OPEN_STATES, Kind
from .models import QueueEntry, WorkItem

__all__ = ["projecting", "project", "keys", "rebuild", "COUNTERS"]

log = logging.getLogger(__name__)
#: The counters of the queue's header: their partition -> the item's field they count.
COUNTERS = {"count:state": "state", "count:group": "group", "count:assignee": "assignee"}


def keys(item: WorkItem) -> list[str]:
    """The queue partitions ``item`` is listed in: one per filter value it has."""
    # kind and priority are checked on a page of another partition (three and four values:
    # each would be a tenth or more of the queue), not partitions of their own: every change
    # of an item rewrites its entries, and fewer keep a busy stream quick
    found = ["all", f"state:{item.state}"]
    found.append(f"assignee:{item.assignee}" if item.assignee else "unassigned")
    for name in ("group", "account", "property", "topic"):
        value = getattr(item, name)
        if value:
            found.append(f"{name}:{value}")
    return found


def _entry(item: WorkItem, key: str) -> QueueEntry:
    return QueueEntry(key, item.id, created_order=f"{item.created}#{item.id}",
                      updated_order=f"{item.updated}#{item.id}",
                      priority_order=f"{item.priority}#{item.created}#{item.id}")


def work_item(kind: Kind, record) -> WorkItem:
    """``record`` as a work item of ``kind``."""
    record_id = kind.record(record)
    native = kind.native_state(record)
    item = WorkItem(kind.item_id(record_id), kind=kind.name, record=record_id,
                    source_version=int(record.version or 1), title=kind.title(record),
                    state=kind.states.get(native, "open"), native_state=native,
                    priority=kind.priority(record), account=kind.account(record),
                    property=kind.property(record), topic=kind.topic(record),
                    assignee=kind.assignee(record), group=kind.group(record),
                    created=kind.created(record), updated=kind.updated(record),
                    path=kind.path.format(record_id))
    item.entries = keys(item)
    return item


def _counted(item: WorkItem | None, field: str) -> str | None:
    """What ``item`` adds to a counter of ``field`` (None: nothing): a group and an assignee
    count their open work only."""
    if item is None:
        return None
    if field != "state" and item.state not in OPEN_STATES:
        return None
    return getattr(item, field)


#: The work items this instance wrote last: a record's changes come one after another, on its
#: stream's shard, to one handler, so the item it wrote is the stored one, read without a
#: GetItem. Another writer (a rebuild) makes it stale: the write's condition then fails, and
#: the item is read again.
_WRITTEN: dict[str, WorkItem] = kept.forgotten_with_the_rest({})
MOST_KEPT = 1000


def _stored(item_id: str, fresh: bool) -> WorkItem | None:
    if not fresh and item_id in _WRITTEN:
        return _WRITTEN[item_id]
    try:
        return WorkItem.get(item_id, consistent_read=True)
    except WorkItem.DoesNotExist:
        return None


def _remember(item: WorkItem) -> None:
    _WRITTEN.pop(item.id, None)
    _WRITTEN[item.id] = item
    while len(_WRITTEN) > MOST_KEPT:
        _WRITTEN.pop(next(iter(_WRITTEN)))


def project(new: WorkItem, mend: bool = False) -> bool:
    """Write ``new`` unless a newer version is stored, or the same version (``mend``: the
    same version unless it reads otherwise); whether it was written."""
    for fresh in (mend, True):
        written = _project(new, _stored(new.id, fresh), mend)
        if written is not None:
            return written
        _WRITTEN.pop(new.id, None)  # what this instance kept was stale: read it
    return False


def _project(new: WorkItem, old: WorkItem | None, mend: bool) -> bool | None:
    """``project`` against ``old`` as stored; None when ``old`` was not what is stored."""
    if old is not None and (old.source_version > new.source_version or (
            old.source_version == new.source_version and (
                not mend or old.serialize() == new.serialize()))):
        return False
    condition = (WorkItem.id.does_not_exist() if old is None
                 else WorkItem.source_version == old.source_version)
    if old is not None and (old.assignee, old.group) != (new.assignee, new.group):
        _published(old, new)  # first: a retry after the write would find nothing to do
    try:
        with TransactWrite(connection=db.connection()) as writes:
            writes.save(new, condition=condition)
            for key in set(old.entries if old else ()) - set(new.entries):
                writes.delete(QueueEntry(key, new.id))
            for key in new.entries:
                writes.save(_entry(new, key))
            for partition, field in COUNTERS.items():
                before, after = _counted(old, field), _counted(new, field)
                if before == after:
                    continue
                for value, step in ((before, -1), (after, 1)):
                    if value is not None:
                        writes.update(QueueEntry(partition, value),
                                      actions=[QueueEntry.count.add(step)])
    except TransactWriteError as error:
        if db.is_conditional_failure(error):  # another version was written meanwhile
            return None
        raise
    _remember(new)
    return True


def _published(old: WorkItem, new: WorkItem) -> None:
    """``work_item.assigned``, once (events are named by the item and the record version)."""
    from ..core import timestamps
    from ..events.publish import publish
    publish("work-item", {"eventName": "MODIFY", "dynamodb": {
        "OldImage": old.serialize(), "NewImage": new.serialize(),
        "ApproximateCreationDateTime": timestamps.from_storage(new.updated).timestamp()}})


def projecting(kind_name: str, handle):
    """A stream handler that also keeps the record's work item: ``handle`` first (its own
    reactions), then the item."""
    kind = KINDS[kind_name]

    def handle_record(record: dict) -> None:
        handle(record)
        image = record["dynamodb"].get("NewImage")
        if image and image_value(image, "version") is not None:
            item = work_item(kind, kind.model.from_raw_data(image))
            project(item)
            if item.source_version == 1:  # a new record: the desk's rules may route it
                from .routing import route
                route(item)
    return handle_record


def rebuild() -> dict:
    """Every work item again from the stores (idempotent: an item that reads as its record
    does is left alone); how many were written, per kind."""
    written = {}
    for kind in KINDS.values():
        written[kind.name] = sum(project(work_item(kind, record), mend=True)
                                 for record in kind.model.scan())
    return written
