"""Idempotency-Key on the create of every API: a retry with the same key and body answers the
first record (Idempotent-Replayed: true) and makes no second one; the same key with another
body is a 409 in the API's format; a key lives 24 hours."""
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.core import idempotency
from chalicelib.core.unique_keys import UniqueKey
from chalicelib.support_requests import service as support_requests

from .cases_client import codes, customer, ticket
from .test_crm_authentication import login, status
from .test_crm_service_requests import new_request
from .test_customers import SEED_CREATE, STRONG
from .test_property_relationships import PROPERTY, new_property

REQUEST = ('<support-request><account identifier="01234574"/><topic identifier="Parking"/>'
           '<summary>{summary}</summary></support-request>')


def _leap(path: str, document):
    def post(api, key: str, variant: int):
        body = document(api) if callable(document) else document
        return api.post_xml(path, body.replace("{variant}", str(variant)),
                            headers={"Idempotency-Key": key})
    return post


def _relationship(api) -> str:
    return (f'<associated-account><account identifier="01234574"/><property identifier='
            f'"{new_property(api)}"/><relationship>OWNER</relationship><start-date>'
            '2010-01-1{variant}</start-date></associated-account>')


LEAP_CREATES = {
    "support request": (_leap("/api/v1/requests", REQUEST.replace("{summary}", "spot {variant}")),
                        "/api/v1/requests"),
    "customer": (_leap("/api/v1/customers", SEED_CREATE.replace("{password}", STRONG).replace(
        "joe@example.net", "joe{variant}@example.net")), "/api/v1/customers"),
    "property": (_leap("/api/v1/properties", PROPERTY.replace("{name}", "Unit {variant}")),
                 "/api/v1/properties"),
}


@pytest.mark.parametrize("name", LEAP_CREATES)
def test_a_retried_leap_create_answers_the_first_record(api, name):
    post, listing = LEAP_CREATES[name]
    before = len(api.get(listing).xml)
    first = post(api, "key-1", 1)
    assert first.status == 201, first
    again = post(api, "key-1", 1)
    assert again.status == 201 and again.data == first.data
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert len(api.get(listing).xml) == before + 1
    other = post(api, "key-1", 2)
    assert other.status == 409 and "Idempotency-Key key-1" in other.message
    assert len(api.get(listing).xml) == before + 1
    assert post(api, "key-2", 2).status == 201  # another key: another record


def test_a_retried_relationship_create_answers_the_first_relationship(api):
    document = _relationship(api)
    first = _leap("/api/v1/property-relationship", document)(api, "rel-1", 1)
    assert first.status == 201, first
    again = _leap("/api/v1/property-relationship", document)(api, "rel-1", 1)
    assert again.data == first.data and again.headers["idempotent-replayed"] == "true"
    other = _leap("/api/v1/property-relationship", document)(api, "rel-1", 2)
    assert other.status == 409


def test_a_retried_crm_create_answers_the_first_request_even_with_a_new_token(api):
    def create(token: str, **overrides):
        return api.request("POST", "/crmapi/rest/v2/service_requests/create", json.dumps(
            {"token": token, **new_request(**overrides)}), auth=None, headers={
            "Content-Type": "application/json", "Idempotency-Key": "crm-1"})
    first = create(login(api).data["data"]["token"])
    assert status(first) == (200, "OK")
    again = create(login(api).data["data"]["token"])  # logged in again before the retry
    assert status(again) == (200, "OK") and again.headers["idempotent-replayed"] == "true"
    assert again.data["data"]["number"] == first.data["data"]["number"] == "SR00000001"
    other = create(login(api).data["data"]["token"], description="Another")
    assert status(other) == (200, "CONFLICT")
    assert "Idempotency-Key crm-1" in other.data["status"]["message"]


def test_a_retried_ticket_create_is_refused_with_its_own_code_for_another_body(api):
    client = customer(api)
    assert client.create(ticket(), **{"Idempotency-Key": "t-1"}).status == 200
    changed = client.create(ticket(description="Another"), **{"Idempotency-Key": "t-1"})
    assert changed.status == 409 and codes(changed) == ["EQ-4090004"]


def test_a_key_is_kept_24_hours_then_dynamodb_forgets_it(api):
    api.post_xml("/api/v1/requests", REQUEST.format(summary="x"),
                 headers={"Idempotency-Key": "ttl-1"})
    [claim] = [item for item in UniqueKey.scan() if item.key.startswith("idempotency#")]
    assert claim.key == "idempotency#" + hashlib.sha256(b'["demo", "ttl-1"]').hexdigest()
    assert 24 * 3600 - 60 < claim.expires_at.timestamp() - time.time() <= 24 * 3600
    assert UniqueKey.Meta.table_name and UniqueKey._ttl_attribute().attr_name == "expires_at"


def test_a_key_longer_than_255_characters_is_refused_naming_it(api):
    answer = api.post_xml("/api/v1/requests", REQUEST.format(summary="x"),
                          headers={"Idempotency-Key": "k" * 256})
    assert answer.status == 400 and answer.field_errors == [("Idempotency-Key", "invalid")]
    assert len(api.get("/api/v1/requests").xml) == 0


def test_concurrent_creates_with_one_key_make_one_record(api):
    """Each thread is one Lambda invocation; the writes race for real against DynamoDB."""
    key = idempotency.Idempotency("demo", "burst", "support-request", {"summary": "burst"})

    def create(_):
        return idempotency.create_once(key, support_requests.get_request, lambda: (
            support_requests.raise_request("01234574", "Parking", "burst", idempotency=key)))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(create, range(8)))
    assert len({request.identifier for request, _ in results}) == 1
    assert sorted(new for _, new in results) == [False] * 7 + [True]
    assert len(api.get("/api/v1/requests").xml) == 1


def test_no_two_clients_keys_share_a_claim_whatever_they_hold():
    """Joined with a separator, client "demo" with key "x#k" and client "demo#x" with key "k"
    named one claim, and a replay could answer another account's record."""
    body = {"summary": "x"}
    assert idempotency.Idempotency("demo", "x#k", "ticket", body).value != \
        idempotency.Idempotency("demo#x", "k", "ticket", body).value
    assert idempotency.Idempotency("demo", "k", "ticket", body).value == \
        idempotency.Idempotency("demo", "k", "ticket", body).value
