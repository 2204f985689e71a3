"""Run a handler over a stream batch: retry what may succeed later, set aside at once what
never will.

A record whose handling failed for a reason that a retry may mend (throttling, an outage, a
race with another writer: ``retryable``) is reported in Lambda's partial batch response
(``ReportBatchItemFailures``), and only it, and the records after it, come again. Any other
failure (a validation error, an item too large, a malformed record, a fault of ours) would fail
the same way every time: the record is set aside on its first attempt, described in the
stream failures queue with its reason (as Lambda describes what it gives up on, with the
record's keys beside), logged and counted (``StreamRecordsSetAside``, which alarms), and the
batch goes on. So one bad record delays the records behind it by its own handling only.
"""
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable

from ..core import clients, db, observability
from ..core.config import settings
from ..core.errors import TryAgain

__all__ = ["process_batch", "process_messages", "image_value", "retryable", "set_aside"]

log = logging.getLogger(__name__)
#: How much of a failure's text the failures queue keeps.
REASON_CHARS = 1000


def retryable(error: BaseException) -> bool:
    """Whether a retry may mend ``error``: AWS throttling or outages, a write that lost a race
    with another (a version, a transaction), what our code says is passing (``TryAgain``: an
    e-mail that another worker is sending, messages a queue refused)."""
    return (isinstance(error, TryAgain) or db.is_unavailable(error)
            or db.is_conditional_failure(error) or db.is_transaction_conflict(error))


def _iso(epoch_seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch_seconds))


def set_aside(record: dict, error: BaseException, handler: str, context=None) -> None:
    """Describe ``record`` and why it failed in the stream failures queue (where an operator
    finds it to replay once its cause is mended), log it and count it."""
    reason = f"{type(error).__name__}: {error}"[:REASON_CHARS]
    dynamodb = record.get("dynamodb", {})
    sequence = dynamodb.get("SequenceNumber")
    arrival = _iso(float(dynamodb.get("ApproximateCreationDateTime") or time.time()))
    log.error("stream record set aside: no retry can mend it", extra={
        "handler": handler, "sequence_number": sequence, "reason": reason})
    observability.count_stream_record_set_aside(handler)
    if not settings.stream_failures_queue_url:
        return
    clients.client("sqs").send_message(
        QueueUrl=settings.stream_failures_queue_url, MessageBody=json.dumps({
            "requestContext": {"requestId": getattr(context, "aws_request_id", None)
                               or str(uuid.uuid4()), "condition": "PermanentFailure",
                               "functionName": handler, "approximateInvokeCount": 1},
            "reason": reason, "eventName": record.get("eventName"),
            "keys": dynamodb.get("Keys"), "version": "1.0", "timestamp": _iso(time.time()),
            "DDBStreamBatchInfo": {
                "startSequenceNumber": sequence, "endSequenceNumber": sequence,
                "approximateArrivalOfFirstRecord": arrival,
                "approximateArrivalOfLastRecord": arrival, "batchSize": 1,
                "streamArn": record.get("eventSourceARN")}}))


def process_batch(records: Iterable, handle: Callable[[dict], None], handler: str) -> dict:
    """Call ``handle`` on each record (a Lambda-shaped dict); collect the failures that a
    retry may mend, and set aside the others.

    ``records`` is chalice's event (or any iterable of records); ``handler`` names the stream
    handler in logs and metrics.
    """
    context = getattr(records, "context", None)
    observability.start_batch(getattr(context, "aws_request_id", None), handler)
    failures = []
    for record in records:
        raw = record.to_dict() if hasattr(record, "to_dict") else record
        sequence = raw["dynamodb"]["SequenceNumber"]
        observability.logger.append_keys(sequence_number=sequence)
        try:
            handle(raw)
        except Exception as error:  # noqa: BLE001 - retried, or set aside with its reason
            if retryable(error):
                log.exception("stream record failed; reported for retry")
                observability.count_stream_failure(handler)
                failures.append({"itemIdentifier": sequence})
            else:
                set_aside(raw, error, handler, context)
    return {"batchItemFailures": failures}


def process_messages(records: Iterable, handle: Callable[[str], None], handler: str) -> dict:
    """Call ``handle`` on the body of each SQS message; the failures, for SQS to deliver
    again (the mapping's ReportBatchItemFailures)."""
    context = getattr(records, "context", None)
    observability.start_batch(getattr(context, "aws_request_id", None), handler)
    failures = []
    for record in records:
        raw = record.to_dict() if hasattr(record, "to_dict") else record
        try:
            handle(raw["body"])
        except Exception:  # noqa: BLE001 - reported to SQS, which delivers it again
            log.exception("queue message failed; reported for retry")
            observability.count_stream_failure(handler)
            failures.append({"itemIdentifier": raw["messageId"]})
    return {"batchItemFailures": failures}


def image_value(image: dict | None, name: str):
    """The plain value of a scalar attribute of a stream image (None if absent)."""
    typed = (image or {}).get(name)
    if not typed:
        return None
    kind, value = next(iter(typed.items()))
    return None if kind == "NULL" else value
