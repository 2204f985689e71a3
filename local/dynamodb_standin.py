"""Two fixes to moto's DynamoDB (5.2.5), so that the embedded stand-in behaves like DynamoDB
at any size. Applied by ``local.aws.start_moto``; nothing deployed imports this.

1. ``TransactWriteItems``. moto deep-copies every table a transaction touches and, when the
   transaction fails, puts the copies in place of the tables, streams included: a consumer
   holding an iterator of the old stream never sees another record, and every transaction
   costs time and memory in proportion to the table. Here, as in DynamoDB, every condition is
   checked against the state before the transaction, then the writes are applied with an undo
   journal of the touched items only; the stream records are emitted once all writes applied.
   A refused transaction changes nothing and emits nothing.
2. Stream records. moto keeps every record forever. DynamoDB keeps them 24 hours; here they
   are kept at most ``STREAM_RETENTION_SECONDS`` and at most ``STREAM_RECORD_LIMIT`` per shard
   (environment ``SERVICEDESK_STREAM_RECORD_LIMIT``), so memory stays flat under steady load.
   Sequence numbers keep counting; an iterator older than the oldest kept record reads from
   the oldest kept record (the records before it are trimmed, as in DynamoDB).
3. Memory. moto registers every instance of its models for its ``/moto-api/data.json`` page,
   for ever: every item ever written, every copy of it, every stream record and iterator. The
   DynamoDB models are not registered here (the page still lists sent e-mail).
4. Shard iterators. moto keeps every iterator it made, one more per GetRecords call; here they
   expire after 15 minutes, as DynamoDB's do (``ExpiredIteratorException``).

Records are no longer handed to moto's own Lambda event source mappings: the product feeds its
handlers with ``local.stream_poller``.
"""
import copy
import os
import time

from moto.core.exceptions import JsonRESTError
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import StreamRecord, StreamShard
from moto.dynamodbstreams import models as streams_models


class ExpiredIteratorException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ExpiredIteratorException", message)

__all__ = ["apply", "STREAM_RETENTION_SECONDS", "stream_record_limit", "snapshot_items",
           "restore_items"]

STREAM_RETENTION_SECONDS = 24 * 60 * 60
_OPERATIONS = ("ConditionCheck", "Put", "Delete", "Update")


def stream_record_limit() -> int:
    return int(os.environ.get("SERVICEDESK_STREAM_RECORD_LIMIT", "100000"))


# -- 1. transactions ---------------------------------------------------------------------


def _key_of(table, operation_type: str, operation: dict) -> dict:
    if operation_type != "Put":
        return operation["Key"]
    attributes = operation["Item"]
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


def _typed_key(table, key: dict) -> tuple:
    range_value = key.get(table.range_key_attr) if table.range_key_attr else None
    return DynamoType(key[table.hash_key_attr]), (DynamoType(range_value)
                                                  if range_value is not None else None)


def _check(backend, transact_items: list[dict]) -> list[tuple]:
    """Validate every operation and check every condition against the state as it is now.

    Returns (operation type, operation, table, key) for each item; raises what DynamoDB
    would: a validation error for a malformed request, a cancellation listing each reason.
    """
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen, checked, reasons = set(), [], []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        operation_type, operation = next(iter(item.items()))
        if operation_type not in _OPERATIONS:
            raise MockValidationException("Unsupported transaction operation")
        table = backend.get_table(operation["TableName"])
        key = _key_of(table, operation_type, operation)
        identity = (table.name, str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        checked.append((operation_type, operation, table, key))
        current = table.get_item(*_typed_key(table, key))
        condition = operation.get("ConditionExpression")
        if condition is not None and not get_filter_expression(
                condition, operation.get("ExpressionAttributeNames"),
                operation.get("ExpressionAttributeValues")).expr(current):
            old = None
            if operation.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
        else:
            reasons.append((None, None, None))
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)
    return checked


def _restore(table, hash_value, range_value, previous) -> None:
    if range_value is not None:
        if previous is None:
            table.items[hash_value].pop(range_value, None)
        else:
            table.items[hash_value][range_value] = previous
    elif previous is None:
        table.items.pop(hash_value, None)
    else:
        table.items[hash_value] = previous


def transact_write_items(self, transact_items: list[dict]) -> None:
    checked = _check(self, transact_items)
    writes = [(position, *item) for position, item in enumerate(checked)
              if item[0] != "ConditionCheck"]
    journal = []  # (table, hash, range, item before): undoes a write that fails midway
    held = {table.name: (table, table.stream_shard) for _, _, _, table, _ in writes}
    for table, _ in held.values():
        table.stream_shard = None  # records are emitted once every write has applied
    try:
        for position, operation_type, operation, table, key in writes:
            hash_value, range_value = _typed_key(table, key)
            before = table.get_item(hash_value, range_value)
            journal.append((table, hash_value, range_value, copy.deepcopy(before)))
            try:
                _write(self, operation_type, operation, table, key)
            except (MockValidationException, MultipleTransactionsException):
                raise
            except Exception as error:  # noqa: BLE001 - reported as DynamoDB reports it
                code = ("ConditionalCheckFailed" if isinstance(error, ConditionalCheckFailed)
                        else type(error).__name__)
                raise TransactionCanceledException(_reasons_at(
                    len(checked), position, (code, str(getattr(error, "message", error)))))
    except BaseException:
        for table, hash_value, range_value, previous in reversed(journal):
            _restore(table, hash_value, range_value, previous)
        raise
    finally:
        for table, shard in held.values():
            table.stream_shard = shard
    for table, hash_value, range_value, previous in journal:
        after = table.get_item(hash_value, range_value)
        if table.stream_shard is not None and (previous is not None or after is not None):
            table.stream_shard.add(previous, after)


def _write(backend, operation_type: str, operation: dict, table, key: dict) -> None:
    """Apply one write of a transaction; its condition was checked already."""
    names = operation.get("ExpressionAttributeNames")
    values = operation.get("ExpressionAttributeValues")
    if operation_type == "Put":
        backend.put_item(table.name, operation["Item"], expression_attribute_names=names,
                         expression_attribute_values=values)
    elif operation_type == "Delete":
        backend.delete_item(table.name, key)
    else:
        backend.update_item(table.name, key, update_expression=operation["UpdateExpression"],
                            expression_attribute_names=names,
                            expression_attribute_values=values)


def _reasons_at(count: int, position: int, reason: tuple) -> list[tuple]:
    return [(*reason, None) if index == position else (None, None, None)
            for index in range(count)]


# -- 2. bounded stream records -----------------------------------------------------------


def _trimmed(shard) -> int:
    return getattr(shard, "trimmed_count", 0)


def shard_add(self, old, new) -> None:
    """moto's StreamShard.add, with records trimmed by age and count."""
    view_type = self.table.stream_specification["StreamViewType"]
    event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    sequence = self.starting_sequence_number + _trimmed(self) + len(self.items)
    record = StreamRecord(self.table, view_type, event_name, old, new, sequence)
    record.kept_since = time.monotonic()
    self.items.append(record)
    _trim(self)


def _trim(shard) -> None:
    limit = stream_record_limit()
    oldest_kept = time.monotonic() - STREAM_RETENTION_SECONDS
    drop = max(0, len(shard.items) - limit)
    while drop < len(shard.items) and getattr(shard.items[drop], "kept_since", 0) < oldest_kept:
        drop += 1
    if drop and (drop >= limit // 10 or len(shard.items) > limit):
        del shard.items[:drop]  # in chunks: deleting the head of a list costs its length
        shard.trimmed_count = _trimmed(shard) + drop


def shard_get(self, start: int, quantity: int) -> list[dict]:
    offset = max(0, start - self.starting_sequence_number - _trimmed(self))
    return [record.to_json() for record in self.items[offset:offset + quantity]]


_moto_shard_iterator_init = streams_models.ShardIterator.__init__


def shard_iterator_init(self, streams_backend, stream_shard, shard_iterator_type,
                        sequence_number=None) -> None:
    _moto_shard_iterator_init(self, streams_backend, stream_shard, shard_iterator_type,
                              sequence_number)
    self.made_at = time.monotonic()
    if shard_iterator_type == "LATEST":
        self.sequence_number += _trimmed(stream_shard)
    elif shard_iterator_type == "TRIM_HORIZON":
        self.sequence_number = stream_shard.starting_sequence_number + _trimmed(stream_shard)


ITERATOR_LIFETIME_SECONDS = 15 * 60  # as DynamoDB's shard iterators


def get_records(self, iterator_arn: str, limit: int) -> dict:
    """moto's get_records, with iterators that expire after 15 minutes, as DynamoDB's do."""
    now = time.monotonic()
    iterators = self.shard_iterators
    while iterators:  # oldest first: a dict keeps the order in which they were made
        oldest = next(iter(iterators))
        if now - getattr(iterators[oldest], "made_at", 0) <= ITERATOR_LIFETIME_SECONDS:
            break
        del iterators[oldest]
    if iterator_arn not in iterators:
        raise ExpiredIteratorException("Iterator expired. The iterator was created over 15 "
                                       "minutes ago or is not known.")
    iterator = iterators[iterator_arn]
    answer = iterator.get(limit)
    shard = iterator.stream_shard
    if self.dynamodb.tables.get(shard.table.name) is not shard.table \
            or shard.table.stream_shard is not shard:
        # The table was deleted (or its stream replaced): as in DynamoDB, the old shard is
        # closed, and a reader learns so from the missing NextShardIterator.
        answer.pop("NextShardIterator", None)
    return answer


# -- for tests: back to a known state without recreating tables -------------------------


def _backends():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return (dynamodb_models.dynamodb_backends[DEFAULT_ACCOUNT_ID][region],
            ses_backends[DEFAULT_ACCOUNT_ID][region])


def snapshot_items() -> dict:
    """The items and stream records of every table of the in-process stand-in."""
    dynamodb, _ = _backends()
    return {name: (copy.deepcopy(table.items),
                   list(table.stream_shard.items) if table.stream_shard else [],
                   _trimmed(table.stream_shard))
            for name, table in dynamodb.tables.items()}


def restore_items(snapshot: dict) -> None:
    """Put every table and stream back to ``snapshot``, and forget the e-mail sent.

    Tables, indexes and streams stay: recreating them per test cost most of the suite's time.
    """
    dynamodb, ses = _backends()
    for name, table in dynamodb.tables.items():
        items, records, trimmed = snapshot.get(name, ({}, [], 0))
        table.items = copy.deepcopy(items)
        if table.stream_shard is not None:
            table.stream_shard.items = list(records)
            table.stream_shard.trimmed_count = trimmed
    ses.sent_messages.clear()
    _forget_tracked("ses")
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    for queue in sqs_backends[DEFAULT_ACCOUNT_ID][region].queues.values():
        queue._messages.clear()  # the stream failures queue starts empty
        queue._pending_messages.clear()
    from moto.sns.models import sns_backends
    sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages.clear()


def sent_texts() -> list[tuple[str, str]]:
    """(phone number, message) of every text message the in-process stand-in has sent."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return list(sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages.values())


def sent_emails() -> list:
    """moto's messages (``id``, ``subject``, ``body``, ``destinations``) of every e-mail the
    in-process stand-in has sent."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)


def _forget_tracked(service: str) -> None:
    from moto.core.model_instances import model_data
    for model in model_data[service].values():
        model.instances_tracked.clear()


class _NotTracked(list):
    """An ``instances_tracked`` list that keeps nothing."""

    def append(self, instance) -> None:
        pass


def _untrack(*services: str) -> None:
    import moto.awslambda.models  # noqa: F401 - registers its models
    import moto.dynamodbstreams.models  # noqa: F401 - registers its models
    from moto.core.model_instances import model_data
    for service in services:
        for model in model_data[service].values():
            model.instances_tracked = _NotTracked()


def apply() -> None:
    """Install the fixes (idempotent)."""
    # Lambda's too: reading a function's every attribute, as /moto-api/data.json does, asks
    # for a Docker engine that the stand-in neither has nor needs (it runs no Lambda code).
    _untrack("dynamodb", "dynamodbstreams", "awslambda")
    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items
    StreamShard.add = shard_add
    StreamShard.get = shard_get
    streams_models.ShardIterator.__init__ = shard_iterator_init
    streams_models.DynamoDBStreamsBackend.get_records = get_records
