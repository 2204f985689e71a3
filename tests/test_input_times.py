"""Dates and times read as the vendors' clients write them (every spec's TimestampInput), on
every API that takes one, and answered in the one form each API documents."""
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.core import spec, timestamps
from chalicelib.core.patterns import ecma_pattern

from .cases_client import customer, ticket
from .test_crm_authentication import login, status
from .test_crm_life_cycle import act
from .test_crm_service_requests import call, create

ACCEPTED = {
    "2026-12-01": datetime(2026, 12, 1, tzinfo=UTC),  # a calendar date: the day's start, UTC
    "2026-12-31T00:00:00.000+0000": datetime(2026, 12, 31, tzinfo=UTC),  # Java, and LEAP's own
    "2026-12-01T09:30:00+00:00": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    "2026-12-01T09:30:00Z": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    "2026-12-01T09:30Z": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),  # no seconds
    "2026-12-01T09:30": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),  # no offset: UTC
    "2026-12-01T09:30:15.5": datetime(2026, 12, 1, 9, 30, 15, 500000, tzinfo=UTC),
    "2026-12-01T10:30:00.123+0100": datetime(2026, 12, 1, 10, 30, 0, 123000,
                                             tzinfo=timezone(timedelta(hours=1))),
    "2026-12-01t09:30:00z": datetime(2026, 12, 1, 9, 30, tzinfo=UTC),  # RFC 3339, 5.6
    "2010-04-06T12:43:17.1234Z": datetime(2010, 4, 6, 12, 43, 17, 124000, tzinfo=UTC),
}
MALFORMED = ["01/12/2026", "2026-12-1", "20261201", "2026-12-01T09", "2026-12-01 09:30:00",
             "2026-12-01T09:30:00+00", "2026-12-01T09:30:00 +0000", "2026-12-01T09:30:00,5Z",
             "2026-12-01T09:30:00.Z", "2026-12-01\n", " 2026-12-01", "yesterday", "",
             "2026-12-01T09:30:00.0000000001Z"]
IMPOSSIBLE = ["2026-02-30", "2026-13-01", "2026-12-01T24:00", "2026-12-01T09:60Z",
              "2026-12-01T09:30:00+2400", "0000-01-01"]  # they match the pattern


@pytest.mark.parametrize("text, moment", ACCEPTED.items())
def test_each_documented_form_is_read_as_the_time_it_names(text, moment):
    assert timestamps.parse_input(text) == moment
    assert re.search(ecma_pattern(timestamps.INPUT_PATTERN), text)


@pytest.mark.parametrize("text", MALFORMED + IMPOSSIBLE)
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        timestamps.parse_input(text)
    assert bool(re.search(ecma_pattern(timestamps.INPUT_PATTERN), text)) == (text in IMPOSSIBLE)


def _schemas(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)


def test_every_spec_that_takes_a_time_says_exactly_what_the_service_reads():
    documents = {operation.api: operation.document for operation in spec.operations().values()}
    taking = {api for api, document in documents.items()
              if "TimestampInput" in document.get("components", {}).get("schemas", {})}
    assert taking == {"service_requests", "support_requests", "cases", "webhooks", "tmf621",
                      "open311", "desk"}
    for api in taking:
        declared = documents[api]["components"]["schemas"]["TimestampInput"]
        assert declared["pattern"] == timestamps.INPUT_PATTERN and declared["x-timestamp"]
    for api, document in documents.items():  # RFC 3339's format is stricter than the vendors'
        assert not [node for node in _schemas(document)
                    if node.get("format") in ("date", "date-time")], api


@pytest.fixture
def token(api):
    return login(api).data["data"]["token"]


def test_service_request_dates_in_every_documented_form_are_answered_in_one(api, token):
    answer = create(api, token, start_date="2026-12-01", estimated_completion_time=None,
                    expected_completion_date="2026-12-31T00:00:00.000+0000",
                    udf_date_1="2026-12-24", udf_date_2="2026-12-25T18:00+01:00")
    assert status(answer) == (200, "OK"), answer
    created = answer.data["data"]
    assert created["start_date"] == "2026-12-01T00:00:00.000+0000"
    assert created["expected_completion_date"] == "2026-12-31T00:00:00.000+0000"
    assert created["estimated_completion_time"] == {"value": 30 * 24 * 60, "uot": "MINUTES"}
    assert created["user_defined_fields"]["udf_date_1"] == "2026-12-24T00:00:00.000+0000"
    assert created["user_defined_fields"]["udf_date_2"] == "2026-12-25T17:00:00.000+0000"
    number = created["number"]
    updated = act(api, token, "update", number, udf_date_3="2027-01-02T03:04:05.006Z",
                  expected_completion_date="2027-01-01")
    assert status(updated) == (200, "OK"), updated
    assert updated.data["data"]["user_defined_fields"]["udf_date_3"] == \
        "2027-01-02T03:04:05.006+0000"
    assert updated.data["data"]["expected_completion_date"] == "2027-01-01T00:00:00.000+0000"
    responded = act(api, token, "respond", number, status_identifier={"name": "Responded"},
                    response={"category_identifier": {"name": "Acknowledged"},
                              "response_date": "2026-12-02T10:15"})
    assert responded.data["data"]["response"]["responded_date"] == \
        "2026-12-02T10:15:00.000+0000"
    shown = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert shown.data["data"]["user_defined_fields"]["udf_date_1"] == \
        "2026-12-24T00:00:00.000+0000"


@pytest.mark.parametrize("field, value", [
    ("start_date", "2026-02-30"), ("udf_date_4", "2026-12-01T25:00"),
    ("udf_date_1", "24/12/2026"), ("expected_completion_date", "2026-12-31T00:00:00+00"),
])
def test_a_date_the_vendor_would_not_write_is_refused_naming_it(api, token, field, value):
    answer = create(api, token, **{field: value, "estimated_completion_time": None})
    assert status(answer) == (200, "INVALID_PARAMETER")
    assert answer.data["status"]["message"] == f"Invalid field(s): {field} (invalid)"
    assert create(api, token).data["data"]["number"] == "SR00000001"  # nothing was used


def test_a_nested_date_that_the_calendar_lacks_is_named_by_its_path(api, token):
    number = create(api, token).data["data"]["number"]
    answer = act(api, token, "respond", number, status_identifier={"name": "Responded"},
                 response={"category_identifier": {"name": "Acknowledged"},
                           "response_date": "2026-04-31T10:00Z"})
    assert status(answer) == (200, "INVALID_PARAMETER")
    assert answer.data["status"]["message"] == \
        "Invalid field(s): response/response_date (invalid)"
    shown = call(api, "GET", token, query=f"show?service_request_identifier=number={number}")
    assert shown.data["data"]["life_cycle_state"] == "PENDING"


def test_leap_list_windows_take_the_times_leap_answers_and_plain_dates(api):
    api.raise_request()
    listed = api.get("/api/v1/requests")
    written = listed.text("//l:support-request/l:last-update-time")  # ...000+0000
    assert re.fullmatch(r".*\.\d{3}\+0000", written)
    encoded = written.replace("+", "%2B")
    assert len(api.get(f"/api/v1/requests?last-update-from={encoded}").xml) == 1
    assert len(api.get(f"/api/v1/requests?last-update-to={encoded}").xml) == 0
    today = written[:10]
    assert len(api.get(f"/api/v1/requests?last-update-from={today}").xml) == 1
    assert len(api.get(f"/api/v1/requests?last-update-to={today}").xml) == 0


def test_a_ticket_takes_the_occurrence_time_in_any_documented_form(api):
    client = customer(api)
    for given, answered in (("2020-05-22T19:23:51Z", "2020-05-22T19:23:51.000Z"),  # the seed's
                            ("2020-05-22T19:23:51.000+0000", "2020-05-22T19:23:51.000Z"),
                            ("2020-05-22", "2020-05-22T00:00:00.000Z")):
        number = client.new_ticket(occurredDateTime=given)
        assert client.get(number).data["otherDetails"]["occurredDateTime"] == answered
    refused = client.create(ticket(occurredDateTime="2020-02-30T00:00Z"))
    assert refused.status == 400
    assert [entry["additionalInfo"][0]["property"] for entry in refused.data] == [
        "occurredDateTime"]
