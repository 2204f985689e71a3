"""The tables of events and webhooks: every event (the feed), the endpoints that subscribe to
them, and every delivery attempt.

An event is written once, named by what changed (``message_id`` derives from the record and
its version), so a replayed stream record writes no second event. The feed reads it through
two indexes, both ordered by ``position`` (the change's time, then the record and its
version): one partition per customer account, and one per day for the clients that see every
account.
"""
from datetime import timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from ..core.db import ListOf, global_index, meta, shares_connection

__all__ = ["Event", "WebhookEndpoint", "Secret", "DeliveryAttempt", "MessageState", "NO_ACCOUNT",
           "RETENTION", "STATE_PREFIX"]

#: How long events and delivery attempts are kept: the feed's reach.
RETENTION = timedelta(days=30)

#: The account partition of events that belong to no customer account (a property).
NO_ACCOUNT = "-"


@shares_connection
class Event(Model):
    Meta = meta("events")
    message_id = UnicodeAttribute(hash_key=True)  # "msg_...": the webhook-id of its deliveries
    type = UnicodeAttribute()
    timestamp = UnicodeAttribute()  # of the change (RFC 3339, UTC)
    body = UnicodeAttribute()  # the message as delivered: {"type","timestamp","data","previous"}
    api = UnicodeAttribute()
    scope = UnicodeAttribute()  # a reader's client needs it
    restricted_to = UnicodeAttribute(null=True)  # and this one too (INTERNAL notes: the desk)
    # NO_ACCOUNT for a record of no account; none for a test message, which the feed's
    # indexes (by account, by day) so never hold
    account = UnicodeAttribute(null=True)
    actor = UnicodeAttribute()
    position = UnicodeAttribute()  # "<timestamp>#<resource>#<id>#<version>": the feed's order
    day = UnicodeAttribute(null=True)  # YYYY-MM-DD of timestamp
    # When the record changed, by its own time (an endpoint made later is not sent it)
    changed = UnicodeAttribute(null=True)
    endpoint_id = UnicodeAttribute(null=True)  # a test message's endpoint: its only reader
    fanned_out = BooleanAttribute(null=True)  # every matching endpoint was sent it
    expires_at = TTLAttribute()  # 30 days: the feed's reach
    by_account = global_index("events_by_account", "account", "position")
    by_day = global_index("events_by_day", "day", "position")


class Secret(MapAttribute):
    ciphertext = UnicodeAttribute()  # KMS-encrypted "whsec_..." (base64 of the blob)
    retires_at = NumberAttribute(null=True)  # unix seconds: a rotated secret signs until then
    # Encrypted with a context that names its endpoint (older secrets' context does not)
    bound = BooleanAttribute(null=True)


@shares_connection
class WebhookEndpoint(Model):
    Meta = meta("webhook_endpoints")
    endpoint_id = UnicodeAttribute(hash_key=True)  # "ep_..."
    # Its owner's changes, in order: a PATCH or rotation saves on the condition that it is
    # the one read. Deliveries' bookkeeping (failing_since, a disable) does not count, so that
    # concurrent deliveries never make each other fail (a VersionAttribute would).
    revision = NumberAttribute(default=1)
    client_id = UnicodeAttribute()  # its owner: nobody else's client sees it
    account = UnicodeAttribute(null=True)  # only this account's events (its owner's choice)
    # What the owner may read is asked of the owner as it is now (core.tenancy), so that a
    # disabled, deleted, re-bound or re-scoped client's endpoints narrow at once.
    url = UnicodeAttribute()
    event_types = ListAttribute(of=UnicodeAttribute, null=True)  # None: every type
    description = UnicodeAttribute(default="")
    exclude_own_changes = BooleanAttribute(default=True)
    status = UnicodeAttribute(default="enabled")  # enabled | disabled
    disabled_reason = UnicodeAttribute(null=True)
    notify_email = UnicodeAttribute(null=True)  # told when the endpoint is disabled
    secrets = ListOf(of=Secret, default=list)  # the newest first; two at most
    failing_since = NumberAttribute(null=True)  # unix seconds of the first failure in a row
    # Another envelope than Standard Webhooks' message (events.envelopes), and the kinds of
    # its messages that the endpoint takes (None: every kind); a TMF621 hub's query as given.
    envelope = UnicodeAttribute(null=True)
    envelope_types = ListAttribute(of=UnicodeAttribute, null=True)
    hub_query = UnicodeAttribute(null=True)
    created = UnicodeAttribute()
    updated = UnicodeAttribute()
    created_key = UnicodeAttribute()  # "<created>#<id>": a client's endpoints in order
    by_client = global_index("endpoints_by_client", "client_id", "created_key")


@shares_connection
class DeliveryAttempt(Model):
    """One attempt to deliver one message to one endpoint (or one that waits: pending)."""
    Meta = meta("webhook_attempts")
    endpoint_id = UnicodeAttribute(hash_key=True)
    attempt_key = UnicodeAttribute(range_key=True)  # "<due, RFC 3339>#<message id>#<nn>"
    message_id = UnicodeAttribute()
    attempt = NumberAttribute()  # 1 for the first
    status = UnicodeAttribute()  # pending | succeeded | failed
    due = UnicodeAttribute()
    at = UnicodeAttribute(null=True)  # when it was made
    http_status = NumberAttribute(null=True)
    duration_ms = NumberAttribute(null=True)
    response = UnicodeAttribute(null=True)  # the first 2 KB of the answer, or what failed
    expires_at = TTLAttribute()  # 30 days, as the events


#: The range keys of ``MessageState`` items: after every attempt's (a time sorts before "~").
STATE_PREFIX = "~message#"


@shares_connection
class MessageState(Model):
    """Where one message stands for one endpoint (in the attempts' table, after them):
    ``pending`` while an attempt of it is queued, then ``delivered`` or ``failed``. Nothing
    queues a message that is pending for its endpoint."""
    Meta = meta("webhook_attempts")
    endpoint_id = UnicodeAttribute(hash_key=True)
    attempt_key = UnicodeAttribute(range_key=True)  # STATE_PREFIX + message id
    status = UnicodeAttribute()  # pending | delivered | failed
    expires_at = TTLAttribute()  # 30 days, as the attempts
