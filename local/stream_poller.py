"""Feed DynamoDB stream records to the app's ``on_dynamodb_record`` handlers, as Lambda would.

Chalice's local server runs no event sources, so this does, with the rules of an event source
mapping that has ``FunctionResponseTypes: [ReportBatchItemFailures]``:

- each shard is read in order and checkpointed after the records its handler accepted;
- after a failed record, that record and every later record of the shard are delivered again,
  in order, with backoff (Lambda retries from the lowest failed sequence number);
- a record that fails every attempt goes to the failure file (the local counterpart of an
  on-failure destination) and is logged; the shard then moves on;
- any error while reading (the stand-in restarted, a stream replaced, an expired iterator) is
  logged, and the shard is described and opened again from its checkpoint, so the poller never
  goes deaf.
"""
import json
import logging
import os
import threading
import time

log = logging.getLogger(__name__)

__all__ = ["StreamBinding", "StreamPoller", "bindings_of", "FAILURES_FILE"]

#: Where records that failed every attempt are kept (one JSON document a line).
FAILURES_FILE = os.environ.get("SERVICEDESK_STREAM_FAILURES_FILE",
                               os.path.join(".local", "failed-stream-records.jsonl"))


class StreamBinding:
    """One table's stream and the handler that consumes it, with per-shard checkpoints."""

    def __init__(self, table_name: str, stream_arn: str, handler, batch_size: int = 100) -> None:
        self.table_name = table_name
        self.stream_arn = stream_arn
        self.handler = handler
        self.batch_size = batch_size
        self.iterators: dict[str, str | None] = {}
        self.checkpoints: dict[str, str] = {}  # shard -> last sequence number handled


def bindings_of(app_module, latest_arn=None) -> list[StreamBinding]:
    """Every DynamoDB stream handler that ``app_module``'s Chalice app declares.

    ``latest_arn(table_name)``, when given, replaces the declared ARN by the table's current
    stream (tests recreate their tables, and with them the streams).
    """
    bindings = []
    for source in app_module.app.event_sources:
        if hasattr(source, "stream_arn"):
            table_name = source.stream_arn.split(":table/")[1].split("/")[0]
            arn = latest_arn(table_name) if latest_arn is not None else source.stream_arn
            bindings.append(StreamBinding(table_name, arn, getattr(app_module, source.name),
                                          source.batch_size))
    return bindings


def _lambda_record(record: dict, stream_arn: str) -> dict:
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime", time.time())
    dynamodb["ApproximateCreationDateTime"] = (created.timestamp() if hasattr(created, "timestamp")
                                               else float(created))
    dynamodb.setdefault("SizeBytes", 0)
    dynamodb.setdefault("StreamViewType", "NEW_AND_OLD_IMAGES")
    return {"eventID": record.get("eventID"), "eventName": record["eventName"],
            "eventVersion": record.get("eventVersion", "1.1"), "eventSource": "aws:dynamodb",
            "awsRegion": record.get("awsRegion", "us-east-1"), "eventSourceARN": stream_arn,
            "dynamodb": dynamodb}


def _sequence(record: dict) -> str:
    return record["dynamodb"]["SequenceNumber"]


class StreamPoller:
    def __init__(self, streams_client, bindings: list[StreamBinding], max_attempts: int = 6,
                 backoff_seconds: float = 0.2, latest_arn=None,
                 failures_file: str | None = FAILURES_FILE) -> None:
        self.client = streams_client
        self.bindings = bindings
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.latest_arn = latest_arn  # table name -> current stream ARN, to follow a new stream
        self.failures_file = failures_file
        self.dropped: list[dict] = []  # records that failed every attempt
        self._stop = threading.Event()

    # -- reading -------------------------------------------------------------------------

    def _open(self, binding: StreamBinding) -> None:
        """Describe the stream and open each shard after its checkpoint (or at its start)."""
        if self.latest_arn is not None:
            arn = self.latest_arn(binding.table_name)
            if arn != binding.stream_arn:  # a new stream: old checkpoints mean nothing there
                log.warning("%s: following its new stream %s", binding.table_name, arn)
                binding.stream_arn, binding.checkpoints = arn, {}
        shards = self.client.describe_stream(StreamArn=binding.stream_arn)[
            "StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            position = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                         "SequenceNumber": binding.checkpoints[shard_id]}
                        if shard_id in binding.checkpoints else
                        {"ShardIteratorType": "TRIM_HORIZON"})
            binding.iterators[shard_id] = self.client.get_shard_iterator(
                StreamArn=binding.stream_arn, ShardId=shard_id, **position)["ShardIterator"]

    def poll_binding(self, binding: StreamBinding) -> int:
        """Deliver what one stream holds now; return how many records were handled."""
        if not binding.iterators:
            self._open(binding)
        handled = 0
        for shard_id, iterator in list(binding.iterators.items()):
            if iterator is None:  # a closed shard, read to its end
                continue
            answer = self.client.get_records(ShardIterator=iterator, Limit=binding.batch_size)
            records = [_lambda_record(r, binding.stream_arn) for r in answer["Records"]]
            if records and not self._deliver(binding, shard_id, records):
                binding.iterators = {}  # stopping: open again from the checkpoint
                return handled
            handled += len(records)
            binding.iterators[shard_id] = answer.get("NextShardIterator")
        if not any(binding.iterators.values()):  # every shard closed: the stream was replaced
            binding.iterators = {}
        return handled

    # -- delivering ----------------------------------------------------------------------

    def _deliver(self, binding: StreamBinding, shard_id: str, records: list[dict]) -> bool:
        """Hand ``records`` to the handler until each is accepted or given up on; False if
        the poller was stopped first."""
        pending, attempt = records, 0
        while pending:
            answer = binding.handler({"Records": pending}, None) or {}
            failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
            first = next((i for i, r in enumerate(pending) if _sequence(r) in failed), None)
            accepted = pending if first is None else pending[:first]
            if accepted:
                binding.checkpoints[shard_id] = _sequence(accepted[-1])
                attempt = 0
            if first is None:
                return True
            pending, attempt = pending[first:], attempt + 1
            if attempt >= self.max_attempts:
                self._give_up(binding, shard_id, pending[0])
                pending, attempt = pending[1:], 0
                continue
            if self._stop.wait(min(self.backoff_seconds * 2 ** (attempt - 1), 5.0)):
                return False
        return True

    def _give_up(self, binding: StreamBinding, shard_id: str, record: dict) -> None:
        log.error("stream record %s of %s failed %d attempts; kept in %s",
                  _sequence(record), binding.table_name, self.max_attempts,
                  self.failures_file or "memory")
        failure = {"table": binding.table_name, "shard": shard_id, "attempts": self.max_attempts,
                   "failed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "record": record}
        self.dropped.append(failure)
        if self.failures_file:
            os.makedirs(os.path.dirname(self.failures_file) or ".", exist_ok=True)
            with open(self.failures_file, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(failure, default=str) + "\n")
        binding.checkpoints[shard_id] = _sequence(record)

    # -- running -------------------------------------------------------------------------

    def poll_once(self) -> int:
        """Deliver what every stream holds now; return how many records were handled."""
        return sum(self.poll_binding(binding) for binding in self.bindings)

    def drain(self) -> int:
        """Poll until the streams are empty (tests use this to wait for side effects)."""
        total = 0
        while (count := self.poll_once()):
            total += count
        return total

    def run_binding(self, binding: StreamBinding, idle_seconds: float = 0.05,
                    most_idle_seconds: float = 0.4) -> None:
        """Poll one stream until stopped: at once while it has records, then less often the
        longer it stays quiet (every poll is a call to the stand-in, which serves one at a
        time)."""
        failing, wait = False, idle_seconds
        while not self._stop.is_set():
            try:
                handled = self.poll_binding(binding)
                if failing:
                    log.warning("%s: stream reading again", binding.table_name)
                failing = False
                wait = idle_seconds if handled else min(wait * 2, most_idle_seconds)
                if not handled:
                    self._stop.wait(wait)
            except Exception as error:  # noqa: BLE001 - open again from the checkpoint
                binding.iterators = {}
                if not failing:
                    log.warning("%s: stream read failed (%s); opening it again from its "
                                "checkpoint", binding.table_name, error)
                failing = True
                self._stop.wait(1.0)

    def start(self) -> list[threading.Thread]:
        """One thread per stream, as Lambda polls each shard on its own."""
        threads = [threading.Thread(target=self.run_binding, args=(binding,), daemon=True,
                                    name=f"stream-poller-{binding.table_name}")
                   for binding in self.bindings]
        for thread in threads:
            thread.start()
        return threads

    def stop(self) -> None:
        self._stop.set()
