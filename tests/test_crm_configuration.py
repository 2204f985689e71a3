"""The service request configuration: listed through the API, managed by the admin command,
and named by identifier objects (exactly one allowed field)."""
import pytest

from ops import admin

from .test_crm_authentication import BASE, login, status


@pytest.fixture
def token(api):
    return login(api).data["data"]["token"]


def get(api, path: str, token: str, query: str = ""):
    return api.request("GET", f"{BASE}/service_requests/configuration/{path}/list?token={token}"
                       + (f"&{query}" if query else ""), auth=None)


def names(answer) -> list[str]:
    return [entry.get("name", entry.get("username")) for entry in answer.data["data"]]


def test_the_demo_configuration_is_usable(api, token):
    types = get(api, "types", token).data["data"]
    assert {(t["name"], t["alternative_code"], t["notifications"]["email"]) for t in types} == {
        ("Fault", "FLT", True), ("Enquiry", "ENQ", False)}
    categories = get(api, "response_categories", token).data["data"]
    assert {(c["name"], c["requires_acceptance"]) for c in categories} == {
        ("Acknowledged", False), ("Site Visit Proposed", True)}
    assert names(get(api, "users", token)) == ["adoe", "jsmith"]
    for kind in ("categories", "temporary_resolution_categories", "final_resolution_categories",
                 "cancellation_reasons", "privacy_levels", "groups"):
        assert status(get(api, kind, token)) == (200, "OK") and names(get(api, kind, token))


def test_statuses_are_listed_by_type_and_by_life_cycle_state(api, token):
    everything = get(api, "statuses", token).data["data"]
    assert len(everything) == 14  # seven statuses for each of the two types
    fault = get(api, "statuses", token, "type_identifier=name=Fault").data["data"]
    assert [s["name"] for s in fault] == ["Cancel", "Completed", "Final Resolved", "On Hold",
                                          "Open", "Responded", "Temporary Resolved"]
    assert len({s["type"]["id"] for s in fault}) == 1
    pending = get(api, "statuses", token, "type_identifier=alternative_code=ENQ"
                                          "&life_cycle_state=PENDING").data["data"]
    assert [(s["name"], s["life_cycle_state"]) for s in pending] == [("On Hold", "PENDING"),
                                                                      ("Open", "PENDING")]


@pytest.mark.parametrize("query, code, message", [
    ("type_identifier=colour=red", "INVALID_PARAMETER",
     "type_identifier.colour is not a field of a service request type identifier; use one "
     "of: id, name, alternative_code."),
    ("type_identifier=name=Nothing", "NOT_FOUND",
     "No service request type has name Nothing (type_identifier)."),
    ("type_identifier=Fault", "INVALID_PARAMETER", None),
    ("life_cycle_state=DONE", "INVALID_PARAMETER", None),
])
def test_a_bad_identifier_is_named_in_the_envelope(api, token, query, code, message):
    answer = get(api, "statuses", token, query)
    assert status(answer) == (200, code)
    if message:
        assert answer.data["status"]["message"] == message


def test_a_read_without_a_valid_token_is_refused(api):
    assert status(get(api, "types", "not-a-token")) == (200, "INVALID_TOKEN")


def test_the_admin_command_adds_settings_the_api_lists(api, token, capsys):
    assert admin.main(["add-service-request-setting", "type", "Complaint",
                       "--alternative-code", "CMP", "--emails"]) == 0
    assert admin.main(["add-service-request-setting", "status", "Received", "--state",
                       "PENDING", "--type", "Complaint"]) == 0
    assert admin.main(["add-service-request-setting", "final_resolution_category",
                       "Refunded", "--requires-acceptance"]) == 0
    assert "saved" in capsys.readouterr().out
    statuses = get(api, "statuses", token, "type_identifier=name=Complaint").data["data"]
    assert [(s["name"], s["life_cycle_state"]) for s in statuses] == [("Received", "PENDING")]
    refunded = [c for c in get(api, "final_resolution_categories", token).data["data"]
                if c["name"] == "Refunded"]
    assert refunded[0]["requires_acceptance"] is True
