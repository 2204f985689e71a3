"""Webhooks: every change pushed to subscribed endpoints, signed as Standard Webhooks says
(each delivery verified by the standardwebhooks package, never by our own code), and kept in
one feed. Every receiver listens on loopback."""
import json

import pytest
from standardwebhooks.webhooks import Webhook

import app as app_module
from chalicelib.core.config import settings
from chalicelib.events.models import Event
from local import aws, demo
from local.queue_poller import QueuePoller
from local.webhook_receiver import Receiver

from .cases_client import desk
from .conftest import Streams

JSON = {"Content-Type": "application/json"}


def verified(receiver: Receiver, secret: str) -> list[dict]:
    """Every message, each checked by the standardwebhooks receiver library."""
    return [Webhook(secret).verify(body, headers) for headers, body in receiver.received]


def deliver_all() -> None:
    """What the stream handlers and the delivery function do on AWS, until nothing is left."""
    Streams().drain()
    QueuePoller(aws.sqs_client(), settings.webhook_queue_url,
                app_module.on_webhook_delivery).drain()


def subscribe(api, url: str, auth=None, **fields):
    """An endpoint for the support requests' types unless told (every test starts with the
    demo seed's records in the streams, whose events an endpoint of every type would get)."""
    fields.setdefault("event_types", ["support_request.created",
                                      "support_request.state_changed"])
    answer = api.request("POST", "/webhooks/v1/endpoints", json.dumps({"url": url, **fields}),
                         headers=JSON, **({"auth": auth} if auth else {}))
    assert answer.status == 201, answer
    return answer.data


def test_an_endpoint_shows_its_secret_once_and_only_to_its_client(api, loopback, receiver):
    endpoint = subscribe(api, receiver.url, description="CAFM")
    assert endpoint["secret"].startswith("whsec_") and endpoint["status"] == "enabled"
    shown = api.get(f"/webhooks/v1/endpoints/{endpoint['id']}")
    assert shown.status == 200 and "secret" not in shown.data
    assert shown.data["description"] == "CAFM" and shown.data["exclude_own_changes"] is True
    other = api.get(f"/webhooks/v1/endpoints/{endpoint['id']}",
                    auth={"Authorization": desk_basic()})
    assert other.status == 404 and other.data["error"]["code"] == "not_found"
    from chalicelib.events.models import WebhookEndpoint
    kept = WebhookEndpoint.get(endpoint["id"]).secrets[0].ciphertext
    assert endpoint["secret"] not in kept  # encrypted by the stack's KMS key


def disabled_reason(api, endpoint_id: str) -> str:
    """Why the desk's endpoint is disabled (it must be)."""
    shown = api.get(f"/webhooks/v1/endpoints/{endpoint_id}",
                    auth={"Authorization": desk_basic()}).data
    assert shown["status"] == "disabled", shown
    return shown["disabled_reason"]


def desk_basic() -> str:
    import base64
    return "Basic " + base64.b64encode(":".join(demo.DESK_CREDENTIALS).encode()).decode()


@pytest.mark.parametrize("url", ["http://127.0.0.1/hook", "https://localhost/hook",
                                 "https://[::1]/hook", "https://2130706433/hook",
                                 "https://0x7f.1/hook", "https://127.0.0.1:8443/hook"])
def test_loopback_targets_are_refused_without_the_allowance(api, url):
    assert not settings.webhooks_allow_loopback
    answer = api.request("POST", "/webhooks/v1/endpoints", json.dumps({"url": url}),
                         headers=JSON)
    assert answer.status == 400 and answer.data["error"]["field"] == "url"
    assert api.get("/webhooks/v1/endpoints").data["data"] == []


def test_every_change_is_delivered_signed_with_what_it_changed(api, loopback, receiver):
    # the desk's endpoint: the demo client's changes are someone else's
    secret = subscribe(api, receiver.url, auth={"Authorization": desk_basic()},
                       event_types=["support_request.created",
                                    "support_request.state_changed"])["secret"]
    identifier = api.raise_request("The lift is broken")
    api.update(identifier, "<state>IN_PROGRESS</state><comment>On it</comment>")
    deliver_all()
    messages = verified(receiver, secret)
    assert [m["type"] for m in messages] == ["support_request.created",
                                             "support_request.state_changed"]
    created, moved = messages
    assert created["data"]["id"] == identifier and created["data"]["api"] == "support-requests"
    assert created["data"]["url"].endswith(f"/api/v1/requests/{identifier}")
    assert created["data"]["actor"] == demo.demo_credentials()[0]
    assert created["data"]["account"] == "01234574" and "previous" not in created
    assert moved["data"]["state"] == "IN_PROGRESS" and moved["previous"]["state"] == "NEW"
    assert moved["data"]["version"] == created["data"]["version"] + 1
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(set(ids)) == 2


def test_own_changes_are_left_out_unless_asked_for(api, loopback, receiver):
    own = Receiver()
    try:
        secret = subscribe(api, receiver.url, exclude_own_changes=False,
                           event_types=["support_request.created"])["secret"]
        # the default: its own client's changes are not sent
        subscribe(api, own.url, event_types=["support_request.created"])
        api.raise_request("Water leak")
        deliver_all()
        assert [m["type"] for m in verified(receiver, secret)] == ["support_request.created"]
        assert own.received == []
    finally:
        own.close()


def test_a_failed_attempt_is_retried_with_the_same_id_and_logged(api, loopback):
    failing = Receiver(answers=[500, 302])
    try:
        endpoint = subscribe(api, failing.url, auth={"Authorization": desk_basic()})
        api.raise_request("Door stuck")
        deliver_all()
        assert len(failing.received) == 3  # 500, a redirect (never followed), then 204
        assert len({headers["webhook-id"] for headers, _ in failing.received}) == 1
        verified(failing, endpoint["secret"])
        attempts = api.get(f"/webhooks/v1/endpoints/{endpoint['id']}/attempts",
                           auth={"Authorization": desk_basic()}).data["data"]
        assert [(a["status"], a["http_status"]) for a in attempts] == [
            ("failed", 500), ("failed", 302), ("succeeded", 204)]
        failed = api.get(f"/webhooks/v1/endpoints/{endpoint['id']}/attempts?status=failed",
                         auth={"Authorization": desk_basic()}).data["data"]
        assert len(failed) == 2
    finally:
        failing.close()


def test_410_disables_the_endpoint_at_once(api, loopback):
    gone = Receiver(answers=[410])
    try:
        endpoint = subscribe(api, gone.url, auth={"Authorization": desk_basic()})
        api.raise_request("First")
        deliver_all()
        api.raise_request("Second")
        deliver_all()
        assert len(gone.received) == 1
        assert "410" in disabled_reason(api, endpoint["id"])
    finally:
        gone.close()


def test_a_rotated_secret_signs_beside_the_new_one(api, loopback, receiver):
    endpoint = subscribe(api, receiver.url, auth={"Authorization": desk_basic()})
    rotated = api.request("POST", f"/webhooks/v1/endpoints/{endpoint['id']}/secret/rotate",
                          auth={"Authorization": desk_basic()})
    assert rotated.status == 200 and rotated.data["secret"] != endpoint["secret"]
    api.raise_request("Signed twice")
    deliver_all()
    assert len(verified(receiver, endpoint["secret"])) == 1  # the old one, in its grace
    assert len(verified(receiver, rotated.data["secret"])) == 1
    assert len(receiver.received[0][0]["webhook-signature"].split(" ")) == 2


def test_a_replayed_stream_makes_no_second_event(api, loopback, receiver):
    secret = subscribe(api, receiver.url, auth={"Authorization": desk_basic()})["secret"]
    api.raise_request("Once")
    deliver_all()
    Streams().drain()  # the same records again, from the trim horizon
    QueuePoller(aws.sqs_client(), settings.webhook_queue_url,
                app_module.on_webhook_delivery).drain()
    assert len(verified(receiver, secret)) == 1
    assert sum(1 for e in Event.scan() if e.type.startswith("support_request.")) == 1


def test_the_feed_holds_every_event_oldest_first_by_cursor(api, loopback):
    first = api.raise_request("One")
    api.raise_request("Two")
    api.update(first, "<state>IN_PROGRESS</state>")
    Streams().drain()
    wanted = "support_request.created,support_request.state_changed"
    page = api.get(f"/webhooks/v1/events?limit=2&types={wanted}")
    assert page.status == 200 and len(page.data["data"]) == 2, page
    assert page.headers["link"].endswith('>; rel="next"')
    rest = api.get(f"/webhooks/v1/events?limit=2&types={wanted}"
                   f"&cursor={page.data['next_cursor']}")
    types = [m["type"] for m in page.data["data"] + rest.data["data"]]
    assert sorted(types) == ["support_request.created", "support_request.created",
                             "support_request.state_changed"]
    assert types[-1] == "support_request.state_changed"  # the later change of `first`
    only = api.get("/webhooks/v1/events?types=support_request.state_changed")
    assert [m["data"]["id"] for m in only.data["data"]] == [first]
    reused = api.get("/webhooks/v1/events?types=support_request.created&cursor="
                     + page.data["next_cursor"])
    assert reused.status == 400 and reused.data["error"]["field"] == "cursor"


def test_a_client_bound_to_an_account_reads_only_that_accounts_events(api, loopback):
    from .cases_client import customer, other_customer
    customer(api).new_ticket()
    other = other_customer(api)
    other.new_ticket()
    desk(api).call("GET", "/tickets")
    Streams().drain()
    feed = api.get("/webhooks/v1/events?types=ticket.created").data["data"]
    assert [m["data"]["account"] for m in feed] == ["01234574"]


def test_the_catalogue_names_every_type_a_change_can_have(api):
    from chalicelib.events.sources import SOURCES
    answer = api.get("/webhooks/v1/event-types")
    names = {entry["name"] for entry in answer.data["data"]}
    for source in SOURCES:
        produced = {name for name, _ in source.changes}
        if not source.only_changes:  # (a work item's: only work_item.assigned)
            produced.add(source.created_type or f"{source.resource}.created")
        if source.kind != "case-note" and not source.only_changes:  # a note never changes
            produced.add(f"{source.resource}.updated")
        assert produced <= names, produced - names


def test_a_test_message_is_sent_on_request_and_kept_out_of_the_feed(api, loopback, receiver):
    endpoint = subscribe(api, receiver.url)
    sent = api.request("POST", f"/webhooks/v1/endpoints/{endpoint['id']}/test")
    assert sent.status == 202
    deliver_all()
    [message] = verified(receiver, endpoint["secret"])
    assert message["type"] == "webhook.test"
    assert receiver.received[0][0]["webhook-id"] == sent.data["message_id"]
    feed = api.get("/webhooks/v1/events?types=webhook.test").data["data"]
    assert feed == []


def test_an_endpoint_is_changed_paused_and_deleted_by_its_client(api, loopback, receiver):
    endpoint = subscribe(api, receiver.url, event_types=["support_request.created"])
    path = f"/webhooks/v1/endpoints/{endpoint['id']}"
    paused = api.request("PATCH", path, json.dumps({"status": "disabled"}), headers=JSON)
    assert paused.status == 200 and paused.data["status"] == "disabled"
    api.raise_request("While paused")
    deliver_all()
    assert receiver.received == []
    unknown = api.request("PATCH", path, json.dumps({"event_types": ["no.such"]}),
                          headers=JSON)
    assert unknown.status == 400 and unknown.data["error"]["field"] == "event_types/0"
    resumed = api.request("PATCH", path, json.dumps({"status": "enabled",
                                                     "exclude_own_changes": False}),
                          headers=JSON)
    assert resumed.data["status"] == "enabled" and resumed.data["disabled_reason"] is None
    api.raise_request("After")
    deliver_all()
    assert len(verified(receiver, endpoint["secret"])) == 1
    assert api.request("DELETE", path).status == 204
    assert api.get(path).status == 404
    api.raise_request("Gone")
    deliver_all()
    assert len(receiver.received) == 1


def test_redeliver_and_recover_send_again_with_the_original_id(api, loopback):
    # both messages fail every attempt (one and three retries each), then the receiver heals
    receiver = Receiver(answers=[500] * 8)
    endpoint = subscribe(api, receiver.url, exclude_own_changes=False,
                         event_types=["support_request.created"])
    path = f"/webhooks/v1/endpoints/{endpoint['id']}"
    api.raise_request("Once")
    api.raise_request("Twice")
    deliver_all()
    first_ids = list(dict.fromkeys(headers["webhook-id"] for headers, _ in receiver.received))
    assert len(first_ids) == 2 and len(receiver.received) == 8
    again = api.request("POST", f"{path}/messages/{first_ids[0]}/redeliver")
    assert again.status == 202
    deliver_all()
    assert receiver.received[-1][0]["webhook-id"] == first_ids[0]
    # recover sends what was not delivered: the second message only (the first was, again)
    recovered = api.request("POST", f"{path}/recover",
                            json.dumps({"since": "2020-01-01"}), headers=JSON)
    assert recovered.status == 202 and recovered.data["queued"] == 1
    deliver_all()
    assert receiver.received[-1][0]["webhook-id"] == first_ids[1]
    assert len(verified(receiver, endpoint["secret"])) == 10
    # both were delivered now: nothing is left to recover
    nothing = api.request("POST", f"{path}/recover",
                          json.dumps({"since": "2020-01-01"}), headers=JSON)
    assert nothing.status == 202 and nothing.data["queued"] == 0
    receiver.close()
    missing = api.request("POST", f"{path}/messages/msg_{'0' * 32}/redeliver")
    assert missing.status == 404


def test_an_endpoint_failing_for_five_days_is_disabled_and_its_owner_told(api, loopback):
    from chalicelib.events.models import WebhookEndpoint

    from .conftest import sent_emails
    down = Receiver(answers=[503] * 10)
    try:
        endpoint = subscribe(api, down.url, notify_email="ops@example.net",
                             auth={"Authorization": desk_basic()})
        stored = WebhookEndpoint.get(endpoint["id"])
        stored.update(actions=[WebhookEndpoint.failing_since.set(1)])  # long ago
        api.raise_request("Nobody listens")
        deliver_all()
        assert len(down.received) == 1
        assert "5 days" in disabled_reason(api, endpoint["id"])
        told = [m for m in sent_emails()
                if m["destinations"]["ToAddresses"] == ["ops@example.net"]]
        assert len(told) == 1 and endpoint["id"] in told[0]["subject"]
    finally:
        down.close()


def test_retry_after_is_honoured(api, monkeypatch, loopback):
    from chalicelib.events.models import STATE_PREFIX, DeliveryAttempt
    busy = Receiver(answers=[429], retry_after="120")
    try:
        endpoint = subscribe(api, busy.url, auth={"Authorization": desk_basic()})
        api.raise_request("Later, please")
        deliver_all()
        pending = [a for a in DeliveryAttempt.query(
            endpoint["id"], DeliveryAttempt.attempt_key < STATE_PREFIX)
            if a.status == "pending"]
        assert len(pending) == 1 and pending[0].attempt == 2
        from chalicelib.core import timestamps
        wait = (timestamps.parse_input(pending[0].due) - timestamps.now()).total_seconds()
        assert 100 < wait <= 120
    finally:
        busy.close()


def test_every_kind_of_change_says_what_it_changed(api, loopback):
    from .cases_client import customer
    tickets = customer(api)
    number = tickets.new_ticket()
    tickets.note(number, "Thanks")
    tickets.call("POST", f"/tickets/{number}/cancel", {"reason": "Fixed itself"})
    identifier = api.raise_request("Summary")
    api.update(identifier, "<comment>More detail</comment>")
    Streams().drain()
    messages = api.get("/webhooks/v1/events?limit=100").data["data"]
    feed = {m["type"]: m for m in messages}
    assert feed["ticket.cancelled"]["previous"]["status"] == "SUBMITTED"
    assert feed["ticket.cancelled"]["data"]["status"] == "CANCELLED"
    notes = [m["data"]["text"] for m in messages if m["type"] == "ticket.note_added"]
    assert notes == ["Thanks", "Fixed itself"]  # the note, then the cancellation's reason
    commented = feed["support_request.commented"]
    # a list that grows without limit: its newest entries, and in previous its old count
    assert len(commented["data"]["updates"]) == 1
    assert commented["previous"]["update-count"] == 0 and commented["previous"]["version"] == 1
    assert "updates" not in commented["previous"]



def test_the_other_apis_changes_say_what_they_changed_too(api):
    from .test_crm_life_cycle import respond
    from .test_crm_service_requests import create
    from .test_crm_service_requests import token as _token  # noqa: F401 - the fixture
    from .test_customers import BASE as CUSTOMERS
    from .test_customers import created, put_xml
    from .test_property_relationships import associate, end, new_property
    customer = created(api, email="hook@example.net")
    put_xml(api, f"{CUSTOMERS}/{customer}/change-login",
            "<change-login><login-id>hook2@example.net</login-id></change-login>")
    relationship = associate(api, new_property(api)).data["identifier"]
    end(api, relationship, "2030-01-01")
    from .test_crm_authentication import login
    token = login(api).data["data"]["token"]
    number = create(api, token).data["data"]["number"]
    respond(api, token, number)
    Streams().drain()
    messages = api.get("/webhooks/v1/events?limit=100",
                       auth={"Authorization": desk_basic()}).data["data"]
    feed = {m["type"]: m for m in messages}
    login_changed = feed["customer.login_changed"]
    assert login_changed["previous"]["owner"]["email"] == "hook@example.net"
    assert login_changed["data"]["owner"]["email"] == "hook2@example.net"
    ended = feed["property_relationship.ended"]
    assert ended["previous"]["end-date"] is None and ended["data"]["end-date"] == "2030-01-01"
    assert feed["property.created"]["data"]["account"] is None
    responded = feed["service_request.status_changed"]  # respond moves it to Responded
    assert responded["data"]["number"] == number and "response" in responded["previous"]
    assert responded["data"]["actor"] == demo.demo_credentials()[0]


def test_an_endpoint_of_every_account_may_be_narrowed_to_one(api, loopback, receiver):
    from .cases_client import customer, other_customer
    desk_auth = {"Authorization": desk_basic()}
    endpoint = subscribe(api, receiver.url, auth=desk_auth, account="01234574",
                         event_types=["ticket.created"])
    assert endpoint["account"] == "01234574"
    customer(api).new_ticket()
    other_customer(api).new_ticket()
    deliver_all()
    assert [m["data"]["account"] for m in verified(receiver, endpoint["secret"])] == [
        "01234574"]
    bound = api.request("POST", "/webhooks/v1/endpoints", json.dumps(
        {"url": receiver.url, "account": "49927398716"}), headers=JSON)
    assert bound.status == 400 and bound.data["error"]["field"] == "account"
