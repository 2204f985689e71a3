"""The desk's work items and queue (/desk/v1): one queue over the three stores."""
import json

import pytest

from chalicelib.core import auth
from chalicelib.desk import projection
from chalicelib.desk.models import QueueEntry, WorkItem
from local.demo import DESK_CREDENTIALS

from .cases_client import customer, desk
from .support import basic
from .test_crm_authentication import login
from .test_crm_service_requests import call, new_request

DESK = basic(*DESK_CREDENTIALS)


def queue(api, query: str = "", auth=None):
    return api.get(f"/desk/v1/work-items{query}", auth=auth or DESK)


def ids(answer) -> list[str]:
    assert answer.status == 200, answer
    return [item["id"] for item in answer.data["data"]]


@pytest.fixture
def three(api, streams):
    """A support request, a service request and a ticket of the demo customer."""
    request = api.raise_request("A van is in my bay")
    token = login(api).data["data"]["token"]
    number = call(api, "create", token, new_request(
        description="The boiler knocks", urgency_level="URGENCY1")).data["data"]["number"]
    ticket = customer(api).new_ticket()
    streams.drain()
    return {"support-request": request, "service-request": number, "ticket": ticket}


def test_every_record_of_the_three_stores_is_one_work_item(api, three):
    request, number, ticket = three.values()
    items = {item["id"]: item for item in queue(api).data["data"]}
    assert set(items) == {f"support-request-{request}", f"service-request-{number}",
                          f"ticket-{ticket}"}
    raised = items[f"support-request-{request}"]
    assert raised == {**raised, "kind": "support-request", "record": request,
                      "title": "A van is in my bay", "state": "new", "native_state": "NEW",
                      "priority": "normal", "account": "01234574", "topic": "Parking",
                      "assignee": None, "link": f"http://localhost/api/v1/requests/{request}"}
    crm = items[f"service-request-{number}"]
    assert crm == {**crm, "state": "new", "native_state": "PENDING", "priority": "urgent",
                   "topic": "Fault", "assignee": "jsmith", "group": "Facilities",
                   "title": "The boiler knocks"}
    assert crm["link"].endswith(f"service_request_identifier=number={number}")
    tk = items[f"ticket-{ticket}"]
    assert tk == {**tk, "state": "new", "native_state": "SUBMITTED", "topic": "Power",
                  "link": f"http://localhost/support/v2/tickets/{ticket}"}
    # most urgent first, then oldest first
    assert ids(queue(api))[0] == f"service-request-{number}"


def test_a_change_through_any_api_moves_its_work_item_and_a_replay_changes_nothing(
        api, three, streams):
    request, _, ticket = three["support-request"], None, three["ticket"]
    api.update(request, "<state>IN_PROGRESS</state><assignee>Parking team</assignee>")
    desk(api).move(ticket, "IN_PROGRESS")
    desk(api).move(ticket, "ACTION_REQUIRED")
    streams.drain()
    moved = WorkItem.get(f"support-request-{request}")
    assert (moved.state, moved.native_state, moved.assignee) == ("open", "IN_PROGRESS",
                                                                  "Parking team")
    assert WorkItem.get(f"ticket-{ticket}").state == "pending"
    assert ids(queue(api, "?assignee=Parking%20team")) == [f"support-request-{request}"]
    assert f"support-request-{request}" not in ids(queue(api, "?unassigned=true"))
    # the first version of the request again (a replayed stream record): nothing moves back
    from chalicelib.desk.kinds import KINDS
    from chalicelib.support_requests.models import SupportRequest
    first = SupportRequest.get(request)
    first.version, first.state, first.assignee = 1, "NEW", None
    assert projection.project(projection.work_item(KINDS["support-request"], first)) is False
    assert WorkItem.get(f"support-request-{request}").state == "open"
    assert f"support-request-{request}" not in [e.item for e in QueueEntry.query("state:new")]


def test_filters_combine_and_a_checked_filter_may_answer_short_pages(api, three):
    assert ids(queue(api, "?kind=ticket")) == [f"ticket-{three['ticket']}"]
    assert ids(queue(api, "?account=01234574&kind=service-request&priority=urgent")) == [
        f"service-request-{three['service-request']}"]
    assert ids(queue(api, "?account=01234574&topic=Alarm")) == []
    assert ids(queue(api, "?state=closed")) == []
    assert len(ids(queue(api, "?created_from=2020-01-01&created_to=2999-01-01"))) == 3
    assert ids(queue(api, "?sort=created&created_to=2020-01-01")) == []


def test_cursor_pages_neither_skip_nor_repeat_in_any_order(api, streams):
    raised = [api.raise_request(f"Request {n}") for n in range(7)]
    streams.drain()
    for query in ("?limit=2&sort=created", "?limit=3&sort=updated&order=asc",
                  "?limit=2&state=new", "?limit=2&state=new&kind=support-request"):
        seen, cursor = [], None
        for _ in range(20):
            answer = queue(api, query + (f"&cursor={cursor}" if cursor else ""))
            seen += ids(answer)
            cursor = answer.data["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(f"support-request-{r}" for r in raised), query
    newest_first = ids(queue(api, "?sort=created&limit=100"))
    assert newest_first == [f"support-request-{r}" for r in reversed(raised)]


def test_counts_per_state_and_open_work_per_group_are_kept_with_the_items(api, three, streams):
    counts = api.get("/desk/v1/counts", auth=DESK)
    assert counts.status == 200 and counts.data == {"states": {"new": 3},
                                                    "groups": {"Facilities": 1}}
    desk(api).move(three["ticket"], "RESOLVED")
    desk(api).move(three["ticket"], "CLOSED")
    streams.drain()
    streams.drain()  # a second drain replays nothing twice
    assert api.get("/desk/v1/counts", auth=DESK).data["states"] == {"new": 2, "closed": 1}


def test_one_work_item_shows_its_timeline_internal_notes_included(api, three, streams):
    request, ticket = three["support-request"], three["ticket"]
    api.update(request, "<state>IN_PROGRESS</state><comment>A warden is on the way.</comment>")
    desk(api).note(ticket, "Breaker B-7 replaced", visibility="INTERNAL")
    streams.drain()
    shown = api.get(f"/desk/v1/work-items/support-request-{request}", auth=DESK)
    assert shown.status == 200 and shown.data["state"] == "open"
    kinds = [entry["type"] for entry in shown.data["timeline"]]
    assert kinds[0] == "created" and "state_changed" in kinds and "changed" in kinds
    said = [e for e in shown.data["timeline"] if e.get("text") == "A warden is on the way."]
    assert said and said[0]["visibility"] == "public"
    notes = api.get(f"/desk/v1/work-items/ticket-{ticket}", auth=DESK).data["timeline"]
    assert {"text": "Breaker B-7 replaced", "visibility": "internal"}.items() <= next(
        e for e in notes if e.get("text") == "Breaker B-7 replaced").items()
    assert api.get("/desk/v1/work-items/ticket-99999999", auth=DESK).status == 404
    assert api.get("/desk/v1/work-items/nothing-1", auth=DESK).status == 404


def test_only_the_desk_reaches_the_desk_api(api, three):
    assert queue(api, auth=basic("demo", "demo-secret")).status == 403  # no desk scope
    client_id, secret = auth.create_client("Tenant app", ["desk", "requests"],
                                           account="01234574")
    bound = queue(api, auth=basic(client_id, secret))
    assert bound.status == 403 and "customer account" in bound.data["error"]["message"]
    assert api.get("/desk/v1/work-items", auth=None).status == 401


@pytest.mark.parametrize("query, field", [
    ("?state=stuck", "state"), ("?limit=0", "limit"), ("?colour=red", "colour"),
    ("?created_from=2026-02-30", "created_from"), ("?cursor=forged.tag", "cursor"),
    ("?sort=due", "sort")])
def test_bad_queries_are_refused_naming_the_parameter(api, query, field):
    answer = queue(api, query)
    assert answer.status == 400 and answer.data["error"]["field"] == field, answer


def test_rebuild_writes_every_work_item_again_and_is_idempotent(api, three):
    for item in WorkItem.scan():
        item.delete()
    for entry in QueueEntry.scan():
        entry.delete()
    assert projection.rebuild() == {"support-request": 1, "service-request": 1, "ticket": 1}
    assert projection.rebuild() == {"support-request": 0, "service-request": 0, "ticket": 0}
    assert len(ids(queue(api))) == 3
    assert json.loads(json.dumps(api.get("/desk/v1/counts", auth=DESK).data))["states"] == {
        "new": 3}
