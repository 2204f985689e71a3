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
from .models import RETENTION, DeliveryAttempt, Event, WebhookEndpoint

__all__ = ["enqueue_first_attempts", "enqueue", "attempt_key_now", "retry_delay",
           "MAX_SQS_DELAY", "schedule"]

MAX_SQS_DELAY = 900
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


def enqueue(endpoint_id: str, message_id: str, attempt: int, delay: int = 0,
            key: str | None = None) -> None:
    """Queue one attempt ``delay`` seconds from now, and show it as pending in the log
    (``key``: the log entry it already has, for a message that came early)."""
    due = time.time() + delay
    if key is None:
        key = _attempt_key(due, message_id, attempt)
        DeliveryAttempt(endpoint_id, key, message_id=message_id, attempt=attempt,
                        status="pending", due=timestamps.to_storage(timestamps.from_epoch(due)),
                        expires_at=RETENTION).save()
    clients.client("sqs").send_message(
        QueueUrl=settings.webhook_queue_url, DelaySeconds=min(delay, MAX_SQS_DELAY),
        MessageBody=json.dumps({"endpoint": endpoint_id, "message": message_id,
                                "attempt": attempt, "due": due, "key": key}))


def enqueue_first_attempts(event: Event, endpoints: list[WebhookEndpoint]) -> None:
    for endpoint in endpoints:
        enqueue(endpoint.endpoint_id, event.message_id, 1)
