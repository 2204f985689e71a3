"""What an account may hold in uploaded files: a count and bytes, checked in the transaction
that records a file, and given back when an uncited file is forgotten."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.cases import attachments
from chalicelib.cases.attachment_quota import QuotaExceeded, usage
from chalicelib.cases.models import CaseAttachment
from chalicelib.core import clients
from chalicelib.core.config import settings

from .cases_client import codes, customer, other_customer
from .conftest import Streams

ACCOUNT = "01234574"  # the demo client's


@pytest.fixture
def quota(monkeypatch):
    def set_quota(files: int, size: int) -> None:
        monkeypatch.setenv("SERVICEDESK_ATTACHMENT_FILES_PER_ACCOUNT", str(files))
        monkeypatch.setenv("SERVICEDESK_ATTACHMENT_BYTES_PER_ACCOUNT", str(size))
        settings.reload()
    yield set_quota
    monkeypatch.delenv("SERVICEDESK_ATTACHMENT_FILES_PER_ACCOUNT", raising=False)
    monkeypatch.delenv("SERVICEDESK_ATTACHMENT_BYTES_PER_ACCOUNT", raising=False)
    settings.reload()


def _staged_objects(account: str) -> list[str]:
    listed = clients.client("s3").list_objects_v2(Bucket=settings.attachments_bucket,
                                                  Prefix=f"staging/{account}/")
    return [entry["Key"] for entry in listed.get("Contents", [])]


def _files_of(account: str) -> int:
    return sum(1 for item in CaseAttachment.scan() if item.account == account)


def test_an_account_past_its_file_count_is_refused_and_nothing_is_kept(api, quota):
    quota(files=2, size=1000)
    client = customer(api)
    staged_before = len(_staged_objects(ACCOUNT))  # the bucket is not emptied between tests
    assert [client.upload(f"f{n}", b"abc").status for n in range(2)] == [200, 200]
    refused = client.upload("third", b"abc")
    assert refused.status == 403 and codes(refused) == ["EQ-4030004"]
    assert "at most 2 files" in refused.data[0]["errorMessage"]
    form = client.call("POST", "/attachments/uploads", {"name": "big", "size": 10})
    assert form.status == 403 and codes(form) == ["EQ-4030004"]
    assert _files_of(ACCOUNT) == 2 and len(_staged_objects(ACCOUNT)) == staged_before + 2
    assert usage(ACCOUNT) == (2, 6)
    assert other_customer(api).upload("theirs", b"abc").status == 200  # a quota each


def test_an_account_past_its_bytes_is_refused_but_a_smaller_file_still_fits(api, quota):
    quota(files=10, size=10)
    client = customer(api)
    assert client.upload("six", b"x" * 6).status == 200
    assert client.upload("five", b"x" * 5).status == 403
    assert client.upload("four", b"x" * 4).status == 200
    assert client.call("POST", "/attachments/uploads", {"name": "one", "size": 1}).status == 403
    assert usage(ACCOUNT) == (2, 10)


def test_a_forgotten_file_gives_its_share_back_once_even_when_replayed(api, quota):
    quota(files=2, size=1000)
    client = customer(api)
    kept = client.upload("kept", b"cited")
    forgotten = client.upload("draft", b"never cited")
    client.new_ticket(attachments=[{"id": kept.data["id"]}])
    assert client.upload("third", b"x").status == 403
    CaseAttachment.get(forgotten.data["id"]).delete()  # what DynamoDB's TTL does after a day
    Streams().drain()
    Streams().drain()  # a replay of the same records gives nothing back twice
    assert usage(ACCOUNT) == (1, len(b"cited"))
    assert client.upload("third", b"x").status == 200
    assert client.upload("fourth", b"x").status == 403


def test_concurrent_uploads_never_overshoot_the_quota(api, quota):
    quota(files=3, size=1000)
    staged_before = len(_staged_objects(ACCOUNT))

    def attempt(number: int):
        try:
            return attachments.upload(ACCOUNT, "demo", f"f{number}", b"data")
        except QuotaExceeded:
            return None
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(attempt, range(10)))
    assert sum(r is not None for r in results) == 3
    assert _files_of(ACCOUNT) == 3 and usage(ACCOUNT) == (3, 12)
    # the refused ones' bytes were removed
    assert len(_staged_objects(ACCOUNT)) == staged_before + 3
