"""Tickets of the Case Management API: create, get and list, by the seed's rules."""
import pytest

from chalicelib.cases import access, service
from chalicelib.cases.models import CaseAttachment
from chalicelib.core import clients
from chalicelib.core.config import settings
from chalicelib.core.idempotency import Idempotency, create_once

from .cases_client import (
    DEMO_PRINCIPAL,
    NOTIFY,
    SEED_CREATE,
    codes,
    customer,
    desk,
    other_customer,
    ticket,
)
from .test_concurrency import THREADS, run_all


@pytest.fixture
def client(api):
    return customer(api)


def seed_attachment() -> None:
    """The file that the seed's samples refer to, as if the demo customer had uploaded it."""
    attachment = CaseAttachment("c77c5f58-a7ea-4e88-9fc4-1a2900027425", account="01234574",
                                name="error-log", size=5, uploaded="2026-11-24T00:00:00.000Z",
                                client_id="demo")
    clients.client("s3").put_object(Bucket=settings.attachments_bucket,
                                     Key=attachment.object_key, Body=b"error")
    attachment.save()


def test_the_seeds_create_sample_is_accepted_as_written(client):
    seed_attachment()
    answer = client.create(SEED_CREATE)
    assert answer.status == 200
    number = answer.data["id"]
    assert len(number) == 8 and number.isdigit()
    assert answer.data["type"] == "TROUBLE"  # category 0013: below 0100
    assert answer.headers["location"].endswith(f"/support/v2/tickets/{number}")
    got = client.get(number).data
    assert got["id"] == number and got["orderId"] == f"1-2049{number}"
    assert got["accountNumber"] == "01234574" and got["accountName"] == "Joseph Banks"
    assert got["customerReferenceId"] == "CustomerReference001"
    assert got["status"] == "SUBMITTED" and got["channel"] == "PORTAL"
    assert got["contacts"] == SEED_CREATE["contacts"]
    other = got["otherDetails"]
    assert other["category"] == "Category 0013" and other["subCategory"] == "Sub-category 0102"
    assert other["details"] == SEED_CREATE["details"]
    assert other["attachments"] == SEED_CREATE["attachments"]
    assert other["occurredDateTime"] == "2020-05-22T19:23:51.000Z"
    assert other["statusHistory"] == [{"status": "SUBMITTED",
                                       "createdDate": got["createdDateTime"]}]
    assert (other["modifiable"], other["cancellable"], other["reOpen"], other["respond"]) == (
        True, True, False, False)
    assert other["updatedByFullName"] == "Demo client"


def test_known_codes_carry_their_names_and_types(client):
    power = client.get(client.new_ticket(code="0002-0001")).data["otherDetails"]
    assert (power["category"], power["subCategory"], power["type"]) == (
        "Power", "Partial outage", "TROUBLE")
    case = client.create(ticket(code="0200-0100"))
    assert case.data["type"] == "CASE"


def test_a_ticket_is_found_by_its_order_number_too(client):
    number = client.new_ticket()
    assert client.get(f"1-2049{number}").data["id"] == number
    noted = client.note(f"1-2049{number}", "by order number")
    assert noted.status == 200 and noted.data["result"]["CaseNumber"] == number
    cancelled = client.cancel(f"1-2049{number}")
    assert cancelled.status == 200 and client.get(number).data["status"] == "CANCELLED"
    for unknown in ("99999999", "1-204999999999", "not-a-number"):
        answer = client.get(unknown)
        assert answer.status == 404 and codes(answer) == ["EQ-4040001"]


@pytest.mark.parametrize("body, problems", [
    ({"description": "x", "primaryId": "p"}, [("EQ-4000001", "code")]),
    (ticket(code="2-3"), [("EQ-4000002", "code")]),
    (ticket(description=""), [("EQ-4000002", "description")]),
    (ticket(description="x" * 4001), [("EQ-4000002", "description")]),
    (ticket(primaryId="p" * 101), [("EQ-4000002", "primaryId")]),
    (ticket(customerReferenceId="r" * 201), [("EQ-4000002", "customerReferenceId")]),
    (ticket(colour="red"), [("EQ-4000003", "colour")]),
    (ticket(attachments=[{"id": str(n)} for n in range(6)]), [("EQ-4000002", "attachments")]),
    (ticket(contacts=[{"type": "BOSS", "registeredUsers": ["x"]}]),
     [("EQ-4000002", "contacts/0")]),
    (ticket(contacts=[{"type": "NOTIFICATION", "firstName": "A", "lastName": "B",
                       "details": [{"type": "EMAIL", "value": "not-an-address"}]}]),
     [("EQ-4000002", "contacts/0/details/0/value")]),
    (ticket(occurredDateTime="yesterday"), [("EQ-4000002", "occurredDateTime")]),
    (ticket(details={"blob": "x" * 17000}), [("EQ-4000002", "details")]),
    (ticket(attachments=[{"id": "no-such-file"}]), [("EQ-4000007", "attachments/0/id")]),
])
def test_a_bad_create_names_each_problem_and_changes_nothing(client, body, problems):
    answer = client.create(body)
    assert answer.status == 400, answer
    found = [(entry["errorCode"], info["property"]) for entry in answer.data
             for info in entry["additionalInfo"]]
    assert all(problem in found for problem in problems), found
    assert client.list().data["tickets"] == []


def test_bodies_that_are_not_json_or_too_large_are_400s_with_their_codes(client):
    malformed = client.call("POST", "/tickets", "{nope")
    assert malformed.status == 400 and codes(malformed) == ["EQ-4000004"]
    other_type = client.call("POST", "/tickets", "x", headers={"Content-Type": "text/plain"})
    assert other_type.status == 400 and codes(other_type) == ["EQ-4000006"]
    huge = client.call("POST", "/tickets", ticket(description="x" * (1024 * 1024)))
    assert huge.status == 400 and codes(huge) == ["EQ-4000005"]


def test_an_open_customer_reference_is_taken_until_the_ticket_ends(api, client):
    first = client.new_ticket(customerReferenceId="REF-7")
    again = client.create(ticket(customerReferenceId="REF-7"))
    assert again.status == 409 and codes(again) == ["EQ-4090001"]
    assert first in again.data[0]["errorMessage"]
    assert other_customer(api).create(ticket(customerReferenceId="REF-7")).status == 200
    assert client.cancel(first).status == 200
    assert client.create(ticket(customerReferenceId="REF-7")).status == 200


def test_a_retried_create_with_its_idempotency_key_answers_the_first_ticket(client):
    first = client.create(ticket(), **{"Idempotency-Key": "create-42"})
    again = client.create(ticket(), **{"Idempotency-Key": "create-42"})
    assert again.status == 200 and again.data == first.data
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    changed = client.create(ticket(description="Another"), **{"Idempotency-Key": "create-42"})
    assert changed.status == 409 and codes(changed) == ["EQ-4090004"]
    assert len(client.list().data["tickets"]) == 1


def test_concurrent_retries_of_one_create_make_one_ticket(client):
    key = Idempotency(DEMO_PRINCIPAL.client_id, "burst", "ticket", ticket())
    results, errors = run_all(lambda _: create_once(
        key, lambda number: access.find(DEMO_PRINCIPAL, number),
        lambda: service.create(DEMO_PRINCIPAL, ticket(), key)), range(THREADS))
    assert errors == [None] * THREADS
    assert len({case.case_number for case, _ in results}) == 1
    assert sorted(new for _, new in results) == [False] * (THREADS - 1) + [True]
    assert len(client.list().data["tickets"]) == 1


def test_another_accounts_ticket_does_not_exist_for_a_client_but_the_desk_sees_all(api, client):
    other = other_customer(api)
    theirs = other.new_ticket()
    mine = client.new_ticket()
    for answer in (client.get(theirs), client.note(theirs), client.cancel(theirs)):
        assert answer.status == 404 and codes(answer) == ["EQ-4040001"], answer
    assert other.get(theirs).data["status"] == "SUBMITTED"
    assert [t["id"] for t in client.list().data["tickets"]] == [mine]
    assert client.list("?accountNumber=" + other.get(theirs).data["accountNumber"]).data[
        "tickets"] == []
    operator = desk(api)
    assert operator.get(theirs).status == 200 and operator.get(mine).status == 200
    assert [t["id"] for t in operator.list().data["tickets"]] == [mine, theirs]
    assert [t["id"] for t in operator.list("?accountNumber=01234574").data["tickets"]] == [mine]
    refused = operator.create(ticket())  # the desk acts for no account
    assert refused.status == 403 and codes(refused) == ["EQ-4030002"]


def test_lists_filter_by_status_and_reference_newest_first_in_pages(api, client):
    numbers = [client.new_ticket(customerReferenceId=f"R{n}") for n in range(5)]
    desk(api).move(numbers[1], "IN_PROGRESS")
    page = client.list("?limit=2")
    assert [t["id"] for t in page.data["tickets"]] == numbers[:2:-1][:2]
    assert page.data["hasMore"] is True
    rest = client.list("?limit=2&offset=4").data
    assert [t["id"] for t in rest["tickets"]] == [numbers[0]] and rest["hasMore"] is False
    working = client.list("?status=IN_PROGRESS").data["tickets"]
    assert [t["id"] for t in working] == [numbers[1]]
    assert working[0]["status"] == "IN_PROGRESS" and working[0]["category"] == "Power"
    assert [t["id"] for t in client.list("?customerReferenceId=R3").data["tickets"]] == [
        numbers[3]]
    assert client.list("?customerReferenceId=R3&status=IN_PROGRESS").data["tickets"] == []
    assert [t["id"] for t in desk(api).list("?status=IN_PROGRESS").data["tickets"]] == [
        numbers[1]]
    bad = client.list("?limit=0&colour=red")
    assert bad.status == 400 and sorted(codes(bad)) == ["EQ-4000002", "EQ-4000003"]


def test_a_notification_contact_is_what_the_create_gave(client):
    number = client.new_ticket()
    contacts = client.get(number).data["contacts"]
    assert contacts[0]["details"] == [{"type": "EMAIL", "value": NOTIFY}]
