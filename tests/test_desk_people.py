"""The desk's people: agents, groups, signing in (/desk/v1)."""
import json
import time

from local.demo import DESK_CREDENTIALS

from .support import basic

DESK = basic(*DESK_CREDENTIALS)
JSON = {"Content-Type": "application/json"}
PASSWORD = "Lamp-Tide-Orbit-42"


def post(api, path: str, body: dict, auth=None):
    return api.request("POST", f"/desk/v1{path}", json.dumps(body), headers=JSON,
                       auth=auth or DESK)


def agent(api, name="Sam Porter", email="sam@desk.example", **extra) -> dict:
    answer = post(api, "/agents", {"name": name, "email": email, "password": PASSWORD, **extra})
    assert answer.status == 201, answer
    return answer.data


def sign_in(api, email="sam@desk.example", password=PASSWORD):
    return post(api, "/sign-in", {"email": email, "password": password}, auth=None)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_an_agent_signs_in_and_works_the_queue_with_its_token(api):
    assert post(api, "/groups", {"name": "Parking", "description": "Bays"}).status == 201
    made = agent(api, groups=["Parking"])
    assert made["groups"] == ["Parking"] and made["active"] is True
    signed = sign_in(api)
    assert signed.status == 200 and signed.data["agent"]["id"] == made["id"]
    assert 0 < signed.data["expires_in"] <= 8 * 3600
    token = bearer(signed.data["access_token"])
    assert api.get("/desk/v1/work-items?assignee=me", auth=token).status == 200
    groups = api.get("/desk/v1/groups", auth=token).data["data"]
    assert groups == [{"name": "Parking", "description": "Bays", "created": groups[0]["created"],
                       "members": [made["id"]]}]
    # an agent does not manage agents
    assert post(api, "/agents", {"name": "X", "email": "x@desk.example"}, auth=token).status \
        == 403
    assert api.request("POST", "/desk/v1/sign-out", auth=token).status == 204
    assert api.get("/desk/v1/work-items", auth=token).status == 401


def test_a_deactivated_agent_is_refused_at_once_whatever_tokens_it_holds(api):
    made = agent(api)
    token = bearer(sign_in(api).data["access_token"])
    changed = api.request("PATCH", f"/desk/v1/agents/{made['id']}",
                          json.dumps({"active": False}), headers=JSON, auth=DESK)
    assert changed.status == 200 and changed.data["active"] is False
    assert api.get("/desk/v1/work-items", auth=token).status == 401
    assert sign_in(api).status == 401


def test_a_wrong_password_and_an_unknown_agent_are_the_same_refusal_and_cost_alike(api):
    agent(api)
    started = time.perf_counter()
    wrong = sign_in(api, password="Not-The-Password-1")
    wrong_took = time.perf_counter() - started
    started = time.perf_counter()
    unknown = sign_in(api, email="nobody@desk.example")
    unknown_took = time.perf_counter() - started
    assert wrong.status == unknown.status == 401
    assert wrong.data["error"]["message"] == unknown.data["error"]["message"]
    assert unknown_took > wrong_took / 3  # a hash is verified either way (about 30 ms)


def test_repeated_failures_are_slowed_with_429(api):
    agent(api)
    statuses = [sign_in(api, password=f"Wrong-Password-{n}").status for n in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert sign_in(api).status == 429  # even the right password, until the window ends


def test_agents_are_refused_naming_the_rule(api):
    agent(api)
    taken = post(api, "/agents", {"name": "Twin", "email": "SAM@desk.example"})
    assert taken.status == 409 and taken.data["error"]["field"] == "email"
    weak = post(api, "/agents", {"name": "Weak", "email": "w@desk.example",
                                 "password": "samsamsamsam"})
    assert weak.status == 400 and "three kinds" in weak.data["error"]["message"]
    unknown = post(api, "/agents", {"name": "G", "email": "g@desk.example",
                                    "groups": ["Nowhere"]})
    assert unknown.status == 400 and unknown.data["error"]["field"] == "groups"
    colon = post(api, "/groups", {"name": "a:b"})
    assert colon.status == 400 and colon.data["error"]["field"] == "name"
    assert api.get("/desk/v1/agents", auth=basic("demo", "demo-secret")).status == 403
