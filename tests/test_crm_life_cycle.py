"""The life cycle of a service request: each rule, its error, and concurrent changes."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from .test_crm_authentication import login, status
from .test_crm_service_requests import call, create


@pytest.fixture
def token(api):
    return login(api).data["data"]["token"]


@pytest.fixture
def number(api, token):
    return create(api, token).data["data"]["number"]


def act(api, token, method: str, number: str, **body):
    return call(api, method, token, {"service_request_identifier": {"number": number}, **body})


def respond(api, token, number, category="Acknowledged", **extra):
    # the vendor's example body, completed with the documented fields
    return act(api, token, "respond", number, status_identifier={"name": "Responded"},
               response={"category_identifier": {"name": category},
                         "responded_by_identifier": {"username": "jsmith"},
                         "response_date": "2026-11-23T10:00:00Z",
                         "description": "We will send an engineer"}, **extra)


def final_resolve(api, token, number, category="Closed Without Fix"):
    return act(api, token, "final_resolve", number, status_identifier={"name": "Final Resolved"},
               final_resolution={"category_identifier": {"name": category},
                                 "final_resolved_by_identifier": {"username": "adoe"},
                                 "description": "Replaced the pump"})


def rule(answer) -> str:
    assert status(answer) == (200, "LIFE_CYCLE_RULE"), answer
    return answer.data["status"]["message"]


def test_the_whole_life_cycle_with_acceptances(api, token, number):
    responded = respond(api, token, number, "Site Visit Proposed").data["data"]
    assert responded["life_cycle_state"] == "RESPONDED"
    assert responded["response"]["category"]["name"] == "Site Visit Proposed"
    assert responded["response"]["responded_by"]["username"] == "jsmith"
    assert responded["response"]["requires_acceptance"] is True
    assert "response_accept" in rule(final_resolve(api, token, number))
    accepted = act(api, token, "response_accept", number,
                   accepted_by_identifier={"id": "01234574"}).data["data"]
    assert accepted["response"]["accepted_by"] == {"id": "01234574"}
    temporary = act(api, token, "temporary_resolve", number, temporary_resolution={
        "category_identifier": {"code": "WORK"}, "description": "Heater lent"}).data["data"]
    assert temporary["life_cycle_state"] == "TEMPORARY RESOLVED"
    assert temporary["status"]["name"] == "Temporary Resolved"
    assert "temporary_resolution_accept" in rule(final_resolve(api, token, number))
    assert status(act(api, token, "temporary_resolution_accept", number,
                      accepted_by_identifier={"email": "joe.banks@example.net"})) == (200, "OK")
    final = final_resolve(api, token, number, "Fixed").data["data"]
    assert final["life_cycle_state"] == "FINAL RESOLVED"
    assert "final_resolution_accept" in rule(act(api, token, "complete", number,
                                                 status_identifier={"name": "Completed"}))
    assert status(act(api, token, "final_resolution_accept", number)) == (200, "OK")
    done = act(api, token, "complete", number, status_identifier={"name": "Completed"})
    assert done.data["data"]["life_cycle_state"] == "COMPLETED"
    assert "changes no more" in rule(act(api, token, "update", number, notes="late"))


def test_a_response_without_acceptance_lets_the_request_resolve_and_complete(api, token,
                                                                             number):
    respond(api, token, number)
    assert status(final_resolve(api, token, number)) == (200, "OK")
    done = act(api, token, "complete", number, status_identifier={"name": "Completed"})
    assert done.data["data"]["life_cycle_state"] == "COMPLETED"


@pytest.mark.parametrize("method, body, expected", [
    ("temporary_resolve", {"temporary_resolution": {"category_identifier": {"code": "WORK"}}},
     "temporary_resolve needs a request in RESPONDED or TEMPORARY RESOLVED; SR00000001 is "
     "PENDING."),
    ("complete", {"status_identifier": {"name": "Completed"}},
     "complete needs a request in FINAL RESOLVED; SR00000001 is PENDING."),
    ("response_accept", {}, "response_accept needs a request in RESPONDED; SR00000001 is "
                            "PENDING."),
])
def test_a_broken_rule_names_the_rule_and_changes_nothing(api, token, number, method, body,
                                                          expected):
    assert rule(act(api, token, method, number, **body)) == expected
    shown = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert shown.data["data"]["version"] == 1 and shown.data["data"]["life_cycle_state"] == \
        "PENDING"


def test_update_moves_between_statuses_of_the_current_state_only(api, token, number):
    held = act(api, token, "update", number, status_identifier={"name": "On Hold"},
               urgency_level="URGENCY1", udf_string_2="Second").data["data"]
    assert held["status"]["name"] == "On Hold" and held["urgency_level"] == "URGENCY1"
    assert held["user_defined_fields"]["udf_string_2"] == "Second"
    assert rule(act(api, token, "update", number, status_identifier={"name": "Completed"})) == (
        "Status Completed is COMPLETED; this method moves the request to PENDING "
        "(status_identifier).")


def test_cancel_takes_the_types_status_and_reason_and_only_while_pending(api, token):
    first = create(api, token).data["data"]["number"]
    # the vendor's example body
    cancelled = act(api, token, "cancel", first, status_identifier={"name": "Cancel"},
                    cancellation_reason_identifier={"name": "Cancellation Reason C"})
    assert cancelled.data["data"]["cancellation_reason"]["name"] == "Cancellation Reason C"
    second = create(api, token).data["data"]["number"]
    defaulted = act(api, token, "cancel", second).data["data"]
    assert defaulted["life_cycle_state"] == "CANCELLED"
    assert defaulted["status"]["name"] == "Cancel"
    assert defaulted["cancellation_reason"]["name"] == "Cancellation Reason C"
    third = create(api, token).data["data"]["number"]
    respond(api, token, third)
    assert "cancel needs a request in PENDING" in rule(act(api, token, "cancel", third))


def test_of_twenty_concurrent_responses_exactly_one_succeeds_and_none_is_lost(api, token,
                                                                             number):
    """Each thread calls the service as one Lambda invocation would (chalice's test client and
    local server serve one request at a time); the writes race for real against DynamoDB."""
    from chalicelib.core.errors import ApiError
    from chalicelib.service_requests import life_cycle

    def one(n: int) -> str:
        try:
            life_cycle.respond({"number": number}, {
                "status_identifier": {"name": "Responded"},
                "response": {"category_identifier": {"name": "Acknowledged"},
                             "description": f"response {n}"}})
            return "OK"
        except ApiError as error:
            return error.code
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(one, range(20)))
    assert sorted(codes) == ["LIFE_CYCLE_RULE"] * 19 + ["OK"]
    shown = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert shown.data["data"]["version"] == 2
    # and eight concurrent updates of different fields: every one lands
    fields = [f"udf_string_{n % 8 + 1}" for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda field: life_cycle.update({"number": number}, {field: field}), fields))
    shown = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert shown.data["data"]["user_defined_fields"] == {
        **{field: field for field in fields}, "udf_float_1": 2.5}
    assert shown.data["data"]["version"] == 10
