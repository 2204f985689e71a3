"""The desk assigns and comments on work items of every kind, through their records' APIs."""
import json
from concurrent.futures import ThreadPoolExecutor

import requests

from chalicelib.desk.models import WorkItem
from local.demo import DESK_CREDENTIALS

from .cases_client import NOTIFY, customer, desk
from .conftest import sent_emails
from .support import basic
from .test_crm_authentication import login
from .test_crm_service_requests import call, new_request
from .test_desk_people import JSON, agent, post

DESK = basic(*DESK_CREDENTIALS)


def act(api, item_id: str, what: str, body: dict):
    return api.request("POST", f"/desk/v1/work-items/{item_id}/{what}", json.dumps(body),
                       headers=JSON, auth=DESK)


def item(api, item_id: str) -> dict:
    answer = api.get(f"/desk/v1/work-items/{item_id}", auth=DESK)
    assert answer.status == 200, answer
    return answer.data


def test_a_support_request_is_assigned_through_leap_and_its_group_kept_by_the_desk(
        api, streams):
    post(api, "/groups", {"name": "Parking"})
    sam = agent(api, groups=["Parking"])
    request = api.raise_request()
    streams.drain()
    assert act(api, f"support-request-{request}", "assignment",
               {"agent": sam["id"], "group": "Parking"}).status == 204
    leap = api.get(f"/api/v1/requests/{request}").data
    assert leap["assignee"] == "Sam Porter" and leap["state"] == "IN_PROGRESS"
    assert leap["updates"][-1]["type"] == "ASSIGNED"
    streams.drain()
    shown = item(api, f"support-request-{request}")
    assert (shown["assignee"], shown["group"], shown["state"]) == ("Sam Porter", "Parking",
                                                                  "open")
    assert any(e["type"] == "assigned" for e in shown["timeline"])
    listed = api.get("/desk/v1/work-items?group=Parking", auth=DESK).data["data"]
    assert [i["id"] for i in listed] == [f"support-request-{request}"]
    assert api.get("/desk/v1/counts", auth=DESK).data["groups"] == {"Parking": 1}
    # unassigned again: the agent goes, the group stays
    assert act(api, f"support-request-{request}", "assignment", {"agent": None}).status == 204
    streams.drain()
    assert api.get(f"/api/v1/requests/{request}").data.get("assignee") is None
    unassigned = api.get("/desk/v1/work-items?unassigned=true", auth=DESK).data["data"]
    assert f"support-request-{request}" in [i["id"] for i in unassigned]


def test_a_service_request_takes_the_crm_user_of_the_agents_name_else_the_desks_own(
        api, streams):
    token = login(api).data["data"]["token"]
    number = call(api, "create", token, new_request()).data["data"]["number"]
    adoe = agent(api, name="adoe", email="adoe@desk.example")
    sam = agent(api)
    streams.drain()
    assert act(api, f"service-request-{number}", "assignment", {"agent": adoe["id"]}).status \
        == 204
    show = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert show.data["data"]["assigned_to"]["user"]["username"] == "adoe"
    assert act(api, f"service-request-{number}", "assignment", {"agent": sam["id"]}).status \
        == 204
    show = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert show.data["data"]["assigned_to"]["user"] is None
    streams.drain()
    assert WorkItem.get(f"service-request-{number}").assignee == "Sam Porter"


def test_a_ticket_shows_its_assignee_in_tmf621_and_internal_notes_stay_with_the_desk(
        api, streams):
    post(api, "/groups", {"name": "Power"})
    sam = agent(api)
    ticket = customer(api).new_ticket()
    streams.drain()
    assert act(api, f"ticket-{ticket}", "assignment",
               {"agent": sam["id"], "group": "Power"}).status == 204
    tmf = api.get(f"/tmf-api/troubleTicket/v5/troubleTicket/{ticket}",
                  auth=customer(api).headers).data
    assignees = {party["partyOrPartyRole"]["name"] for party in tmf["relatedParty"]
                 if party["role"] == "assignee"}
    assert assignees == {"Sam Porter", "Power"}
    assert act(api, f"ticket-{ticket}", "comments",
               {"text": "Breaker B-7 is suspect", "visibility": "internal"}).status == 204
    assert act(api, f"ticket-{ticket}", "comments", {"text": "An engineer is on the way"}
               ).status == 204
    notes = customer(api).get(ticket).data["otherDetails"]["notes"]
    assert [n["text"] for n in notes] == ["An engineer is on the way"]
    streams.drain()
    assert any(m["subject"] == f"Ticket {ticket}: a new note"
               and m["destinations"]["ToAddresses"] == [NOTIFY] for m in sent_emails())
    texts = {e.get("text"): e.get("visibility") for e in item(api, f"ticket-{ticket}")[
        "timeline"]}
    assert texts["Breaker B-7 is suspect"] == "internal"
    assert texts["An engineer is on the way"] == "public"
    assert desk(api).get(ticket).status == 200


def test_comments_go_where_each_kind_keeps_them(api, streams):
    request = api.raise_request()
    token = login(api).data["data"]["token"]
    number = call(api, "create", token, new_request()).data["data"]["number"]
    streams.drain()
    assert act(api, f"support-request-{request}", "comments",
               {"text": "We have called the warden"}).status == 204
    assert api.get(f"/api/v1/requests/{request}").data["updates"][-1]["comment"] == \
        "We have called the warden"
    assert act(api, f"support-request-{request}", "comments",
               {"text": "The tenant is difficult", "visibility": "internal"}).status == 204
    assert "difficult" not in api.get(f"/api/v1/requests/{request}").body
    public = act(api, f"service-request-{number}", "comments", {"text": "On its way"})
    assert public.status == 409 and public.data["error"]["field"] == "visibility"
    assert act(api, f"service-request-{number}", "comments",
               {"text": "Parts ordered", "visibility": "internal"}).status == 204
    streams.drain()
    said = [e for e in item(api, f"support-request-{request}")["timeline"]
            if e.get("visibility") == "internal"]
    assert [e["text"] for e in said] == ["The tenant is difficult"]
    assert [e["text"] for e in item(api, f"service-request-{number}")["timeline"]
            if e.get("text")] == ["Parts ordered"]


def test_refused_actions_name_the_field_and_change_nothing(api, streams):
    request = api.raise_request()
    api.update(request, "<state>SUCCESSFUL</state>")
    sam = agent(api)
    streams.drain()
    done = act(api, f"support-request-{request}", "assignment", {"agent": sam["id"]})
    assert done.status == 409 and done.data["error"]["field"] == "agent"
    assert api.get(f"/api/v1/requests/{request}").data.get("assignee") is None
    unknown = act(api, f"support-request-{request}", "assignment", {"agent": "ag_000000000000"})
    assert unknown.status == 400 and unknown.data["error"]["field"] == "agent"
    group = act(api, f"support-request-{request}", "assignment", {"group": "Nowhere"})
    assert group.status == 400 and group.data["error"]["field"] == "group"
    assert act(api, "ticket-99999999", "assignment", {"group": None}).status == 404
    assert act(api, f"support-request-{request}", "comments", {"text": "<b>x</b>"}
               ).status == 400
    api.request("PATCH", f"/desk/v1/agents/{sam['id']}", json.dumps({"active": False}),
                headers=JSON, auth=DESK)
    other = api.raise_request()
    streams.drain()
    inactive = act(api, f"support-request-{other}", "assignment", {"agent": sam["id"]})
    assert inactive.status == 400 and "not active" in inactive.data["error"]["message"]


def test_concurrent_assignments_end_with_one_owner_in_every_face(running_stack):
    base, desk_auth = running_stack.base, DESK_CREDENTIALS
    created = [requests.post(f"{base}/desk/v1/agents", auth=desk_auth, timeout=30, json={
        "name": f"Racer {n}", "email": f"racer{n}.{id(base)}@desk.example"}).json()
        for n in range(6)]
    raised = requests.post(f"{base}/api/v1/requests", auth=("demo", "demo-secret"), timeout=30,
                           headers={"Content-Type": "application/xml"}, data=(
                               '<support-request><account identifier="01234574"/><topic '
                               'identifier="Alarm"/><summary>Race</summary></support-request>'))
    identifier = raised.headers["Location"].rsplit("/", 1)[1]

    def assign(racer: dict) -> int:
        return requests.post(f"{base}/desk/v1/work-items/support-request-{identifier}/"
                             "assignment", auth=desk_auth, json={"agent": racer["id"]},
                             timeout=30).status_code
    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(assign, created)) == {204}
    leap = requests.get(f"{base}/api/v1/requests/{identifier}", auth=("demo", "demo-secret"),
                        timeout=30).text
    owner = leap.split("<updates>")[0].split("<assignee>")[1].split("</assignee>")[0]
    assert owner.startswith("Racer ")
    from .test_local_server import wait_until
    def work_item() -> dict:
        return requests.get(f"{base}/desk/v1/work-items/support-request-{identifier}",
                            auth=desk_auth, timeout=30).json()
    try:
        wait_until(lambda: work_item().get("assignee") == owner, 10)
    except AssertionError:
        raise AssertionError(f"the work item says {work_item()}, LEAP {owner}") from None
    assert leap.count("<type>ASSIGNED</type>") == 6


def test_a_deactivated_agents_open_work_returns_to_its_group(api, streams, capsys):
    from ops.admin import main
    post(api, "/groups", {"name": "Parking"})
    sam = agent(api)
    open_one, done_one = api.raise_request("Still open"), api.raise_request("Done")
    streams.drain()
    for request in (open_one, done_one):
        act(api, f"support-request-{request}", "assignment", {"agent": sam["id"],
                                                            "group": "Parking"})
    api.update(done_one, "<state>SUCCESSFUL</state>")
    streams.drain()
    assert main(["deactivate-agent", sam["id"]]) == 0
    assert "1 open work item(s) returned" in capsys.readouterr().out
    assert api.get(f"/api/v1/requests/{open_one}").data.get("assignee") is None
    assert api.get(f"/api/v1/requests/{done_one}").data["assignee"] == "Sam Porter"
    streams.drain()
    returned = WorkItem.get(f"support-request-{open_one}")
    assert (returned.assignee, returned.group) == (None, "Parking")
    assert main(["list-agents"]) == 0
    assert f"{sam['id']}\tSam Porter\tsam@desk.example\t-\tdeactivated" in \
        capsys.readouterr().out


def test_the_operator_makes_groups_and_agents(api, capsys):
    from ops.admin import main
    assert main(["create-group", "Lifts", "--description", "All lifts"]) == 0
    assert main(["create-agent", "Ada Lift", "ada@desk.example", "--groups", "Lifts"]) == 0
    assert "created; it signs in once it has a password" in capsys.readouterr().out
    assert main(["list-groups"]) == 0
    assert "Lifts\t1\tAll lifts" in capsys.readouterr().out
    import pytest
    with pytest.raises(SystemExit):
        main(["create-agent", "Twin", "ADA@desk.example"])
    assert "has the e-mail" in capsys.readouterr().err


def raise_for(api, **body):
    return api.request("POST", "/desk/v1/work-items", json.dumps(body), headers=JSON,
                       auth=DESK)


def test_the_desk_raises_work_of_every_kind_for_a_customer(api, streams):
    request = raise_for(api, kind="support-request", account="01234574",
                        topic="Parking:Stolen Spot", title="Caller says bay 7 is taken")
    assert request.status == 201 and request.data["id"].startswith("support-request-")
    leap = api.get(f"/api/v1/requests/{request.data['record']}").data
    assert (leap["creator"], leap["summary"]) == ("Joseph Banks", "Caller says bay 7 is taken")
    sr = raise_for(api, kind="service-request", account="01234574", topic="Fault",
                   category="HEAT", title="No heating, phoned in", priority="urgent")
    assert sr.status == 201, sr
    ticket = raise_for(api, kind="ticket", account="01234574", code="0002-0001",
                       title="Walk-in: lights flicker", email="walkin@example.net")
    assert ticket.status == 201, ticket
    # the customer's own client sees the ticket as its account's
    assert customer(api).get(ticket.data["record"]).status == 200
    streams.drain()
    items = {i["id"]: i for i in api.get("/desk/v1/work-items?account=01234574",
                                         auth=DESK).data["data"]}
    assert {request.data["id"], sr.data["id"], ticket.data["id"]} <= set(items)
    assert items[sr.data["id"]]["priority"] == "urgent"
    assert items[request.data["id"]]["topic"] == "Parking:Stolen Spot"


def test_raising_is_refused_naming_the_desks_field(api):
    topic = raise_for(api, kind="support-request", account="01234574", topic="Plumbing",
                      title="Leak")
    assert topic.status == 400 and topic.data["error"]["field"] == "topic"
    account = raise_for(api, kind="support-request", account="49927398716", topic="Parking",
                        title="x")
    assert account.status == 400 and account.data["error"]["field"] == "account"
    missing = raise_for(api, kind="ticket", account="01234574", title="No code")
    assert missing.status == 400 and missing.data["error"]["field"] == "code"
    category = raise_for(api, kind="service-request", account="01234574", topic="Fault",
                         category="NOPE", title="x")
    assert category.status == 400 and category.data["error"]["field"] == "category"


def test_an_assignment_is_one_work_item_assigned_event_for_the_desk_only(api, streams):
    sam = agent(api)
    request = api.raise_request()
    streams.drain()
    act(api, f"support-request-{request}", "assignment", {"agent": sam["id"]})
    streams.drain()
    streams.drain()  # a replay publishes nothing twice

    def assigned(auth) -> list[dict]:
        page = api.get("/webhooks/v1/events?types=work_item.assigned&limit=100", auth=auth)
        assert page.status == 200, page
        return [m for m in page.data["data"] if m["data"]["record"] == request]
    [event] = assigned(DESK)
    assert event["data"]["assignee"] == "Sam Porter" and event["previous"]["assignee"] is None
    assert event["data"]["url"].endswith(f"/desk/v1/work-items/support-request-{request}")
    assert assigned(basic("demo", "demo-secret")) == []  # a customer's client: not the desk's
