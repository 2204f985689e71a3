"""The Case Management API as its clients call it: a bearer token from /oauth2/v1/token, then
JSON under /support/v2."""
import json

from chalicelib.accounts import service as accounts
from chalicelib.core import auth
from local import demo

BASE = "/support/v2"
JSON = {"Content-Type": "application/json"}
OTHER_ACCOUNT = {"owner": {"email": "ada@example.net", "password": "Other-Password-2026",
                           "name": {"given-name": "Ada", "family-name": "Lovelace"}},
                 "communities": ["original"]}

#: The seed's request samples, as written (its attachment is put in place by
#: ``seed_attachment``).
SEED_CREATE = {
    "code": "0013-0102", "primaryId": "eb56893e-b4d3-47c4-b35a-52b62c25032b",
    "secondaryId": "0001", "customerReferenceId": "CustomerReference001",
    "description": "Testing api first approach.", "occurredDateTime": "2020-05-22T19:23:51Z",
    "contacts": [{"type": "NOTIFICATION", "firstName": "John", "lastName": "Doe",
                  "details": [{"type": "PHONE", "value": "+1-2342343333"}]},
                 {"type": "TECHNICAL", "registeredUsers": ["John Doe"]}],
    "attachments": [{"id": "c77c5f58-a7ea-4e88-9fc4-1a2900027425", "name": "error-log"}],
    "details": {"documents": {"transactionIds": ["1234567890"], "type": "DETAILED",
                              "formats": ["XLS", "PDF"]}}}
SEED_NOTE = {"attachments": [{"id": "c77c5f58-a7ea-4e88-9fc4-1a2900027425",
                              "name": "error-log"}], "text": "This is a test notes!"}
SEED_CANCEL = {"reason": "This is a sample reason!"}
NOTIFY = "facilities@example.net"
#: The demo client as the service layer sees it, for calls made side by side (chalice's test
#: client serves one request at a time).
DEMO_PRINCIPAL = auth.Principal("demo", "Demo client", {"cases"}, "oauth2", "01234574")
DESK_PRINCIPAL = auth.Principal("demo-desk", "Demo desk", {"cases-operator"}, "oauth2")


def ticket(**overrides) -> dict:
    """A create body of the demo customer: a power outage, whose contact is e-mailed."""
    body = {"code": "0002-0000", "description": "No power in cage 12.",
            "primaryId": "SV5:01:000120",
            "contacts": [{"type": "NOTIFICATION", "firstName": "Fran", "lastName": "Kelly",
                          "details": [{"type": "EMAIL", "value": NOTIFY}]}]}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


class CaseClient:
    """One API client of the Case Management API, holding its bearer token."""

    def __init__(self, api, client_id: str, secret: str) -> None:
        self.api = api
        answer = api.request("POST", "/oauth2/v1/token", json.dumps({
            "client_id": client_id, "client_secret": secret,
            "grant_type": "client_credentials"}), headers=JSON, auth=None)
        assert answer.status == 200, answer
        self.token = answer.data["access_token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, body=None, headers=None):
        raw = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        sent = {**(JSON if body is not None and not isinstance(body, bytes) else {}),
                **(headers or {})}
        return self.api.request(method, BASE + path, raw or b"", headers=sent,
                                auth=self.headers)

    def create(self, body: dict | None = None, **headers):
        return self.call("POST", "/tickets", body if body is not None else ticket(),
                         headers=headers)

    def new_ticket(self, **overrides) -> str:
        answer = self.create(ticket(**overrides))
        assert answer.status == 200, answer
        return answer.data["id"]

    def get(self, identifier: str):
        return self.call("GET", f"/tickets/{identifier}")

    def note(self, identifier: str, text: str = "Still dark.", **fields):
        return self.call("POST", f"/tickets/{identifier}/notes", {"text": text, **fields})

    def cancel(self, identifier: str, reason: str = "Power is back."):
        return self.call("POST", f"/tickets/{identifier}/cancel", {"reason": reason})

    def move(self, identifier: str, status: str, **fields):
        return self.call("POST", f"/tickets/{identifier}/status", {"status": status, **fields})

    def upload(self, name: str, data: bytes):
        return self.call("POST", f"/attachments?name={name}", data,
                         headers={"Content-Type": "application/octet-stream"})

    def list(self, query: str = ""):
        return self.call("GET", f"/tickets{query}")


def customer(api) -> CaseClient:
    """The demo client: it acts for the demo customer."""
    return CaseClient(api, *demo.demo_credentials())


def desk(api) -> CaseClient:
    return CaseClient(api, *demo.DESK_CREDENTIALS)


def other_customer(api) -> CaseClient:
    """A client of a second customer account."""
    account = accounts.create_account(OTHER_ACCOUNT)
    client_id, secret = auth.create_client("Other client", ["cases"],
                                           account=account.identifier)
    return CaseClient(api, client_id, secret)


def codes(answer) -> list[str]:
    return [entry["errorCode"] for entry in answer.data]
