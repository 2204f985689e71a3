"""The CRM-style API's login: tokens from id and secret or HTTP Basic, released, expired; every
error an envelope with HTTP 200 and a code from the catalogue."""
import json
import time

import pytest

from chalicelib.core import auth
from chalicelib.core.config import settings

BASE = "/crmapi/rest/v2"
JSON = {"Content-Type": "application/json"}


def post(api, path: str, body, **kw):
    return api.request("POST", f"{BASE}/{path}", json.dumps(body) if not isinstance(
        body, (str, bytes)) else body, headers=JSON, auth=kw.pop("auth", None), **kw)


def login(api, **overrides):
    body = {"username": "demo", "password": "demo-secret", "organisation": "servicedesk",
            "unit": "Head Office", **overrides}  # the vendor's example body, as written
    return post(api, "authentication/token", body)


def status(answer) -> tuple[int, str]:
    return answer.status, answer.data["status"]["code"]


def test_login_answers_a_token_in_the_envelope(api):
    answer = login(api)
    assert status(answer) == (200, "OK")
    assert answer.data["status"] == {"code": "OK", "message": None, "description": None}
    assert len(answer.data["data"]["token"]) >= 40


@pytest.mark.parametrize("overrides, named", [
    ({"password": "wrong"}, "Wrong username or password."),
    ({"username": "nobody"}, "Wrong username or password."),
    ({"organisation": "elsewhere"}, "Unknown organisation elsewhere."),
])
def test_wrong_credentials_are_an_error_in_the_envelope_with_http_200(api, overrides, named):
    answer = login(api, **overrides)
    assert status(answer) == (200, "INVALID_CREDENTIALS")
    assert answer.data["status"]["message"] == named and answer.data["data"] is None
    assert "www-authenticate" not in answer.headers


def test_a_missing_parameter_is_named(api):
    answer = post(api, "authentication/token", {"username": "demo", "password": "x"})
    assert status(answer) == (200, "MISSING_PARAMETER")
    assert "organisation" in answer.data["status"]["message"]
    malformed = post(api, "authentication/token", "{not json")
    assert status(malformed) == (200, "INVALID_PARAMETER")


def test_a_client_without_the_scope_gets_no_token(api):
    auth.create_client("Support only", ["requests"], "support-only", "support-secret")
    answer = login(api, username="support-only", password="support-secret")
    assert status(answer) == (200, "NOT_AUTHORIZED")
    assert "service-requests" in answer.data["status"]["message"]


def test_a_released_token_works_no_more(api):
    token = login(api).data["data"]["token"]
    assert status(post(api, "authentication/token/release", {"token": token})) == (200, "OK")
    again = post(api, "authentication/token/release", {"token": token})
    assert status(again) == (200, "INVALID_TOKEN")


def test_a_token_expires_after_its_lifetime(api, monkeypatch):
    monkeypatch.setattr(settings, "crm_token_lifetime_seconds", 1)
    token = login(api).data["data"]["token"]
    time.sleep(1.1)
    assert status(post(api, "authentication/token/release", {"token": token})) == (
        200, "INVALID_TOKEN")


def test_a_missing_or_unknown_token_is_invalid_token(api):
    assert status(post(api, "authentication/token/release", {"token": "nope"})) == (
        200, "INVALID_TOKEN")
    missing = post(api, "authentication/token/release", {})
    assert status(missing) == (200, "INVALID_TOKEN")
    assert missing.data["status"]["message"] == ("The token parameter is missing: log in with "
                                                 "authentication/token.")


def test_http_basic_gets_a_token_from_the_web_api_key_method(api):
    answer = api.request("POST", f"{BASE}/authentication/web_api_key/token", "",
                         headers=JSON)
    assert status(answer) == (200, "OK") and answer.data["data"]["token"]
    unauthenticated = post(api, "authentication/web_api_key/token", "")
    assert status(unauthenticated) == (200, "INVALID_TOKEN")


def test_an_unknown_method_is_an_envelope_too(api):
    answer = api.request("GET", f"{BASE}/authentication/token", auth=None)
    assert answer.status == 200
    assert json.loads(answer.body)["status"]["code"] == "METHOD_NOT_ALLOWED"


def test_the_wire_errors_are_envelopes_too(api):
    wrong_type = api.request("POST", f"{BASE}/authentication/token", "username=demo",
                             headers={"Content-Type": "text/plain"}, auth=None)
    assert status(wrong_type) == (200, "UNSUPPORTED_MEDIA_TYPE")
    huge = post(api, "authentication/token", {"username": "x" * (2 * 1024 * 1024),
                                              "password": "p", "organisation": "o"})
    assert status(huge) == (200, "REQUEST_TOO_LARGE")


def test_a_slash_before_the_query_is_accepted(api):
    token = login(api).data["data"]["token"]
    answer = api.request("GET", f"{BASE}/service_requests/configuration/types/list/?token="
                                f"{token}", auth=None)
    body = json.loads(answer.body)  # (the spec's paths have no slash: decoded by hand)
    assert answer.status == 200 and body["status"]["code"] == "OK" and body["data"]


def test_an_unknown_path_of_the_api_is_an_envelope_too():
    import app as app_module

    from .test_deploy_template import _gateway_event
    answer = app_module.app(_gateway_event("GET", f"{BASE}/service_requests/nothing",
                                           "/{proxy+}"), None)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["status"] == {
        "code": "NOT_FOUND", "message": f"There is no resource at {BASE}/service_requests/"
                                        "nothing.", "description": None}
