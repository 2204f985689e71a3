"""One delivery attempt: POST the message, signed, to the endpoint's checked address
(``transport``), within one deadline.

Before anything is sent, the endpoint's owner is read as it is now: a disabled or deleted
owner's endpoint, or one whose owner may no longer read the event (fewer scopes, another
account: ``matching``), is sent nothing, and the attempt is logged as failed with the reason.
The attempt is logged as failed before the connection is made, so an attempt that never ends
(the function stopped) is still one in the log; its outcome then replaces it.

2xx is success; anything else (3xx included: redirects are never followed), a deadline
overrun or a refused target is a failure, retried on the schedule (``queue``) with the same
``webhook-id``; 410 disables the endpoint at once; ``Retry-After`` is honoured. An endpoint
that has failed every attempt for 5 days is disabled, and its owner told by e-mail.
"""
import json
import logging
import time

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from ..core import clients, db, observability, timestamps
from ..core.auth import ApiClient
from ..streams import notifications
from . import envelopes, queue, secrets, states, transport
from .matching import Tenancy, endpoint_reads, owner
from .models import RETENTION, DeliveryAttempt, Event, WebhookEndpoint

__all__ = ["attempt_delivery", "handle_delivery_message", "DISABLE_AFTER_SECONDS"]

log = logging.getLogger(__name__)

LOGGED_ANSWER_CHARS = 2048
DISABLE_AFTER_SECONDS = 5 * 24 * 3600
UNFINISHED = "the attempt did not finish (the delivery function stopped during it)"


def _entry(endpoint_id: str, key: str, message_id: str, attempt: int, status: str,
           response: str, http_status: int | None = None, seconds: float | None = None,
           settled: str | None = None) -> DeliveryAttempt:
    """Log an attempt; with ``settled``, the message's state too, in the same call."""
    entry = DeliveryAttempt(endpoint_id, key, message_id=message_id, attempt=attempt,
                            status=status, due=key.split("#")[0], at=timestamps.storage_now(),
                            http_status=http_status, response=response[:LOGGED_ANSWER_CHARS],
                            duration_ms=None if seconds is None else int(seconds * 1000),
                            expires_at=RETENTION)
    if settled is None:
        entry.save()
    else:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.save(entry)
            transaction.save(states.state(endpoint_id, message_id, settled))
    return entry


def attempt_delivery(endpoint: WebhookEndpoint, message_id: str, body: str, attempt: int,
                     key: str, tenancy: list | None = None) -> DeliveryAttempt:
    """Make the attempt, log it, and queue the next one or disable the endpoint."""
    from .signing import signature
    _entry(endpoint.endpoint_id, key, message_id, attempt, "failed", UNFINISHED)
    now = int(time.time())
    status, text, headers, seconds = transport.post(endpoint.url, body, {
        "webhook-id": message_id, "webhook-timestamp": str(now),
        "webhook-signature": signature(secrets.live(endpoint), message_id, now, body)})
    succeeded = status is not None and 200 <= status < 300
    entry = _entry(endpoint.endpoint_id, key, message_id, attempt,
                   "succeeded" if succeeded else "failed", text, status, seconds,
                   states.DELIVERED if succeeded else None)
    observability.count_webhook_attempt(succeeded)
    if succeeded:
        if endpoint.failing_since is not None:
            _note(endpoint, WebhookEndpoint.failing_since.remove())
        return entry
    if status == 410:
        _give_up(endpoint, message_id)
        _disable(endpoint, "The endpoint answered 410 Gone.")
        return entry
    failing_since = endpoint.failing_since or int(time.time())
    if endpoint.failing_since is None:
        _note(endpoint, WebhookEndpoint.failing_since.set(failing_since))
    if time.time() - failing_since >= DISABLE_AFTER_SECONDS:
        _give_up(endpoint, message_id)
        _disable(endpoint, "Every attempt failed for 5 days.")
        return entry
    delay = queue.retry_delay(attempt, _retry_after(headers))
    if delay is not None:
        queue.enqueue(endpoint.endpoint_id, message_id, attempt + 1, tenancy, delay,
                      body=body, client=endpoint.client_id)
    else:
        _give_up(endpoint, message_id)
        log.warning("webhook message exhausted its retries", extra={
            "endpoint_id": endpoint.endpoint_id, "message_id": message_id})
    return entry


def _retry_after(headers: dict) -> int | None:
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after", "")
    return int(value) if value.strip().isdigit() else None


def _give_up(endpoint: WebhookEndpoint, message_id: str) -> None:
    states.settle(endpoint.endpoint_id, message_id, states.FAILED)


def _note(endpoint: WebhookEndpoint, *actions) -> None:
    """Record a delivery's outcome on the endpoint, whatever else changed it meanwhile (not
    on one deleted meanwhile)."""
    try:
        endpoint.update(actions=list(actions),
                        condition=WebhookEndpoint.endpoint_id.exists())
    except UpdateError as error:
        if not db.is_conditional_failure(error):
            raise


def _disable(endpoint: WebhookEndpoint, reason: str) -> None:
    _note(endpoint, WebhookEndpoint.status.set("disabled"),
          WebhookEndpoint.disabled_reason.set(reason))
    observability.count_webhook_endpoint_disabled()
    log.warning("webhook endpoint disabled", extra={"endpoint_id": endpoint.endpoint_id,
                                                    "reason": reason})
    if endpoint.notify_email:
        notifications.send_once(f"webhook-endpoint#{endpoint.endpoint_id}",
                                f"disabled-{endpoint.revision}", notifications.Email(
                                    endpoint.notify_email,
                                    f"Webhook endpoint {endpoint.endpoint_id} is disabled",
                                    f"{reason}\nURL: {endpoint.url}\nRe-enable it with PATCH "
                                    "status=enabled, then recover what it missed.",
                                    f"<p>{reason}</p>"), endpoint.account or "desk")


def _read(endpoint_id: str, client_id: str | None) -> tuple[WebhookEndpoint | None,
                                                            ApiClient | None]:
    """The endpoint and its owner as they are now (disabled owners: None), in one strongly
    consistent BatchGetItem when the queue message names the owner."""
    if client_id is None:  # a message queued before messages named it
        try:
            endpoint = WebhookEndpoint.get(endpoint_id, consistent_read=True)
        except WebhookEndpoint.DoesNotExist:
            return None, None
        return endpoint, owner(endpoint.client_id)
    tables = {WebhookEndpoint.Meta.table_name: ("endpoint_id", endpoint_id, WebhookEndpoint),
              ApiClient.Meta.table_name: ("client_id", client_id, ApiClient)}
    answer = clients.client("dynamodb").batch_get_item(RequestItems={
        table: {"Keys": [{name: {"S": value}}], "ConsistentRead": True}
        for table, (name, value, _) in tables.items()})
    found = {model: model.from_raw_data(item) for table, (_, _, model) in tables.items()
             for item in answer["Responses"].get(table, [])}
    current = found.get(ApiClient)
    return found.get(WebhookEndpoint), None if current is None or current.disabled else current


def _refusal(endpoint: WebhookEndpoint, current: ApiClient | None,
             tenancy: list | None) -> str | None:
    """Why ``endpoint`` may not be sent the message now (None: it may)."""
    if endpoint.status != "enabled":
        return "endpoint disabled"
    if current is None or current.client_id != endpoint.client_id:
        return "the endpoint's client is disabled or deleted"
    if tenancy is not None and not endpoint_reads(endpoint, current,
                                                  Tenancy.from_list(tenancy)):
        return "the endpoint's client may no longer read this event"
    return None


def handle_delivery_message(text: str) -> None:
    """One SQS message of the delivery queue: an attempt that is due, or one that came early
    (queued again for what remains of its wait)."""
    wanted = json.loads(text)
    tenancy = wanted.get("tenancy")
    remaining = int(wanted["due"] - time.time())
    if remaining > 0:
        queue.enqueue(wanted["endpoint"], wanted["message"], wanted["attempt"], tenancy,
                      remaining, key=wanted["key"], body=wanted.get("body"))
        return
    endpoint, current = _read(wanted["endpoint"], wanted.get("client"))
    if endpoint is None:
        return  # the endpoint was deleted
    refused = _refusal(endpoint, current, tenancy)
    if refused is not None:
        _entry(endpoint.endpoint_id, wanted["key"], wanted["message"], wanted["attempt"],
               "failed", refused, settled=states.FAILED)
        return
    try:
        message = wanted.get("body") or Event.get(
            envelopes.event_id_of(wanted["message"]), consistent_read=True).body
    except Event.DoesNotExist:
        return  # the event is past the feed's 30 days
    attempt_delivery(endpoint, wanted["message"], message, wanted["attempt"], wanted["key"],
                     tenancy)
