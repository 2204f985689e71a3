"""TMF621 over the Case Management API's tickets: one ticket, two faces, the status mapping
both ways, merge and JSON patches, tenancy, lists with fields, cursors and counts, and TMF's
Error object."""
import json
import pathlib

import pytest
import yaml

import app as app_module
from chalicelib.cases.models import Case
from chalicelib.streams.history import entries_of

from .cases_client import NOTIFY, customer, desk, other_customer
from .conftest import sent_emails
from .tmf_client import JSON_PATCH, tmf_customer, tmf_desk, trouble_ticket

OFFICIAL = pathlib.Path(__file__).resolve().parent.parent / "conformance" / "tmf621" / \
    "TMF621-Trouble_Ticket-v5.0.1.oas.yaml"


@pytest.fixture
def tmf(api):
    return tmf_customer(api)


@pytest.fixture
def operator(api):
    return tmf_desk(api)


def error_of(answer) -> dict:
    body = answer.data if isinstance(answer.data, dict) else json.loads(answer.body)
    assert set(body) >= {"@type", "code", "reason", "message", "status"}, body
    assert body["@type"] == "Error" and body["status"] == str(answer.status)
    return body


def test_a_ticket_made_here_is_a_case_management_ticket(api, tmf, streams):
    answer = tmf.create()
    assert answer.status == 201, answer.body
    shown = answer.data
    number = shown["id"]
    assert answer.headers["location"] == shown["href"] == \
        f"http://localhost/tmf-api/troubleTicket/v5/troubleTicket/{number}"
    assert shown["status"] == "acknowledged" and shown["ticketType"] == "TROUBLE"
    case = customer(api).get(number).data
    assert case["status"] == "SUBMITTED" and case["accountNumber"] == "01234574"
    other = case["otherDetails"]
    assert (other["code"], other["type"], other["primaryId"], other["description"]) == \
        ("0002-0000", "TROUBLE", "SV5:01:000120", "No power in cage 12.")
    assert case["contacts"] == [{"type": "NOTIFICATION", "firstName": "Fran",
                                 "lastName": "Kelly",
                                 "details": [{"type": "EMAIL", "value": NOTIFY}]}]
    assert tmf.get(f"1-2049{number}").data == shown  # the order number finds it too
    streams.drain()
    assert [m["subject"] for m in sent_emails()] == [f"Ticket {number}: submitted"]
    assert [e.event for e in entries_of("case", number)] == ["INSERT"]


def test_a_case_management_ticket_reads_the_same_here(api, tmf):
    number = customer(api).new_ticket(customerReferenceId="REF-7", secondaryId="rack 4")
    desk(api).move(number, "IN_PROGRESS", text="An engineer is on the way.")
    shown = tmf.get(number).data
    assert shown["status"] == "inProgress" and shown["ticketType"] == "TROUBLE"
    assert shown["statusChangeReason"] == "An engineer is on the way."
    assert [c["status"] for c in shown["statusChangeHistory"]] == ["acknowledged",
                                                                  "inProgress"]
    assert shown["externalIdentifier"] == [{"@type": "ExternalIdentifier", "id": "REF-7",
                                            "externalIdentifierType": "customerReferenceId"}]
    assert [(e["role"], e["entity"]["id"]) for e in shown["relatedEntity"]] == \
        [("primaryId", "SV5:01:000120"), ("secondaryId", "rack 4")]
    customer_party, contact = shown["relatedParty"]
    assert customer_party["role"] == "customer" and \
        customer_party["partyOrPartyRole"]["id"] == "01234574"
    assert contact["role"] == "notification" and contact["partyOrPartyRole"][
        "contactMedium"][0]["characteristic"]["emailAddress"] == NOTIFY
    assert shown["troubleTicketCharacteristic"][0]["value"] == "0002-0000"
    assert [n["text"] for n in shown["note"]] == ["An engineer is on the way."]


def test_the_official_create_example_is_taken_and_read_back_as_written(tmf):
    examples = yaml.safe_load(OFFICIAL.read_text())["components"]["examples"]
    sent = examples["TroubleTicket_create_example_request"]["value"]
    answer = tmf.create(sent)
    assert answer.status == 201, answer.body
    shown = tmf.get(answer.data["id"]).data
    assert shown["status"] == "acknowledged"  # the service's, whatever a create says
    for name in ("name", "description", "severity", "ticketType", "channel", "relatedEntity",
                 "requestedResolutionDate", "expectedResolutionDate"):
        assert shown[name] == sent[name], name
    assert shown["attachment"] == sent["attachment"]  # a link elsewhere, kept as given
    assert [n["text"] for n in shown["note"]] == [n["text"] for n in sent["note"]]
    assert shown["relatedParty"][1:] == [p for p in sent["relatedParty"]
                                         if p["role"] != "customer"]
    # "Bill Dispute" is no type of ours: the code decides, a CASE by default
    assert Case.get(shown["id"]).code == "0800-0000"


def test_a_ticket_type_must_suit_its_code(tmf):
    answer = tmf.create(trouble_ticket(ticketType="CASE"))
    assert answer.status == 400 and "ticketType" in error_of(answer)["message"]
    answer = tmf.create(trouble_ticket(troubleTicketCharacteristic=[
        {"@type": "StringCharacteristic", "name": "code", "value": "power"}]))
    assert answer.status == 400 and "troubleTicketCharacteristic/0/value" in \
        error_of(answer)["message"]
    answer = tmf.create(trouble_ticket(troubleTicketCharacteristic=[{"name": "code"}]))
    assert answer.status == 400 and "troubleTicketCharacteristic/0/value" in \
        error_of(answer)["message"]
    nameless = trouble_ticket()
    nameless["relatedParty"][0]["partyOrPartyRole"]["name"] = "  "
    answer = tmf.create(nameless)
    assert answer.status == 201  # named by the address's local part
    assert Case.get(answer.data["id"]).contacts.count('"firstName": "facilities"') == 1
    answer = tmf.create(trouble_ticket(ticketType="case", troubleTicketCharacteristic=None))
    assert answer.status == 201 and Case.get(answer.data["id"]).code == "0800-0000"


def test_statuses_map_both_ways_and_only_allowed_moves_are_made(api, tmf, operator):
    number = tmf.new_ticket()
    steps = [("IN_PROGRESS", "inProgress"), ("ACTION_REQUIRED", "pending"),
             ("IN_PROGRESS", "inProgress"), ("RESOLVED", "resolved"), ("CLOSED", "closed")]
    for ours, theirs in steps[:2]:  # the desk moves it through the Case Management API
        assert desk(api).move(number, ours).status == 200
        assert tmf.get(number).data["status"] == theirs
    for ours, theirs in steps[2:]:  # and through TMF621
        answer = operator.patch(number, {"status": theirs, "statusChangeReason": "Done."})
        assert answer.status == 200, answer.body
        assert customer(api).get(number).data["status"] == ours
    assert operator.patch(number, {"status": "inProgress"}).status == 409  # closed for good
    other = tmf.new_ticket()
    for status in ("held", "rejected"):
        answer = operator.patch(other, {"status": status})
        assert answer.status == 400 and "status" in error_of(answer)["message"]
    answer = tmf.patch(other, {"status": "inProgress"})  # the desk's move
    assert answer.status == 403 and "status" in error_of(answer)["message"]
    answer = tmf.patch(other, {"status": "cancelled", "statusChangeReason": "Power is back."})
    assert answer.status == 200 and answer.data["status"] == "cancelled"
    case = customer(api).get(other).data
    assert case["status"] == "CANCELLED"
    assert case["otherDetails"]["notes"][-1]["text"] == "Power is back."


def test_merge_and_json_patches_add_notes_and_change_what_is_kept(api, tmf):
    number = tmf.new_ticket()
    first = tmf.patch(number, {"note": [{"text": "Still dark."}], "severity": "Critical"})
    assert first.status == 200, first.body
    assert first.data["severity"] == "Critical" and first.headers["etag"] == '"2"'
    assert [n["text"] for n in first.data["note"]] == ["Still dark."]
    # a merge patch that sends every note back adds only the new one
    again = tmf.patch(number, {"note": [*first.data["note"], {"text": "And cold."}],
                               "name": None})
    assert [n["text"] for n in again.data["note"]] == ["Still dark.", "And cold."]
    assert "name" not in again.data
    answer = tmf.patch(number, [{"op": "test", "path": "/severity", "value": "Critical"},
                                {"op": "replace", "path": "/severity", "value": "Minor"},
                                {"op": "add", "path": "/note/-", "value": {"text": "Fixed?"}}],
                       media=JSON_PATCH)
    assert answer.status == 200, answer.body
    assert answer.data["severity"] == "Minor" and answer.data["note"][-1]["text"] == "Fixed?"
    notes = customer(api).get(number).data["otherDetails"]["notes"]
    assert [n["text"] for n in notes] == ["Still dark.", "And cold.", "Fixed?"]
    failed = tmf.patch(number, [{"op": "test", "path": "/severity", "value": "Major"}],
                       media=JSON_PATCH)
    assert failed.status == 409, failed.body
    for body, field in (({"description": "Other"}, "description"),
                        ({"ticketType": "CASE"}, "ticketType"),
                        ({"statusChangeReason": "Why not"}, "statusChangeReason")):
        refused = tmf.patch(number, body)
        assert refused.status == 400 and field in error_of(refused)["message"], body
    bad = tmf.patch(number, [{"op": "replace", "path": "/severity", "value": {"x": 1}}],
                    media=JSON_PATCH)
    assert bad.status == 400 and "severity" in error_of(bad)["message"]
    removed = tmf.patch(number, [{"op": "remove", "path": "/note/0"}], media=JSON_PATCH)
    assert removed.status == 400 and "note" in error_of(removed)["message"]
    edited = tmf.patch(number, {"note": [{**first.data["note"][0], "text": "Other words"}]})
    assert edited.status == 400 and "note/0/text" in error_of(edited)["message"]
    nowhere = tmf.patch(number, [{"op": "remove", "path": "/nothing"}], media=JSON_PATCH)
    assert nowhere.status == 400 and "0/path" in error_of(nowhere)["message"]
    stale = tmf.patch(number, {"severity": "Major"}, **{"If-Match": '"1"'})
    assert stale.status == 409
    assert tmf.get(number).data["severity"] == "Minor"  # nothing refused changed anything
    current = tmf.get(number).headers["etag"]
    assert tmf.patch(number, {"severity": "Major"}, **{"If-Match": current}).status == 200


def test_another_accounts_ticket_is_not_found(api, tmf, operator):
    number = tmf.new_ticket()
    strange = tmf_customer(api)
    strange.headers = other_customer(api).headers  # another account's client's token
    assert strange.get(number).status == 404
    assert strange.patch(number, {"severity": "Minor"}).status == 404
    assert strange.list().data == []
    assert operator.get(number).status == 200  # the desk sees every account
    assert [t["id"] for t in tmf.list().data] == [number]


def test_lists_page_by_offset_and_both_cursors_with_counts(api, tmf):
    numbers = [tmf.new_ticket(severity="Minor" if n % 2 else "Major") for n in range(5)]
    newest_first = numbers[::-1]
    page = tmf.list("?limit=2")
    assert page.status == 200
    assert page.headers["x-result-count"] == "2" and page.headers["x-total-count"] == "5"
    assert [t["id"] for t in page.data] == newest_first[:2]
    seen, answer = [], page
    while True:
        seen += [t["id"] for t in answer.data]
        links = answer.headers.get("link", "")
        if 'rel="next"' not in links:
            break
        after = links.split(">;")[0].lstrip("<").split("/tmf-api/troubleTicket/v5")[1]
        answer = tmf.call("GET", after)
    assert seen == newest_first
    assert 'rel="prev"' in links
    before = [part for part in links.split(", ") if 'rel="prev"' in part][0]
    back = tmf.call("GET", before.split(">;")[0].lstrip("<").split(
        "/tmf-api/troubleTicket/v5")[1])
    assert [t["id"] for t in back.data] == newest_first[2:4]
    oldest = tmf.list("?sort=creationDate&limit=3&offset=1")
    assert [t["id"] for t in oldest.data] == numbers[1:4]
    only = tmf.list("?fields=status,severity")
    assert all(set(t) == {"@type", "id", "href", "status", "severity"} for t in only.data)
    major = tmf.list("?severity=Major")
    assert [t["id"] for t in major.data] == [n for n in newest_first
                                             if tmf.get(n).data["severity"] == "Major"]
    assert tmf.list("?status=acknowledged").headers["x-total-count"] == "5"
    assert tmf.list("?status=held").data == []
    assert tmf.list("?ticketType=CASE").data == []
    refused = tmf.list("?after=forged.tag")
    assert refused.status == 400 and "after" in error_of(refused)["message"]
    assert tmf.list("?sort=name").status == 400
    jsonpath = tmf.list("?filter=attachment[?(@size==300)]")
    assert jsonpath.status == 400 and "filter" in error_of(jsonpath)["message"]


def test_a_customer_reference_is_an_external_identifier(api, tmf):
    body = trouble_ticket(externalIdentifier=[{"@type": "ExternalIdentifier", "id": "INC-9",
                                               "owner": "ServiceNow"}])
    number = tmf.create(body).data["id"]
    assert customer(api).get(number).data["customerReferenceId"] == "INC-9"
    assert [t["id"] for t in tmf.list("?externalIdentifier.id=INC-9").data] == [number]
    again = tmf.create(body)  # an open ticket of the account holds it
    assert again.status == 409 and error_of(again)["code"] == "ERR409"
    customer(api).new_ticket()
    assert [t["id"] for t in tmf.list("?externalIdentifier.id=INC-9").data] == [number]


def test_errors_are_tmf_error_objects_with_the_specs_statuses(api, tmf):
    number = tmf.new_ticket()
    missing = tmf.create({"description": "No severity"})
    assert missing.status == 400 and "severity" in error_of(missing)["message"]
    assert error_of(missing)["code"] == "ERR400"
    deleted = tmf.call("DELETE", f"/troubleTicket/{number}")
    assert deleted.status == 405 and deleted.headers["allow"] == "GET, PATCH"
    assert tmf.get(number).status == 200  # never removed
    assert error_of(tmf.get("99999999"))["code"] == "ERR404"
    media = tmf.call("PATCH", f"/troubleTicket/{number}", "[]",
                     headers={"Content-Type": "application/json-patch-query+json"})
    assert media.status == 400  # a media type TMF621 names but this face does not take
    anonymous = api.request("GET", "/tmf-api/troubleTicket/v5/troubleTicket", b"",
                            headers={}, auth=None)
    assert anonymous.status == 401 and error_of(anonymous)["code"] == "ERR401"
    from .test_deploy_template import _gateway_event
    for path in ("/troubleTicketSpecification", "/troubleTicketSpecification/1"):
        unserved = app_module.app(_gateway_event(
            "GET", f"/tmf-api/troubleTicket/v5{path}", "/{proxy+}"), None)
        assert unserved["statusCode"] == 405 and unserved["headers"]["Allow"] == ""
        assert json.loads(unserved["body"])["@type"] == "Error"
    listener = app_module.app(_gateway_event(
        "POST", "/tmf-api/troubleTicket/v5/listener/troubleTicketCreateEvent", "/{proxy+}"),
        None)
    assert listener["statusCode"] == 404


def test_a_ticket_of_the_case_api_keeps_its_details_beside_what_tmf_keeps(api, tmf):
    number = customer(api).new_ticket(details={"documents": {"type": "DETAILED"}})
    assert tmf.patch(number, {"severity": "Minor"}).status == 200
    details = customer(api).get(number).data["otherDetails"]["details"]
    assert details == {"documents": {"type": "DETAILED"}, "tmf621": {"severity": "Minor"}}


def test_the_official_spec_is_kept_as_published():
    import hashlib
    digest = hashlib.sha256(OFFICIAL.read_bytes()).hexdigest()
    assert digest == "dd3d242c643d132833c9a883c562bb56401ad3ef9e79c942a1f987e950be5017"


def test_attachments_are_the_accounts_uploads_and_times_are_kept_in_one_form(api, tmf):
    uploaded = customer(api).upload("photo.png", b"\x89PNG....")
    assert uploaded.status == 200, uploaded.body
    file_id = uploaded.data["id"]
    link = {"@type": "Attachment", "name": "Bill", "url": "https://example.net/bill/1",
            "attachmentType": "billCopy", "mimeType": "application/pdf"}
    answer = tmf.create(trouble_ticket(attachment=[{"@type": "AttachmentRef", "id": file_id},
                                                   link],
                                       requestedResolutionDate="2026-12-24"))
    assert answer.status == 201, answer.body
    shown = answer.data
    assert shown["attachment"] == [
        {"@type": "AttachmentRef", "id": file_id, "name": "photo.png",
         "url": f"http://localhost/support/v2/attachments/{file_id}"}, link]
    assert shown["requestedResolutionDate"] == "2026-12-24T00:00:00.000Z"
    case = customer(api).get(shown["id"]).data
    assert case["otherDetails"]["attachments"] == [{"id": file_id, "name": "photo.png"}]
    unknown = tmf.create(trouble_ticket(attachment=[{"@type": "AttachmentRef", "id": "nope"}]))
    assert unknown.status == 400 and "attachment/0/id" in error_of(unknown)["message"]


def test_files_attached_to_notes_show_on_the_ticket_as_the_case_api_shows_them(api, tmf):
    cases = customer(api)
    number = tmf.new_ticket()
    photo = cases.upload("meter.png", b"\x89PNG meter").data["id"]
    log = cases.upload("internal-log.txt", b"desk only").data["id"]
    assert cases.note(number, "A photo of the meter",
                      attachments=[{"id": photo, "name": "meter.png"}]).status == 200
    desk(api).note(number, "Our log", visibility="INTERNAL",
                   attachments=[{"id": log, "name": "internal-log.txt"}])
    [note] = [n for n in cases.get(number).data["otherDetails"]["notes"]
              if n["text"] == "A photo of the meter"]
    assert note["attachments"] == [{"id": photo, "name": "meter.png"}]
    shown = tmf.get(number).data
    [attached] = [a for a in shown["attachment"] if a["id"] == photo]
    assert attached == {"@type": "AttachmentRef", "id": photo, "name": "meter.png",
                        "url": f"http://localhost/support/v2/attachments/{photo}",
                        "description": f"Attached to note {note['id']}"}
    assert log not in json.dumps(shown)  # an INTERNAL note's file: the desk's only
    assert log in json.dumps(tmf_desk(api).get(number).data["attachment"])
