"""Status changes of service requests e-mail and text the caller, once each, as the type
says; every change writes history."""
import pytest
import requests

from chalicelib.streams.history import entries_of
from local import aws
from local.dynamodb_standin import sent_texts
from ops import admin

from .conftest import ENDPOINT, Streams, sent_emails
from .test_crm_authentication import login, status
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
    # one vocabulary: the status's name, as the e-mail says it
    assert [message for _, message in texts] == [
        f"Your service request {number} is now Open.",
        f"Your service request {number} is now Responded."]
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


def _type_that(name: str, *flags: str) -> None:
    """A type of service requests that tells its customers as ``flags`` say (--emails,
    --sms), with a PENDING status named after it."""
    assert admin.main(["add-service-request-setting", "type", name, *flags]) == 0
    assert admin.main(["add-service-request-setting", "status", f"{name} logged", "--state",
                       "PENDING", "--type", name]) == 0


def _create_of(api, token, type_name: str, **callers):
    status = "Open" if type_name == "Fault" else f"{type_name} logged"
    return create(api, token, type_identifier={"name": type_name},
                  status_identifier={"name": status},
                  **{"caller_email": None, "caller_phone": None, **callers})


@pytest.mark.parametrize("callers, emailed, texted", [
    ({"caller_email": "joe.banks@example.net"}, True, False),  # a client older than the phone
    ({"caller_phone": "+44 20 7946 0000"}, False, True),
    ({"caller_email": "joe.banks@example.net", "caller_phone": "+44 20 7946 0000"}, True, True),
])
def test_a_type_that_emails_and_texts_uses_each_channel_the_request_gives(
        api, token, streams, callers, emailed, texted):
    answer = _create_of(api, token, "Fault", **callers)
    assert status(answer) == (200, "OK"), answer
    streams.drain()
    assert [m["destinations"]["ToAddresses"] for m in sent_emails()] == \
        ([["joe.banks@example.net"]] if emailed else [])
    assert [phone for phone, _ in sent_texts()] == (["+442079460000"] if texted else [])


def test_a_type_that_emails_and_texts_needs_one_of_the_two_and_names_both(api, token):
    answer = _create_of(api, token, "Fault")
    assert status(answer) == (200, "MISSING_PARAMETER")
    assert answer.data["status"]["message"].startswith(
        "caller_email or caller_phone is mandatory: type Fault tells its customers")
    assert _create_of(api, token, "Fault", caller_email="joe.banks@example.net").data[
        "data"]["number"] == "SR00000001"  # the refusal took no number


@pytest.mark.parametrize("flags, given, needed", [
    (["--emails"], {"caller_phone": "+44 20 7946 0000"}, "caller_email"),
    (["--sms"], {"caller_email": "joe.banks@example.net"}, "caller_phone"),
])
def test_a_type_of_one_channel_needs_that_channel(api, token, streams, flags, given, needed):
    _type_that("Notice", *flags)
    refused = _create_of(api, token, "Notice", **given)
    assert status(refused) == (200, "MISSING_PARAMETER")
    assert refused.data["status"]["message"].startswith(f"{needed} is mandatory")
    other = {"caller_email": "joe.banks@example.net", "caller_phone": "+44 20 7946 0000"}
    accepted = _create_of(api, token, "Notice", **{needed: other[needed]})
    assert status(accepted) == (200, "OK")
    streams.drain()
    assert len(sent_emails()) == (needed == "caller_email")
    assert len(sent_texts()) == (needed == "caller_phone")


def test_a_flip_between_statuses_of_one_state_texts_nothing_and_texts_are_short(api, token,
                                                                                streams):
    """Open and On Hold are both PENDING: five flips sent six texts to any number, carrying
    the client's description."""
    assert admin.main(["add-service-request-setting", "status", "On Hold", "--state",
                       "PENDING", "--type", "Fault"]) == 0
    number = create(api, token, description="Call 0900 PREMIUM now").data["data"]["number"]
    for n in range(5):
        act(api, token, "update", number,
            status_identifier={"name": "On Hold" if n % 2 == 0 else "Open"})
    respond(api, token, number)
    streams.drain()
    texts = [message for _, message in sent_texts()]
    assert texts == [f"Your service request {number} is now Open.",
                     f"Your service request {number} is now Responded."]  # its creation, the move
    assert all(len(text) <= 160 and "PREMIUM" not in text for text in texts)
    assert len(sent_emails()) == 7  # every change of status is still e-mailed
