"""The list methods of the CRM-style API: each on its index, filtered and paged."""
import pytest

from chalicelib.core import auth, tokens

from .test_crm_authentication import login, status
from .test_crm_life_cycle import act, final_resolve, respond
from .test_crm_service_requests import call, create


@pytest.fixture
def token(api):
    return login(api).data["data"]["token"]


def listed(api, token, method: str, query: str = "") -> list[str]:
    answer = call(api, "GET", token, query=f"{method}?fields_set=number" + (
        f"&{query}" if query else ""))
    assert status(answer) == (200, "OK"), answer
    return [item["number"] for item in answer.data["data"]]


@pytest.fixture
def requests_in_every_state(api, token):
    """SR1 pending (Fault), SR2 pending (Enquiry, Plumbing), SR3 responded awaiting
    acceptance, SR4 final resolved awaiting acceptance, SR5 completed, SR6 cancelled."""
    numbers = [create(api, token).data["data"]["number"] for _ in range(6)]
    act(api, token, "update", numbers[1], category_identifier={"name": "Plumbing"})
    respond(api, token, numbers[2], "Site Visit Proposed")
    respond(api, token, numbers[3])
    final_resolve(api, token, numbers[3], "Fixed")
    respond(api, token, numbers[4])
    final_resolve(api, token, numbers[4])
    act(api, token, "complete", numbers[4], status_identifier={"name": "Completed"})
    act(api, token, "cancel", numbers[5])
    return numbers


def test_each_get_method_lists_its_state(api, token, requests_in_every_state):
    sr = requests_in_every_state
    assert listed(api, token, "get_pending") == sr[:2]
    assert listed(api, token, "get_responded_pending_acceptance") == [sr[2]]
    assert listed(api, token, "get_final_resolved") == [sr[3]]
    assert listed(api, token, "get_final_resolved_pending_acceptance") == [sr[3]]
    assert listed(api, token, "get_completed") == [sr[4]]
    act(api, token, "response_accept", sr[2])
    assert listed(api, token, "get_responded_pending_acceptance") == []


def test_filters_and_paging(api, token, requests_in_every_state):
    sr = requests_in_every_state
    assert listed(api, token, "get_pending", "category_identifier=name=Plumbing") == [sr[1]]
    assert listed(api, token, "get_pending", "category_identifier=code=HEAT"
                                             "&accounts_receivable_identifier=number=01234574"
                  ) == [sr[0]]
    assert listed(api, token, "get_pending", "type_identifier=name=Enquiry") == []
    assert listed(api, token, "get_pending", "caller_identifier=id=01234574") == sr[:2]
    assert listed(api, token, "list", "accounts_receivable_identifier=number=01234574") == sr
    assert listed(api, token, "list", "caller_identifier=id=01234574"
                                      "&number_of_results=2&offset=3") == sr[3:5]


def test_list_takes_exactly_one_of_accounts_receivable_and_caller(api, token):
    neither = call(api, "GET", token, query="list?fields_set=number")
    assert status(neither) == (200, "MISSING_PARAMETER")
    both = call(api, "GET", token, query="list?accounts_receivable_identifier=id=01234574"
                                         "&caller_identifier=id=01234574")
    assert status(both) == (200, "INVALID_PARAMETER")
    by_email = call(api, "GET", token, query="get_pending?caller_identifier=email=a@b.c")
    assert status(by_email) == (200, "INVALID_PARAMETER")


def test_close_to_estimated_completion_time_takes_open_requests_due_within_the_period(
        api, token):
    soon = create(api, token, start_date=None, estimated_completion_time={
        "value": 3, "uot": "HOURS"}).data["data"]["number"]
    later = create(api, token, start_date=None, estimated_completion_time={
        "value": 3, "uot": "DAYS"}).data["data"]["number"]
    done = create(api, token, start_date=None, estimated_completion_time={
        "value": 1, "uot": "HOURS"}).data["data"]["number"]
    act(api, token, "cancel", done)
    method = "get_close_to_estimated_completion_time"
    assert listed(api, token, method, "period=1&uot=DAYS") == [soon]
    assert listed(api, token, method, "period=1&uot=WEEKS") == [soon, later]
    assert listed(api, token, method, "period=1&uot=WEEKS&type_identifier=name=Enquiry") == []
    too_far = call(api, "GET", token, query=f"{method}?period=65767&uot=YEARS")
    assert too_far.data["status"] == {"code": "INVALID_PARAMETER", "description": None,
                                      "message": "period reaches past the year 9999."}
    assert create(api, token, estimated_completion_time={"value": 99999, "uot": "YEARS"}).data[
        "status"]["code"] == "INVALID_PARAMETER"


def test_a_client_sees_lists_only_with_its_scope(api):
    auth.create_client("No CRM", ["requests"], "no-crm", "no-crm-secret")
    token, _ = tokens.issue_token(auth.verify_client("no-crm", "no-crm-secret"))
    answer = call(api, "GET", token, query="get_pending?fields_set=number")
    assert status(answer) == (200, "NOT_AUTHORIZED")
