"""Service requests of the CRM-style API: create and show, by the seed's rules."""
import json
from urllib.parse import quote

import pytest

from chalicelib.core import auth

from .test_crm_authentication import BASE, JSON, login, status


@pytest.fixture
def token(api):
    return login(api).data["data"]["token"]


def call(api, method: str, token: str, body: dict | None = None, query: str = ""):
    if method == "GET":
        return api.request("GET", f"{BASE}/service_requests/{query}&token={token}", auth=None)
    return api.request("POST", f"{BASE}/service_requests/{method}",
                       json.dumps({"token": token, **(body or {})}), headers=JSON, auth=None)


def new_request(**overrides) -> dict:
    body = {"type_identifier": {"name": "Fault"},
            "accounts_receivable_identifier": {"number": "01234574"},
            "caller_email": "joe.banks@example.net", "caller_phone": "+44 20 7946 0000",
            "description": "The boiler makes a knocking noise", "notes": "Flat 4",
            "status_identifier": {"name": "Open"}, "category_identifier": {"code": "HEAT"},
            "urgency_level": "URGENCY2", "impact_level": "IMPACT3",
            "owned_by_group_identifier": {"alternative_code": "FAC"},
            "privacy_level_identifier": {"name": "Public"}, "udf_string_1": "Boiler B-7",
            "udf_float_1": 2.5, "start_date": "2026-11-23T09:00:00Z",
            "estimated_completion_time": {"value": 2, "uot": "DAYS"},
            "assigned_to": {"user_identifier": {"username": "jsmith"}}}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def create(api, token, **overrides):
    return call(api, "create", token, new_request(**overrides))


def test_create_answers_the_new_request_with_its_number_and_named_references(api, token):
    answer = create(api, token)
    assert status(answer) == (200, "OK"), answer
    created = answer.data["data"]
    assert created["number"] == "SR00000001" and created["life_cycle_state"] == "PENDING"
    assert created["type"]["name"] == "Fault" and created["status"]["name"] == "Open"
    assert created["category"] == {"id": created["category"]["id"], "name": "Heating",
                                   "code": "HEAT"}
    assert created["accounts_receivable"] == {"id": "01234574", "number": "01234574",
                                              "name": "Joseph Banks"}
    assert created["contact_information"]["id"] == "01234574"
    assert created["assigned_to"]["user"]["username"] == "jsmith"
    assert created["user_defined_fields"] == {"udf_string_1": "Boiler B-7", "udf_float_1": 2.5}
    # the estimated completion time computes the expected completion date
    assert created["start_date"] == "2026-11-23T09:00:00.000+0000"
    assert created["expected_completion_date"] == "2026-11-25T09:00:00.000+0000"
    second = create(api, token).data["data"]
    assert second["number"] == "SR00000002"


def test_an_expected_completion_date_computes_the_estimate(api, token):
    created = create(api, token, estimated_completion_time=None,
                     expected_completion_date="2026-11-23T12:30:00Z").data["data"]
    assert created["estimated_completion_time"] == {"value": 210, "uot": "MINUTES"}
    both = create(api, token, expected_completion_date="2026-11-24T00:00:00Z")
    assert status(both) == (200, "INVALID_PARAMETER")


def test_show_finds_a_request_by_number_or_id_with_only_the_fields_asked(api, token):
    created = create(api, token).data["data"]
    by_number = call(api, "GET", token, query="show?service_request_identifier=number="
                                               + created["number"])
    assert status(by_number) == (200, "OK") and by_number.data["data"] == created
    by_id = call(api, "GET", token, query=f"show?service_request_identifier=id={created['id']}"
                                          "&fields_set=number,status,life_cycle_state")
    assert by_id.data["data"] == {"number": created["number"], "status": created["status"],
                                  "life_cycle_state": "PENDING"}
    missing = call(api, "GET", token, query="show?service_request_identifier=number=SR99999999")
    assert status(missing) == (200, "NOT_FOUND")
    assert missing.data["status"]["message"] == ("No service request has number SR99999999 "
                                                 "(service_request_identifier).")
    unknown_field = call(api, "GET", token, query="show?service_request_identifier=number="
                                                   f"{created['number']}&fields_set=colour")
    assert status(unknown_field) == (200, "INVALID_PARAMETER")


@pytest.mark.parametrize("overrides, code, message", [
    ({"caller_email": None, "caller_phone": None}, "MISSING_PARAMETER",
     "caller_email or caller_phone is mandatory: type Fault tells its customers of status "
     "changes that way."),
    ({"start_date": "2026-02-30"}, "INVALID_PARAMETER", "Invalid field(s): start_date (invalid)"),
    ({"expected_completion_date": "31/12/2026", "estimated_completion_time": None},
     "INVALID_PARAMETER", "Invalid field(s): expected_completion_date (invalid)"),
    ({"status_identifier": {"name": "Responded"}}, "LIFE_CYCLE_RULE",
     "A new service request takes a PENDING status; Responded is RESPONDED "
     "(status_identifier)."),
    ({"status_identifier": {"name": "Nope"}}, "NOT_FOUND",
     "Type Fault has no status with name Nope (status_identifier)."),
    ({"accounts_receivable_identifier": {"number": "01234567"}}, "INVALID_PARAMETER",
     "Invalid customer identifier 01234567."),
    ({"accounts_receivable_identifier": {"number": "49927398716"}}, "NOT_FOUND",
     "No accounts receivable has number 49927398716 (accounts_receivable_identifier)."),
    ({"accounts_receivable_identifier": {"name": "Nobody Here"}}, "NOT_FOUND",
     "No accounts receivable has name Nobody Here (accounts_receivable_identifier)."),
    ({"type_identifier": {"code": "FLT"}}, "INVALID_PARAMETER",
     "type_identifier.code is not a field of a service request type identifier; use one of: "
     "id, name, alternative_code."),
    ({"urgency_level": "VERY"}, "INVALID_PARAMETER", None),
    ({"category_identifier": None}, "MISSING_PARAMETER", None),
    ({"contact_information_identifier": {"email": "someone@example.net"}}, "NOT_FOUND", None),
    ({"assigned_to": {"user_identifier": {"username": "nobody"}}}, "NOT_FOUND",
     "No user has username nobody (user_identifier)."),
    ({"related_service_requests": [{"service_request_identifier": {"number": "SR00000009"}}]},
     "NOT_FOUND", None),
])
def test_a_broken_rule_is_named_and_creates_nothing(api, token, overrides, code, message):
    answer = create(api, token, **overrides)
    assert status(answer) == (200, code), answer
    if message:
        assert answer.data["status"]["message"] == message
    assert create(api, token).data["data"]["number"] == "SR00000001"  # no number was used


def test_an_enquiry_needs_no_caller_email_and_the_caller_may_be_named_by_email(api, token):
    answer = create(api, token, type_identifier={"name": "Enquiry"}, caller_email=None,
                    caller_phone=None,
                    contact_information_identifier={"email": "Joe.Banks@example.net"})
    assert status(answer) == (200, "OK")


def test_a_number_already_taken_is_a_conflict_and_the_next_create_succeeds(api, token):
    """Numbers come from a counter: a taken one means a request written by other means (an
    import, a restore). The create is refused, and the next one takes the next number."""
    import boto3

    from chalicelib.service_requests.models import ServiceRequest

    from .conftest import ENDPOINT
    first = ServiceRequest.get(create(api, token).data["data"]["number"])
    boto3.client("dynamodb", endpoint_url=ENDPOINT).put_item(
        TableName=ServiceRequest.Meta.table_name,
        Item={**first.serialize(), "number": {"S": "SR00000002"}})
    answer = create(api, token)
    assert status(answer) == (200, "CONFLICT")
    assert answer.data["status"]["message"] == "The service request number is taken; retry."
    assert create(api, token).data["data"]["number"] == "SR00000003"


def test_an_accounts_receivable_may_be_named_by_its_owners_full_name_when_unique(api, token):
    from .test_customers import create as create_customer
    by_name = create(api, token, accounts_receivable_identifier={"name": "joseph banks"})
    assert by_name.data["data"]["accounts_receivable"]["id"] == "01234574"
    namesake = create_customer(api, email="other.joe@example.net")  # Joseph A Banks
    assert namesake.status == 201
    create_customer(api, email="third.joe@example.net")
    twice = create(api, token, accounts_receivable_identifier={"name": "Joseph A Banks"})
    assert status(twice) == (200, "INVALID_PARAMETER")
    assert twice.data["status"]["message"] == (
        "More than one accounts receivable is named Joseph A Banks "
        "(accounts_receivable_identifier); use id or number.")


def test_what_a_request_keeps_is_bounded_and_a_record_too_large_is_refused(api, token):
    """450 KB of services answered 500 (Item size has exceeded), and the request could never
    be changed again."""
    long_text = call(api, "create", token, new_request(services=[{"name": "x" * 201}]))
    assert status(long_text) == (200, "INVALID_PARAMETER")
    deep = {"a": {"b": {"c": "too deep"}}}
    assert status(call(api, "create", token, new_request(referring_to=deep))) == \
        (200, "INVALID_PARAMETER")
    nested = {f"f{n}": {f"k{k}": "v" * 150 for k in range(10)} for n in range(10)}
    bulky = new_request(services=[nested] * 50)  # within every bound, about 800 KB stored
    answer = call(api, "create", token, bulky)
    assert status(answer) == (200, "REQUEST_TOO_LARGE"), answer
    created = create(api, token).data["data"]
    assert created["number"] == "SR00000002"  # the refused one took a number, wrote nothing
    grown = call(api, "update", token, {"service_request_identifier": {
        "number": created["number"]}, "services": [nested] * 50})
    assert status(grown) == (200, "REQUEST_TOO_LARGE")
    shown = call(api, "GET", token,
                 query=f"show?service_request_identifier=number={created['number']}")
    assert shown.data["data"]["services"] == [] and shown.data["data"]["version"] == 1


def test_an_identifier_value_stays_below_dynamodbs_key_limit(api, token):
    """A value becomes a key (the request's number): 300 four-byte characters were 1,200
    bytes, past DynamoDB's 1,024."""
    for value in ("𝄞" * 200, "𝄞" * 201, "𝄞" * 293):
        answer = call(api, "GET", token, query="show?service_request_identifier=number="
                      + quote(value))
        assert answer.status == 200 and answer.data["status"]["code"] == (
            "NOT_FOUND" if len(value) == 200 else "INVALID_PARAMETER"), answer
        body = call(api, "respond", token, {"service_request_identifier": {"number": value}})
        assert body.status == 200 and body.data["status"]["code"] != "SERVER_ERROR", body


def test_a_client_without_the_customers_scope_sees_no_login_email_and_cannot_guess_one(api):
    auth.create_client("CRM only", ["service-requests"], "crm-only", "crm-only-secret")
    token = login(api, username="crm-only", password="crm-only-secret").data["data"]["token"]
    created = create(api, token).data["data"]
    assert created["contact_information"] == {"id": "01234574"}
    for guess in ("joe.banks@example.net", "nobody@example.net"):  # right or wrong: the same
        answer = create(api, token, contact_information_identifier={"email": guess})
        assert status(answer) == (200, "INVALID_PARAMETER")
        assert answer.data["status"]["message"].startswith(
            "contact_information_identifier names a contact by id here")
    by_id = create(api, token, contact_information_identifier={"id": "01234574"})
    assert status(by_id) == (200, "OK")
    demo = login(api).data["data"]["token"]  # the demo client may read customers
    shown = call(api, "GET", demo, query="show?service_request_identifier=number="
                 + created["number"])
    assert shown.data["data"]["contact_information"]["email"] == "joe.banks@example.net"
