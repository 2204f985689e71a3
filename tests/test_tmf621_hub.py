"""TMF621's hub: a listener subscribes, and each ticket event reaches its callback on loopback
in TMF's envelope, valid by the official spec's event schemas, signed as Standard Webhooks
says (verified by the standardwebhooks package), retried and refused as every webhook is."""
import json
import pathlib

import jsonschema
import pytest
import yaml
from standardwebhooks.webhooks import Webhook

from local.tmf621_conformance import read_through_discriminators
from local.webhook_receiver import Receiver

from .cases_client import desk
from .test_webhooks import deliver_all
from .tmf_client import tmf_customer, tmf_desk

OFFICIAL = pathlib.Path(__file__).resolve().parent.parent / "conformance" / "tmf621" / \
    "TMF621-Trouble_Ticket-v5.0.1.oas.yaml"


@pytest.fixture(scope="module")
def official() -> dict:
    document = yaml.safe_load(OFFICIAL.read_text())
    read_through_discriminators(document)  # as the conformance run reads it (its reasons)
    return document


def conforms(official: dict, body: dict) -> None:
    """``body`` is valid by the official schema of its event type."""
    schema = {"$ref": f"#/components/schemas/{body['eventType']}",
              "components": official["components"]}
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(body)



def subscribe(client, url: str, query: str | None = None) -> dict:
    answer = client.call("POST", "/hub", {"@type": "Hub", "callback": url,
                                          **({"query": query} if query is not None else {})})
    assert answer.status == 201, answer.body
    return answer.data


def test_the_hub_delivers_each_event_type_in_tmfs_envelope(api, loopback, receiver,
                                                          official):
    tmf = tmf_customer(api)
    hub = subscribe(tmf, receiver.url)
    assert hub["secret"].startswith("whsec_") and hub["@type"] == "Hub"
    number = tmf.new_ticket()
    operator = tmf_desk(api)
    operator.patch(number, {"status": "inProgress"})
    desk(api).move(number, "ACTION_REQUIRED", text="Which cage door?")
    tmf.patch(number, {"note": [{"text": "The north one."}]})
    operator.patch(number, {"status": "resolved", "statusChangeReason": "Breaker replaced."})
    deliver_all()
    messages = [Webhook(hub["secret"]).verify(body, headers)
                for headers, body in receiver.received]
    for headers, body in receiver.received:
        assert json.loads(body)["eventId"] == headers["webhook-id"]
    kinds = [(m["eventType"], m["event"]["troubleTicket"]["status"]) for m in messages]
    # the ticket's stream and its notes' stream are read side by side: the notes in any place.
    # Three notes: the desk's with its move to pending, the customer's, the resolution's.
    notes = [k for k in kinds if k[0] == "TroubleTicketAttributeValueChangeEvent"]
    assert len(notes) == 3 and {status for _, status in notes} <= {"pending", "resolved"}
    assert [k for k in kinds if k[0] != "TroubleTicketAttributeValueChangeEvent"] == [
        ("TroubleTicketCreateEvent", "acknowledged"),
        ("TroubleTicketStatusChangeEvent", "inProgress"),
        ("TroubleTicketStatusChangeEvent", "pending"),
        ("TroubleTicketInformationRequiredEvent", "pending"),
        ("TroubleTicketStatusChangeEvent", "resolved"),
        ("TroubleTicketResolvedEvent", "resolved")]
    for message in messages:
        conforms(official, message)
        assert message["event"]["troubleTicket"]["id"] == number
    resolved = messages[-1]["event"]["troubleTicket"]
    assert resolved["statusChangeReason"] == "Breaker replaced."
    assert len({h["webhook-id"] for h, _ in receiver.received}) == len(messages)


def test_a_query_chooses_the_event_types(api, loopback, receiver):
    tmf = tmf_customer(api)
    hub = subscribe(tmf, receiver.url, "eventType=TroubleTicketResolvedEvent")
    number = tmf.new_ticket()
    tmf_desk(api).patch(number, {"status": "resolved"})
    deliver_all()
    messages = [Webhook(hub["secret"]).verify(b, h) for h, b in receiver.received]
    assert [m["eventType"] for m in messages] == ["TroubleTicketResolvedEvent"]
    for query in ("data", "eventType=TroubleTicketMovedEvent", "status=resolved"):
        answer = tmf.call("POST", "/hub", {"callback": receiver.url, "query": query})
        assert answer.status == 400 and "query" in answer.data["message"], query


def test_a_hub_is_read_and_removed_by_its_own_client_only(api, loopback, receiver):
    tmf = tmf_customer(api)
    hub = subscribe(tmf, receiver.url, "eventType=TroubleTicketCreateEvent,"
                                       "TroubleTicketStatusChangeEvent")
    shown = tmf.call("GET", f"/hub/{hub['id']}")
    assert shown.status == 200 and "secret" not in shown.data
    assert shown.data["callback"] == receiver.url and shown.data["href"] == hub["href"]
    assert tmf_desk(api).call("GET", f"/hub/{hub['id']}").status == 404
    assert tmf_desk(api).call("DELETE", f"/hub/{hub['id']}").status == 404
    assert tmf.call("DELETE", f"/hub/{hub['id']}").status == 204
    assert tmf.call("GET", f"/hub/{hub['id']}").status == 404
    tmf.new_ticket()
    deliver_all()
    assert receiver.received == []  # removed: nothing more is sent


def test_a_hub_of_another_account_gets_none_of_this_accounts_events(api, loopback,
                                                                   receiver):
    from .cases_client import other_customer
    stranger = tmf_customer(api)
    stranger.headers = other_customer(api).headers
    subscribe(stranger, receiver.url)
    tmf_customer(api).new_ticket()
    deliver_all()
    assert receiver.received == []


def test_callbacks_follow_the_webhooks_target_rules(api, receiver):
    # without make run's allowance, a loopback callback is refused (no other address is tried)
    answer = tmf_customer(api).call("POST", "/hub", {"callback": receiver.url})
    assert answer.status == 400 and "callback" in answer.data["message"]


def test_a_failed_hub_delivery_is_retried_with_the_same_event_id(api, loopback):
    failing = Receiver(answers=[500, 302])
    try:
        tmf = tmf_customer(api)
        hub = subscribe(tmf, failing.url, "eventType=TroubleTicketCreateEvent")
        tmf.new_ticket()
        deliver_all()
        ids = [headers["webhook-id"] for headers, _ in failing.received]
        assert len(ids) == 3 and len(set(ids)) == 1  # refused twice, then taken
        attempts = api.request("GET", f"/webhooks/v1/endpoints/{hub['id']}/attempts")
        assert sorted(a["status"] for a in attempts.data["data"]) == ["failed", "failed",
                                                                       "succeeded"]
        again = api.request("POST", f"/webhooks/v1/endpoints/{hub['id']}/messages/{ids[0]}"
                                    "/redeliver")
        assert again.status == 202
        deliver_all()
        assert failing.received[-1][0]["webhook-id"] == ids[0]
        Webhook(hub["secret"]).verify(failing.received[-1][1], failing.received[-1][0])
    finally:
        failing.close()
