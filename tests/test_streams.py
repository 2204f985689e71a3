"""History and e-mail follow the stream: once each, even when a batch is replayed or SES fails."""
import json

import boto3
from botocore.exceptions import ClientError

from chalicelib.streams import notifications
from chalicelib.streams.history import HistoryEntry, entries_of
from chalicelib.support_requests.models import SupportRequest
from local import aws

from .conftest import ENDPOINT, Streams, failure_queue_messages, sent_emails

BASE = "/api/v1/requests"


def emails_to(address: str) -> list[dict]:
    return [m for m in sent_emails() if address in m["destinations"]["ToAddresses"]]


def test_every_change_gets_one_history_entry(api, streams):
    identifier = api.raise_request()
    api.update(identifier, "<state>IN_PROGRESS</state>")
    api.post_form(f"{BASE}/{identifier}/extid", "extid=MAX-1")
    streams.drain()
    entries = entries_of("support-request", identifier)
    assert [(e.event, e.version) for e in entries] == [("INSERT", 1), ("MODIFY", 2), ("MODIFY", 3)]
    assert json.loads(entries[1].changes)["state"] == {"old": "NEW", "new": "IN_PROGRESS"}
    assert json.loads(entries[2].changes)["extid"] == {"old": None, "new": "MAX-1"}


def test_each_state_change_sends_one_email_with_summary_state_and_comment(api, streams):
    identifier = api.raise_request("Spot taken")
    api.update(identifier, "<comment>just a comment</comment>")
    api.update(identifier, "<state>IN_PROGRESS</state><comment>Calling the driver</comment>")
    api.update(identifier, "<assignee>Jenny</assignee>")  # already IN_PROGRESS: no state change
    api.update(identifier, "<state>SUCCESSFUL</state>")
    streams.drain()
    emails = emails_to("joe.banks@example.net")
    assert [m["subject"] for m in emails] == [
        f"Your support request {identifier} is now In Progress: Spot taken",
        f"Your support request {identifier} is now Successful: Spot taken"]
    first = emails[0]
    assert first["source"] == "servicedesk@example.com"
    assert "Calling the driver" in first["body"]


def test_email_has_plain_text_and_escaped_html(api, streams):
    identifier = api.raise_request("&lt;b&gt;bold&lt;/b&gt; &amp; co")
    api.update(identifier, "<state>PROBLEM</state><comment>&lt;script&gt;</comment>")
    streams.drain()
    # moto keeps one body: the HTML part, when there is one
    [email] = emails_to("joe.banks@example.net")
    assert "&lt;script&gt;" in email["body"] and "<script>" not in email["body"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in email["body"]
    assert email["subject"].endswith("<b>bold</b> & co")


def test_line_breaks_of_a_summary_never_reach_a_mail_header(api, streams):
    """A summary is text of many lines; a subject is one header line: CR/LF would start a
    header of the client's choosing (Bcc:)."""
    identifier = api.raise_request("Broken&#13;\nBcc: list@example.org&#x2028;x\tend")
    api.update(identifier, "<state>PROBLEM</state>")
    streams.drain()
    [email] = emails_to("joe.banks@example.net")
    assert email["subject"].endswith(": Broken Bcc: list@example.org x end")
    assert not any(char in email["subject"] for char in "\r\n\t\u2028")


def test_assignment_that_moves_new_to_in_progress_sends_an_email(api, streams):
    identifier = api.raise_request()
    api.update(identifier, "<assignee>Jenny Bujold</assignee>")
    streams.drain()
    [email] = emails_to("joe.banks@example.net")
    assert "In Progress" in email["subject"] and "Jenny Bujold" in email["body"]


def test_email_goes_to_the_address_given_on_the_request(api, streams):
    identifier = api.raise_request(extra="<email>other@example.org</email>")
    api.update(identifier, "<state>CANCELLED</state>")
    streams.drain()
    assert len(emails_to("other@example.org")) == 1 and emails_to("joe.banks@example.net") == []


def test_replayed_batch_writes_no_duplicate_history_and_sends_no_second_email(api):
    identifier = api.raise_request()
    api.update(identifier, "<state>IN_PROGRESS</state>")
    first = Streams()
    assert first.drain() == 3  # the account's creation, the request's creation and update
    replay = Streams()  # a new reader starts again from the trim horizon: the same records
    assert replay.drain() == 3
    assert len(entries_of("support-request", identifier)) == 2
    assert len(emails_to("joe.banks@example.net")) == 1


def test_after_a_failed_record_it_and_every_later_record_come_again_in_order(api):
    identifier = api.raise_request()
    api.update(identifier, "<state>IN_PROGRESS</state>")
    api.update(identifier, "<comment>after</comment>")

    real = notifications.ses_client()

    class ThrottledOnce:
        calls = 0

        def send_email(self, **message):
            ThrottledOnce.calls += 1
            if ThrottledOnce.calls == 1:
                raise ClientError({"Error": {"Code": "Throttling", "Message": "Maximum "
                                             "sending rate exceeded."}}, "SendEmail")
            return real.send_email(**message)

    import app as app_module
    batches = []
    streams = Streams()
    binding = streams.binding("on_support_request_change")

    def recording(event, context):
        answer = app_module.on_support_request_change(event, context)
        batches.append(([r["eventName"] for r in event["Records"]], answer))
        return answer
    binding.handler = recording
    notifications.use_ses_client(ThrottledOnce())
    try:
        streams.drain()
    finally:
        notifications.use_ses_client(real)
    first_names, first_answer = batches[0]
    assert first_names == ["INSERT", "MODIFY", "MODIFY"]
    assert len(first_answer["batchItemFailures"]) == 1  # only the state change's record
    retried_names, retried_answer = batches[1]
    # Lambda's checkpoint rule: the failed record and every later one, in order
    assert retried_names == ["MODIFY", "MODIFY"] and retried_answer == {"batchItemFailures": []}
    assert len(emails_to("joe.banks@example.net")) == 1
    assert len(entries_of("support-request", identifier)) == 3


def test_a_record_that_keeps_failing_goes_to_the_failure_queue_without_blocking_the_rest(
        api, stack_outputs):
    identifier = api.raise_request()
    api.update(identifier, "<state>IN_PROGRESS</state>")

    class Down:
        def send_email(self, **message):
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "SES is "
                                         "unavailable"}}, "SendEmail")
    streams = Streams(max_attempts=2)
    real = notifications.ses_client()
    notifications.use_ses_client(Down())
    try:
        streams.drain()
    finally:
        notifications.use_ses_client(real)
    # the template's on-failure destination holds what Lambda would send: where the record is
    [message] = failure_queue_messages(stack_outputs)
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 2
    assert failure["requestContext"]["functionArn"].endswith(":servicedesk-OnSupportRequestChange")
    batch = failure["DDBStreamBatchInfo"]
    assert batch["streamArn"] == aws.stream_arn("servicedesk-support-requests")
    [record] = boto3.client("dynamodbstreams", endpoint_url=ENDPOINT).get_records(
        ShardIterator=boto3.client("dynamodbstreams", endpoint_url=ENDPOINT).get_shard_iterator(
            StreamArn=batch["streamArn"], ShardId=batch["shardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch["startSequenceNumber"])["ShardIterator"], Limit=1)["Records"]
    assert record["eventName"] == "MODIFY"
    assert record["dynamodb"]["NewImage"]["state"] == {"S": "IN_PROGRESS"}
    assert len(entries_of("support-request", identifier)) == 2  # the others were handled
    assert emails_to("joe.banks@example.net") == []
    # the e-mail's lease was released, so a later redelivery sends it
    Streams().drain()
    assert len(emails_to("joe.banks@example.net")) == 1


def test_a_write_that_changes_nothing_records_nothing(api, streams):
    import app as app_module
    identifier = api.raise_request()
    streams.drain()
    image = SupportRequest.get(identifier).serialize()
    event = {"Records": [{
        "eventID": "1", "eventName": "MODIFY", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1", "eventSourceARN": "arn:aws:dynamodb:us-east-1:1:table/t/stream/s",
        "dynamodb": {"OldImage": image, "NewImage": image, "SequenceNumber": "9",
                     "ApproximateCreationDateTime": 1700000000, "SizeBytes": 1,
                     "StreamViewType": "NEW_AND_OLD_IMAGES"}}]}
    assert app_module.on_support_request_change(event, None) == {"batchItemFailures": []}
    assert HistoryEntry.count(f"support-request#{identifier}") == 1
