"""Support requests, their updates and the topics that classify them.

Each update of a request is an item of its own (a request may carry thousands; one item holds
400 KB), written in the same transaction as the request, which keeps their count: an update is
one atomic, optimistic-locked write, and the next GET sees it (read your writes). The request's
feed keys place it in the lists: all requests, by topic, and by topic in a state, each also
split by acknowledgement.
"""
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from ..core import feeds
from ..core.db import ListOf, global_index, meta, shares_connection
from ..core.records import TrackedRecord
from . import report_index

__all__ = ["SupportRequest", "Update", "Topic", "STATES", "TERMINAL_STATES", "FEED_SCOPES",
           "entry_key"]

STATES = ("NEW", "IN_PROGRESS", "PROBLEM", "SUCCESSFUL", "CANCELLED")
TERMINAL_STATES = ("SUCCESSFUL", "CANCELLED")
FEED_SCOPES = [(), ("topic",), ("topic", "state")]


def entry_key(version: int, position: int = 0) -> str:
    """An update's sort key: the request version that added it, then its place in that write."""
    return f"{version:010d}#{position}"


@shares_connection
class Update(Model):
    """One entry of a request's history: a comment, a state change or an assignment."""
    Meta = meta("support_request_updates")
    request = UnicodeAttribute(hash_key=True)  # the request's identifier
    entry = UnicodeAttribute(range_key=True)  # entry_key(version, position)
    type = UnicodeAttribute()  # COMMENT_ADDED | STATE_CHANGED | ASSIGNED
    state = UnicodeAttribute(null=True)  # the state it moved to, when it moved the request
    assignee = UnicodeAttribute(null=True)
    update_time = UnicodeAttribute()
    updater = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    version = NumberAttribute()  # the request version that this update created


class Report(MapAttribute):
    """What an Open311 report brought beside the request's own fields: where, who, answers."""
    lat = NumberAttribute(null=True)
    long = NumberAttribute(null=True)
    address = UnicodeAttribute(null=True)  # address_string, or the property's address
    media_url = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    device_id = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)  # as the client gave it (it chooses nothing)
    client = UnicodeAttribute()  # the API client that raised it
    attributes = MapAttribute(default=dict)  # attribute code -> value, or list of values


@shares_connection
class SupportRequest(TrackedRecord):
    Meta = meta("support_requests", streams=True)
    FEED_SCOPES = FEED_SCOPES

    state = UnicodeAttribute()
    topic = UnicodeAttribute()
    topic_extid = UnicodeAttribute(null=True)
    sub_topic = UnicodeAttribute(null=True)
    sub_topic_extid = UnicodeAttribute(null=True)
    property_identifier = UnicodeAttribute(null=True)
    purchased_product_offer = UnicodeAttribute(null=True)
    summary = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    email = UnicodeAttribute()
    creator = UnicodeAttribute()
    assignee = UnicodeAttribute(null=True)
    community = UnicodeAttribute()
    account = UnicodeAttribute()
    update_count = NumberAttribute(default=0)
    # Updates up to this request version are acknowledged: an acknowledgement clears every
    # update its client saw, so the acknowledged ones are always the oldest.
    updates_acked_through = NumberAttribute(default=0)
    origin = UnicodeAttribute(null=True)  # the face it was raised through, when not LEAP
    report = Report(null=True)  # an Open311 report's own data
    # Open311's public reads show it (opt-in): raised through Open311 under a public topic,
    # or published by the desk; with the desk's note to the public (status_notes), if any
    published = BooleanAttribute(null=True)
    public_notes = UnicodeAttribute(null=True)
    desk_group = UnicodeAttribute(null=True)  # the desk's group working it (desk.assignment)
    report_keys = ListAttribute(null=True)  # its entries in the report index, last written

    feed_topic = UnicodeAttribute(null=True)
    feed_topic_ack = UnicodeAttribute(null=True)
    feed_topic_state = UnicodeAttribute(null=True)
    feed_topic_state_ack = UnicodeAttribute(null=True)
    feed_topic_index = feeds.feed_index(("topic",), False)
    feed_topic_ack_index = feeds.feed_index(("topic",), True)
    feed_topic_state_index = feeds.feed_index(("topic", "state"), False)
    feed_topic_state_ack_index = feeds.feed_index(("topic", "state"), True)

    def feed_values(self) -> dict[str, str]:
        return {"topic": self.topic, "state": self.state}

    def add_updates(self, updates: list[Update]) -> None:
        """Updates to write with this request's next save (see ``companions``)."""
        self._new_updates = [*getattr(self, "_new_updates", []), *updates]
        self.update_count = (self.update_count or 0) + len(updates)

    def companions(self) -> tuple[list, list]:
        """Its new updates, and its entries in the report index as they now hold."""
        entries, stale = report_index.entries_to_write(self)
        return [*getattr(self, "_new_updates", []), *entries], [(entry, None) for entry in stale]

    def updates(self) -> list[Update]:
        """Every update of this version of the request, oldest first, read strongly
        consistently (read your writes; a stream image's version shows none made later)."""
        if not self.update_count:
            return []
        return [update for update in Update.query(self.identifier, consistent_read=True)
                if self.version is None or update.version <= self.version]

    def newest_updates(self, most: int) -> list[Update]:
        """The newest ``most`` updates of this version of the request, oldest first: one
        Query that reads ``most`` items, however long its history."""
        if not self.update_count:
            return []
        condition = Update.entry < entry_key((self.version or 0) + 1)
        found = list(Update.query(self.identifier, condition, scan_index_forward=False,
                                  limit=most, consistent_read=True))
        return found[::-1]

    def is_unacked(self, update: Update) -> bool:
        return update.version > (self.updates_acked_through or 0)

    def acknowledge_children(self, seen_version: int) -> str | None:
        """Acknowledge the updates up to ``seen_version``; the time of the oldest left."""
        self.updates_acked_through = max(self.updates_acked_through or 0, seen_version)
        if (self.updates_acked_through or 0) >= (self.version or 0):
            return None
        oldest = next(Update.query(self.identifier, Update.entry >= entry_key(
            self.updates_acked_through + 1), consistent_read=True, limit=1), None)
        return oldest.update_time if oldest else None

    def acknowledgement_state(self) -> tuple:
        return self.unacked_since, self.updates_acked_through


class SubTopic(MapAttribute):
    identifier = UnicodeAttribute()
    extid = UnicodeAttribute(null=True)


class AttributeValue(MapAttribute):
    key = UnicodeAttribute()
    name = UnicodeAttribute()


class ServiceAttribute(MapAttribute):
    """A question that a report of the topic answers (Open311's service attribute)."""
    code = UnicodeAttribute()
    datatype = UnicodeAttribute()  # string | number | datetime | text | singlevaluelist | ...
    required = BooleanAttribute(default=False)
    variable = BooleanAttribute(default=True)  # False: only information shown to the reporter
    order = NumberAttribute()
    description = UnicodeAttribute()
    datatype_description = UnicodeAttribute(null=True)
    values = ListOf(of=AttributeValue, default=list)  # the choices of a list's datatype


#: The one value of ``catalog``: the index of every topic (the Open311 services list).
CATALOG = "topics"


@shares_connection
class Topic(Model):
    """An issue type such as "Parking"; its identifier is what the API's URLs use."""
    Meta = meta("topics")
    identifier = UnicodeAttribute(hash_key=True)
    extid = UnicodeAttribute(null=True)
    sub_topics = ListOf(of=SubTopic, default=list)
    description = UnicodeAttribute(null=True)
    attributes = ListOf(of=ServiceAttribute, default=list)
    catalog = UnicodeAttribute(default=CATALOG)
    public = BooleanAttribute(null=True)  # its Open311 reports are public (the desk's opt-in)
    by_catalog = global_index("topics_by_catalog", "catalog", "identifier")
