"""No record can stall the streams. Each kind of record is grown to what its API accepts, and
every change still makes its event and its delivery, each message within its bound; a record
that no retry can mend is set aside on its first attempt, and the records behind it go on."""
import json

from chalicelib.core import clients
from chalicelib.events import bounds
from chalicelib.events.models import Event

from .cases_client import customer
from .conftest import Streams, failure_queue_messages, sent_emails
from .test_customers import BASE as CUSTOMERS
from .test_customers import created
from .test_webhooks import deliver_all, desk_basic, subscribe
from .tmf_client import tmf_customer

LONG = "0123456789" * 1000  # the longest comment a support request takes: 10,000 characters


def events_of(kind: str) -> list[Event]:
    return [event for event in Event.scan() if event.type == kind]


def assert_bounded(events: list[Event]) -> None:
    for event in events:
        assert len(event.body.encode()) <= bounds.MAX_BYTES, (event.type, len(event.body))


def test_a_support_request_with_150_long_comments_makes_every_event_and_delivery(
        api, loopback, receiver, stack_outputs):
    subscribe(api, receiver.url, auth={"Authorization": desk_basic()},
              event_types=["support_request.commented"])
    identifier = api.raise_request("A long conversation")
    for n in range(150):
        assert api.update(identifier, f"<comment>{n:03d} {LONG[:9995]}</comment>").status == 201
    other = api.raise_request("Another tenant's request", extra="<email>other@example.org"
                                                                "</email>")
    api.update(other, "<state>IN_PROGRESS</state>")
    deliver_all()
    commented = events_of("support_request.commented")
    assert len(commented) == 150
    assert_bounded(commented)
    last = json.loads(max(commented, key=lambda e: e.position).body)["data"]
    assert last["update-count"] == 150 and len(last["updates"]) == bounds.NEWEST
    assert last["updates"][0]["comment"].startswith("149 ")  # the newest first
    assert len(receiver.ids()) == 150 and len(receiver.received) >= 150
    assert [m["subject"] for m in sent_emails()
            if m["destinations"]["ToAddresses"] == ["other@example.org"]]
    assert failure_queue_messages(stack_outputs) == []


def test_a_ticket_with_many_long_notes_makes_every_event_and_hub_message(api, loopback,
                                                                         receiver):
    tmf = tmf_customer(api)
    hub = tmf.call("POST", "/hub", {"@type": "Hub", "callback": receiver.url})
    assert hub.status == 201
    tickets = customer(api)
    number = tickets.new_ticket()
    for n in range(120):
        assert tickets.note(number, f"{n:03d} " + LONG[:3995]).status == 200
    tickets.cancel(number, "Fixed itself")
    deliver_all()
    notes = events_of("ticket.note_added")
    assert len(notes) == 121  # and the cancellation's reason
    cancelled = events_of("ticket.cancelled")
    assert_bounded(notes + cancelled)
    shown = json.loads(cancelled[0].body)["data"]["otherDetails"]["notes"]
    assert len(shown) == bounds.NEWEST and shown[-1]["text"] == "Fixed itself"
    hub_messages = [json.loads(body) for _, body in receiver.received]
    assert len({m["eventId"] for m in hub_messages}) == 1 + 121 + 1  # create, notes, cancel
    assert all(len(json.dumps(m)) <= bounds.MAX_BYTES for m in hub_messages)


def test_a_customer_commented_until_it_is_full_makes_every_event(api, stack_outputs):
    identifier = created(api, email="talkative@example.net")
    comment = "<customer-update><comment>" + LONG[:4000] + "</comment></customer-update>"
    answers = [api.post_xml(f"{CUSTOMERS}/{identifier}/comments", comment).status
               for _ in range(110)]
    kept = answers.count(201)
    assert 80 < kept < 110 and set(answers[kept:]) == {409}  # full: refused, nothing changed
    Streams().drain()
    commented = events_of("customer.commented")
    assert len(commented) == kept
    assert_bounded(commented)
    newest = json.loads(max(commented, key=lambda e: e.position).body)
    assert newest["data"]["comment-count"] == kept
    assert failure_queue_messages(stack_outputs) == []


def test_a_service_request_resolved_until_it_is_full_makes_every_event(api, stack_outputs):
    from .test_crm_authentication import login
    from .test_crm_life_cycle import act, respond
    from .test_crm_service_requests import create
    token = login(api).data["data"]["token"]
    number = create(api, token, description=LONG[:4000], notes=LONG[:4000]).data["data"][
        "number"]
    respond(api, token, number)
    codes = []
    for n in range(120):
        answer = act(api, token, "temporary_resolve", number, temporary_resolution={
            "category_identifier": {"code": "WORK"}, "description": f"{n} " + LONG[:3990]})
        codes.append(answer.data["status"]["code"])
        if codes[-1] != "OK":
            break
    kept = codes.count("OK")
    assert kept > 50 and codes[-1] != "OK"  # full: refused in the envelope, nothing changed
    Streams().drain()
    resolved = events_of("service_request.temporarily_resolved")
    assert len(resolved) == kept
    assert_bounded(resolved + events_of("service_request.status_changed"))
    assert failure_queue_messages(stack_outputs) == []


def test_a_message_past_its_bound_leaves_its_largest_values_out_and_says_which():
    message = {"type": "x.updated", "data": {"api": "a", "id": "1", "url": "u", "small": "s",
                                             "huge": "h" * 300_000, "big": "b" * 40_000},
               "previous": {"huge": "p" * 200_000}}
    fitted = bounds.fit(message)
    assert bounds.size_of(fitted) <= bounds.MAX_BYTES
    assert fitted["truncated"] == ["data.huge", "previous.huge"]
    assert fitted["data"]["big"] == "b" * 40_000 and fitted["data"]["url"] == "u"
    assert bounds.fit({"data": {"id": "1"}}) == {"data": {"id": "1"}}


def test_a_record_that_cannot_succeed_is_set_aside_at_once_and_the_rest_go_on(
        api, stack_outputs):
    import app as app_module
    poisoned = api.raise_request("About to be broken")
    other = api.raise_request("Behind it", extra="<email>behind@example.org</email>")
    Streams().drain()
    # a record no code of ours could write: its version is not a number
    clients.client("dynamodb").update_item(
        TableName="servicedesk-support-requests", Key={"identifier": {"S": poisoned}},
        UpdateExpression="SET version = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    api.update(other, "<state>IN_PROGRESS</state>")
    calls = []
    streams = Streams(max_attempts=6)
    binding = streams.binding("on_support_request_change")

    def counted(event, context):
        calls.append([r["dynamodb"]["Keys"]["identifier"]["S"] for r in event["Records"]])
        return app_module.on_support_request_change(event, context)
    binding.handler = counted
    streams.drain()
    # one call for the whole batch (the stream from its start: both raises, the broken write,
    # the move): nothing retried, nothing waited for
    assert calls == [[poisoned, other, poisoned, other]]
    assert [m["subject"] for m in sent_emails()
            if m["destinations"]["ToAddresses"] == ["behind@example.org"]]
    [message] = failure_queue_messages(stack_outputs)
    aside = json.loads(message["Body"])
    assert aside["requestContext"]["condition"] == "PermanentFailure"
    assert aside["keys"] == {"identifier": {"S": poisoned}} and aside["reason"]
    assert aside["DDBStreamBatchInfo"]["startSequenceNumber"]


def test_a_history_entry_of_a_record_near_dynamodbs_limit_still_fits(api):
    """No API writes such a record (each field has its bound), but an entry must never be
    the write that fails: the largest values then say only that they changed."""
    from chalicelib.streams.history import entries_of, record_change
    old = {"identifier": {"S": "10000077"}, "version": {"N": "1"},
           "description": {"S": "a" * 250_000}, "summary": {"S": "short"}}
    new = {**old, "version": {"N": "2"}, "description": {"S": "b" * 250_000},
           "summary": {"S": "shorter"}}
    assert record_change("support-request", {"eventName": "MODIFY", "dynamodb": {
        "OldImage": old, "NewImage": new, "ApproximateCreationDateTime": 1796000000}})
    [entry] = entries_of("support-request", "10000077")
    changes = json.loads(entry.changes)
    assert changes["description"] == "changed"
    assert changes["summary"] == {"old": "short", "new": "shorter"}
