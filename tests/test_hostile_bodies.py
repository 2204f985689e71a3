"""Hostile bodies, on every operation that takes one, over HTTP to the stack as ``make run``
starts it: each is refused in its API's own format (the CRM API: a non-OK envelope) with a 4xx,
quickly, and nothing is stored."""
import base64
import json
import time

import pytest
import requests

from chalicelib.core import spec
from local.demo import DESK_CREDENTIALS
from local.stack import DEMO

HANG_GUARD_SECONDS = 5  # generous: each case is answered in milliseconds

JSON_CASES = {
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "nested in an object": b'{"a": ' * 70 + b"1" + b"}" * 70,
    "300,000 wrong items": b'{"attachments": [' + b",".join([b"1"] * 300_000) + b"]}",
    "300,000 unknown keys": b"{" + b",".join(b'"k%d": 1' % n for n in range(300_000)) + b"}",
    "a huge exponent": b'{"a": 1e999999}',
    "a number of 5,000 digits": b'{"a": ' + b"9" * 5000 + b"}",
    "NaN": b'{"a": NaN}',
    "duplicate keys": b'{"token": "a", "token": "b"}',
    "bad UTF-8": b'{"a": "\xff\xfe"}',
    "a lone surrogate": b'{"a": "\\ud800"}',
    "NUL": b'{"description": "x\\u0000y"}',
    "a 1 MB string": b'{"description": "' + b"x" * 1_000_000 + b'"}',
    "an array at the top": b"[]",
    "a string at the top": b'"text"',
    "a number at the top": b"42",
    "null": b"null",
    "trailing garbage": b"{} trailing",
}
XML_CASES = {
    "nested 100,000 deep": b"<a>" * 100_000 + b"</a>" * 100_000,
    "nested 70 deep": b"<support-request>" + b"<a>" * 70 + b"</a>" * 70 + b"</support-request>",
    "300,000 siblings": b"<support-request>" + b"<a/>" * 300_000 + b"</support-request>",
    "bad UTF-8": b"<support-request><summary>\xff\xfe</summary></support-request>",
    "a NUL reference": b"<support-request><summary>&#0;</summary></support-request>",
    "a 1 MB text": b"<support-request><summary>" + b"x" * 1_000_000 + b"</summary>"
                   b"</support-request>",
    "trailing garbage": b"<support-request/>trailing",
    "an entity": b'<!DOCTYPE a [<!ENTITY e "x">]><support-request>&e;</support-request>',
}
FORM_CASES = {
    "bad UTF-8": b"grant_type=%ff%fe",
    "NUL": b"grant_type=client%00credentials",
    "10,000 fields": b"&".join(b"f%d=1" % n for n in range(10_000)),
    "a 1 MB value": b"grant_type=" + b"x" * 1_000_000,
}


def _with_bodies():
    for (path, method), operation in sorted(spec.operations().items()):
        content = operation.resolve(operation.definition.get("requestBody", {})).get(
            "content", {})
        media_types = [m for m in content if content[m].get("schema", {}).get(
            "format") != "binary"]
        if media_types:
            yield path, method, operation, media_types[0]


def _concrete(path: str) -> str:
    return path.replace("{identifier}", "10000001").replace("{id}", "11000001") \
        .replace("{external_identifier}", "EXT-1").replace("{extid}", "EXT-1") \
        .replace("{topic}", "Parking").replace("{state}", "NEW").replace("{caseNumber}",
                                                                            "11000001")


@pytest.fixture(scope="module")
def credentials(running_stack):
    """What each security scheme needs: the demo client's Basic credentials and tokens, and
    the desk's token for the operations only the desk may call."""
    base = running_stack.base
    bearer = {}
    for who in (DEMO, DESK_CREDENTIALS):
        answer = requests.post(f"{base}/oauth2/v1/token", timeout=30, json={
            "client_id": who[0], "client_secret": who[1]})
        bearer[who[0]] = answer.json()["access_token"]
    crm = requests.post(f"{base}/crmapi/rest/v2/authentication/token", timeout=30, json={
        "username": DEMO[0], "password": DEMO[1], "organisation": "servicedesk"}).json()
    return {"bearer": bearer, "crm": crm["data"]["token"]}


def _authenticated(operation, path: str, credentials: dict) -> tuple[str, dict]:
    """The operation's path and headers as an authenticated client sends them; none for the
    token endpoints, which ignore fields they do not know and so would grant a token."""
    if not operation.security:
        return path, {}
    if operation.error_format == "crm":
        return f"{path}?token={credentials['crm']}", {}
    if operation.error_format == "open311":  # the query takes the api_key too
        return f"{path}?api_key={'.'.join(DEMO)}", {}
    schemes = {name for requirement in operation.security for name in requirement}
    if "oauth2" in schemes:
        desk_only = operation.security == [{"oauth2": ["cases-operator"]}]
        who = DESK_CREDENTIALS[0] if desk_only else DEMO[0]
        return path, {"Authorization": f"Bearer {credentials['bearer'][who]}"}
    return path, {"Authorization": "Basic " + base64.b64encode(":".join(DEMO).encode()).decode()}


def _refused_in_its_format(operation, answer: requests.Response) -> bool:
    body = answer.content
    if operation.error_format == "crm":
        return answer.status_code == 200 and json.loads(body)["status"]["code"] != "OK"
    if not 400 <= answer.status_code < 500:
        return False
    if operation.error_format == "leap":
        return body.startswith(b"<?xml") and b"<error" in body
    if operation.error_format == "open311" and answer.url.split("?")[0].endswith(".xml"):
        return body.startswith(b"<?xml") and b"<errors><error><code>4" in body
    data = json.loads(body)
    return {"cases": lambda: data[0]["errorCode"].startswith("EQ-4"),
            "oauth2": lambda: "error" in data,
            "oauth2-v1": lambda: "error_code" in data,
            "webhooks": lambda: bool(data["error"]["code"]),
            "desk": lambda: bool(data["error"]["code"]),
            "tmf": lambda: data["@type"] == "Error" and data["code"].startswith("ERR4"),
            "open311": lambda: 400 <= data[0]["code"] < 500,
            }[operation.error_format]()


@pytest.mark.parametrize("path, method, operation, media_type", list(_with_bodies()),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_hostile_body_is_refused_quickly_in_the_apis_format(
        running_stack, credentials, path, method, operation, media_type):
    cases = (XML_CASES if media_type.endswith("xml") else
             FORM_CASES if media_type.endswith("urlencoded") else JSON_CASES)
    target, headers = _authenticated(operation, _concrete(path), credentials)
    slow, wrong = [], []
    for name, body in cases.items():
        started = time.monotonic()
        answer = requests.request(method, running_stack.base + target, data=body, timeout=60,
                                  headers={**headers, "Content-Type": media_type})
        if time.monotonic() - started > HANG_GUARD_SECONDS:
            slow.append(name)
        if not _refused_in_its_format(operation, answer):
            wrong.append((name, answer.status_code, answer.content[:200]))
    assert not slow and not wrong, (slow, wrong)


def test_an_open311_form_that_is_not_sane_is_refused_while_its_api_key_is_looked_for(
        running_stack):
    """The api_key travels in the form, so the form is read first: never a 500."""
    for body in FORM_CASES.values():
        answer = requests.post(f"{running_stack.base}/open311/v2/requests.json", data=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"},
                               timeout=30)
        assert answer.status_code in (400, 403), answer.text
        assert answer.json()[0]["code"] == answer.status_code
    too_large = requests.post(f"{running_stack.base}/open311/v2/requests.xml",
                              data=b"description=" + b"x" * 2_000_000, timeout=30,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert too_large.status_code == 413 and b"<code>413</code>" in too_large.content


def test_a_crm_body_that_is_not_sane_is_refused_before_its_token_is_looked_for(running_stack):
    """The token travels in the body, so the body is read first: never a 500."""
    for body in (JSON_CASES["nested 100,000 deep"], JSON_CASES["duplicate keys"],
                 JSON_CASES["bad UTF-8"]):
        answer = requests.post(f"{running_stack.base}/crmapi/rest/v2/service_requests/create",
                               data=body, headers={"Content-Type": "application/json"},
                               timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"]["code"] == "INVALID_PARAMETER", answer.text
