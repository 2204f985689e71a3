"""Soak: the stack as ``make run`` starts it, several clients at once over HTTP, a bounded mixed
workload with refused writes in it, then the books must balance: one e-mail per accepted state
change, one history entry per version of every record, and lists that hold what was created.

A long run shows what fresh fixtures per test hide (a stream that went deaf after one refused
transaction went unseen that way).
"""
import os
import random
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from local.stack import DEMO, LocalStack

pytestmark = pytest.mark.soak  # make soak; make test leaves it out

CLIENTS = 8
WRITES = int(os.environ.get("SERVICEDESK_SOAK_WRITES", "2000"))
XML = {"Content-Type": "application/xml"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
STATES = ["IN_PROGRESS", "PROBLEM", "SUCCESSFUL", "CANCELLED"]
LABELS = {"In Progress": "IN_PROGRESS", "Problem": "PROBLEM", "Successful": "SUCCESSFUL",
          "Cancelled": "CANCELLED"}


class Ledger:
    """What the clients were told: the service must have done exactly this."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.customers: list[str] = []
        self.state_changes: Counter = Counter()  # (request, state) -> accepted changes
        self.statuses: Counter = Counter()  # (operation, HTTP status)

    def note(self, operation: str, status: int) -> None:
        with self.lock:
            self.statuses[(operation, status)] += 1


def account_document(email: str) -> str:
    return (f"<account><owner><email>{email}</email><password>Correct-Horse-42</password>"
            "<name><given-name>Soak</given-name><family-name>Tester</family-name></name>"
            "</owner><communities><community>original</community></communities></account>")


def client(base: str, ledger: Ledger, number: int, writes: int) -> None:
    http = requests.Session()
    http.auth = DEMO
    rng = random.Random(number)
    mine: list[str] = []
    for n in range(writes):
        roll = rng.random()
        if roll < 0.25 or not mine:
            extid = f" extid=\"S-{rng.randrange(300)}\"" if rng.random() < 0.3 else ""
            answer = http.post(f"{base}/api/v1/requests", headers=XML, timeout=60, data=(
                f'<support-request{extid}><account identifier="01234574"/>'
                f'<topic identifier="Parking"/><summary>Soak {number}-{n}</summary>'
                "</support-request>"))
            ledger.note("raise", answer.status_code)
            if answer.status_code == 201:
                identifier = re.search(r'identifier="(\d+)"', answer.text).group(1)
                mine.append(identifier)
                with ledger.lock:
                    ledger.requests.append(identifier)
        elif roll < 0.55:
            identifier, state = rng.choice(mine), rng.choice(STATES)
            answer = http.post(f"{base}/api/v1/requests/{identifier}/updates", headers=XML,
                               timeout=60, data=f"<support-request-update><state>{state}"
                               "</state><comment>soak</comment></support-request-update>")
            ledger.note("state change", answer.status_code)
            if answer.status_code == 201:
                with ledger.lock:
                    ledger.state_changes[(identifier, state)] += 1
        elif roll < 0.70:
            answer = http.post(f"{base}/api/v1/requests/{rng.choice(mine)}/updates",
                               headers=XML, timeout=60, data="<support-request-update>"
                               f"<comment>note {n}</comment></support-request-update>")
            ledger.note("comment", answer.status_code)
        elif roll < 0.85:
            answer = http.post(f"{base}/api/v1/requests/{rng.choice(mine)}/extid",
                               headers=FORM, timeout=60, data=f"extid=X-{rng.randrange(200)}")
            ledger.note("extid", answer.status_code)
        else:
            email = f"soak{rng.randrange(150)}@example.org"  # duplicates are refused
            answer = http.post(f"{base}/api/v1/customers", headers=XML, timeout=60,
                               data=account_document(email))
            ledger.note("customer", answer.status_code)
            if answer.status_code == 201:
                identifier = re.search(r'identifier="(\d+)"', answer.text).group(1)
                with ledger.lock:
                    ledger.customers.append(identifier)


def read_all(base: str, path: str, element: str) -> list[str]:
    found, offset = [], 0
    while True:
        page = requests.get(f"{base}{path}?limit=100&offset={offset}", auth=DEMO, timeout=60)
        assert page.status_code == 200, page.text
        identifiers = re.findall(rf'<{element} [^>]*identifier="([^"]+)"', page.text)
        found += identifiers
        if len(identifiers) < 100:
            return found
        offset += 100


def version_of(base: str, path: str) -> int:
    answer = requests.get(f"{base}/api/v1/{path}", auth=DEMO, timeout=60)
    assert answer.status_code == 200, answer.text
    return int(re.search(r' version="(\d+)"', answer.text).group(1))


#: Longer than the stream poller's longest pause between retries of a record (5 s).
QUIET_SECONDS = 6


def settle(stack: LocalStack, seconds: float = 120) -> list[dict]:
    """Wait until the stack has sent every e-mail it is going to: it has caught up (a stream
    that retries a record may be quiet for seconds, so a count alone could stop moving while
    e-mail is still to come), and the count stops moving."""
    stack.wait_until_idle(seconds)
    deadline, last, since = time.monotonic() + seconds, -1, time.monotonic()
    while time.monotonic() < deadline:
        emails = stack.sent_emails()
        if len(emails) != last:
            last, since = len(emails), time.monotonic()
        elif time.monotonic() - since > QUIET_SECONDS:
            return emails
        time.sleep(0.5)
    raise AssertionError("e-mail kept coming for two minutes")


def test_a_long_mixed_run_loses_nothing_and_duplicates_nothing():
    ledger = Ledger()
    # every e-mail the clients' changes call for must go out: no hourly budget (its own
    # tests are in test_cases_notifications.py)
    with LocalStack(SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR="0") as stack:
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            for result in [pool.submit(client, stack.base, ledger, n, WRITES // CLIENTS)
                           for n in range(CLIENTS)]:
                result.result()
        elapsed = time.monotonic() - started
        emails = settle(stack)
        history = stack.scan("servicedesk-history")
        requests_listed = read_all(stack.base, "/api/v1/requests", "support-request")
        customers_listed = read_all(stack.base, "/api/v1/customers", "account")
        versions = {f"support-request#{identifier}": version_of(
            stack.base, f"requests/{identifier}") for identifier in ledger.requests}
        versions.update({f"customer-account#{identifier}": version_of(
            stack.base, f"customers/{identifier}") for identifier in ledger.customers})
        memory = stack.memory_mib()
        failed_batches = stack.failed_stream_batches()
    writes = sum(ledger.statuses.values())
    refused = sum(count for (_, status), count in ledger.statuses.items() if status >= 400)
    print(f"\nsoak: {writes} writes by {CLIENTS} clients in {elapsed:.0f} s "
          f"({writes / elapsed:.0f}/s), {refused} refused, {len(emails)} e-mails, "
          f"{len(history)} history items, {memory:.0f} MiB; "
          f"by outcome: {dict(sorted(ledger.statuses.items()))}")

    assert writes == WRITES // CLIENTS * CLIENTS >= min(WRITES, 2000)
    refusals = {("customer", 400)} | {(operation, 409) for operation in ("raise", "state change",
                                                                        "extid")}
    assert {(op, status) for op, status in ledger.statuses if status >= 300} == refusals, \
        ledger.statuses  # a duplicate e-mail is a 400 (the seed's), the other refusals 409
    # every accepted state change produced exactly one e-mail, and nothing else did
    sent = Counter()
    for email in emails:
        match = re.match(r"Your support request (\d+) is now ([A-Za-z ]+):", email["subject"])
        if match:
            sent[(match.group(1), LABELS[match.group(2)])] += 1
    assert sent == ledger.state_changes
    # every version of every request and customer exactly one history entry, and no other
    entries = Counter(item["entity"]["S"] for item in history
                      if item["entry"]["S"].startswith("v"))
    for entity, version in versions.items():
        assert entries[entity] == version, entity
    assert {e for e in entries if e.startswith(("support-request#", "customer-account#"))} \
        - set(versions) <= {"customer-account#01234574"}
    # the lists hold exactly what was created
    assert sorted(requests_listed) == sorted(ledger.requests)
    assert sorted(customers_listed) == sorted(ledger.customers + ["01234574"])
    assert failed_batches == []  # no record failed every retry
    assert "Traceback" not in stack.output, stack.output[-3000:]
    assert DEMO[1] not in stack.served_log()  # no secret reached any log line
