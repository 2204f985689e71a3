"""/oauth2/v1/token: the Case Management API's token endpoint, and who may call the API."""
import json

from chalicelib.core import auth

from .cases_client import BASE, JSON, CaseClient, customer, other_customer, ticket
from .support import basic


def token_call(api, body, headers=JSON):
    return api.request("POST", "/oauth2/v1/token", body if isinstance(body, str) else
                       json.dumps(body), headers=headers, auth=None)


def test_the_vendors_body_gets_the_vendors_answer(api):
    answer = token_call(api, {"client_id": "demo", "client_secret": "demo-secret",
                              "grant_type": "client_credentials"})
    assert answer.status == 200
    assert answer.data["token_type"] == "Bearer" and answer.data["token_timeout"] == "3599"
    assert answer.data["user_name"] == "Demo client"
    tickets = api.request("GET", f"{BASE}/tickets", auth={
        "Authorization": f"Bearer {answer.data['access_token']}"})
    assert tickets.status == 200


def test_token_errors_name_the_problem_in_the_vendors_format(api):
    wrong = token_call(api, {"client_id": "demo", "client_secret": "nope",
                             "grant_type": "client_credentials"})
    assert wrong.status == 400  # as the vendor's token spec lists it, not 401
    assert wrong.data["error_code"] == "invalid_client"
    assert "www-authenticate" not in wrong.headers
    assert set(wrong.data) == {"error_domain", "error_title", "error_code", "developer_message",
                               "error_message"}
    missing = token_call(api, {"client_id": "demo", "grant_type": "client_credentials"})
    assert missing.status == 400 and missing.data["error_code"] == "invalid_request"
    assert "client_secret" in missing.data["developer_message"]
    grant = token_call(api, {"client_id": "demo", "client_secret": "demo-secret",
                             "grant_type": "password"})
    assert (grant.status, grant.data["error_code"]) == (400, "unsupported_grant_type")
    malformed = token_call(api, "{not json")
    assert malformed.status == 400 and malformed.data["error_code"] == "invalid_request"
    form = token_call(api, "client_id=demo", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert (form.status, form.data["error_code"]) == (400, "invalid_request")
    assert "client_secret" in form.data["developer_message"]
    nothing = token_call(api, {"grant_type": "client_credentials"})
    assert (nothing.status, nothing.data["error_code"]) == (400, "invalid_client")
    xml = token_call(api, "<token/>", headers={"Content-Type": "application/xml"})
    assert (xml.status, xml.data["error_code"]) == (400, "invalid_request")


def test_the_older_token_endpoint_works_for_the_api_too(api):
    answer = api.post_form("/oauth2/token", "grant_type=client_credentials&scope=cases")
    assert answer.status == 200
    listed = api.request("GET", f"{BASE}/tickets", auth={
        "Authorization": f"Bearer {answer.data['access_token']}"})
    assert listed.status == 200


def test_every_operation_needs_a_bearer_token_with_the_scope(api):
    no_token = api.request("GET", f"{BASE}/tickets/11000001", auth=None)
    assert no_token.status == 401 and no_token.data[0]["errorCode"] == "EQ-4010001"
    assert no_token.data[0]["correlationId"]
    bad = api.request("GET", f"{BASE}/tickets/11000001",
                      auth={"Authorization": "Bearer not-a-token"})
    assert bad.status == 401
    basic = api.request("GET", f"{BASE}/tickets/11000001")  # the demo's Basic credentials
    assert basic.status == 401
    token = api.post_form("/oauth2/token", "grant_type=client_credentials&scope=requests")
    scoped = api.request("GET", f"{BASE}/tickets", auth={
        "Authorization": f"Bearer {token.data['access_token']}"})
    assert scoped.status == 403 and scoped.data[0]["errorCode"] == "EQ-4030001"


def test_a_customer_client_may_not_move_tickets(api):
    client = customer(api)
    number = client.new_ticket()
    answer = client.move(number, "IN_PROGRESS")
    assert answer.status == 403 and answer.data[0]["errorCode"] == "EQ-4030001"
    assert client.get(number).data["status"] == "SUBMITTED"


def test_a_client_that_acts_for_no_account_is_refused(api):
    client_id, secret = auth.create_client("Unbound", ["cases"])
    client = CaseClient(api, client_id, secret)
    for answer in (client.create(ticket()), client.list(), client.get("11000001")):
        assert answer.status == 403 and answer.data[0]["errorCode"] == "EQ-4030002", answer


def test_binding_a_client_to_an_account_takes_effect_with_its_next_token(api):
    other = other_customer(api)
    number = other.new_ticket()
    auth.bind_account("demo", None)
    try:
        assert customer(api).get(number).status == 403
    finally:
        auth.bind_account("demo", "01234574")
    assert customer(api).get(number).status == 404


def test_unknown_paths_and_methods_answer_in_the_apis_format(api):
    import app as app_module

    from .test_deploy_template import _gateway_event
    unknown = app_module.app(_gateway_event("GET", f"{BASE}/nowhere", "/{proxy+}"), None)
    assert unknown["statusCode"] == 404
    assert json.loads(unknown["body"])[0]["errorCode"] == "EQ-4040003"
    method = customer(api).call("DELETE", "/tickets/11000001")
    assert method.status == 405  # no operation: the body is read by hand
    assert json.loads(method.body)[0]["errorCode"] == "EQ-4050001"
    assert method.headers["allow"] == "GET"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _basic(client_id: str = "demo", secret: str = "demo-secret") -> dict:
    return basic(client_id, secret)


def test_the_v1_token_takes_a_form_body_with_fields_it_does_not_know(api):
    """As the vendor's own Python example posts it (with a code field it does not need)."""
    answer = token_call(api, "grant_type=client_credentials&client_id=demo&client_secret="
                             "demo-secret&code=0002-0000", headers=FORM)
    assert answer.status == 200 and answer.data["token_type"] == "Bearer", answer
    extra = token_call(api, {"client_id": "demo", "client_secret": "demo-secret",
                             "grant_type": "client_credentials", "scope": "cases"})
    assert extra.status == 200


def test_the_v1_token_takes_basic_credentials_and_defaults_the_grant(api):
    for body, headers in (("grant_type=client_credentials", {**FORM, **_basic()}),
                          ("{}", {**JSON, **_basic()}),
                          ('{"client_id": "demo"}', {**JSON, **_basic()}),
                          ('{"client_id": "demo", "client_secret": "demo-secret"}', JSON)):
        answer = token_call(api, body, headers=headers)
        assert answer.status == 200, (body, answer)
        tickets = api.request("GET", f"{BASE}/tickets", auth={
            "Authorization": f"Bearer {answer.data['access_token']}"})
        assert tickets.status == 200


def test_the_v1_token_refuses_a_client_that_authenticates_twice_or_as_another(api):
    twice = token_call(api, {"client_secret": "demo-secret"}, headers={**JSON, **_basic()})
    assert (twice.status, twice.data["error_code"]) == (400, "invalid_request")
    other = token_call(api, {"client_id": "demo-desk"}, headers={**JSON, **_basic()})
    assert (other.status, other.data["error_code"]) == (400, "invalid_request")
    wrong_basic = token_call(api, "{}", headers={**JSON, **_basic(secret="nope")})
    assert (wrong_basic.status, wrong_basic.data["error_code"]) == (400, "invalid_client")
    assert "www-authenticate" not in wrong_basic.headers
    grant = token_call(api, "grant_type=password&client_id=demo&client_secret=demo-secret",
                       headers=FORM)
    assert (grant.status, grant.data["error_code"]) == (400, "unsupported_grant_type")


def test_refreshing_a_token_gets_the_vendors_error_as_no_refresh_token_is_issued(api):
    issued = token_call(api, {"client_id": "demo", "client_secret": "demo-secret"})
    assert "refresh_token" not in issued.data
    refresh = {"client_id": "demo", "client_secret": "demo-secret",
               "refresh_token": issued.data["access_token"]}
    answer = api.request("POST", "/oauth2/v1/refreshaccesstoken", json.dumps(refresh),
                         headers=JSON, auth=None)
    assert (answer.status, answer.data["error_code"]) == (400, "invalid_grant")
    assert set(answer.data) == {"error_domain", "error_title", "error_code",
                                "developer_message", "error_message"}
    assert "/oauth2/v1/token" in answer.data["developer_message"]
    wrong = api.request("POST", "/oauth2/v1/refreshaccesstoken", json.dumps(
        {**refresh, "client_secret": "nope"}), headers=JSON, auth=None)
    assert (wrong.status, wrong.data["error_code"]) == (400, "invalid_client")
    form = api.request("POST", "/oauth2/v1/refreshaccesstoken", "refresh_token=x",
                       headers={**FORM, **_basic()}, auth=None)
    assert (form.status, form.data["error_code"]) == (400, "invalid_grant")
    missing = api.request("POST", "/oauth2/v1/refreshaccesstoken", json.dumps(
        {"client_id": "demo", "client_secret": "demo-secret"}), headers=JSON, auth=None)
    assert (missing.status, missing.data["error_code"]) == (400, "invalid_request")
    assert "refresh_token" in missing.data["developer_message"]
    other_method = api.request("GET", "/oauth2/v1/refreshaccesstoken", auth=None)
    assert other_method.status == 405 and other_method.headers["allow"] == "POST"


def test_the_oauth2_token_takes_credentials_in_the_form_body_as_rfc_6749_allows(api):
    posted = api.post_form("/oauth2/token", "grant_type=client_credentials&client_id=demo&"
                                            "client_secret=demo-secret&scope=cases", auth=None)
    assert posted.status == 200 and posted.data["scope"] == "cases", posted
    wrong = api.post_form("/oauth2/token", "grant_type=client_credentials&client_id=demo&"
                                           "client_secret=nope", auth=None)
    assert (wrong.status, wrong.data["error"]) == (401, "invalid_client")
    none = api.post_form("/oauth2/token", "grant_type=client_credentials", auth=None)
    assert (none.status, none.data["error"]) == (401, "invalid_client")
    assert none.headers["www-authenticate"].startswith("Basic")
    twice = api.post_form("/oauth2/token", "grant_type=client_credentials&client_id=demo&"
                                           "client_secret=demo-secret")  # and Basic
    assert (twice.status, twice.data["error"]) == (400, "invalid_request")
    half = api.post_form("/oauth2/token", "grant_type=client_credentials&client_id=demo",
                         auth=None)
    assert (half.status, half.data["error"]) == (400, "invalid_request")
