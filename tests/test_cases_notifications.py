"""Every status change and every EXTERNAL note of a ticket e-mails its NOTIFICATION contacts
with an EMAIL detail, once, even when the streams are replayed; every change is history."""
import logging

import pytest

from chalicelib.core import observability
from chalicelib.streams.history import HistoryEntry, entries_of

from .cases_client import NOTIFY, customer, desk, ticket
from .conftest import Streams, failure_queue_messages, sent_emails
from .test_observability import Collected


@pytest.fixture
def client(api):
    return customer(api)


def emails() -> list[tuple[str, str]]:
    return [(m["destinations"]["ToAddresses"][0], m["subject"]) for m in sent_emails()]


def test_each_status_change_and_external_note_emails_once(api, client, streams):
    operator = desk(api)
    number = client.new_ticket(contacts=[
        {"type": "NOTIFICATION", "firstName": "Fran", "lastName": "Kelly",
         "details": [{"type": "EMAIL", "value": NOTIFY}, {"type": "PHONE", "value": "+1 555"}]},
        {"type": "NOTIFICATION", "registeredUsers": ["Joseph Banks"]},
        {"type": "TECHNICAL", "firstName": "Tech", "lastName": "Person",
         "details": [{"type": "EMAIL", "value": "tech@example.net"}]}])
    operator.move(number, "IN_PROGRESS", text="An engineer is on the way.")
    operator.note(number, "Internal only", visibility="INTERNAL")
    client.note(number, "The lights flicker too.")
    operator.move(number, "RESOLVED", text="Breaker replaced", visibility="INTERNAL")
    streams.drain()
    Streams().drain()  # every record again, from the start: nothing is sent twice
    # The tickets' and the notes' streams are read side by side: compare in any order.
    assert sorted(emails()) == sorted([(NOTIFY, f"Ticket {number}: submitted"),
                                       (NOTIFY, f"Ticket {number}: in progress"),
                                       (NOTIFY, f"Ticket {number}: a new note"),
                                       (NOTIFY, f"Ticket {number}: resolved")])
    body_of = {m["subject"]: m["body"] for m in sent_emails()}
    assert "An engineer is on the way." in body_of[f"Ticket {number}: in progress"]
    assert "The lights flicker too." in body_of[f"Ticket {number}: a new note"]
    bodies = list(body_of.values())
    assert not any("Internal only" in body or "Breaker replaced" in body for body in bodies)
    history = entries_of("case", number)
    assert [(e.event, e.version) for e in history] == [("INSERT", 1), ("MODIFY", 2),
                                                       ("MODIFY", 3)]
    notes = [e for e in HistoryEntry.scan() if e.entity.startswith("case-note#")]
    assert len(notes) == 4  # two notes of their own, two that came with a status change


def test_a_cancellation_emails_its_reason(client, streams):
    number = client.new_ticket()
    client.cancel(number, "Power came back by itself.")
    streams.drain()
    assert emails()[-1] == (NOTIFY, f"Ticket {number}: cancelled")
    assert "Power came back by itself." in sent_emails()[-1]["body"]
    assert len(sent_emails()) == 2


def test_a_ticket_without_an_email_contact_sends_nothing_but_records_history(client, streams):
    number = client.new_ticket(contacts=[{"type": "NOTIFICATION", "firstName": "A",
                                          "lastName": "B",
                                          "details": [{"type": "MOBILE", "value": "+61 400"}]}])
    client.note(number, "hello")
    streams.drain()
    assert sent_emails() == []
    assert len(entries_of("case", number)) == 1


def test_a_failing_email_is_retried_and_then_kept_in_the_failure_queue(client, stack_outputs):
    from chalicelib.streams import notifications

    class Refusing:
        def send_email(self, **_):
            raise RuntimeError("SES is down")

    client.new_ticket()
    notifications.use_ses_client(Refusing())
    try:
        Streams(max_attempts=2).drain()
    finally:
        notifications.use_ses_client(None)
    assert sent_emails() == []
    assert len(failure_queue_messages(stack_outputs)) == 1
    assert len(entries_of("case", "11000001")) == 1  # history is written before the e-mail


def test_a_refused_address_is_skipped_for_good_and_the_others_get_theirs(client, stack_outputs):
    """SES refuses one address for good (MessageRejected): it failed the whole record, which
    was retried until it reached the failure queue, and the other recipients got nothing."""
    from botocore.exceptions import ClientError

    from chalicelib.streams import notifications
    real = notifications.ses_client()
    refused = []

    class RejectingOne:
        def send_email(self, **message):
            if message["Destination"]["ToAddresses"] == ["bounce@example.net"]:
                refused.append(message["Destination"]["ToAddresses"][0])
                raise ClientError({"Error": {"Code": "MessageRejected",
                                             "Message": "Email address is not verified."}},
                                  "SendEmail")
            return real.send_email(**message)

    contacts = [{"type": "NOTIFICATION", "firstName": name, "lastName": "X",
                 "details": [{"type": "EMAIL", "value": f"{name}@example.net"}]}
                for name in ("ann", "bounce", "cy")]
    number = client.new_ticket(contacts=contacts)
    notifications.use_ses_client(RejectingOne())
    logged = Collected()
    logging.getLogger(observability.PACKAGE_LOGGER).addHandler(logged)
    try:
        Streams(max_attempts=2).drain()
        Streams(max_attempts=2).drain()  # a replay from the start tries nothing again
    finally:
        notifications.use_ses_client(None)
        logging.getLogger(observability.PACKAGE_LOGGER).removeHandler(logged)
    assert sorted(m["destinations"]["ToAddresses"][0] for m in sent_emails()) == [
        "ann@example.net", "cy@example.net"]
    assert refused == ["bounce@example.net"]  # once: the refusal is final
    assert failure_queue_messages(stack_outputs) == []
    assert len(entries_of("case", number)) == 1
    assert [(line["refusal"], line["channel"]) for line in logged.lines
            if line["message"] == "message refused for good, not retried"] == [
        ("MessageRejected", "email")]


def test_an_email_whose_sender_died_mid_send_is_sent_once_its_lease_ends(client, stack_outputs):
    """A worker that died while sending left a live lease: each of the record's quick retries
    met it at once, the record reached the failure queue, and the e-mail was never sent."""
    import time

    from chalicelib.streams.notifications import SentEmail
    number = client.new_ticket()
    SentEmail(f"case#{number}", f"email#status-1#{NOTIFY}", status="sending",
              lease_until=time.time() + 2).save()  # the dead worker's lease, 2 s to go
    started = time.monotonic()
    Streams(max_attempts=1).drain()
    assert 1.9 < time.monotonic() - started < 15  # the lease was waited out
    assert [m["destinations"]["ToAddresses"] for m in sent_emails()] == [[NOTIFY]]
    assert failure_queue_messages(stack_outputs) == []
    assert SentEmail.get(f"case#{number}", f"email#status-1#{NOTIFY}").status == "sent"


def _contacts(*addresses: str) -> list[dict]:
    return [{"type": "NOTIFICATION", "firstName": "N", "lastName": str(n),
             "details": [{"type": "EMAIL", "value": address}]}
            for n, address in enumerate(addresses)]


def test_a_ticket_emails_at_most_ten_distinct_addresses(client):
    eleven = [f"n{n}@example.net" for n in range(11)]
    refused = client.create(ticket(contacts=_contacts(*eleven)))
    assert refused.status == 400
    assert refused.data[0]["additionalInfo"][0]["property"] == "contacts"
    assert "at most 10 distinct addresses" in refused.data[0]["details"]
    same = eleven[:10] + ["N0@Example.net"]  # one address, written twice
    assert client.create(ticket(contacts=_contacts(*same))).status == 200
    assert len(client.list().data["tickets"]) == 1


def test_an_account_past_its_hourly_budget_is_sent_nothing_more_and_the_operator_sees_it(
        api, client, streams, monkeypatch, capsys):
    from chalicelib.core.config import settings

    from .cases_client import other_customer
    monkeypatch.setenv("SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR", "3")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    settings.reload()
    try:
        number = client.new_ticket(contacts=_contacts("ann@example.net", "bo@example.net"))
        client.note(number, "A second message to both")
        other = other_customer(api)
        other.new_ticket(contacts=_contacts("cy@example.net"))
        logged = Collected()
        logging.getLogger(observability.PACKAGE_LOGGER).addHandler(logged)
        capsys.readouterr()
        try:
            streams.drain()
            Streams().drain()  # a replay sends nothing more, and suppresses nothing again
        finally:
            logging.getLogger(observability.PACKAGE_LOGGER).removeHandler(logged)
    finally:
        monkeypatch.delenv("SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR")
        settings.reload()
    sent = sorted(m["destinations"]["ToAddresses"][0] for m in sent_emails())
    assert len([a for a in sent if a != "cy@example.net"]) == 3  # the demo account's budget
    assert "cy@example.net" in sent  # another account has its own
    suppressed = [line for line in logged.lines
                  if line["message"].startswith("notification suppressed")]
    assert [(line["account"], line["channel"]) for line in suppressed] == [
        ("01234574", "email")]
    counted = [line for line in capsys.readouterr().out.splitlines()
               if '"NotificationsSuppressed"' in line]
    assert len(counted) == 1
