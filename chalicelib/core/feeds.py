"""Paged lists as DynamoDB Queries, never Scans: one global secondary index per list.

A record appears in *feeds*: "all records", and one per scope such as "records of topic T" or
"records of topic T in state S", each also split by acknowledgement. A feed is a GSI whose hash
key names the feed and whose range key orders it by last update time, then identifier. A page
reads at most ``offset + limit + 1`` items, whatever the table holds, and with a cursor
``limit + 1`` at any depth (see core.pages); the date filter is a key condition on the
half-open interval ``[from, to)``.
"""
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from . import pages, timestamps

__all__ = ["feed_index", "feed_attribute", "feed_keys", "read_page", "Feed"]


def feed_attribute(scope: tuple[str, ...], by_ack: bool) -> str:
    return "feed_" + ("_".join(scope) or "all") + ("_ack" if by_ack else "")


def feed_index(scope: tuple[str, ...], by_ack: bool) -> GlobalSecondaryIndex:
    """The GSI of one feed, to be assigned to a model attribute."""
    name = feed_attribute(scope, by_ack)
    meta = type("Meta", (), {"index_name": name.replace("_", "-"),
                             "projection": AllProjection()})
    attributes = {"Meta": meta, name: UnicodeAttribute(hash_key=True),
                  "feed_order": UnicodeAttribute(range_key=True)}
    return type(name, (GlobalSecondaryIndex,), attributes)()


def _hash_value(values: tuple[str, ...], by_ack: bool, acked: bool | None) -> str:
    value = "#".join(values) or "all"
    return value + ("#acked" if acked else "#unacked") if by_ack else value


def feed_keys(scopes: list[tuple[str, ...]], values: dict[str, str], acked: bool,
              last_update: str, identifier: str) -> dict[str, str]:
    """Attribute name -> value for every feed a record belongs to."""
    keys = {"feed_order": f"{last_update}#{identifier}"}
    for scope in scopes:
        scope_values = tuple(values[name] for name in scope)
        for by_ack in (False, True):
            keys[feed_attribute(scope, by_ack)] = _hash_value(scope_values, by_ack, acked)
    return keys


class Feed:
    """One page request: which feed, which window, which slice."""

    def __init__(self, scope: dict[str, str] | None = None, acked: bool | None = None,
                 updated_from: datetime | None = None, updated_to: datetime | None = None,
                 offset: int = 0, limit: int = 100, cursor: str | None = None) -> None:
        self.scope = scope or {}
        self.acked = acked
        self.updated_from = updated_from
        self.updated_to = updated_to
        self.offset = offset
        self.limit = limit
        self.cursor = cursor


def read_page(model, feed: Feed) -> pages.Page:
    """The items of ``feed`` in order, at most ``limit`` of them after skipping ``offset`` or
    after the cursor's item."""
    by_ack = feed.acked is not None
    attribute = feed_attribute(tuple(feed.scope), by_ack)
    index = getattr(model, attribute + "_index")
    order = model.feed_order
    # Keys are "<time>#<identifier>", so plain time bounds cut exactly at [from, to).
    low = feed.updated_from and timestamps.to_storage(feed.updated_from)
    high = feed.updated_to and timestamps.to_storage(feed.updated_to)
    condition = None
    if low and high:
        condition = order.between(low, high)
    elif low:
        condition = order >= low
    elif high:
        condition = order < high
    hash_value = _hash_value(tuple(feed.scope.values()), by_ack, feed.acked)
    asked = pages.Asked(feed.limit, feed.offset, feed.cursor, query={
        "list": model.__name__, "feed": attribute, "of": hash_value, "from": low,
        "to": high})
    if low and high and low >= high:
        asked.start()  # an empty window; a bad cursor is still refused
        return pages.Page([], None)
    return pages.read(index, hash_value, asked, range_key_condition=condition)
