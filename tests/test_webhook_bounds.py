"""Deliveries are bounded whatever a receiver or a client does: one deadline per attempt,
logged before it starts; recover, redeliver and test limited and never doubled; two secrets
at most; targets checked for what they embed. Every receiver listens on loopback."""
import base64
import ipaddress
import json
import threading
import time

import pytest
from standardwebhooks.webhooks import Webhook

import app as app_module
from chalicelib.core.config import settings
from chalicelib.events import targets
from chalicelib.events.models import Event, WebhookEndpoint
from local import aws
from local.queue_poller import QueuePoller
from local.webhook_receiver import Receiver

from .conftest import Streams
from .test_webhooks import JSON, deliver_all, subscribe, verified


@pytest.fixture
def short_attempts(monkeypatch):
    monkeypatch.setenv("SERVICEDESK_WEBHOOK_ATTEMPT_SECONDS", "1.5")
    settings.reload()
    yield
    monkeypatch.delenv("SERVICEDESK_WEBHOOK_ATTEMPT_SECONDS")
    settings.reload()


def attempts(api, endpoint_id: str) -> list[dict]:
    return api.get(f"/webhooks/v1/endpoints/{endpoint_id}/attempts?limit=100").data["data"]


def test_a_trickling_receiver_holds_an_attempt_no_longer_than_its_deadline(
        api, loopback, short_attempts):
    slow = Receiver(answers=[200] * 5, trickle=0.2)  # a byte every 0.2 s: 200 s in all
    try:
        endpoint = subscribe(api, slow.url, exclude_own_changes=False)
        api.raise_request("Slowly")
        Streams().drain()
        started = time.monotonic()
        QueuePoller(aws.sqs_client(), settings.webhook_queue_url,
                    app_module.on_webhook_delivery).poll_once()
        assert time.monotonic() - started < 4
        [first] = attempts(api, endpoint["id"])[:1]
        assert first["status"] == "failed" and "timed out" in first["response"]
        assert 1400 <= first["duration_ms"] < 3000
        stored = WebhookEndpoint.get(endpoint["id"])
        assert stored.failing_since is not None  # it counts toward the 5 days
    finally:
        slow.close()


def test_an_attempt_is_logged_as_failed_before_it_connects(api, loopback):
    hold = threading.Event()
    stuck = Receiver(hold=hold)
    try:
        endpoint = subscribe(api, stuck.url, exclude_own_changes=False)
        api.raise_request("Stuck")
        Streams().drain()
        worker = threading.Thread(target=QueuePoller(
            aws.sqs_client(), settings.webhook_queue_url,
            app_module.on_webhook_delivery).poll_once)
        worker.start()
        deadline = time.monotonic() + 10
        while not stuck.received and time.monotonic() < deadline:
            time.sleep(0.05)
        # the function is inside the attempt: the log already holds it, as failed
        from chalicelib.events.models import STATE_PREFIX, DeliveryAttempt
        logged = list(DeliveryAttempt.query(endpoint["id"],
                                            DeliveryAttempt.attempt_key < STATE_PREFIX))
        assert [(a.status, a.response.split(" (")[0]) for a in logged] == [
            ("failed", "the attempt did not finish")]
        hold.set()
        worker.join(20)
        assert [a["status"] for a in attempts(api, endpoint["id"])] == ["succeeded"]
    finally:
        hold.set()
        stuck.close()


def test_recover_reads_the_feeds_reach_at_most_and_refuses_an_inverted_range(api, loopback,
                                                                             receiver):
    endpoint = subscribe(api, receiver.url, exclude_own_changes=False)
    path = f"/webhooks/v1/endpoints/{endpoint['id']}/recover"
    started = time.monotonic()
    ancient = api.request("POST", path, json.dumps({"since": "0001-01-01"}), headers=JSON)
    assert ancient.status == 202 and time.monotonic() - started < 3
    inverted = api.request("POST", path, json.dumps({"since": "2026-12-01",
                                                      "until": "2026-11-01"}), headers=JSON)
    assert inverted.status == 400 and inverted.data["error"]["field"] == "until"
    limited = api.request("POST", path, json.dumps({"since": "2026-12-01"}), headers=JSON)
    assert limited.status == 202  # the second this minute
    third = api.request("POST", path, json.dumps({"since": "2026-12-01"}), headers=JSON)
    assert third.status == 429 and third.data["error"]["code"] == "rate_limited"
    assert 1 <= int(third.headers["retry-after"]) <= 60


def test_recovering_twice_queues_nothing_twice(api, loopback, receiver):
    endpoint = subscribe(api, receiver.url, exclude_own_changes=False,
                         event_types=["support_request.created"])
    path = f"/webhooks/v1/endpoints/{endpoint['id']}"
    api.request("PATCH", path, json.dumps({"status": "disabled"}), headers=JSON)
    for n in range(3):
        api.raise_request(f"Missed {n}")
    deliver_all()  # the endpoint is disabled: each attempt fails for good
    api.request("PATCH", path, json.dumps({"status": "enabled"}), headers=JSON)
    body = json.dumps({"since": "2026-01-01"})
    first = api.request("POST", f"{path}/recover", body, headers=JSON)
    second = api.request("POST", f"{path}/recover", body, headers=JSON)  # still pending
    assert (first.data["queued"], second.data["queued"]) == (3, 0)
    deliver_all()
    assert len(receiver.received) == 3 and len(receiver.ids()) == 3


def test_redeliver_and_test_are_rate_limited_per_endpoint(api, loopback, receiver):
    endpoint = subscribe(api, receiver.url)
    path = f"/webhooks/v1/endpoints/{endpoint['id']}/test"
    answers = [api.request("POST", path).status for _ in range(11)]
    assert answers == [202] * 10 + [429]
    other = subscribe(api, receiver.url)
    assert api.request("POST", f"/webhooks/v1/endpoints/{other['id']}/test").status == 202
    test_events = [e for e in Event.scan() if e.type == "webhook.test"]
    assert len(test_events) == 11
    for event in test_events:  # kept a day, in no partition of the feed
        assert event.account is None and event.day is None
        assert event.expires_at.timestamp() - time.time() < 24 * 3600 + 60


def test_an_endpoint_keeps_two_secrets_at_most_and_can_end_the_previous_now(api, loopback,
                                                                           receiver):
    endpoint = subscribe(api, receiver.url, exclude_own_changes=False)
    path = f"/webhooks/v1/endpoints/{endpoint['id']}/secret/rotate"
    secrets = [api.request("POST", path).data["secret"] for _ in range(5)]
    assert len(WebhookEndpoint.get(endpoint["id"]).secrets) == 2
    api.raise_request("Signed by the two newest")
    deliver_all()
    signature = receiver.received[-1][0]["webhook-signature"]
    assert len(signature.split(" ")) == 2
    assert len(verified(receiver, secrets[-1])) == len(verified(receiver, secrets[-2])) == 1
    ended = api.request("POST", path, json.dumps({"end_previous_now": True}), headers=JSON)
    api.raise_request("Signed by the newest alone")
    deliver_all()
    headers, body = receiver.received[-1]
    assert len(headers["webhook-signature"].split(" ")) == 1
    Webhook(ended.data["secret"]).verify(body, headers)
    with pytest.raises(Exception):  # noqa: B017 - the library's own verification error
        Webhook(secrets[-1]).verify(body, headers)


def test_a_secrets_ciphertext_decrypts_only_for_its_endpoint(api, loopback, receiver):
    from botocore.exceptions import ClientError

    from chalicelib.core import clients
    first = subscribe(api, receiver.url)
    second = subscribe(api, receiver.url)
    blob = base64.b64decode(WebhookEndpoint.get(first["id"]).secrets[0].ciphertext)
    kms = clients.client("kms")
    context = {"purpose": "servicedesk-webhook-secret"}
    own = kms.decrypt(CiphertextBlob=blob, EncryptionContext={**context,
                                                              "endpoint": first["id"]})
    assert own["Plaintext"].decode() == first["secret"]
    for wrong in ({**context, "endpoint": second["id"]}, context):
        with pytest.raises(ClientError):
            kms.decrypt(CiphertextBlob=blob, EncryptionContext=wrong)


@pytest.mark.parametrize("address", ["::7f00:1", "64:ff9b::7f00:1", "64:ff9b::a00:1",
                                     "2002:7f00:1::1", "2002:c0a8:101::1", "::ffff:0:7f00:1",
                                     "::ffff:0:a9fe:a9fe", "64:ff9b:1::7f00:1", "::ffff:7f00:1"])
def test_ipv6_addresses_that_embed_a_private_ipv4_one_are_refused(monkeypatch, address):
    assert not targets._public(ipaddress.ip_address(address))
    # the whole check, on the literal (no lookup leaves this machine), the allowance off
    monkeypatch.setattr(settings, "webhooks_loopback_only", False)
    monkeypatch.setattr(settings, "webhooks_allow_loopback", False)
    with pytest.raises(targets.RefusedTarget, match="not public"):
        targets.check(f"https://[{address}]/hook")


@pytest.mark.parametrize("url", ["https://hooks.example/a b", "https://hooks.example/\x7f",
                                 "https://hooks.example/\t", " https://hooks.example/"])
def test_a_url_with_whitespace_or_a_control_character_is_refused(api, url):
    answer = api.request("POST", "/webhooks/v1/endpoints", json.dumps({"url": url}),
                         headers=JSON)
    assert answer.status == 400 and answer.data["error"]["field"] == "url"
    assert "whitespace" in answer.data["error"]["message"]
