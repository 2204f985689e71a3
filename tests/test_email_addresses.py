"""One rule for e-mail addresses in every API that takes one: ASCII, RFC 5321's lengths, the
whole string ("fran@example.net\\n" was accepted: its pattern ended in Python's $)."""
import json

import pytest

from chalicelib.core import email_address, spec

from .cases_client import customer, ticket
from .test_crm_authentication import login, status
from .test_crm_service_requests import create as create_service_request
from .test_customers import create as create_customer

REFUSED = ["fran@example.net\n", "fran@example.net ", "frän@example.net", "fran@exämple.net",
           "a" * 65 + "@example.net", "fran@" + "d" * 64 + ".net", "fran@example",
           "fran@@example.net", ".fran@example.net", "fran@-example.net",
           "f" * 60 + "@" + ".".join(["d" * 60] * 4) + ".net",  # 311 characters
           "a" * 40 + "." + "b" * 24 + "@example.net"]  # a local part of 65, in two parts
ACCEPTED = ["fran@example.net", "fran.kelly+desk@mail.example.co.uk", "o'brien@example.ie",
            "a" * 40 + "." + "b" * 23 + "@example.net"]


def test_every_spec_takes_the_one_address_rule():
    patterns = set()
    for operation in spec.operations().values():
        schemas = operation.document.get("components", {}).get("schemas", {})
        if "Email" in schemas:
            patterns.add(schemas["Email"]["pattern"])
            assert schemas["Email"]["x-email"] is True  # the pipeline applies is_email
            assert schemas["Email"]["maxLength"] == email_address.MAX_LENGTH
    assert patterns == {email_address.PATTERN}
    assert all(email_address.is_email(address) for address in ACCEPTED)
    assert not any(email_address.is_email(address) for address in REFUSED)


@pytest.mark.parametrize("address", REFUSED)
def test_a_ticket_contact_must_be_an_address_by_the_rule(api, address):
    client = customer(api)
    contact = {"type": "NOTIFICATION", "firstName": "Fran", "lastName": "Kelly",
               "details": [{"type": "EMAIL", "value": address}]}
    answer = client.create(ticket(contacts=[contact]))
    assert answer.status == 400, answer
    # a value too long for the schema is named by its contact (the oneOf of the two kinds)
    assert answer.data[0]["additionalInfo"][0]["property"] in (
        "contacts/0/details/0/value", "contacts/0")


@pytest.mark.parametrize("address", REFUSED[:4] + REFUSED[-1:])
def test_crm_leap_and_customers_refuse_an_address_against_the_rule(api, address):
    token = login(api).data["data"]["token"]
    crm = create_service_request(api, token, caller_email=address)
    assert status(crm) == (200, "INVALID_PARAMETER")
    assert "caller_email" in crm.data["status"]["message"]
    leap = api.post_xml("/api/v1/requests", '<support-request><account identifier="01234574"/>'
                        '<topic identifier="Parking"/><summary>x</summary><email>'
                        f'{json.dumps(address)[1:-1]}</email></support-request>')
    assert leap.status == 400 and leap.field_errors == [("/support-request/email", "invalid")]
    assert create_customer(api, email=address.replace("\n", "&#10;")).status == 400


def test_addresses_by_the_rule_are_taken(api):
    client = customer(api)
    for n, address in enumerate(ACCEPTED):
        contact = {"type": "NOTIFICATION", "firstName": "Fran", "lastName": "Kelly",
                   "details": [{"type": "EMAIL", "value": address}]}
        assert client.create(ticket(contacts=[contact])).status == 200, address
        assert create_customer(api, email=address.replace("fran", f"c{n}")).status == 201
