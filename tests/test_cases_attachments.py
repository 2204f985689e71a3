"""Files of tickets and notes: uploaded to S3, referred to by id within one account, and
downloaded through a short-lived URL."""
import pytest
import requests

from chalicelib.cases.models import CaseAttachment

from .cases_client import codes, customer, desk, other_customer, ticket


@pytest.fixture
def client(api):
    return customer(api)


def test_an_uploaded_file_is_attached_and_downloaded(client):
    data = bytes(range(256)) * 40
    uploaded = client.upload("error-log.bin", data)
    assert uploaded.status == 200
    attachment = uploaded.data
    assert attachment["name"] == "error-log.bin" and attachment["id"]
    number = client.new_ticket(attachments=[{"id": attachment["id"], "name": "renamed"}])
    got = client.get(number).data["otherDetails"]["attachments"]
    assert got == [{"id": attachment["id"], "name": "error-log.bin"}]  # the upload's name
    noted = client.note(number, "another copy", attachments=[{"id": attachment["id"]}])
    assert noted.status == 200
    about = client.call("GET", f"/attachments/{attachment['id']}")
    assert about.status == 200 and about.data["size"] == len(data)
    download = requests.get(about.data["url"], timeout=30)
    assert download.status_code == 200 and download.content == data
    assert "error-log.bin" in download.headers.get("content-disposition", "")


def test_another_accounts_file_is_neither_referable_nor_readable(api, client):
    mine = client.upload("mine.txt", b"mine").data["id"]
    other = other_customer(api)
    refused = other.create(ticket(attachments=[{"id": mine}]))
    assert refused.status == 400 and codes(refused) == ["EQ-4000007"]
    assert refused.data[0]["additionalInfo"][0]["property"] == "attachments/0/id"
    hidden = other.call("GET", f"/attachments/{mine}")
    assert hidden.status == 404 and codes(hidden) == ["EQ-4040002"]
    assert desk(api).call("GET", f"/attachments/{mine}").status == 200


def test_uploads_are_capped_at_five_megabytes_and_must_have_a_name_and_bytes(client):
    too_big = client.upload("big.bin", b"x" * (5 * 1024 * 1024 + 1))
    assert too_big.status == 400 and codes(too_big) == ["EQ-4000005"]
    assert client.upload("max.bin", b"x" * (5 * 1024 * 1024)).status == 200
    empty = client.upload("empty.bin", b"")
    assert empty.status == 400
    nameless = client.call("POST", "/attachments", b"data",
                           headers={"Content-Type": "application/octet-stream"})
    assert nameless.status == 400 and codes(nameless) == ["EQ-4000001"]
    json_body = client.call("POST", "/attachments?name=a.json", {"not": "a file"})
    assert json_body.status == 400 and codes(json_body) == ["EQ-4000006"]


def test_a_ticket_takes_at_most_five_files(client):
    ids = [client.upload(f"f{n}", b"x").data["id"] for n in range(6)]
    answer = client.create(ticket(attachments=[{"id": i} for i in ids]))
    assert answer.status == 400
    assert client.create(ticket(attachments=[{"id": i} for i in ids[:5]])).status == 200


def send_form(form: dict, data: bytes) -> requests.Response:
    """What a client does with an upload form: POST it to S3 with the file."""
    return requests.post(form["url"], data=form["fields"], files={"file": ("f", data)},
                         timeout=60)


def test_a_file_larger_than_a_request_goes_straight_to_s3_through_a_form(client):
    data = b"\x00\xff" * (5 * 1024 * 1024 // 2)  # 5 MB: more than a deployed request carries
    form = client.call("POST", "/attachments/uploads", {"name": "scan.pdf", "size": len(data)})
    assert form.status == 200 and form.data["name"] == "scan.pdf"
    assert form.data["fields"]["key"].endswith("/" + form.data["id"])
    early = client.create(ticket(attachments=[{"id": form.data["id"]}]))
    assert early.status == 400 and codes(early) == ["EQ-4000007"]  # nothing in S3 yet
    assert client.call("GET", f"/attachments/{form.data['id']}").status == 404
    # a file announced but never sent is forgotten by DynamoDB's TTL; one that came is kept
    assert CaseAttachment.get(form.data["id"]).expires_at is not None
    assert send_form(form.data, data).status_code in (200, 204)
    number = client.new_ticket(attachments=[{"id": form.data["id"]}])
    assert CaseAttachment.get(form.data["id"]).expires_at is None
    assert client.get(number).data["otherDetails"]["attachments"] == [
        {"id": form.data["id"], "name": "scan.pdf"}]
    about = client.call("GET", f"/attachments/{form.data['id']}").data
    assert about["size"] == len(data)
    assert requests.get(about["url"], timeout=60).content == data


def test_a_form_upload_of_another_size_than_declared_is_not_taken(client):
    form = client.call("POST", "/attachments/uploads", {"name": "a.txt", "size": 10}).data
    send_form(form, b"not ten bytes long")  # S3 refuses it; the stand-in takes it
    refused = client.note(client.new_ticket(), "see file", attachments=[{"id": form["id"]}])
    assert refused.status == 400 and codes(refused) == ["EQ-4000007"]


def test_an_upload_form_is_for_five_megabytes_at_most(client):
    answer = client.call("POST", "/attachments/uploads", {"name": "big", "size": 5242881})
    assert answer.status == 400 and answer.data[0]["additionalInfo"][0]["property"] == "size"


def test_a_cited_file_keeps_its_bytes_when_its_form_is_used_again(api, client):
    form = client.call("POST", "/attachments/uploads", {"name": "meter.jpg", "size": 8}).data
    assert send_form(form, b"original").status_code in (200, 204)
    number = client.new_ticket(attachments=[{"id": form["id"]}])
    assert send_form(form, b"swapped!").status_code in (200, 204)  # the form still lasts
    client.note(number, "the same file again", attachments=[{"id": form["id"]}])
    for reader in (client, desk(api)):
        about = reader.call("GET", f"/attachments/{form['id']}").data
        assert requests.get(about["url"], timeout=30).content == b"original"
    stored = CaseAttachment.get(form["id"])
    assert stored.content_tag and stored.object_key.endswith("/" + stored.content_tag)


def test_a_file_that_no_ticket_cites_is_forgotten_after_a_day(client):
    from datetime import timedelta

    from chalicelib.core import timestamps
    uploaded = client.upload("draft.txt", b"never cited").data["id"]
    cited = client.upload("cited.txt", b"cited").data["id"]
    client.new_ticket(attachments=[{"id": cited}])
    assert CaseAttachment.get(cited).expires_at is None
    waiting = CaseAttachment.get(uploaded)
    assert waiting.expires_at - timestamps.now() > timedelta(hours=23)
    # DynamoDB removes an expired item up to days late: until then it is gone all the same
    waiting.update(actions=[CaseAttachment.expires_at.set(timestamps.now()
                                                          - timedelta(seconds=1))])
    assert client.call("GET", f"/attachments/{uploaded}").status == 404
    late = client.create(ticket(attachments=[{"id": uploaded}]))
    assert late.status == 400 and codes(late) == ["EQ-4000007"]


def test_uncited_uploads_are_removed_from_the_bucket_by_its_lifecycle_rule(stack_outputs):
    from chalicelib.core import clients
    from chalicelib.core.config import settings
    rules = clients.client("s3").get_bucket_lifecycle_configuration(
        Bucket=settings.attachments_bucket)["Rules"]
    staging = [rule for rule in rules if rule.get("Filter", {}).get("Prefix", rule.get(
        "Prefix")) == "staging/"]
    assert staging and staging[0]["Status"] == "Enabled"
    assert staging[0]["Expiration"]["Days"] == 2  # a day after the item's TTL
