"""Feed DynamoDB stream records to the app's ``on_dynamodb_record`` handlers, as Lambda would.

Chalice's local server runs no event sources, so this does: it reads each table's stream,
calls the handler with a Lambda-shaped event (``{"Records": [...]}``) in batches, and honours
the partial batch response: records named in ``batchItemFailures`` are retried with backoff,
the others are not delivered again.
"""
import logging
import threading
import time

log = logging.getLogger(__name__)


class StreamBinding:
    """One stream and the handler that consumes it."""

    def __init__(self, stream_arn: str, handler, batch_size: int = 100) -> None:
        self.stream_arn = stream_arn
        self.handler = handler
        self.batch_size = batch_size
        self.iterators: dict[str, str | None] = {}


def bindings_of(app_module, latest_arn=None) -> list[StreamBinding]:
    """Every DynamoDB stream handler that ``app_module``'s Chalice app declares.

    ``latest_arn(table_name)``, when given, replaces the declared ARN by the table's current
    stream (tests recreate their tables, and with them the streams).
    """
    bindings = []
    for source in app_module.app.event_sources:
        if hasattr(source, "stream_arn"):
            arn = source.stream_arn
            if latest_arn is not None:
                arn = latest_arn(arn.split(":table/")[1].split("/")[0])
            bindings.append(StreamBinding(arn, getattr(app_module, source.name),
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


class StreamPoller:
    def __init__(self, streams_client, bindings: list[StreamBinding], max_attempts: int = 6,
                 backoff_seconds: float = 0.2) -> None:
        self.client = streams_client
        self.bindings = bindings
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.dropped: list[dict] = []  # records that failed every attempt (Lambda: on-failure)
        self._stop = threading.Event()

    def _shard_iterators(self, binding: StreamBinding) -> dict[str, str | None]:
        if not binding.iterators:
            shards = self.client.describe_stream(StreamArn=binding.stream_arn)[
                "StreamDescription"]["Shards"]
            for shard in shards:
                binding.iterators[shard["ShardId"]] = self.client.get_shard_iterator(
                    StreamArn=binding.stream_arn, ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return binding.iterators

    def _deliver(self, binding: StreamBinding, records: list[dict]) -> None:
        pending = records
        for attempt in range(self.max_attempts):
            answer = binding.handler({"Records": pending}, None) or {}
            failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
            pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] in failed]
            if not pending:
                return
            time.sleep(min(self.backoff_seconds * 2 ** attempt, 5.0))
        log.error("dropping %d stream record(s) after %d attempts", len(pending),
                  self.max_attempts)
        self.dropped.extend(pending)

    def poll_once(self) -> int:
        """Deliver what the streams hold now; return how many records were delivered."""
        delivered = 0
        for binding in self.bindings:
            iterators = self._shard_iterators(binding)
            for shard_id, iterator in list(iterators.items()):
                if iterator is None:
                    continue
                answer = self.client.get_records(ShardIterator=iterator,
                                                 Limit=binding.batch_size)
                iterators[shard_id] = answer.get("NextShardIterator")
                records = [_lambda_record(r, binding.stream_arn) for r in answer["Records"]]
                if records:
                    self._deliver(binding, records)
                    delivered += len(records)
        return delivered

    def drain(self) -> int:
        """Poll until the streams are empty (tests use this to wait for side effects)."""
        total = 0
        while (count := self.poll_once()):
            total += count
        return total

    def run(self, idle_seconds: float = 0.2) -> None:
        while not self._stop.is_set():
            try:
                if not self.poll_once():
                    self._stop.wait(idle_seconds)
            except Exception:  # noqa: BLE001 - keep polling; the next poll retries
                log.exception("stream poll failed")
                self._stop.wait(1.0)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="stream-poller", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
