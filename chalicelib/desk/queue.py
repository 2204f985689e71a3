"""The queue: a page of work items for any combination of filters, in any of three orders.

The first filter given of ``PARTITION_ORDER`` chooses the queue partition (``all`` when none
is; kind and priority are always checked), and the order its index: one Query that reads the
page (and one more entry, to know that a next page exists), then one BatchGetItem of the
page's items. Every other filter is checked on the items read: such a page reads at most
``CHECKED_READS`` times its size and may come back short, with a cursor to go on. A created
or updated window is a key condition when the order is of that time, else a check.
"""
from ..core import cursors
from ..core.errors import BadRequest, FieldError
from .models import QueueEntry, WorkItem

__all__ = ["page", "counts", "PARTITION_ORDER", "CHECKED_READS"]

#: The filters that choose a partition, most selective first.
PARTITION_ORDER = ("account", "property", "assignee", "group", "topic", "unassigned",
                   "state")
#: Filters only ever checked on what a partition's page read.
CHECKED_ONLY = ("kind", "priority")
#: With filters checked on the items read, a page reads at most this many times its size.
CHECKED_READS = 10
_INDEXES = {"created": ("by_created", "created_order"), "updated": ("by_updated",
                                                                   "updated_order"),
            "priority": ("by_priority", "priority_order")}
_WINDOWS = {"created_from": ("created", ">="), "created_to": ("created", "<"),
            "updated_from": ("updated", ">="), "updated_to": ("updated", "<")}


def _partition(filters: dict) -> tuple[str, str | None]:
    """The queue partition to read, and the filter it answers (None: ``all``)."""
    for name in PARTITION_ORDER:
        value = filters.get(name)
        if value is None or value is False:
            continue
        return ("unassigned" if name == "unassigned" else f"{name}:{value}"), name
    return "all", None


def _matches(item: WorkItem, filters: dict, chosen: str | None) -> bool:
    """Whether ``item`` passes every filter (the partition's too: an index may lag its
    item for a moment after a change)."""
    for name in PARTITION_ORDER + CHECKED_ONLY:
        value = filters.get(name)
        if value is None or value is False:
            continue
        if name == "unassigned":
            if item.assignee:
                return False
        elif str(getattr(item, name)) != str(value):
            return False
    for name, (field, sign) in _WINDOWS.items():
        bound = filters.get(name)
        if bound is not None:
            value = getattr(item, field)
            if (sign == ">=" and value < bound) or (sign == "<" and value >= bound):
                return False
    return True


def _window(sort: str, filters: dict, attribute):
    """The range key condition of a window on the sort's own time (None: none)."""
    if sort not in ("created", "updated"):
        return None
    low, high = filters.get(f"{sort}_from"), filters.get(f"{sort}_to")
    if low and high:
        return attribute.between(low, high)  # the upper end is checked as exclusive
    if low:
        return attribute >= low
    if high:
        return attribute < high
    return None


def _checked(filters: dict, chosen: str | None, sort: str) -> bool:
    others = [name for name in PARTITION_ORDER + CHECKED_ONLY
              if name != chosen and filters.get(name) not in (None, False)]
    windows = [name for name, (field, _) in _WINDOWS.items()
               if filters.get(name) and field != sort]
    return bool(others or windows)


def page(filters: dict, sort: str, descending: bool, limit: int,
         cursor: str | None) -> tuple[list[WorkItem], str | None, int]:
    """The page's items, the next page's cursor (None: the last page), and the entries read."""
    key, chosen = _partition(filters)
    index_name, attribute_name = _INDEXES[sort]
    index = getattr(QueueEntry, index_name)
    attribute = getattr(QueueEntry, attribute_name)
    query = {"filters": {k: v for k, v in sorted(filters.items()) if v not in (None, False)},
             "sort": sort, "descending": descending, "list": "desk-work-items"}
    after = cursors.decode(cursor, query)
    if after is not None and (after.count("\n") != 1):
        raise BadRequest("The cursor is not one this list gave.",
                         [FieldError("cursor", "invalid")])
    start = None
    if after is not None:
        item_id, order = after.split("\n")
        start = {"key": {"S": key}, "item": {"S": item_id}, attribute_name: {"S": order}}
    checked = _checked(filters, chosen, sort)
    budget = limit * CHECKED_READS if checked else limit + 1
    entries = list(index.query(key, _window(sort, filters, attribute),
                               scan_index_forward=not descending, limit=budget,
                               last_evaluated_key=start, page_size=min(budget, 100)))
    found = {item.id: item for item in WorkItem.batch_get(
        list(dict.fromkeys(entry.item for entry in entries)))} if entries else {}
    items, last = [], None
    for entry in entries:
        if len(items) == limit:
            break
        last = entry
        item = found.get(entry.item)
        if item is not None and _matches(item, filters, chosen):
            items.append(item)
    more = len(entries) > (entries.index(last) + 1 if last is not None else 0) or (
        checked and len(entries) == budget)
    next_cursor = (cursors.encode(f"{last.item}\n{getattr(last, attribute_name)}", query)
                   if more and last is not None else None)
    return items, next_cursor, len(entries)


def open_work() -> dict:
    """Open work items per assignee (one Query of its counter)."""
    return {entry.item: int(entry.count or 0) for entry in QueueEntry.query("count:assignee")}


def counts() -> dict:
    """Work items per state, and open work per group: one Query of each counter's partition."""
    found = {}
    for partition, name in (("count:state", "states"), ("count:group", "groups")):
        found[name] = {entry.item: int(entry.count or 0)
                       for entry in QueueEntry.query(partition) if entry.count}
    return found
