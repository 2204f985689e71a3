"""Soak of the webhooks: the stack as ``make run`` starts it, endpoints on loopback (one
healthy, one that fails 30 % of attempts at random, one that is down for the first minute, one
that stalls past the attempt's deadline for the first minute, one that an operator's
``recover`` is run on again and again) and a mixed workload over every API, with a client
disabled half-way. Then: every event of the feed reached every endpoint at least once, the
recovered one never twice, the disabled client's endpoint nothing after it was disabled; every
message verifies with the standardwebhooks package; what was pushed is what the feed holds;
the stream failures queue is empty."""
import json
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests

from local.demo import DESK_CREDENTIALS
from local.stack import DEMO, LocalStack
from local.webhook_receiver import Receiver

from .test_crm_service_requests import new_request

pytestmark = pytest.mark.soak

CHANGES = int(os.environ.get("SERVICEDESK_SOAK_WEBHOOK_CHANGES", "1000"))
CLIENTS = 4
DOWN_SECONDS = 60
SETTLE_SECONDS = 300
XML = {"Content-Type": "application/xml"}
# Waits that cover the down endpoint's minute in a few attempts.
SCHEDULE = "1,2,5,10,20,30,40"
#: The deadline of an attempt in the soak: the stalling receiver holds each answer longer.
ATTEMPT_SECONDS = 3
RECOVER_EVERY = 31  # seconds: recover is limited to 2 a minute per endpoint


def workload(base: str, seed: int, changes: int, statuses: Counter, lock) -> None:
    http, rng, mine, tickets = requests.Session(), random.Random(seed), [], []
    http.auth = DEMO
    bearer = {"Authorization": "Bearer " + requests.post(f"{base}/oauth2/v1/token", json={
        "client_id": DEMO[0], "client_secret": DEMO[1]}, timeout=60).json()["access_token"]}
    crm = requests.post(f"{base}/crmapi/rest/v2/authentication/token", timeout=60, json={
        "username": DEMO[0], "password": DEMO[1], "organisation": "servicedesk",
        "unit": "Head Office"}).json()["data"]["token"]
    for n in range(changes):
        roll = rng.random()
        if roll < 0.3 or not mine:
            answer = http.post(f"{base}/api/v1/requests", headers=XML, timeout=60, data=(
                '<support-request><account identifier="01234574"/><topic identifier='
                f'"Parking"/><summary>Hook {seed}-{n}</summary></support-request>'))
            if answer.status_code == 201:
                mine.append(answer.text.split('identifier="')[1].split('"')[0])
            kind = "raise"
        elif roll < 0.55:
            answer = http.post(f"{base}/api/v1/requests/{rng.choice(mine)}/updates",
                               headers=XML, timeout=60, data=(
                                   "<support-request-update><state>"
                                   f"{rng.choice(['IN_PROGRESS', 'PROBLEM', 'NEW'])}</state>"
                                   "</support-request-update>"))
            kind = "update"
        elif roll < 0.7 or not tickets:
            answer = requests.post(f"{base}/support/v2/tickets", headers=bearer, timeout=60,
                                   json={"code": "0002-0000", "description": "d",
                                         "primaryId": "p"})
            if answer.status_code == 200:
                tickets.append(answer.json()["id"])
            kind = "ticket"
        elif roll < 0.85:
            answer = requests.post(f"{base}/support/v2/tickets/{rng.choice(tickets)}/notes",
                                   headers=bearer, timeout=60,
                                   json={"text": "soak", "visibility": "EXTERNAL"})
            kind = "note"
        else:
            answer = requests.post(f"{base}/crmapi/rest/v2/service_requests/create",
                                   timeout=60, json={"token": crm, **new_request()})
            kind = "service request"
        assert answer.status_code < 500, (kind, answer.status_code, answer.text)
        # the CRM-style API answers 200 with its own status code
        outcome = (answer.json()["status"]["code"] if kind == "service request"
                   else answer.status_code)
        with lock:
            statuses[(kind, outcome)] += 1


def feed(base: str, auth, since: str) -> list[dict]:
    found, cursor = [], None
    while True:
        answer = requests.get(f"{base}/webhooks/v1/events", auth=auth, timeout=60, params={
            "limit": 100, "since": since, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        found += answer.json()["data"]
        cursor = answer.json()["next_cursor"]
        if not cursor:
            return found


def _subscribe(stack, auth, url: str, name: str) -> tuple[str, str]:
    answer = requests.post(f"{stack.base}/webhooks/v1/endpoints", auth=auth,
                           json={"url": url, "description": name}, timeout=60)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], answer.json()["secret"]


def _recover_loop(stack, endpoint_id: str, stop: threading.Event, since: str,
                  results: list) -> None:
    """The operator's recover of one endpoint, again and again while the soak runs."""
    while not stop.wait(RECOVER_EVERY):
        answer = requests.post(f"{stack.base}/webhooks/v1/endpoints/{endpoint_id}/recover",
                               auth=DESK_CREDENTIALS, json={"since": since}, timeout=120)
        results.append((answer.status_code, answer.json()))


def test_every_event_reaches_every_endpoint_and_the_feed_holds_exactly_them():
    receivers = {"healthy": Receiver(), "flaky": Receiver(fail_rate=0.3),
                 "down": Receiver(down_for=DOWN_SECONDS),
                 "stalled": Receiver(stall=(DOWN_SECONDS, ATTEMPT_SECONDS + 2)),
                 "recovered": Receiver()}
    tenant = Receiver()  # the endpoint of a client that is disabled half-way
    with LocalStack(SERVICEDESK_WEBHOOK_RETRY_SCHEDULE=SCHEDULE,
                    SERVICEDESK_WEBHOOK_ATTEMPT_SECONDS=str(ATTEMPT_SECONDS),
                    SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR="0") as stack:
        secrets, ids = {}, {}
        for name, receiver in receivers.items():  # the desk's: the demo client makes changes
            ids[name], secrets[name] = _subscribe(stack, DESK_CREDENTIALS, receiver.url, name)
            receiver.verify_with(secrets[name])
        printed = stack.admin("create-client", "Soak tenant", "--scopes", "requests,webhooks")
        tenant_auth = (printed.split("client id: ")[1].split()[0],
                       printed.split("secret:")[1].split()[0])
        _, tenant_secret = _subscribe(stack, tenant_auth, tenant.url, "tenant")
        tenant.verify_with(tenant_secret)
        # the changes from now on: the demo seed's came before any endpoint
        time.sleep(1.1)
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        time.sleep(1.1)
        statuses, lock = Counter(), threading.Lock()
        started = time.monotonic()
        stop, recovered = threading.Event(), []
        looping = threading.Thread(target=_recover_loop, args=(
            stack, ids["recovered"], stop, since, recovered), daemon=True)
        looping.start()
        with ThreadPoolExecutor(CLIENTS) as pool:
            halves = [CHANGES // CLIENTS // 2, CHANGES // CLIENTS - CHANGES // CLIENTS // 2]
            for result in [pool.submit(workload, stack.base, n, halves[0], statuses, lock)
                           for n in range(CLIENTS)]:
                result.result()
            stack.admin("disable-client", tenant_auth[0])
            disabled_at = time.time()
            for result in [pool.submit(workload, stack.base, CLIENTS + n, halves[1], statuses,
                                       lock) for n in range(CLIENTS)]:
                result.result()
        accepted = sum(count for (_, outcome), count in statuses.items()
                       if outcome in (200, 201, "OK"))
        written = time.monotonic() - started
        deadline = time.monotonic() + SETTLE_SECONDS
        events = feed(stack.base, DESK_CREDENTIALS, since)
        while time.monotonic() < deadline:
            events = feed(stack.base, DESK_CREDENTIALS, since)
            wanted = {e["id"] for e in events}
            if all(wanted <= r.ids() for r in receivers.values()):
                break
            time.sleep(2)
        stop.set()
        looping.join()
        elapsed = time.monotonic() - started
        wanted = {e["id"] for e in events}
        print(f"\nwebhook soak: {accepted} accepted changes in {written:.0f} s, "
              f"{len(events)} events; {elapsed:.0f} s after the start, received "
              + ", ".join(f"{n}: {len(r.received)}" for n, r in receivers.items())
              + f", tenant: {len(tenant.received)} (disabled half-way); recover called "
              f"{len(recovered)} times, queued {sum(r.get('queued', 0) for _, r in recovered)}"
              f"; by outcome: {dict(statuses)}")
        assert accepted >= CHANGES * 0.7 and len(events) >= accepted
        assert len(wanted) == len(events)  # the feed repeats nothing
        for name, receiver in receivers.items():
            assert wanted <= receiver.ids(), (name, len(wanted - receiver.ids()))
            assert receiver.ids() <= wanted  # nothing pushed that the feed lacks
            assert receiver.unverified == [], name  # each checked by standardwebhooks on arrival
        # recover sent nothing that was delivered or waiting: each message came once
        once = Counter(headers["webhook-id"] for headers, _ in receivers["recovered"].received)
        assert [m for m, n in once.items() if n > 1] == [] and recovered
        assert {status for status, _ in recovered} <= {202, 429}
        # the disabled client's endpoint: its support requests until then, nothing after
        assert tenant.received and tenant.unverified == []
        assert max(tenant.arrivals) < disabled_at + 1, max(tenant.arrivals) - disabled_at
        assert {json.loads(body)["type"].split(".")[0] for _, body in tenant.received} == {
            "support_request"}
        stalled = requests.get(f"{stack.base}/webhooks/v1/endpoints/{ids['stalled']}/attempts",
                               params={"status": "failed", "limit": 100},
                               auth=DESK_CREDENTIALS, timeout=60).json()["data"]
        assert stalled and all("timed out" in a["response"] for a in stalled)
        assert all(a["duration_ms"] < (ATTEMPT_SECONDS + 1) * 1000 for a in stalled)
        by_id = {e["id"]: e for e in events}
        for headers, body in receivers["healthy"].received[:50]:
            assert json.loads(body)["data"] == by_id[headers["webhook-id"]]["data"]
        assert stack.failed_stream_batches() == []
        assert stack.process.poll() is None
