"""Soak of the Case Management API: the stack as ``make run`` starts it, customers of two
accounts and the desk side by side over HTTP, refused writes among theirs, then the books must
balance: one e-mail per accepted status change and per EXTERNAL note of its own, to tickets
that have an e-mail contact; one history entry per version of every ticket and per note; no
ticket seen across accounts; nothing in the stream failures queue."""
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from local.stack import DEMO, ROOT, LocalStack

from .test_soak import settle

pytestmark = pytest.mark.soak

WRITES = int(os.environ.get("SERVICEDESK_SOAK_CASE_WRITES", "1200"))
MOVES = ["IN_PROGRESS", "ACTION_REQUIRED", "RESOLVED", "CLOSED", "CANCELLED", "SUBMITTED"]
OTHER_ACCOUNT = ("<account><owner><email>ada@example.net</email><password>Correct-Horse-42"
                 "</password><name><given-name>Ada</given-name><family-name>Lovelace"
                 "</family-name></name></owner><communities><community>original</community>"
                 "</communities></account>")


class Books:
    """What the clients were told."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tickets: dict[str, dict] = {}  # number -> account, e-mails?, versions, notes
        self.statuses: Counter = Counter()  # (operation, HTTP status)

    def note(self, operation: str, answer) -> None:
        assert answer.status_code < 500, (operation, answer.status_code, answer.text)
        with self.lock:
            self.statuses[(operation, answer.status_code)] += 1


def token(base: str, client_id: str, secret: str) -> dict:
    answer = requests.post(f"{base}/oauth2/v1/token", timeout=60, json={
        "client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": "Bearer " + answer.json()["access_token"]}


def customer(base: str, books: Books, auth: dict, account: str, seed: int, writes: int):
    http, rng, mine = requests.Session(), random.Random(seed), []
    http.headers.update(auth)
    for _ in range(writes):
        roll = rng.random()
        if roll < 0.3 or not mine:
            emails = rng.random() < 0.8
            detail = ({"type": "EMAIL", "value": f"c{seed}@example.net"} if emails
                      else {"type": "PHONE", "value": "+1 555 0100"})
            body = {"code": rng.choice(["0002-0000", "0200-0100", "bad"]), "description": "d",
                    "primaryId": "p", "customerReferenceId": f"R{seed}-{rng.randrange(20)}",
                    "contacts": [{"type": "NOTIFICATION", "firstName": "F", "lastName": "K",
                                  "details": [detail]}]}
            answer = http.post(f"{base}/support/v2/tickets", json=body, timeout=60)
            books.note("create", answer)
            if answer.status_code == 200:
                mine.append(answer.json()["id"])
                with books.lock:
                    books.tickets[mine[-1]] = {"account": account, "emails": emails,
                                               "versions": 1, "own_external_notes": 0,
                                               "notes": 0}
        elif roll < 0.6:
            number, visibility = rng.choice(mine), rng.choice(["EXTERNAL", "INTERNAL"])
            answer = http.post(f"{base}/support/v2/tickets/{number}/notes", timeout=60,
                               json={"text": "soak", "visibility": visibility})
            # INTERNAL notes are the desk's: a customer's is always refused
            books.note("note" if visibility == "EXTERNAL" else "internal note", answer)
            if answer.status_code == 200:
                with books.lock:
                    books.tickets[number]["notes"] += 1
                    books.tickets[number]["own_external_notes"] += visibility == "EXTERNAL"
        elif roll < 0.75:
            number = rng.choice(mine)
            answer = http.post(f"{base}/support/v2/tickets/{number}/cancel", timeout=60,
                               json={"reason": "soak"})
            books.note("cancel", answer)
            if answer.status_code == 200:
                with books.lock:
                    books.tickets[number]["versions"] += 1
                    books.tickets[number]["notes"] += 1
        else:
            with books.lock:
                theirs = [n for n, t in books.tickets.items() if t["account"] != account]
            if theirs:  # another account's ticket does not exist for this client
                answer = http.get(f"{base}/support/v2/tickets/{rng.choice(theirs)}",
                                  timeout=60)
                books.note("get another's", answer)


def desk(base: str, books: Books, auth: dict, seed: int, writes: int):
    http, rng = requests.Session(), random.Random(seed)
    http.headers.update(auth)
    for _ in range(writes):
        with books.lock:
            known = list(books.tickets)
        if not known:
            time.sleep(0.05)
            continue
        number, body = rng.choice(known), {"status": rng.choice(MOVES)}
        if rng.random() < 0.5:
            body.update(text="desk", visibility=rng.choice(["EXTERNAL", "INTERNAL"]))
        answer = http.post(f"{base}/support/v2/tickets/{number}/status", json=body, timeout=60)
        books.note("move", answer)
        if answer.status_code == 200:
            with books.lock:
                books.tickets[number]["versions"] += 1
                books.tickets[number]["notes"] += "text" in body


def other_account_client(stack: LocalStack) -> tuple[str, str, str]:
    """A second customer account and an API client that acts for it (ops.admin)."""
    answer = requests.post(f"{stack.base}/api/v1/customers", auth=DEMO, timeout=60,
                           data=OTHER_ACCOUNT, headers={"Content-Type": "application/xml"})
    assert answer.status_code == 201, answer.text
    account = answer.text.split('identifier="')[1].split('"')[0]
    env = {**os.environ, "SERVICEDESK_AWS_ENDPOINT": stack.aws, "AWS_ACCESS_KEY_ID": "x",
           "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    done = subprocess.run([sys.executable, "-m", "ops.admin", "create-client", "Ada's app",
                           "--scopes", "cases", "--id", "ada-app", "--account", account],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    secret = done.stdout.split("secret:")[1].split()[0]
    return account, "ada-app", secret


def test_customers_of_two_accounts_and_the_desk_lose_and_duplicate_nothing():
    books = Books()
    # every e-mail the clients' changes call for must go out: no hourly budget (its own
    # tests are in test_cases_notifications.py)
    with LocalStack(SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR="0") as stack:
        account, client_id, secret = other_account_client(stack)
        workers = [(customer, (token(stack.base, *DEMO), "01234574", 1)),
                   (customer, (token(stack.base, *DEMO), "01234574", 2)),
                   (customer, (token(stack.base, client_id, secret), account, 3)),
                   (customer, (token(stack.base, client_id, secret), account, 4)),
                   (desk, (token(stack.base, "demo-desk", "demo-desk-secret"), 5)),
                   (desk, (token(stack.base, "demo-desk", "demo-desk-secret"), 6))]
        share = WRITES // len(workers)
        started = time.monotonic()
        with ThreadPoolExecutor(len(workers)) as pool:
            for done in [pool.submit(work, stack.base, books, *args, share)
                         for work, args in workers]:
                done.result()
        elapsed = time.monotonic() - started
        emails = settle(stack)
        history = stack.scan("servicedesk-history")
        failed_batches = stack.failed_stream_batches()
    writes = sum(books.statuses.values())
    print(f"\ncase soak: {writes} calls by {len(workers)} clients in {elapsed:.0f} s, "
          f"{len(books.tickets)} tickets, {len(emails)} e-mails; "
          f"by outcome: {dict(sorted(books.statuses.items()))}")
    assert {status for (operation, status) in books.statuses
            if operation == "get another's"} <= {404}
    assert {(op, status) for op, status in books.statuses if status >= 300} <= {
        ("create", 400), ("create", 409), ("note", 409), ("cancel", 409), ("move", 409),
        ("get another's", 404), ("internal note", 403)}
    assert {status for (operation, status) in books.statuses
            if operation == "internal note"} <= {403}
    sent = Counter(email["subject"].split(":")[0].removeprefix("Ticket ") for email in emails
                   if email["subject"].startswith("Ticket "))
    expected = {number: ticket["versions"] + ticket["own_external_notes"]
                for number, ticket in books.tickets.items() if ticket["emails"]}
    assert dict(sent) == expected
    entries = Counter(item["entity"]["S"] for item in history  # not the e-mail markers
                      if item["entity"]["S"].startswith("case#")
                      and item["entry"]["S"].startswith("v"))
    assert dict(entries) == {f"case#{number}": ticket["versions"]
                             for number, ticket in books.tickets.items()}
    note_entries = sum(item["entity"]["S"].startswith("case-note#") for item in history)
    assert note_entries == sum(ticket["notes"] for ticket in books.tickets.values())
    assert failed_batches == []
    assert "Traceback" not in stack.output, stack.output[-3000:]
    # no secret and no token it was given reached any log line
    given = [headers["Authorization"].split()[1] for _, (headers, *_) in workers]
    for kept in (DEMO[1], "demo-desk-secret", secret, *given):
        assert kept not in stack.served_log()
