"""Status changes of service requests e-mail and text the caller, once each, as the type
says; every change writes history."""
import pytest
import requests

from chalicelib.streams.history import entries_of
from local import aws
from local.dynamodb_standin import sent_texts

from .conftest import ENDPOINT, Streams, sent_emails
from .test_crm_authentication import login
from .test_crm_life_cycle import act, respond
from .test_crm_service_requests import create


@pytest.fixture
def token(api):
    return login(api).data["data"]["token"]


def test_each_status_change_emails_and_texts_the_caller_once(api, token, streams):
    number = create(api, token).data["data"]["number"]
    act(api, token, "update", number, notes="no status change")
    respond(api, token, number)
    streams.drain()
    Streams().drain()  # a replay of every record from the start sends nothing again
    subjects = sorted(m["subject"] for m in sent_emails())
    assert subjects == [f"Your service request {number} is now Open",
                        f"Your service request {number} is now Responded"]
    assert [m["destinations"]["ToAddresses"] for m in sent_emails()] == [
        ["joe.banks@example.net"]] * 2
    texts = sent_texts()
    assert [phone for phone, _ in texts] == ["+442079460000"] * 2
    listed = requests.get(f"{ENDPOINT}{aws.SENT_TEXTS_PATH}", timeout=30).json()
    assert [(t["phone_number"], t["message"]) for t in listed] == texts
    assert texts[1][1].startswith(f"Your service request {number} is now Responded (Responded)")
    history = entries_of("service-request", number)
    assert [(e.event, e.version) for e in history] == [("INSERT", 1), ("MODIFY", 2),
                                                       ("MODIFY", 3)]


def test_a_type_that_tells_nobody_sends_nothing(api, token, streams):
    number = create(api, token, type_identifier={"name": "Enquiry"}).data["data"]["number"]
    respond(api, token, number)
    streams.drain()
    assert sent_emails() == [] and sent_texts() == []
    assert len(entries_of("service-request", number)) == 2


def test_a_phone_that_cannot_be_texted_is_refused(api, token):
    answer = create(api, token, caller_phone="020 7946 0000")
    assert answer.data["status"]["code"] == "INVALID_PARAMETER"
    assert "caller_phone 020 7946 0000 is not an international number" in \
        answer.data["status"]["message"]
