"""One delivery attempt: POST the message, signed, to the endpoint's checked address.

2xx is success; anything else (3xx included: redirects are never followed), a timeout
(15 s) or a refused target is a failure, retried on the schedule (``queue``) with the same
``webhook-id``; 410 disables the endpoint at once; ``Retry-After`` is honoured. An endpoint
that has failed every attempt for 5 days is disabled, and its owner told by e-mail.
"""
import http.client
import json
import logging
import socket
import ssl
import time

from pynamodb.exceptions import UpdateError

from ..core import db, observability, timestamps
from ..streams import notifications
from . import queue, secrets, targets
from .models import RETENTION, DeliveryAttempt, Event, WebhookEndpoint

__all__ = ["deliver", "attempt_delivery", "handle_delivery_message", "DISABLE_AFTER_SECONDS"]

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15
MAX_ANSWER_BYTES = 64 * 1024
LOGGED_ANSWER_CHARS = 2048
DISABLE_AFTER_SECONDS = 5 * 24 * 3600
USER_AGENT = "servicedesk-webhooks/1"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, target: targets.Target) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT_SECONDS)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: targets.Target) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT_SECONDS,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def deliver(url: str, message_id: str, body: str, live_secrets: list[str]
            ) -> tuple[int | None, str, dict, float]:
    """(HTTP status or None, the answer's start or what failed, its headers, seconds)."""
    from .signing import signature
    started = time.monotonic()
    try:
        target = targets.check(url)
    except targets.RefusedTarget as refused:
        return None, f"refused: {refused}", {}, time.monotonic() - started
    now = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "webhook-id": message_id, "webhook-timestamp": str(now),
               "webhook-signature": signature(live_secrets, message_id, now, body)}
    connection = (_PinnedHTTPSConnection if target.scheme == "https"
                  else _PinnedHTTPConnection)(target)
    try:
        connection.request("POST", target.path, body=body.encode(), headers=headers)
        answer = connection.getresponse()
        text = answer.read(MAX_ANSWER_BYTES).decode("utf-8", "replace")
        return answer.status, text, dict(answer.getheaders()), time.monotonic() - started
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}", {}, time.monotonic() - started
    finally:
        connection.close()


def _retry_after(headers: dict) -> int | None:
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after", "")
    return int(value) if value.strip().isdigit() else None


def attempt_delivery(endpoint: WebhookEndpoint, message_id: str, body: str, attempt: int,
                     key: str) -> DeliveryAttempt:
    """Make the attempt, log it, and queue the next one or disable the endpoint."""
    status, text, headers, seconds = deliver(endpoint.url, message_id, body,
                                             secrets.live(endpoint))
    succeeded = status is not None and 200 <= status < 300
    entry = DeliveryAttempt(endpoint.endpoint_id, key, message_id=message_id,
                            attempt=attempt, status="succeeded" if succeeded else "failed",
                            due=key.split("#")[0], at=timestamps.storage_now(),
                            http_status=status, duration_ms=int(seconds * 1000),
                            response=text[:LOGGED_ANSWER_CHARS],
                            expires_at=RETENTION)
    entry.save()
    observability.count_webhook_attempt(succeeded)
    if succeeded:
        if endpoint.failing_since is not None:
            _note(endpoint, WebhookEndpoint.failing_since.remove())
        return entry
    if status == 410:
        _disable(endpoint, "The endpoint answered 410 Gone.")
        return entry
    failing_since = endpoint.failing_since or int(time.time())
    if endpoint.failing_since is None:
        _note(endpoint, WebhookEndpoint.failing_since.set(failing_since))
    if time.time() - failing_since >= DISABLE_AFTER_SECONDS:
        _disable(endpoint, "Every attempt failed for 5 days.")
        return entry
    delay = queue.retry_delay(attempt, _retry_after(headers))
    if delay is not None:
        queue.enqueue(endpoint.endpoint_id, message_id, attempt + 1, delay, body=body)
    else:
        log.warning("webhook message exhausted its retries", extra={
            "endpoint_id": endpoint.endpoint_id, "message_id": message_id})
    return entry


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


def handle_delivery_message(text: str) -> None:
    """One SQS message of the delivery queue: an attempt that is due, or one that came early
    (queued again for what remains of its wait)."""
    wanted = json.loads(text)
    remaining = int(wanted["due"] - time.time())
    if remaining > 0:
        queue.enqueue(wanted["endpoint"], wanted["message"], wanted["attempt"], remaining,
                      key=wanted["key"], body=wanted.get("body"))
        return
    try:
        endpoint = WebhookEndpoint.get(wanted["endpoint"], consistent_read=True)
        message = wanted.get("body") or Event.get(wanted["message"], consistent_read=True).body
    except (WebhookEndpoint.DoesNotExist, Event.DoesNotExist):
        return  # the endpoint was deleted, or the event is past the feed's 30 days
    if endpoint.status != "enabled":
        DeliveryAttempt(endpoint.endpoint_id, wanted["key"], message_id=wanted["message"],
                        attempt=wanted["attempt"], status="failed", due=wanted["key"][:24],
                        at=timestamps.storage_now(), response="endpoint disabled",
                        expires_at=RETENTION).save()
        return
    attempt_delivery(endpoint, wanted["message"], message, wanted["attempt"], wanted["key"])
