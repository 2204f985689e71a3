"""Routing as data: ordered rules put new work in a group, and give it out within it."""
import json
from concurrent.futures import ThreadPoolExecutor

import requests

from chalicelib.desk.models import WorkItem
from local.demo import DESK_CREDENTIALS

from .cases_client import customer
from .support import basic
from .test_desk_people import JSON, agent, post

DESK = basic(*DESK_CREDENTIALS)


def rule(api, **body):
    answer = post(api, "/routing-rules", body)
    assert answer.status == 201, answer
    return answer.data


def test_the_first_matching_rule_routes_new_work_round_robin_through_the_records(
        api, streams):
    post(api, "/groups", {"name": "Alarms"})
    post(api, "/groups", {"name": "Everything else"})
    members = [agent(api, name=f"Alarm {n}", email=f"alarm{n}@desk.example",
                     groups=["Alarms"]) for n in range(3)]
    rule(api, name="Alarms first", match={"kind": "support-request", "topic": "Alarm"},
         group="Alarms", strategy="round_robin")
    rule(api, name="The rest", group="Everything else")
    raised = [api.raise_request(f"Alarm {n}", topic="Alarm") for n in range(6)]
    other = api.raise_request("Parking")
    ticket = customer(api).new_ticket()
    streams.drain()
    streams.drain()  # the routing's own assignments, back through the streams
    owners = [api.get(f"/api/v1/requests/{r}").data["assignee"] for r in raised]
    # no one twice before all once, and then the same turn again
    assert sorted(owners[:3]) == sorted(m["name"] for m in members)
    assert owners[3:] == owners[:3]
    items = {r: WorkItem.get(f"support-request-{r}") for r in raised}
    assert {(i.group, i.state) for i in items.values()} == {("Alarms", "open")}
    assert WorkItem.get(f"support-request-{other}").group == "Everything else"
    assert WorkItem.get(f"support-request-{other}").assignee is None  # a pool
    assert WorkItem.get(f"ticket-{ticket}").group == "Everything else"


def test_an_inactive_agent_is_skipped_and_least_open_work_wins(api, streams):
    post(api, "/groups", {"name": "Lifts"})
    busy, idle, away = (agent(api, name=name, email=f"{name.lower()}@desk.example",
                              groups=["Lifts"]) for name in ("Busy", "Idle", "Away"))
    api.request("PATCH", f"/desk/v1/agents/{away['id']}", json.dumps({"active": False}),
                headers=JSON, auth=DESK)
    first = api.raise_request("Lift 1", topic="Alarm")
    streams.drain()
    post(api, f"/work-items/support-request-{first}/assignment", {"agent": busy["id"]})
    streams.drain()
    rule(api, name="Lifts", match={"topic": "Alarm"}, group="Lifts", strategy="least_open")
    routed = []
    for n in range(2, 5):  # one at a time: each sees the open work the last one made
        routed.append(api.raise_request(f"Lift {n}", topic="Alarm"))
        streams.drain()
        streams.drain()
    owners = [api.get(f"/api/v1/requests/{r}").data["assignee"] for r in routed]
    assert "Away" not in owners and owners[0] == "Idle"
    assert sorted(owners) == ["Busy", "Idle", "Idle"] or sorted(owners) == [
        "Busy", "Busy", "Idle"]


def test_rules_are_listed_reordered_tested_and_removed(api):
    post(api, "/groups", {"name": "A"})
    first = rule(api, name="Tickets", match={"kind": "ticket"}, group="A")
    second = rule(api, name="Urgent", match={"priority": "urgent"}, group="A",
                  strategy="pool")
    assert [r["name"] for r in api.get("/desk/v1/routing-rules", auth=DESK).data["data"]] \
        == ["Tickets", "Urgent"]
    moved = api.request("PATCH", f"/desk/v1/routing-rules/{second['id']}",
                        json.dumps({"position": 1}), headers=JSON, auth=DESK)
    assert moved.status == 200 and moved.data["position"] == 1
    tried = post(api, "/routing-rules/test", {"kind": "ticket", "priority": "urgent"})
    assert tried.status == 200 and tried.data["rule"]["name"] == "Urgent"
    assert post(api, "/routing-rules/test", {"kind": "support-request"}).data["rule"] is None
    assert api.request("DELETE", f"/desk/v1/routing-rules/{second['id']}",
                       auth=DESK).status == 204
    [left] = api.get("/desk/v1/routing-rules", auth=DESK).data["data"]
    assert (left["id"], left["position"]) == (first["id"], 1)
    refused = post(api, "/routing-rules", {"name": "X", "group": "Nowhere"})
    assert refused.status == 400 and refused.data["error"]["field"] == "group"
    unknown = post(api, "/routing-rules", {"name": "X", "group": "A", "match": {"colour": 1}})
    assert unknown.status == 400


def test_round_robin_stays_fair_under_concurrent_creates(running_stack):
    base, desk = running_stack.base, DESK_CREDENTIALS
    group = f"Racers {id(base)}"
    requests.post(f"{base}/desk/v1/groups", auth=desk, json={"name": group}, timeout=30)
    names = [f"Fair {n} {id(base)}" for n in range(4)]
    for n, name in enumerate(names):
        requests.post(f"{base}/desk/v1/agents", auth=desk, timeout=30, json={
            "name": name, "email": f"fair{n}.{id(base)}@desk.example", "groups": [group]})
    requests.post(f"{base}/desk/v1/routing-rules", auth=desk, timeout=30, json={
        "name": "Fair", "match": {"topic": "Air Conditioning"}, "group": group,
        "strategy": "round_robin", "position": 1})

    def raise_one(n: int) -> str:
        answer = requests.post(f"{base}/api/v1/requests", auth=("demo", "demo-secret"),
                               headers={"Content-Type": "application/xml"}, timeout=30,
                               data='<support-request><account identifier="01234574"/>'
                                    '<topic identifier="Air Conditioning"/><summary>Hot '
                                    f'{n}</summary></support-request>')
        return answer.headers["Location"].rsplit("/", 1)[1]
    with ThreadPoolExecutor(8) as pool:
        raised = list(pool.map(raise_one, range(8)))
    from .test_local_server import wait_until

    def owners() -> list[str] | None:
        found = [requests.get(f"{base}/api/v1/requests/{r}", auth=("demo", "demo-secret"),
                              timeout=30).text.split("<updates>")[0] for r in raised]
        names_found = [text.split("<assignee>")[1].split("</assignee>")[0]
                       for text in found if "<assignee>" in text]
        return names_found if len(names_found) == len(raised) else None
    assigned = wait_until(owners, 30)
    assert sorted(assigned) == sorted(names * 2)  # each agent exactly twice
