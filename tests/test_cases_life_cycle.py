"""Notes, cancellation and the desk's status changes of tickets; concurrent changes."""
import functools

import pytest

from chalicelib.cases import access, service
from chalicelib.core.errors import Conflict

from .cases_client import (
    DEMO_PRINCIPAL,
    DESK_PRINCIPAL,
    SEED_CANCEL,
    SEED_NOTE,
    codes,
    customer,
    desk,
)
from .test_cases_tickets import seed_attachment
from .test_concurrency import THREADS, run_all


@pytest.fixture
def client(api):
    return customer(api)


@pytest.fixture
def operator(api):
    return desk(api)


def test_the_seeds_note_and_cancel_samples_are_accepted_as_written(client):
    seed_attachment()
    number = client.new_ticket()
    noted = client.call("POST", f"/tickets/{number}/notes", SEED_NOTE)
    assert noted.status == 200
    result = noted.data["result"]
    assert result["CaseNumber"] == number and result["CaseId"] and result["CaseNotesId"]
    cancelled = client.call("POST", f"/tickets/{number}/cancel", SEED_CANCEL)
    assert cancelled.status == 200
    assert cancelled.data["result"]["CaseNotesId"] != result["CaseNotesId"]
    got = client.get(number).data
    assert got["status"] == "CANCELLED"
    notes = got["otherDetails"]["notes"]
    assert [(n["text"], n["visibility"]) for n in notes] == [
        ("This is a test notes!", "EXTERNAL"), ("This is a sample reason!", "EXTERNAL")]
    assert notes[0]["attachments"] == SEED_NOTE["attachments"]
    assert [h["status"] for h in got["otherDetails"]["statusHistory"]] == [
        "SUBMITTED", "CANCELLED"]
    assert got["otherDetails"]["cancellable"] is False
    assert got["otherDetails"]["modifiable"] is False


def test_internal_notes_are_the_desks_only(client, operator):
    number = client.new_ticket()
    assert operator.note(number, "Customer sounds upset", visibility="INTERNAL").status == 200
    assert operator.note(number, "We are on it").status == 200
    assert client.note(number, "Thanks", visibility="EXTERNAL").status == 200
    seen = [n["text"] for n in client.get(number).data["otherDetails"]["notes"]]
    assert seen == ["We are on it", "Thanks"]
    assert [n["text"] for n in operator.get(number).data["otherDetails"]["notes"]] == [
        "Customer sounds upset", "We are on it", "Thanks"]
    # a customer's client may not write one (it could never read it back)
    refused = client.note(number, "Psst", visibility="INTERNAL")
    assert refused.status == 403 and codes(refused) == ["EQ-4030003"]
    assert refused.data[0]["additionalInfo"][0]["property"] == "visibility"
    assert [n["text"] for n in operator.get(number).data["otherDetails"]["notes"]] == [
        "Customer sounds upset", "We are on it", "Thanks"]
    other = client.get(number).data["otherDetails"]
    assert other["updatedByFullName"] == "Demo client"


def test_the_desk_works_a_ticket_through_its_statuses(client, operator):
    number = client.new_ticket()
    steps = [("IN_PROGRESS", (True, True, False, False)),
             ("ACTION_REQUIRED", (True, True, False, True)),
             ("IN_PROGRESS", (True, True, False, False)),
             ("RESOLVED", (True, False, True, False)),
             ("IN_PROGRESS", (True, True, False, False)),  # reopened
             ("RESOLVED", (True, False, True, False)),
             ("CLOSED", (False, False, False, False))]
    for status, flags in steps:
        answer = operator.move(number, status, text=f"now {status}")
        assert answer.status == 200, answer
        assert answer.data["result"]["CaseNotesId"]
        other = client.get(number).data["otherDetails"]
        assert (other["modifiable"], other["cancellable"], other["reOpen"],
                other["respond"]) == flags, status
    got = client.get(number).data
    assert got["status"] == "CLOSED"
    assert [h["status"] for h in got["otherDetails"]["statusHistory"]] == [
        "SUBMITTED"] + [status for status, _ in steps]
    assert got["otherDetails"]["updatedByFullName"] == "Demo desk"
    closed = client.note(number)
    assert closed.status == 409 and codes(closed) == ["EQ-4090002"]


@pytest.mark.parametrize("path, status", [
    (["IN_PROGRESS"], "SUBMITTED"), ([], "ACTION_REQUIRED"), ([], "CLOSED"),
    ([], "CANCELLED"), (["RESOLVED"], "ACTION_REQUIRED"), (["RESOLVED", "CLOSED"],
                                                         "IN_PROGRESS")])
def test_any_other_move_is_a_409_that_changes_nothing(client, operator, path, status):
    number = client.new_ticket()
    for step in path:
        assert operator.move(number, step).status == 200
    before = client.get(number).data
    answer = operator.move(number, status, text="should not stay")
    assert answer.status == 409 and codes(answer) == ["EQ-4090002"]
    assert client.get(number).data == before


def test_cancel_only_before_the_desk_resolves(client, operator):
    for path in ([], ["IN_PROGRESS"], ["IN_PROGRESS", "ACTION_REQUIRED"]):
        number = client.new_ticket()
        for step in path:
            operator.move(number, step)
        assert client.cancel(number).status == 200
        assert client.cancel(number).status == 409  # already cancelled
    resolved = client.new_ticket()
    operator.move(resolved, "RESOLVED")
    answer = client.cancel(resolved)
    assert answer.status == 409 and codes(answer) == ["EQ-4090002"]
    assert "RESOLVED" in answer.data[0]["errorMessage"]


def test_bad_notes_and_cancels_name_the_field(client):
    number = client.new_ticket()
    for answer, field in ((client.note(number, ""), "text"),
                          (client.note(number, "x" * 4001), "text"),
                          (client.note(number, "x", visibility="SECRET"), "visibility"),
                          (client.note(number, "x", attachments=[{"id": "nope"}]),
                           "attachments/0/id"),
                          (client.call("POST", f"/tickets/{number}/cancel", {}), "reason")):
        assert answer.status == 400, answer
        assert field in [i["property"] for e in answer.data for i in e["additionalInfo"]]
    assert client.get(number).data["otherDetails"]["notes"] == []


def test_a_cancel_racing_the_desks_move_leaves_exactly_one_applied():
    for _ in range(5):
        case = service.create(DEMO_PRINCIPAL, {"code": "0002-0000", "description": "d",
                                                  "primaryId": "p"})
        number = case.case_number
        results, errors = run_all(lambda act: act(), [
            functools.partial(service.cancel, DEMO_PRINCIPAL, number, "never mind"),
            functools.partial(service.move, DESK_PRINCIPAL, number, "IN_PROGRESS")])
        assert sum(r is not None for r in results) == 1
        assert sum(isinstance(e, Conflict) for e in errors) == 1
        stored = access.find(DESK_PRINCIPAL, number)
        assert stored.status in ("CANCELLED", "IN_PROGRESS")
        assert [c.status for c in stored.status_history] == ["SUBMITTED", stored.status]


def test_twenty_concurrent_notes_are_all_kept():
    case = service.create(DEMO_PRINCIPAL, {"code": "0002-0000", "description": "d",
                                              "primaryId": "p"})
    results, errors = run_all(lambda n: service.add_note(
        DEMO_PRINCIPAL, case.case_number, {"text": f"note {n}"}), range(THREADS))
    assert errors == [None] * THREADS
    notes = access.notes_of(case, DEMO_PRINCIPAL)
    assert sorted(n.text for n in notes) == sorted(f"note {n}" for n in range(THREADS))
    assert len({n.note_id for n in notes}) == THREADS
