"""The delivery queue (SQS): one message per attempt of one event to one endpoint.

An attempt that fails is queued again with the next wait of Standard Webhooks' schedule
(``SERVICEDESK_WEBHOOK_RETRY_SCHEDULE`` replaces it). SQS delays a message by at most
15 minutes, so a longer wait is a message that comes early, sees its ``due`` time ahead and
is sent again for what remains: SQS does the waiting, no scheduler of ours.
"""
import json
import random
import time

from ..core import clients, timestamps
from ..core.config import settings
from ..core.errors import TryAgain
from . import envelopes, states
from .matching import tenancy_of
from .models import RETENTION, DeliveryAttempt, Event, WebhookEndpoint

__all__ = ["enqueue_first_attempts", "enqueue", "enqueue_event", "attempt_key_now", "retry_delay",
           "MAX_SQS_DELAY", "schedule"]

MAX_SQS_DELAY = 900
MAX_CARRIED_BODY = 200 * 1024
#: Standard Webhooks' retry waits after the first attempt (seconds): 5 s, 5 min, 30 min, 2 h,
#: 5 h, 10 h, 14 h, 20 h, 24 h.
DEFAULT_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)


def schedule() -> tuple[int, ...]:
    configured = settings.webhook_retry_schedule
    return tuple(int(part) for part in configured.split(",") if part.strip()) if configured \
        else DEFAULT_SCHEDULE


def retry_delay(attempt: int, retry_after: int | None = None) -> int | None:
    """Seconds before attempt ``attempt + 1`` after attempt ``attempt`` failed (None: no more
    attempts). A jitter of up to 10 % spreads retries; ``Retry-After`` waits longer."""
    waits = schedule()
    if attempt > len(waits):
        return None
    wait = waits[attempt - 1]
    wait = int(wait + random.uniform(0, wait / 10))
    return max(wait, retry_after or 0)


def _attempt_key(due: float, message_id: str, attempt: int) -> str:
    return f"{timestamps.to_storage(timestamps.from_epoch(due))}#{message_id}#{attempt:02d}"


def attempt_key_now(message_id: str, attempt: int) -> str:
    return _attempt_key(time.time(), message_id, attempt)


def _message(endpoint_id: str, message_id: str, attempt: int, due: float, key: str,
             body: str | None, tenancy: list | None, client: str | None = None) -> str:
    """The queue message of one attempt; it carries the message's body when it fits (SQS
    takes 256 KB), so that the delivery reads no event, and the event's tenancy
    (``matching.Tenancy``), which each attempt asks of the endpoint's owner (``client``) as
    it is then."""
    wanted = {"endpoint": endpoint_id, "message": message_id, "attempt": attempt, "due": due,
              "key": key, "tenancy": tenancy, "client": client}
    if body is not None and len(body.encode()) <= MAX_CARRIED_BODY:
        wanted["body"] = body
    return json.dumps(wanted)


def enqueue(endpoint_id: str, message_id: str, attempt: int, tenancy: list | None,
            delay: int = 0, key: str | None = None, body: str | None = None,
            client: str | None = None) -> None:
    """Queue one attempt ``delay`` seconds from now; one that waits shows as pending in the
    log (``key``: the log entry it already has, for a message that came early)."""
    due = time.time() + delay
    if key is None:
        key = _attempt_key(due, message_id, attempt)
        if delay > 0:
            DeliveryAttempt(endpoint_id, key, message_id=message_id, attempt=attempt,
                            status="pending",
                            due=timestamps.to_storage(timestamps.from_epoch(due)),
                            expires_at=RETENTION).save()
    clients.client("sqs").send_message(
        QueueUrl=settings.webhook_queue_url, DelaySeconds=min(delay, MAX_SQS_DELAY),
        MessageBody=_message(endpoint_id, message_id, attempt, due, key, body, tenancy,
                             client))


def enqueue_event(endpoint: WebhookEndpoint, event: Event, again_if_delivered: bool = True
                  ) -> list[str]:
    """Queue again each message that ``endpoint`` is sent for ``event`` (one, or its
    envelope's) that is not pending for it now (``states``), nor delivered unless
    ``again_if_delivered``; the ids of those queued."""
    queued = []
    for message_id, body in envelopes.messages(endpoint, event):
        if states.claim(endpoint.endpoint_id, message_id, again_if_delivered):
            enqueue(endpoint.endpoint_id, message_id, 1, tenancy_of(event).as_list(),
                    body=body, client=endpoint.client_id)
            queued.append(message_id)
    return queued


def enqueue_first_attempts(sent: list[tuple[Event, list[WebhookEndpoint]]],
                           record=None) -> None:
    """For each (event, its endpoints): one message per endpoint (or per message of its
    envelope), each marked pending for its endpoint first (25 to a call), then queued (ten to
    a call)."""
    due = time.time()
    messages = [(endpoint, message_id, body, tenancy_of(event).as_list())
                for event, endpoints in sent for endpoint in endpoints
                for message_id, body in envelopes.messages(endpoint, event, record)]
    states.mark_pending([(endpoint.endpoint_id, message_id)
                         for endpoint, message_id, _, _ in messages])
    entries = [{"Id": str(n), "MessageBody": _message(
        endpoint.endpoint_id, message_id, 1, due, _attempt_key(due, message_id, 1), body,
        tenancy, endpoint.client_id)}
        for n, (endpoint, message_id, body, tenancy) in enumerate(messages)]
    for start in range(0, len(entries), 10):
        answer = clients.client("sqs").send_message_batch(
            QueueUrl=settings.webhook_queue_url, Entries=entries[start:start + 10])
        if answer.get("Failed"):  # the stream record is retried: at least once
            raise QueueRefused(f"SQS refused {len(answer['Failed'])} delivery messages")


class QueueRefused(TryAgain):
    """SQS took some of a batch of messages, not all (throttled): send them again."""
