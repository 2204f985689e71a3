"""The operator command creates clients that can call the API, and topics it can use."""
import re

import pytest

from ops import admin

from .support import basic


def test_created_client_authenticates_with_the_printed_secret_and_its_scopes(api, capsys):
    assert admin.main(["create-client", "Acme CRM", "--scopes", "requests"]) == 0
    printed = capsys.readouterr().out
    client_id = re.search(r"client id: (\S+)", printed).group(1)
    secret = re.search(r"secret:\s+(\S+)", printed).group(1)
    assert api.get("/api/v1/requests", auth=basic(client_id, secret)).status == 200
    admin.main(["list-clients"])
    listed = capsys.readouterr().out
    assert f"{client_id}\tAcme CRM\trequests" in listed and secret not in listed


def test_unknown_scope_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        admin.main(["create-client", "X", "--scopes", "everything"])
    assert exit_.value.code == 2
    assert "unknown scope" in capsys.readouterr().err


def test_added_topic_can_classify_requests(api):
    admin.main(["add-topic", "Plumbing", "--sub-topic", "Leak"])
    identifier = api.raise_request(topic="Plumbing", extra='<sub-topic identifier="Leak"/>')
    assert api.get("/api/v1/requests/by-topic/Plumbing").data["support-request"][0][
        "identifier"] == identifier


def test_configured_community_and_field_are_accepted_on_accounts(api):
    admin.main(["add-community", "harbour", "--label", "Harbour Towers"])
    admin.main(["add-additional-field", "locker", "Locker number"])
    answer = api.post_xml("/api/v1/customers", """<account><owner>
        <email>h@example.net</email><password>Harbour-Towers-1</password>
        <name><family-name>H</family-name><given-name>A</given-name></name></owner>
        <additional-fields><field key="locker">L-12</field></additional-fields>
        <communities><community>harbour</community></communities></account>""")
    assert answer.status == 201, answer
    account = api.get(f"/api/v1/customers/{answer.data['identifier']}").data
    assert account["additional-fields"] == [{"key": "locker", "label": "Locker number",
                                             "value": "L-12"}]


def test_a_client_bound_to_an_account_works_that_accounts_tickets_only(api, capsys):
    from .cases_client import CaseClient, ticket
    assert admin.main(["create-client", "Desk app", "--scopes", "cases", "--id", "desk-app"]) == 0
    secret = re.search(r"secret:\s+(\S+)", capsys.readouterr().out).group(1)
    unbound = CaseClient(api, "desk-app", secret).create(ticket())
    assert unbound.status == 403 and unbound.data[0]["errorCode"] == "EQ-4030002"
    with pytest.raises(SystemExit):  # an account that does not exist is refused
        admin.main(["bind-account", "desk-app", "01234567"])
    assert "account 01234567" in capsys.readouterr().err
    assert admin.main(["bind-account", "desk-app", "01234574"]) == 0
    client = CaseClient(api, "desk-app", secret)  # the binding holds from the next token
    number = client.create(ticket()).data["id"]
    assert client.get(number).data["accountNumber"] == "01234574"
    admin.main(["list-clients"])
    assert "desk-app\tDesk app\tcases\t01234574" in capsys.readouterr().out
    assert admin.main(["bind-account", "desk-app", "--none"]) == 0
    assert CaseClient(api, "desk-app", secret).get(number).status == 403


def test_an_existing_client_id_is_refused_unless_replace_is_said(api, capsys):
    """One slip (--id of another tenant's client, or the desk's) would rebind it silently."""
    with pytest.raises(SystemExit) as exit_:
        admin.main(["create-client", "Slip", "--scopes", "cases-operator", "--id", "demo"])
    assert exit_.value.code == 2
    assert "API client demo exists (--replace replaces it)" in capsys.readouterr().err
    assert api.get("/api/v1/requests", auth=basic("demo", "demo-secret")).status == 200
    assert admin.main(["create-client", "Replaced", "--scopes", "requests", "--id", "demo",
                       "--replace"]) == 0
    secret = re.search(r"secret:\s+(\S+)", capsys.readouterr().out).group(1)
    assert api.get("/api/v1/requests", auth=basic("demo", "demo-secret")).status == 401
    assert api.get("/api/v1/requests", auth=basic("demo", secret)).status == 200


@pytest.mark.parametrize("client_id", ["demo#x", "with space", "x" * 129, "naïve", ""])
def test_a_client_id_is_made_of_plain_characters(capsys, client_id):
    with pytest.raises(SystemExit) as exit_:
        admin.main(["create-client", "Odd", "--scopes", "requests", "--id", client_id])
    assert exit_.value.code == 2
    assert "a client id is 1 to 128 of A-Z a-z 0-9 . _ -" in capsys.readouterr().err


def test_no_history_entry_and_no_copy_of_an_account_keeps_its_password_hash(api, streams,
                                                                            capsys):
    import json

    from chalicelib.accounts.models import Account, AccountFieldEntry
    from chalicelib.streams.history import HistoryEntry, entries_of

    from .test_customers import created
    identifier = created(api)  # with an additional field: a find-by-field copy exists
    streams.drain()
    stored_hash = Account.get(identifier).password_hash
    [entry] = entries_of("customer-account", identifier)
    assert json.loads(entry.changes)["password_hash"] == "changed"
    [copy] = AccountFieldEntry.query("crm-identifier#CRM123")
    assert "password_hash" not in copy.snapshot and stored_hash not in copy.snapshot
    # what was stored before: an entry with both hashes, a copy with the hash
    HistoryEntry(f"customer-account#{identifier}", "v0000000009", event="MODIFY", version=9,
                 at=entry.at, changes=json.dumps({"password_hash": {
                     "old": stored_hash, "new": stored_hash}, "email": {"old": "a", "new": "b"}})
                 ).save()
    snapshot = json.loads(copy.snapshot)
    copy.update(actions=[AccountFieldEntry.snapshot.set(json.dumps(
        {**snapshot, "password_hash": {"S": stored_hash}}))])
    capsys.readouterr()
    assert admin.main(["scrub-secrets"]) == 0
    assert capsys.readouterr().out.strip() == "scrubbed 1 history entries and 1 account copies"
    old = HistoryEntry.get(f"customer-account#{identifier}", "v0000000009")
    assert json.loads(old.changes) == {"password_hash": "changed",
                                       "email": {"old": "a", "new": "b"}}
    assert stored_hash not in AccountFieldEntry.get("crm-identifier#CRM123",
                                                    identifier).snapshot
    assert admin.main(["scrub-secrets"]) == 0  # idempotent
    assert capsys.readouterr().out.strip() == "scrubbed 0 history entries and 0 account copies"
    found = api.get("/api/v1/customers/by-additional-field/crm-identifier/CRM123")
    assert found.status == 200 and identifier in found.body
