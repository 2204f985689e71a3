"""Structured logs and metrics, with Powertools for AWS Lambda.

Every line that a ``chalicelib`` module logs is one JSON object (Powertools' Logger format)
carrying the API Gateway request id and, once known, the API client's id; stream handlers
carry the stream record's sequence number instead. Metrics go out in CloudWatch's embedded
metric format (one JSON line each, which CloudWatch turns into metrics without an API call):

- ``Requests`` by ``api`` and ``status``, one per HTTP request;
- ``EmailsSent``, one per e-mail that SES accepted; ``SmsSent``, one per text SNS accepted;
- ``NotificationsRefused`` by ``channel`` (email, sms), one per message refused for good;
- ``NotificationsSuppressed`` by ``channel``, one per message past its account's budget;
- ``StreamRecordFailures`` by ``handler``, one per record reported back for a retry;
- ``AuthFailures`` by ``reason``, one per caller refused with 401 or 403, each also one
  WARNING line with the client id it claimed (never a secret or a token), the reason, the
  source address and the request id.

``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_METRICS_NAMESPACE`` and ``POWERTOOLS_LOG_LEVEL``
configure them (``.chalice/config.json`` sets all three); ``POWERTOOLS_METRICS_DISABLED=true``
silences the metrics (the local runner does, to keep its console readable).
"""
import logging
import os
import uuid

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

__all__ = ["logger", "start_request", "request_id", "start_batch", "identify_client",
           "count_request", "count_email_sent", "count_sms_sent", "count_stream_failure",
           "refused", "count_notification_refused", "count_notification_suppressed",
           "PACKAGE_LOGGER"]

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "servicedesk")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "servicedesk")
#: Every module of ours logs under this logger (``logging.getLogger(__name__)``).
PACKAGE_LOGGER = "chalicelib"

logger = Logger(service=SERVICE)
# The modules keep the standard ``logging.getLogger(__name__)``; their records reach this one
# handler, so they share its JSON format and the keys appended per request.
_package = logging.getLogger(PACKAGE_LOGGER)
_package.addHandler(logger.registered_handler)
_package.setLevel(logger.log_level)
_package.propagate = False


def start_request(request_id: str | None, path: str, method: str) -> None:
    """Forget the previous request's keys (a Lambda instance serves one after another).
    ``request_id`` is API Gateway's, as in its access log; a local server has none, so one is
    made up."""
    logger.clear_state()
    logger.append_keys(request_id=request_id or uuid.uuid4().hex, path=path, method=method)


def request_id() -> str | None:
    """The id of the request being served (errors quote it as their correlation id)."""
    return logger.get_current_keys().get("request_id")


def start_batch(lambda_request_id: str | None, handler: str) -> None:
    logger.clear_state()
    logger.append_keys(request_id=lambda_request_id, handler=handler)


def identify_client(client_id: str) -> None:
    logger.append_keys(client_id=client_id)


def _count(name: str, dimensions: dict[str, str]) -> None:
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def count_request(api: str, status: int) -> None:
    _count("Requests", {"api": api, "status": str(status)})


def count_email_sent() -> None:
    _count("EmailsSent", {})


def count_sms_sent() -> None:
    _count("SmsSent", {})


def count_notification_suppressed(channel: str) -> None:
    _count("NotificationsSuppressed", {"channel": channel})


def count_notification_refused(channel: str) -> None:
    _count("NotificationsRefused", {"channel": channel})


def count_stream_failure(handler: str) -> None:
    _count("StreamRecordFailures", {"handler": handler})


def count_stream_record_set_aside(handler: str) -> None:
    _count("StreamRecordsSetAside", {"handler": handler})


_audit = logging.getLogger(PACKAGE_LOGGER + ".audit")


def refused(status: int, reason: str, claimed_client: str | None,
            source_ip: str | None) -> None:
    """A caller refused (401, 403): one WARNING line and the metric, for the operator."""
    _audit.warning("caller refused", extra={
        "status": status, "reason": reason, "claimed_client_id": claimed_client,
        "source_ip": source_ip})
    _count("AuthFailures", {"reason": reason})


def count_webhook_attempt(succeeded: bool) -> None:
    _count("WebhookAttempts", {"outcome": "succeeded" if succeeded else "failed"})


def count_webhook_endpoint_disabled() -> None:
    _count("WebhookEndpointsDisabled", {})
