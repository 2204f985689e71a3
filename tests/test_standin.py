"""The embedded stand-in behaves like DynamoDB where the product relies on it, and the stream
poller never goes deaf (``local/dynamodb_standin.py``, ``local/stream_poller.py``)."""
import threading
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodbstreams.models import dynamodbstreams_backends

import app as app_module
from chalicelib.core.config import settings
from chalicelib.streams.history import entries_of
from chalicelib.support_requests.models import SupportRequest
from local import aws
from local.stream_poller import StreamPoller, bindings_from_mappings

from .conftest import ENDPOINT, Streams, sent_emails

REQUESTS = settings.table_name("support_requests")
KEYS = settings.table_name("unique_keys")


def dynamodb():
    return boto3.client("dynamodb", endpoint_url=ENDPOINT)


def backend():
    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def wait_for(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (result := check()):
            return result
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_refused_transaction_changes_nothing_and_keeps_the_table_and_its_stream():
    table, shard = backend().tables[REQUESTS], backend().tables[REQUESTS].stream_shard
    records_before = len(shard.items)
    with pytest.raises(ClientError) as refused:
        dynamodb().transact_write_items(TransactItems=[
            {"Put": {"TableName": REQUESTS, "Item": {"identifier": {"S": "x1"}}}},
            {"Put": {"TableName": KEYS, "Item": {"key": {"S": "k"}}}},
            {"ConditionCheck": {"TableName": KEYS, "Key": {"key": {"S": "counter#none"}},
                                "ConditionExpression": "attribute_exists(#k)",
                                "ExpressionAttributeNames": {"#k": "key"}}}])
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in refused.value.response["CancellationReasons"]] == [
        "None", "None", "ConditionalCheckFailed"]
    assert "Item" not in dynamodb().get_item(TableName=REQUESTS, Key={"identifier": {"S": "x1"}})
    assert "Item" not in dynamodb().get_item(TableName=KEYS, Key={"key": {"S": "k"}})
    assert backend().tables[REQUESTS] is table and table.stream_shard is shard
    assert len(shard.items) == records_before  # nothing was emitted


def test_a_write_that_fails_midway_is_undone():
    dynamodb().put_item(TableName=KEYS, Item={"key": {"S": "n"}, "value": {"S": "text"}})
    with pytest.raises(ClientError):
        dynamodb().transact_write_items(TransactItems=[
            {"Put": {"TableName": REQUESTS, "Item": {"identifier": {"S": "y1"}}}},
            {"Update": {"TableName": KEYS, "Key": {"key": {"S": "n"}},
                        "UpdateExpression": "ADD #v :one",  # a string cannot be added to
                        "ExpressionAttributeNames": {"#v": "value"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    assert "Item" not in dynamodb().get_item(TableName=REQUESTS, Key={"identifier": {"S": "y1"}})
    assert dynamodb().get_item(TableName=KEYS, Key={"key": {"S": "n"}})["Item"]["value"] == {
        "S": "text"}


def test_a_taken_extid_does_not_stop_later_emails_or_history(api, streams):
    first, second = api.raise_request(), api.raise_request()
    assert api.post_form(f"/api/v1/requests/{first}/extid", "extid=A-1").status == 200
    assert api.post_form(f"/api/v1/requests/{second}/extid", "extid=A-1").status == 409
    api.update(second, "<state>IN_PROGRESS</state>")
    streams.drain()
    assert [m["subject"].split(":")[0] for m in sent_emails()] == [
        f"Your support request {second} is now In Progress"]
    assert [e.version for e in entries_of("support-request", second)] == [1, 2]


def test_stream_records_are_kept_up_to_a_limit_and_reading_goes_on(monkeypatch):
    monkeypatch.setenv("SERVICEDESK_STREAM_RECORD_LIMIT", "50")
    streams = boto3.client("dynamodbstreams", endpoint_url=ENDPOINT)
    arn = aws.stream_arn(REQUESTS)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    for n in range(200):
        dynamodb().put_item(TableName=REQUESTS, Item={"identifier": {"S": f"z{n}"}})
    assert len(backend().tables[REQUESTS].stream_shard.items) <= 55
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    answer = streams.get_records(ShardIterator=iterator, Limit=1000)
    kept = [r["dynamodb"]["Keys"]["identifier"]["S"] for r in answer["Records"]]
    assert kept[-1] == "z199" and len(kept) <= 55
    dynamodb().put_item(TableName=REQUESTS, Item={"identifier": {"S": "after"}})
    more = streams.get_records(ShardIterator=answer["NextShardIterator"])["Records"]
    assert [r["dynamodb"]["Keys"]["identifier"]["S"] for r in more] == ["after"]
    assert int(more[0]["dynamodb"]["SequenceNumber"]) > int(
        answer["Records"][-1]["dynamodb"]["SequenceNumber"])


def test_an_unknown_iterator_is_an_expired_iterator_error():
    streams = boto3.client("dynamodbstreams", endpoint_url=ENDPOINT)
    with pytest.raises(ClientError) as error:
        streams.get_records(ShardIterator="arn:aws:dynamodb:nothing|1|x")
    assert error.value.response["Error"]["Code"] == "ExpiredIteratorException"


def _running_poller(**options):
    delivered = []
    bindings = bindings_from_mappings(aws.lambda_client(), app_module, latest_arn=aws.stream_arn)
    for binding in bindings:
        def counting(event, context, handler=binding.handler, table=binding.table_name):
            delivered.extend((table, r["dynamodb"]["SequenceNumber"]) for r in event["Records"])
            return handler(event, context)
        binding.handler = counting
    poller = StreamPoller(aws.streams_client(), bindings, backoff_seconds=0.01,
                          latest_arn=aws.stream_arn, **options)
    poller.start()
    return poller, delivered


def test_the_poller_reopens_from_its_checkpoint_when_its_iterators_are_lost(api):
    poller, delivered = _running_poller()
    try:
        identifier = api.raise_request()
        api.update(identifier, "<state>IN_PROGRESS</state>")
        wait_for(lambda: len(sent_emails()) == 1)
        dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].shard_iterators.clear()
        api.update(identifier, "<state>SUCCESSFUL</state>")
        wait_for(lambda: len(sent_emails()) == 2)
        time.sleep(0.3)
    finally:
        poller.stop()
    assert len(delivered) == len(set(delivered))  # nothing delivered twice
    assert len(entries_of("support-request", identifier)) == 3


def test_the_poller_follows_a_table_whose_stream_was_replaced(api):
    poller, _ = _running_poller()
    try:
        api.update(api.raise_request(), "<state>PROBLEM</state>")
        wait_for(lambda: len(sent_emails()) == 1)
        SupportRequest.delete_table()
        SupportRequest.create_table(wait=True)
        identifier = api.raise_request()
        api.update(identifier, "<state>IN_PROGRESS</state>")
        wait_for(lambda: len(sent_emails()) == 2, seconds=15)
    finally:
        poller.stop()
    assert entries_of("support-request", identifier)


def test_a_stopped_poller_leaves_undelivered_records_for_its_next_start(api):
    identifier = api.raise_request()
    api.update(identifier, "<state>IN_PROGRESS</state>")
    streams = Streams()
    handled = threading.Event()
    binding = streams.binding("on_support_request_change")
    real = binding.handler

    def failing_then_stopping(event, context):
        streams.poller.stop()
        handled.set()
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
                                      for r in event["Records"]]}
    binding.handler = failing_then_stopping
    streams.poller.backoff_seconds = 0.01
    streams.poller.poll_binding(binding)
    assert handled.is_set() and binding.iterators == {} and sent_emails() == []
    binding.handler = real
    streams.poller._stop.clear()
    streams.poller.poll_binding(binding)
    assert len(sent_emails()) == 1


def test_a_queue_of_thousands_answers_each_call_in_time_proportional_to_it():
    """moto counted every message of a queue once per message received or sent."""
    sqs = aws.sqs_client()
    url = sqs.create_queue(QueueName="standin-many")["QueueUrl"]
    for start in range(0, 3000, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": f"m{start + n}", "DelaySeconds": 900 if n else 0}
            for n in range(10)])
    started = time.monotonic()
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    sqs.send_message(QueueUrl=url, MessageBody="one more")
    assert time.monotonic() - started < 1.0
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert int(counts["ApproximateNumberOfMessagesNotVisible"]) == len(received)
    assert int(counts["ApproximateNumberOfMessagesDelayed"]) == 2700
    assert int(counts["ApproximateNumberOfMessages"]) == 300 - len(received) + 1


def test_the_data_calls_answer_what_motos_own_writer_answered():
    """local.dynamodb_answers writes the data calls' answers directly: byte for byte what
    moto's model-driven serializer writes, for every attribute type."""
    from moto.dynamodb.responses import DynamoHandler

    from local import dynamodb_answers
    dynamodb = boto3.client("dynamodb", endpoint_url=aws.configured_endpoint())
    dynamodb.create_table(TableName="answers", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "k", "KeyType": "HASH"},
                                     {"AttributeName": "r", "KeyType": "RANGE"}],
                          AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"},
                                                {"AttributeName": "r", "AttributeType": "N"}])
    item = {"k": {"S": "a"}, "r": {"N": "1"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
            "z": {"NULL": True}, "l": {"L": [{"S": "x"}, {"N": "2.5"}, {"M": {"q": {"S": "y"}}}]},
            "m": {"M": {"n": {"N": "-3"}, "s": {"SS": ["p", "o"]}}}, "ns": {"NS": ["1", "2"]},
            "bs": {"BS": [b"\x01", b"\x02"]}, "e": {"S": "é \u2028 \\" + '"'}}
    calls = {
        "PutItem": lambda: dynamodb.put_item(TableName="answers", Item=item,
                                             ReturnValues="ALL_OLD"),
        "GetItem": lambda: dynamodb.get_item(TableName="answers", Key={
            "k": {"S": "a"}, "r": {"N": "1"}}),
        "Query": lambda: dynamodb.query(TableName="answers", KeyConditionExpression="k = :k",
                                        ExpressionAttributeValues={":k": {"S": "a"}}, Limit=1),
        "Scan": lambda: dynamodb.scan(TableName="answers"),
        "BatchGetItem": lambda: dynamodb.batch_get_item(RequestItems={"answers": {"Keys": [
            {"k": {"S": "a"}, "r": {"N": "1"}}, {"k": {"S": "none"}, "r": {"N": "1"}}]}}),
        "UpdateItem": lambda: dynamodb.update_item(
            TableName="answers", Key={"k": {"S": "a"}, "r": {"N": "1"}},
            UpdateExpression="SET c = :c", ExpressionAttributeValues={":c": {"N": "7"}},
            ReturnValues="ALL_NEW"),
    }
    answers = {}
    try:
        for name, call in calls.items():
            answers[name] = call()
        DynamoHandler.serialized = dynamodb_answers._serialized  # moto's own writer
        for name, call in calls.items():
            expected = call()
            if name != "PutItem":  # the second put answers the first's item: not comparable
                for answer in (expected, answers[name]):
                    answer.pop("ResponseMetadata")
                assert answers[name] == expected, name
    finally:
        dynamodb_answers.apply()
        dynamodb.delete_table(TableName="answers")
