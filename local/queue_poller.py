"""Feed an SQS queue's messages to the app's ``on_sqs_message`` handler, as Lambda would.

Chalice's local server runs no event sources, so this does, with the rules of a mapping that
has ``FunctionResponseTypes: [ReportBatchItemFailures]``: the messages a batch names as failed
stay in the queue (they come again after their visibility timeout); the others are deleted.
"""
import logging
import threading

log = logging.getLogger(__name__)

__all__ = ["QueuePoller"]

POLL_INTERVAL_SECONDS = 0.1


class QueuePoller:
    def __init__(self, sqs_client, queue_url: str, handler, batch_size: int = 10,
                 workers: int = 4) -> None:
        self.sqs, self.queue_url, self.handler = sqs_client, queue_url, handler
        self.batch_size, self.workers = batch_size, workers
        self._stop = threading.Event()

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Handle one batch; how many messages it held."""
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_seconds).get("Messages", [])
        if not received:
            return 0
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"], "attributes": m.get("Attributes", {}),
                    "messageAttributes": {}, "eventSource": "aws:sqs"} for m in received]
        try:
            answer = self.handler({"Records": records}, None) or {}
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - the whole batch comes again, as on Lambda
            log.exception("queue batch failed")
            failed = {m["MessageId"] for m in received}
        done = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                for n, m in enumerate(received) if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=done)
        return len(received)

    def drain(self) -> int:
        """Handle every message that is visible now, and those they queue without delay."""
        total = 0
        while handled := self.poll_once():
            total += handled
        return total

    def _run(self) -> None:
        # Short polls with a pause between empty ones: moto answers a long poll by holding
        # its queue, which would slow every other call to the stand-in.
        while not self._stop.is_set():
            try:
                if not self.poll_once():
                    self._stop.wait(POLL_INTERVAL_SECONDS)
            except Exception:  # noqa: BLE001 - the stand-in restarting: try again
                log.exception("queue poll failed")
                self._stop.wait(1)

    def start(self) -> None:
        """``workers`` pollers side by side, as Lambda runs several instances of a function
        that a queue keeps busy."""
        for number in range(self.workers):
            threading.Thread(target=self._run, name=f"queue-poller-{number}",
                             daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
