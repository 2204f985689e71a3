"""Feed an SQS queue's messages to the app's ``on_sqs_message`` handler, as Lambda would.

Chalice's local server runs no event sources, so this does, with the rules of a mapping that
has ``FunctionResponseTypes: [ReportBatchItemFailures]``, a batch size and a maximum
concurrency: each invocation takes ``batch_size`` messages (the stage's mapping: 1), and at
most ``workers`` run at once (its ``MaximumConcurrency``). The messages a batch names as
failed stay in the queue (they come again after their visibility timeout); the others are
deleted. One receiver reads up to ten messages a call and hands them out, so the stand-in
answers a tenth of the receives and deletes that one call per message would cost.
"""
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

__all__ = ["QueuePoller"]

#: The pause after an empty receive, doubled while the queue stays empty, up to the most: a
#: message waits at most that long, and an idle stack costs the stand-in 3 calls a second.
POLL_INTERVAL_SECONDS = 0.1
MOST_POLL_INTERVAL_SECONDS = 0.4
RECEIVE_AT_MOST = 10  # SQS's most per ReceiveMessage


class QueuePoller:
    def __init__(self, sqs_client, queue_url: str, handler, batch_size: int = 10,
                 workers: int = 4) -> None:
        self.sqs, self.queue_url, self.handler = sqs_client, queue_url, handler
        self.batch_size, self.workers = batch_size, workers
        self._stop = threading.Event()

    def _invoke(self, received: list[dict]) -> list[dict]:
        """One invocation of the handler; the messages it handled (to delete)."""
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"], "attributes": m.get("Attributes", {}),
                    "messageAttributes": {}, "eventSource": "aws:sqs"} for m in received]
        try:
            answer = self.handler({"Records": records}, None) or {}
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - the whole batch comes again, as on Lambda
            log.exception("queue batch failed")
            failed = {m["MessageId"] for m in received}
        return [m for m in received if m["MessageId"] not in failed]

    def _receive(self) -> list[dict]:
        return self.sqs.receive_message(QueueUrl=self.queue_url,
                                        MaxNumberOfMessages=RECEIVE_AT_MOST).get("Messages", [])

    def _delete(self, done: list[dict]) -> None:
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)])

    def _batches(self, received: list[dict]) -> list[list[dict]]:
        return [received[start:start + self.batch_size]
                for start in range(0, len(received), self.batch_size)]

    def poll_once(self, pool: ThreadPoolExecutor | None = None) -> int:
        """Receive what is visible (ten at most) and handle it, ``workers`` invocations at
        once; how many messages there were."""
        received = self._receive()
        if not received:
            return 0
        batches = self._batches(received)
        if pool is None:
            done = [m for batch in batches for m in self._invoke(batch)]
        else:
            done = [m for handled in pool.map(self._invoke, batches) for m in handled]
        self._delete(done)
        return len(received)

    def drain(self) -> int:
        """Handle every message that is visible now, and those they queue without delay."""
        total = 0
        while handled := self.poll_once():
            total += handled
        return total

    def _run(self) -> None:
        """Receive while a worker is free; each batch runs on its own worker, and what the
        batches handled is deleted on the next turn, ten to a call. Short polls with a pause
        between empty ones: moto answers a long poll by holding its queue, which would slow
        every other call to the stand-in."""
        turn = threading.Condition()
        state = {"busy": 0, "done": []}
        pause = POLL_INTERVAL_SECONDS

        def run(batch: list[dict]) -> None:
            handled = self._invoke(batch)  # it never raises: a failed batch stays queued
            with turn:
                state["busy"] -= 1
                state["done"] += handled
                turn.notify()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="queue-worker") as pool:
            while not self._stop.is_set():
                with turn:
                    turn.wait_for(lambda: state["busy"] < self.workers or self._stop.is_set())
                    done, state["done"] = state["done"], []
                    free = self.workers - state["busy"]
                try:
                    for start in range(0, len(done), RECEIVE_AT_MOST):
                        self._delete(done[start:start + RECEIVE_AT_MOST])
                    received = self.sqs.receive_message(
                        QueueUrl=self.queue_url, MaxNumberOfMessages=min(
                            RECEIVE_AT_MOST, free * self.batch_size)).get("Messages", [])
                except Exception:  # noqa: BLE001 - the stand-in restarting: try again
                    log.exception("queue poll failed")
                    self._stop.wait(1)
                    continue
                if not received:
                    self._stop.wait(pause)
                    pause = min(pause * 2, MOST_POLL_INTERVAL_SECONDS)
                    continue
                pause = POLL_INTERVAL_SECONDS
                for batch in self._batches(received):
                    with turn:
                        state["busy"] += 1
                    pool.submit(run, batch)

    def start(self) -> None:
        """The receiver, whose batches run ``workers`` at a time, as Lambda runs several
        instances of a function that a queue keeps busy."""
        threading.Thread(target=self._run, name="queue-poller", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
