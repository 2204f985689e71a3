"""Sending messages on request: a test message, one message again (``redeliver``), and every
message of a period that an endpoint did not receive (``recover``).

Each is bounded, whatever a client does: a rate per endpoint (``LIMITS``); a message already
pending for the endpoint is never queued again, and ``recover`` queues only what was not
delivered (``events.states``); ``recover`` reads at most the feed's 30 days and
``RECOVER_AT_MOST`` messages a call. What an endpoint may be sent is asked of its owner as it
is now (``events.matching``); a test message belongs to its endpoint alone, is kept a day,
and is never in the feed.
"""
import json
import uuid
from datetime import timedelta

from ..core import rate_limits, timestamps
from ..core.errors import Conflict, NotFound
from ..events import catalogue, envelopes, queue, states
from ..events.matching import endpoint_reads, matches, owner, tenancy_of
from ..events.models import Event, WebhookEndpoint
from . import feed

__all__ = ["test", "redeliver", "recover", "LIMITS", "RECOVER_AT_MOST", "TEST_RETENTION"]

RECOVER_AT_MOST = 1000
#: operation -> (most calls, per seconds), per endpoint.
LIMITS = {"test": (10, 60), "redeliver": (60, 60), "recover": (2, 60)}
TEST_RETENTION = timedelta(days=1)
_WHAT = {"test": "An endpoint can be tested", "redeliver": "Messages can be sent again",
         "recover": "An endpoint can recover messages"}


def _limit(endpoint: WebhookEndpoint, operation: str) -> None:
    most, seconds = LIMITS[operation]
    rate_limits.take(f"webhooks#{operation}#{endpoint.endpoint_id}", most, seconds,
                     _WHAT[operation])


def test(endpoint: WebhookEndpoint) -> str:
    """Queue a ``webhook.test`` message to ``endpoint``; its id."""
    _limit(endpoint, "test")
    when = timestamps.storage_now()
    message_id = "msg_" + uuid.uuid4().hex
    body = {"type": catalogue.TEST_TYPE, "timestamp": when,
            "data": {"api": "webhooks", "endpoint": endpoint.endpoint_id}}
    event = Event(message_id, type=catalogue.TEST_TYPE, timestamp=when,
                  body=json.dumps(body, separators=(",", ":")), api="webhooks",
                  scope="webhooks", actor="system", position=when,
                  endpoint_id=endpoint.endpoint_id, expires_at=TEST_RETENTION)
    event.save()
    states.mark_pending([(endpoint.endpoint_id, message_id)])
    queue.enqueue(endpoint.endpoint_id, message_id, 1, tenancy_of(event).as_list(),
                  body=event.body, client=endpoint.client_id)
    return message_id


def redeliver(endpoint: WebhookEndpoint, message_id: str) -> None:
    """Queue ``message_id`` (and its change's other messages of the endpoint's envelope)
    again, unless it is pending; 404 for a message the endpoint may not be sent."""
    try:
        event = Event.get(envelopes.event_id_of(message_id), consistent_read=True)
    except Event.DoesNotExist:
        event = None
    if event is None or not endpoint_reads(endpoint, owner(endpoint.client_id),
                                           tenancy_of(event)):
        raise NotFound(f"No message {message_id} for this endpoint.")
    _limit(endpoint, "redeliver")
    queue.enqueue_event(endpoint, event, again_if_delivered=True)


def recover(endpoint: WebhookEndpoint, since: str, until: str | None) -> dict:
    """Queue every message of ``[since, until)`` that ``endpoint`` would have been sent and
    did not receive (neither delivered nor pending now): at most ``RECOVER_AT_MOST``."""
    if endpoint.status != "enabled":
        raise Conflict("The endpoint is disabled: enable it (PATCH status=enabled), then "
                       "recover.")
    since, until = feed.window(since, until)
    _limit(endpoint, "recover")
    current = owner(endpoint.client_id)
    partition = endpoint.account or (feed.partition_of(current) if current else feed.NOTHING)
    types = set(endpoint.event_types) if endpoint.event_types else None
    found, position = feed.events(partition, lambda event: matches(endpoint, event, current),
                                  since, None, types, until=until, limit=RECOVER_AT_MOST)
    # what was delivered or is waiting is known in one read per 100: only the rest is claimed
    settled = states.states_of(endpoint.endpoint_id, [event.message_id for event in found])
    queued = sum(len(queue.enqueue_event(endpoint, event, again_if_delivered=False))
                 for event in found if settled.get(event.message_id) in (None, states.FAILED))
    return {"queued": queued, "more": position is not None,
            "next_since": position and position.split("#")[0]}
