"""Soak of the webhooks: the stack as ``make run`` starts it, three endpoints on loopback (one
healthy, one that fails 30 % of attempts at random, one that is down for the first minute)
and a mixed workload over every API. Then: every event of the feed reached every endpoint
at least once, every message verifies with the standardwebhooks package, and what was pushed
is what the feed holds."""
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


def test_every_event_reaches_every_endpoint_and_the_feed_holds_exactly_them():
    receivers = {"healthy": Receiver(), "flaky": Receiver(fail_rate=0.3),
                 "down": Receiver(down_for=DOWN_SECONDS)}
    with LocalStack(SERVICEDESK_WEBHOOK_RETRY_SCHEDULE=SCHEDULE,
                    SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR="0") as stack:
        secrets = {}
        for name, receiver in receivers.items():  # the desk's: the demo client makes changes
            answer = requests.post(f"{stack.base}/webhooks/v1/endpoints", auth=DESK_CREDENTIALS,
                                   json={"url": receiver.url, "description": name}, timeout=60)
            assert answer.status_code == 201, answer.text
            secrets[name] = answer.json()["secret"]
            receiver.verify_with(secrets[name])
        # the changes from now on: the demo seed's came before any endpoint
        time.sleep(1.1)
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        time.sleep(1.1)
        statuses, lock = Counter(), threading.Lock()
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            for result in [pool.submit(workload, stack.base, n, CHANGES // CLIENTS, statuses,
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
        elapsed = time.monotonic() - started
        wanted = {e["id"] for e in events}
        print(f"\nwebhook soak: {accepted} accepted changes in {written:.0f} s, "
              f"{len(events)} events; {elapsed:.0f} s after the start, received "
              + ", ".join(f"{n}: {len(r.received)}" for n, r in receivers.items())
              + f"; by outcome: {dict(statuses)}")
        assert accepted >= CHANGES * 0.7 and len(events) >= accepted
        assert len(wanted) == len(events)  # the feed repeats nothing
        for name, receiver in receivers.items():
            assert wanted <= receiver.ids(), (name, len(wanted - receiver.ids()))
            assert receiver.ids() <= wanted  # nothing pushed that the feed lacks
            assert receiver.unverified == [], name  # each checked by standardwebhooks on arrival
        by_id = {e["id"]: e for e in events}
        for headers, body in receivers["healthy"].received[:50]:
            assert json.loads(body)["data"] == by_id[headers["webhook-id"]]["data"]
        assert stack.process.poll() is None
