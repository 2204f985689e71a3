"""``make smoke URL=... CLIENT_ID=... CLIENT_SECRET=...``: a short end-to-end check of a stage.

It takes a token, creates a customer, raises a support request for it, moves the request to
IN_PROGRESS with a comment, reads it back and acknowledges it, checking each answer. When the
client has the scope cases and acts for a customer account, it also uploads a file to the
Case Management API and downloads it, creates a ticket with it, adds a note and cancels it.
The stage needs the topic ``TOPIC`` (default Parking) and the community ``original`` (``make
deploy`` prints the commands that add them; ``make run``'s demo data has both). The client
needs the scopes requests and customers. Exit status 0 when every step passed.
"""
import argparse
import re
import sys
import time
import uuid

import requests
from lxml import etree

NS = {"l": "http://schema.majitek.com/leap-ws-v1.0"}
XML = {"Content-Type": "application/xml"}


class Failed(Exception):
    pass


def _expect(answer: requests.Response, status: int, step: str) -> requests.Response:
    if answer.status_code != status:
        raise Failed(f"{step}: expected {status}, got {answer.status_code}: {answer.text[:300]}")
    return answer


def _identifier(answer: requests.Response) -> str:
    return answer.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def run(base: str, client_id: str, secret: str, topic: str) -> None:
    session = requests.Session()
    token = _expect(session.post(f"{base}oauth2/token", auth=(client_id, secret), timeout=30,
                                 data={"grant_type": "client_credentials"}), 200, "token")
    session.headers["Authorization"] = "Bearer " + token.json()["access_token"]
    yield "took a bearer token"

    email = f"smoke-{uuid.uuid4().hex[:12]}@example.com"
    customer = _identifier(_expect(session.post(f"{base}api/v1/customers", headers=XML,
                                                timeout=30, data=f"""<account><owner>
        <email>{email}</email><password>Smoke-Test-{uuid.uuid4().hex[:8]}!</password>
        <name><family-name>Check</family-name><given-name>Smoke</given-name></name></owner>
        <communities><community>original</community></communities></account>"""),
        201, "create a customer"))
    yield f"created customer {customer} ({email})"

    raised = _expect(session.post(f"{base}api/v1/requests", headers=XML, timeout=30, data=(
        f'<support-request><account identifier="{customer}"/><topic identifier="{topic}"/>'
        f'<summary>Smoke test of the stage</summary></support-request>')), 201,
        "raise a support request")
    request = _identifier(raised)
    yield f"raised support request {request}"

    _expect(session.post(f"{base}api/v1/requests/{request}/updates", headers=XML, timeout=30,
                         data="<support-request-update><state>IN_PROGRESS</state><comment>"
                              "Smoke test: on it</comment></support-request-update>"),
            201, "change its state")
    yield "moved it to IN_PROGRESS with a comment"

    document = etree.fromstring(_expect(session.get(f"{base}api/v1/requests/{request}",
                                                    timeout=30), 200, "read it back").content)
    state = document.findtext("l:state", namespaces=NS)
    comments = [c.text for c in document.iterfind(".//l:comment", NS)]
    if state != "IN_PROGRESS" or "Smoke test: on it" not in comments:
        raise Failed(f"read it back: state {state}, comments {comments}")
    if document.get("unacked-since") is None:
        raise Failed("read it back: a changed request should be unacknowledged")
    version = document.get("version")
    yield f"read it back: IN_PROGRESS, with the comment, unacknowledged (version {version})"

    _expect(session.post(f"{base}api/v1/requests/acked", headers=XML, timeout=30, data=(
        f'<acknowledgements acknowlegdeUpdates="true"><acknowledgement version="{version}">'
        f'{request}</acknowledgement></acknowledgements>')), 204, "acknowledge it")
    document = etree.fromstring(_expect(session.get(f"{base}api/v1/requests/{request}",
                                                    timeout=30), 200, "read it again").content)
    if document.get("unacked-since") is not None:
        raise Failed("acknowledge it: the request is still unacknowledged")
    yield "acknowledged it; it reads as acknowledged"

    if "cases" not in token.json()["scope"].split():
        yield "skipped the Case Management API: the client lacks the scope cases"
        return
    yield from _tickets(base, client_id, secret)


def _tickets(base: str, client_id: str, secret: str):
    """A ticket of the Case Management API with a file, a note and a cancellation."""
    session = requests.Session()
    token = _expect(session.post(f"{base}oauth2/v1/token", timeout=30, json={
        "client_id": client_id, "client_secret": secret,
        "grant_type": "client_credentials"}), 200, "take a Case Management token")
    session.headers["Authorization"] = "Bearer " + token.json()["access_token"]
    data = uuid.uuid4().bytes * 64
    uploaded = session.post(f"{base}support/v2/attachments?name=smoke.bin", data=data,
                            headers={"Content-Type": "application/octet-stream"}, timeout=60)
    if uploaded.status_code == 403 and "EQ-4030002" in uploaded.text:
        yield "skipped the Case Management API: the client acts for no customer account"
        return
    attachment = _expect(uploaded, 200, "upload a file").json()["id"]
    url = _expect(session.get(f"{base}support/v2/attachments/{attachment}", timeout=30), 200,
                  "read the file's download URL").json()["url"]
    if _expect(requests.get(url, timeout=60), 200, "download the file").content != data:
        raise Failed("download the file: other bytes came back")
    yield f"uploaded a file ({len(data)} bytes) and downloaded it through its URL"
    number = _expect(session.post(f"{base}support/v2/tickets", timeout=30, json={
        "code": "0002-0000", "description": "Smoke test of the stage", "primaryId": "smoke",
        "attachments": [{"id": attachment}]}), 200, "create a ticket").json()["id"]
    _expect(session.post(f"{base}support/v2/tickets/{number}/notes", timeout=30,
                         json={"text": "Smoke test note"}), 200, "add a note")
    _expect(session.post(f"{base}support/v2/tickets/{number}/cancel", timeout=30,
                         json={"reason": "Smoke test over"}), 200, "cancel it")
    ticket = _expect(session.get(f"{base}support/v2/tickets/{number}", timeout=30), 200,
                     "read the ticket back").json()
    history = [change["status"] for change in ticket["otherDetails"]["statusHistory"]]
    if ticket["status"] != "CANCELLED" or history != ["SUBMITTED", "CANCELLED"] or len(
            ticket["otherDetails"]["notes"]) != 2:
        raise Failed(f"read the ticket back: {ticket['status']}, {history}")
    yield f"created ticket {number} with the file, noted and cancelled it; it reads so"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.smoke", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the stage's base URL, e.g. https://abc.execute-api."
                                    "eu-west-1.amazonaws.com/api/ or http://127.0.0.1:8000/")
    parser.add_argument("client_id")
    parser.add_argument("client_secret")
    parser.add_argument("--topic", default="Parking")
    args = parser.parse_args(argv)
    base = re.sub(r"/*$", "/", args.url)
    started = time.monotonic()
    try:
        for step in run(base, args.client_id, args.client_secret, args.topic):
            print(f"ok   {step}")
    except (Failed, requests.RequestException, KeyError, etree.XMLSyntaxError) as error:
        print(f"FAIL {error}", file=sys.stderr)
        return 1
    print(f"smoke test of {base} passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
