"""The exact bytes that typical clients of each vendor send, to the stack as ``make run`` starts
it, each answered as that client expects: a Java client of the CRM API (a doubled slash where
it joins the base URL and the method, its charset and Accept headers), a PHP client's create,
show and cancel cycle (plain dates, only an e-mail for the caller, identifier objects in the
query, the slash before it, a bodiless POST with a mistyped Content-Type), the Case Management
vendor's own token example (a form with a field it does not need), and authlib, the field's
OAuth 2.0 client, with both of its client authentication methods on both token endpoints."""
import base64
import http.client
import json
import socket
import time
from urllib.parse import quote

import pytest
from authlib.integrations.requests_client import OAuth2Session

from local.stack import DEMO, LocalStack

JAVA = ("User-Agent: Java/17.0.15\r\nAccept: text/html, image/gif, image/jpeg, *; q=.2, "
        "*/*; q=.2\r\nConnection: keep-alive\r\n")
PHP = "User-Agent: GuzzleHttp/7\r\n"
BASIC = base64.b64encode(":".join(DEMO).encode()).decode()


@pytest.fixture
def stack(running_stack):
    return running_stack


class Reply:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        self.body = response.read()

    def json(self):
        return json.loads(self.body)


def send(stack: LocalStack, head: str, body: bytes = b"") -> Reply:
    """Write ``head`` (request line and headers, CRLF-separated, without Host and
    Content-Length, which are added as every client adds them) and ``body`` as they are."""
    request_line, _, headers = head.partition("\r\n")
    raw = (f"{request_line}\r\nHost: 127.0.0.1:{stack.port}\r\n{headers}"
           f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as connection:
        connection.sendall(raw)
        response = http.client.HTTPResponse(connection)
        response.begin()
        return Reply(response)


def crm_login(stack: LocalStack) -> str:
    """A Java client's login: its base URL ends in a slash, and it adds "/" + the method."""
    body = json.dumps({"username": DEMO[0], "password": DEMO[1],
                       "organisation": "servicedesk", "unit": "Head Office"}).encode()
    reply = send(stack, "POST /crmapi/rest/v2//authentication/token HTTP/1.1\r\n"
                        f"Content-Type: application/json; charset=UTF-8\r\n{JAVA}", body)
    assert reply.status == 200, reply.body
    answer = reply.json()
    assert answer["status"]["code"] == "OK", answer
    return answer["data"]["token"]


def test_a_java_client_logs_in_through_a_doubled_slash(stack):
    token = crm_login(stack)
    reply = send(stack, f"GET /crmapi/rest/v2//service_requests/configuration/types/list?"
                        f"token={token} HTTP/1.1\r\n{JAVA}")
    assert [entry["name"] for entry in reply.json()["data"]] == ["Enquiry", "Fault"]


def test_a_bodiless_post_is_not_refused_for_its_content_type(stack):
    """A PHP client's web API key login: HTTP Basic, no body, and a mistyped media type."""
    reply = send(stack, "POST /crmapi/rest/v2/authentication/web_api_key/token HTTP/1.1\r\n"
                        f"Authorization: Basic {BASIC}\r\nContent-Type: applicatio/json\r\n{PHP}")
    answer = reply.json()
    assert (reply.status, answer["status"]["code"]) == (200, "OK"), answer
    assert len(answer["data"]["token"]) >= 40


def test_a_php_clients_create_show_and_cancel_cycle(stack):
    token = crm_login(stack)
    create = {"token": token, "type_identifier": {"name": "Fault"},
              "accounts_receivable_identifier": {"number": "01234574"},
              "caller_email": "joe.banks@example.net",  # written before caller_phone existed
              "status_identifier": {"name": "Open"}, "category_identifier": {"code": "HEAT"},
              "urgency_level": "URGENCY2", "impact_level": "IMPACT3",
              "description": "Radiator cold", "start_date": "2026-12-01",
              "expected_completion_date": "2026-12-31T00:00:00.000+0000"}
    reply = send(stack, "POST /crmapi/rest/v2/service_requests/create HTTP/1.1\r\n"
                        f"Content-Type: application/json\r\n{PHP}",
                 json.dumps(create).encode())
    created = reply.json()
    assert created["status"]["code"] == "OK", created
    number = created["data"]["number"]
    assert created["data"]["start_date"] == "2026-12-01T00:00:00.000+0000"
    assert created["data"]["expected_completion_date"] == "2026-12-31T00:00:00.000+0000"
    # http_build_query: the identifier object's "=" encoded, and the slash before the query
    query = f"token={token}&service_request_identifier={quote(f'number={number}', safe='')}"
    shown = send(stack, f"GET /crmapi/rest/v2/service_requests/show/?{query} HTTP/1.1\r\n{PHP}")
    assert shown.json()["data"]["number"] == number
    listed = send(stack, f"GET /crmapi/rest/v2/service_requests/list?token={token}&"
                         "accounts_receivable_identifier=number=01234574&number_of_results=5 "
                         f"HTTP/1.1\r\n{PHP}")
    assert number in [item["number"] for item in listed.json()["data"]]
    cancel = {"token": token, "service_request_identifier": {"number": number}}
    cancelled = send(stack, "POST /crmapi/rest/v2/service_requests/cancel HTTP/1.1\r\n"
                            f"Content-Type: application/json\r\n{PHP}",
                     json.dumps(cancel).encode()).json()
    assert cancelled["status"]["code"] == "OK", cancelled
    assert cancelled["data"]["life_cycle_state"] == "CANCELLED"


def test_the_case_vendors_python_example_gets_a_token_and_works_a_ticket(stack):
    form = "grant_type=client_credentials&client_id=demo&client_secret=demo-secret&code=TEST"
    reply = send(stack, "POST /oauth2/v1/token HTTP/1.1\r\nUser-Agent: python-requests/2.32"
                        "\r\nContent-Type: application/x-www-form-urlencoded\r\n", form.encode())
    assert reply.status == 200, reply.body
    token = reply.json()["access_token"]
    assert reply.json()["token_timeout"] == "3599"
    bearer = f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
    body = {"code": "0002-0000", "description": "No power in cage 12", "primaryId": "SV5:01",
            "occurredDateTime": "2026-12-01T08:00:00.000+0000"}
    created = send(stack, f"POST /support/v2/tickets HTTP/1.1\r\n{bearer}",
                   json.dumps(body).encode())
    assert created.status == 200 and created.headers["location"].endswith(
        f"/support/v2/tickets/{created.json()['id']}")
    got = send(stack, f"GET /support/v2/tickets/{created.json()['id']} HTTP/1.1\r\n{bearer}")
    ticket = got.json()
    # no contacts, notes or attachments: empty arrays, never an absent key (which the one
    # third-party SDK reads as null)
    assert ticket["contacts"] == []
    assert ticket["otherDetails"]["notes"] == [] and ticket["otherDetails"]["attachments"] == []
    assert ticket["otherDetails"]["occurredDateTime"] == "2026-12-01T08:00:00.000Z"
    wrong = send(stack, "POST /oauth2/v1/token HTTP/1.1\r\nContent-Type: application/json\r\n",
                 b'{"client_id": "demo", "client_secret": "nope", '
                 b'"grant_type": "client_credentials"}')
    assert wrong.status == 400 and wrong.json()["error_code"] == "invalid_client"


@pytest.mark.parametrize("path", ["/oauth2/token", "/oauth2/v1/token"])
@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_gets_a_token_with_either_client_authentication(stack, path, method):
    session = OAuth2Session(*DEMO, token_endpoint_auth_method=method)
    token = session.fetch_token(stack.base + path, grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    session.token = token
    listed = session.get(f"{stack.base}/support/v2/tickets", timeout=30)
    assert listed.status_code == 200, listed.text


def test_authlib_is_told_why_a_wrong_secret_gets_no_token(stack):
    from authlib.integrations.base_client import OAuthError
    session = OAuth2Session("demo", "wrong", token_endpoint_auth_method="client_secret_post")
    with pytest.raises(OAuthError) as refused:
        session.fetch_token(f"{stack.base}/oauth2/token", grant_type="client_credentials")
    assert refused.value.error == "invalid_client"


def test_no_secret_or_token_reaches_the_console(stack):
    """The CRM API's token travels in the query string: the console prints it masked."""
    token = crm_login(stack)
    send(stack, f"GET /crmapi/rest/v2/service_requests/configuration/types/list?token={token}"
                f" HTTP/1.1\r\n{JAVA}")
    send(stack, f"GET /api/v1/requests HTTP/1.1\r\nAuthorization: Basic {BASIC}\r\n")
    deadline = time.monotonic() + 10
    while "types/list?token=***" not in (printed := stack.served_log()):
        assert time.monotonic() < deadline, printed[-2000:]
        time.sleep(0.2)
    for secret in (token, DEMO[1], BASIC):
        assert secret not in printed
