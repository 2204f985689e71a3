"""Support requests and the topics that classify them.

A request and its history of updates are one item, so that an update is one atomic,
optimistic-locked write and the next GET sees it (read your writes). Its feed keys place it in
the lists: all requests, by topic, and by topic in a state, each also split by acknowledgement.
"""
from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from ..core import feeds
from ..core.db import meta, shares_connection
from ..core.records import TrackedRecord

__all__ = ["SupportRequest", "Update", "Topic", "STATES", "TERMINAL_STATES", "FEED_SCOPES"]

STATES = ("NEW", "IN_PROGRESS", "PROBLEM", "SUCCESSFUL", "CANCELLED")
TERMINAL_STATES = ("SUCCESSFUL", "CANCELLED")
FEED_SCOPES = [(), ("topic",), ("topic", "state")]


class Update(MapAttribute):
    """One entry of a request's history: a comment, a state change or an assignment."""
    type = UnicodeAttribute()  # COMMENT_ADDED | STATE_CHANGED | ASSIGNED
    state = UnicodeAttribute(null=True)  # the state it moved to, when it moved the request
    assignee = UnicodeAttribute(null=True)
    update_time = UnicodeAttribute()
    updater = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    unacked_since = UnicodeAttribute(null=True)
    version = NumberAttribute()  # the request version that this update created


@shares_connection
class SupportRequest(TrackedRecord):
    Meta = meta("support_requests", streams=True)
    FEED_SCOPES = FEED_SCOPES
    ack_children = "updates"

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
    updates = ListAttribute(of=Update, default=list)

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


class SubTopic(MapAttribute):
    identifier = UnicodeAttribute()
    extid = UnicodeAttribute(null=True)


@shares_connection
class Topic(Model):
    """An issue type such as "Parking"; its identifier is what the API's URLs use."""
    Meta = meta("topics")
    identifier = UnicodeAttribute(hash_key=True)
    extid = UnicodeAttribute(null=True)
    sub_topics = ListAttribute(of=SubTopic, default=list)
