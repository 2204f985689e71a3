"""The desk's tables: a work item per record of the three stores, and the queue's entries.

A work item (``work-items``) is a projection of its record, written by the record's stream
handler (``desk.projection``); the record stays the only truth, and the work item names the
record's version it shows, so a replayed or late stream record changes nothing.

The queue (``work-queue``) holds, for each work item, one entry per filter value it has
(``state:open``, ``assignee:jsmith``, ``account:01234574``, ``all``...: ``desk.queue.keys``),
each with three sort keys, one per index: so a page of any one filter, in any order, is one
Query on one index that reads the page. The same table holds the counters of the queue's
header: ``count:state`` and ``count:group``, one item per value, kept in the same
transaction as the entries, so a count is one Query of its partition, never a scan.
"""
import builtins

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from ..core.db import global_index, meta

__all__ = ["WorkItem", "QueueEntry", "SORTS"]


class WorkItem(Model):
    Meta = meta("work_items")
    id = UnicodeAttribute(hash_key=True)  # "<kind>-<record>": support-request-10000001
    kind = UnicodeAttribute()  # support-request | service-request | ticket
    record = UnicodeAttribute()  # the record's identifier in its own API
    source_version = NumberAttribute()  # the record's version this item shows
    title = UnicodeAttribute()
    state = UnicodeAttribute()  # new | open | pending | resolved | closed
    native_state = UnicodeAttribute()
    priority = NumberAttribute()  # 1 urgent, 2 high, 3 normal, 4 low
    account = UnicodeAttribute(null=True)
    property = UnicodeAttribute(null=True)
    topic = UnicodeAttribute(null=True)  # a topic, a service request type, a ticket category
    assignee = UnicodeAttribute(null=True)
    group = UnicodeAttribute(null=True)
    created = UnicodeAttribute()
    updated = UnicodeAttribute()
    path = UnicodeAttribute()  # the record in its own API, under the base URL
    entries = ListAttribute(of=UnicodeAttribute, default=list)  # its queue keys

    @builtins.property  # (``property`` is an attribute's name in this class)
    def version(self) -> int:
        """The record's version it shows (its events are named by it)."""
        return int(self.source_version)


#: The queue's orders: the name a request asks for -> the entry attribute and index.
SORTS = ("created", "updated", "priority")


class QueueEntry(Model):
    Meta = meta("work_queue")
    key = UnicodeAttribute(hash_key=True)  # "state:open", or a counter's "count:state"
    item = UnicodeAttribute(range_key=True)  # the work item's id, or a counter's value
    created_order = UnicodeAttribute(null=True)  # "<created>#<id>"
    updated_order = UnicodeAttribute(null=True)  # "<updated>#<id>"
    priority_order = UnicodeAttribute(null=True)  # "<priority>#<created>#<id>"
    count = NumberAttribute(null=True)  # a counter's
    by_created = global_index("by_created", "key", "created_order")
    by_updated = global_index("by_updated", "key", "updated_order")
    by_priority = global_index("by_priority", "key", "priority_order")
