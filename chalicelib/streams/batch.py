"""Run a handler over a stream batch and report failed records for Lambda to retry.

The answer is Lambda's partial batch response (``ReportBatchItemFailures``): only the records
named in it are retried, so one bad record neither blocks nor replays the others' effects
(handlers are idempotent anyway, so a replay would do no harm).
"""
import logging
from collections.abc import Callable, Iterable

from ..core import observability

__all__ = ["process_batch", "process_messages", "image_value"]

log = logging.getLogger(__name__)


def process_batch(records: Iterable, handle: Callable[[dict], None], handler: str) -> dict:
    """Call ``handle`` on each record (a Lambda-shaped dict); collect the failures.

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
        except Exception:  # noqa: BLE001 - reported to Lambda, which retries this record
            log.exception("stream record failed; reported for retry")
            observability.count_stream_failure(handler)
            failures.append({"itemIdentifier": sequence})
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
