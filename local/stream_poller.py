"""Feed DynamoDB stream records to the app's ``on_dynamodb_record`` handlers, as Lambda would.

Chalice's local server runs no event sources, so this does, with the rules of an event source
mapping that has ``FunctionResponseTypes: [ReportBatchItemFailures]``:

- each shard is read in order and checkpointed after the records its handler accepted;
- after a failed record, that record and every later record of the shard are delivered again,
  in order, with backoff (Lambda retries from the lowest failed sequence number);
- a record that fails every attempt is logged and, when its mapping has an on-failure
  destination, described there as Lambda describes it (an SQS message with the stream, shard
  and sequence numbers, condition ``RetryAttemptsExhausted``); the shard then moves on;
- any error while reading (the stand-in restarted, a stream replaced, an expired iterator) is
  logged, and the shard is described and opened again from its checkpoint, so the poller never
  goes deaf.
"""
import json
import logging
import threading
import time
import uuid

log = logging.getLogger(__name__)

__all__ = ["StreamBinding", "StreamPoller", "bindings_of", "bindings_from_mappings"]


class StreamBinding:
    """One table's stream and the handler that consumes it, with per-shard checkpoints."""

    def __init__(self, table_name: str, stream_arn: str, handler, batch_size: int = 100,
                 max_attempts: int | None = None, on_failure: str | None = None,
                 function_arn: str | None = None) -> None:
        self.table_name = table_name
        self.stream_arn = stream_arn
        self.handler = handler
        self.batch_size = batch_size
        self.max_attempts = max_attempts  # None: the poller's own
        self.on_failure = on_failure  # the ARN of an SQS queue, or None
        self.function_arn = function_arn
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


def bindings_from_mappings(lambda_client, app_module, latest_arn=None) -> list[StreamBinding]:
    """A binding for every DynamoDB event source mapping that the stand-in's stack holds, with
    the mapping's batch size, retries and on-failure destination, calling the function's handler
    in ``app_module`` (the stand-in runs no Lambda code)."""
    bindings = []
    pages = lambda_client.get_paginator("list_event_source_mappings").paginate()
    for mapping in (m for page in pages for m in page["EventSourceMappings"]):
        if ":dynamodb:" not in mapping["EventSourceArn"]:
            continue
        function = lambda_client.get_function_configuration(FunctionName=mapping["FunctionArn"])
        handler = getattr(app_module, function["Handler"].split(".", 1)[1])
        table_name = mapping["EventSourceArn"].split(":table/")[1].split("/")[0]
        retries = mapping.get("MaximumRetryAttempts")
        bindings.append(StreamBinding(
            table_name, latest_arn(table_name) if latest_arn else mapping["EventSourceArn"],
            handler, mapping.get("BatchSize") or 100,
            max_attempts=None if retries is None or retries < 0 else retries + 1,
            on_failure=mapping.get("DestinationConfig", {}).get("OnFailure", {}).get(
                "Destination"), function_arn=mapping["FunctionArn"]))
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


def _iso(epoch_seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch_seconds))


def _failure_message(binding: StreamBinding, shard_id: str, record: dict,
                     attempts: int) -> dict:
    """What Lambda sends to an on-failure destination for a stream batch: where the records
    are, not the records (an operator reads them from the stream within its 24 hours)."""
    arrival = _iso(record["dynamodb"]["ApproximateCreationDateTime"])
    return {
        "requestContext": {"requestId": str(uuid.uuid4()), "functionArn": binding.function_arn,
                           "condition": "RetryAttemptsExhausted",
                           "approximateInvokeCount": attempts},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                            "functionError": None},
        "version": "1.0", "timestamp": _iso(time.time()),
        "DDBStreamBatchInfo": {
            "shardId": shard_id, "startSequenceNumber": _sequence(record),
            "endSequenceNumber": _sequence(record), "approximateArrivalOfFirstRecord": arrival,
            "approximateArrivalOfLastRecord": arrival, "batchSize": 1,
            "streamArn": binding.stream_arn},
    }


class StreamPoller:
    def __init__(self, streams_client, bindings: list[StreamBinding], max_attempts: int = 6,
                 backoff_seconds: float = 0.2, latest_arn=None, sqs_client=None) -> None:
        self.client = streams_client
        self.bindings = bindings
        self.max_attempts = max_attempts  # unless a binding (its mapping) says otherwise
        self.backoff_seconds = backoff_seconds
        self.latest_arn = latest_arn  # table name -> current stream ARN, to follow a new stream
        self.sqs = sqs_client  # to reach the bindings' on-failure destinations
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
            if attempt >= (binding.max_attempts or self.max_attempts):
                self._give_up(binding, shard_id, pending[0])
                pending, attempt = pending[1:], 0
                continue
            if self._stop.wait(min(self.backoff_seconds * 2 ** (attempt - 1), 5.0)):
                return False
        return True

    def _give_up(self, binding: StreamBinding, shard_id: str, record: dict) -> None:
        attempts = binding.max_attempts or self.max_attempts
        log.error("stream record %s of %s failed %d attempts; sent to %s",
                  _sequence(record), binding.table_name, attempts,
                  binding.on_failure or "no on-failure destination")
        self.dropped.append({"table": binding.table_name, "shard": shard_id,
                             "attempts": attempts, "record": record})
        if binding.on_failure and self.sqs is not None:
            queue_url = self.sqs.get_queue_url(
                QueueName=binding.on_failure.rsplit(":", 1)[1])["QueueUrl"]
            self.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(
                _failure_message(binding, shard_id, record, attempts)))
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
