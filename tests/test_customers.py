"""The Customer web service, through chalice's test client."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.accounts import passwords, service
from chalicelib.accounts.models import Account
from chalicelib.core import auth
from chalicelib.core.config import settings
from chalicelib.core.errors import ApiError

from .support import basic

BASE = "/api/v1/customers"

SEED_CREATE = """<account>
    <owner>
        <email>joe@example.net</email>
        <password>{password}</password>
        <name>
            <family-name>Banks</family-name>
            <given-name>Joseph</given-name>
            <additional-names>A</additional-names>
            <honorific-prefixes>Mr.</honorific-prefixes>
        </name>
        <bday>1974-09-08</bday>
        <gender>MALE</gender>
        <nationality code="US"/>
        <tel type="pref">(704) 451 3434</tel>
        <tel type="voice"></tel>
        <residential-address>
            <street-address>222 Example Street</street-address>
            <region>Example State</region>
            <postal-code>99221</postal-code>
            <country-name code="US"/>
        </residential-address>
    </owner>
    <billing-address>
        <street-address>10 Example Road</street-address>
        <postal-code>21345</postal-code>
        <region>Example State</region>
        <country-name code="US" />
    </billing-address>
    <additional-fields>
        <field key="crm-identifier">CRM123</field>
    </additional-fields>
    <communities>
        <community>original</community>
    </communities>
</account>"""

SEED_UPDATE = """<account>
    <owner>
        <name>
            <family-name>Banks</family-name>
            <given-name>Joseph</given-name>
            <additional-names>B</additional-names>
            <honorific-prefixes>Mr.</honorific-prefixes>
        </name>
        <bday>1974-09-08</bday>
        <gender>MALE</gender>
        <nationality code="US"/>
        <tel type="pref">(704) 451 3434</tel>
        <tel type="voice"></tel>
        <residential-address>
            <street-address>1 A Street</street-address>
            <region>My State</region>
            <postal-code>90210</postal-code>
            <country-name code="US"/>
        </residential-address>
    </owner>
    <billing-address>
        <street-address>1 Bank Street</street-address>
        <postal-code>2345</postal-code>
        <region>California</region>
        <country-name code="US" />
    </billing-address>
    <additional-fields>
        <field key="crm-identifier">CRM123</field>
    </additional-fields>
    <communities>
        <community>original</community>
    </communities>
</account>"""

STRONG = "Correct-Horse-42"


def create(api, email="joe@example.net", password=STRONG, document=SEED_CREATE):
    body = document.format(password=password).replace("joe@example.net", email)
    return api.post_xml(BASE, body)


def created(api, **kw) -> str:
    answer = create(api, **kw)
    assert answer.status == 201, answer
    return answer.data["identifier"]


def put_xml(api, path, document):
    return api.request("PUT", path, document, headers={"Content-Type": "application/xml"})


# --- create -------------------------------------------------------------------------------------

def test_seed_create_document_is_accepted_with_a_strong_password(api):
    answer = create(api)
    assert answer.status == 201
    identifier = answer.data["identifier"]
    assert service.is_luhn_valid(identifier)
    assert answer.data["ref"] == f"http://localhost{BASE}/{identifier}"
    account = api.get(f"{BASE}/{identifier}").data
    assert account["owner"]["full-name"] == "Joseph A Banks"
    assert account["owner"]["email"] == "joe@example.net"
    assert account["owner"]["tel"] == [{"type": "pref", "number": "(704) 451 3434"},
                                       {"type": "voice", "number": ""}]
    assert account["owner"]["residential-address"]["country-name"] == {"code": "US"}
    assert account["billing-address"]["street-address"] == "10 Example Road"
    assert account["additional-fields"] == [
        {"key": "crm-identifier", "label": "CRM System Identifier", "value": "CRM123"}]
    assert account["communities"] == ["original"]
    assert account["account-status"] == "Active"
    assert account["unacked-since"] == account["creation-time"]


def test_the_seed_weak_password_is_refused_with_a_field_error(api):
    answer = create(api, password="newpassword")
    assert answer.status == 400
    assert answer.field_errors == [("/account/owner/password", "invalid")]
    assert Account.count() == 1  # only the demo account


@pytest.mark.parametrize("password", ["short-1A", "alllowercaseletters", "joe-Example-99",
                                      "Abcdefghijklmnop"])
def test_weak_passwords_are_refused(api, password):
    assert create(api, password=password).field_errors == [("/account/owner/password",
                                                            "invalid")]


def test_password_is_stored_only_as_a_salted_slow_hash_and_never_returned(api):
    identifier = created(api)
    stored = Account.get(identifier)
    assert STRONG not in str(stored.attribute_values)
    # argon2id at OWASP's current parameters, which the hash carries
    assert stored.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(STRONG, stored.password_hash)
    assert not passwords.verify_password(STRONG + "x", stored.password_hash)
    assert STRONG not in api.get(f"{BASE}/{identifier}").body
    other = created(api, email="other@example.net")
    assert Account.get(other).password_hash != stored.password_hash  # salted


def test_a_password_hashed_with_older_parameters_keeps_verifying():
    """A hash stored before argon2id (scrypt, N=2^14, r=8, p=1, its parameters beside it)."""
    import base64
    import hashlib
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(STRONG.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    stored = "$".join(("scrypt", "16384", "8", "1", base64.b64encode(salt).decode(),
                       base64.b64encode(digest).decode()))
    assert passwords.verify_password(STRONG, stored)
    assert not passwords.verify_password("Other-Password-2026", stored)


def test_missing_mandatory_fields_are_each_named(api):
    answer = api.post_xml(BASE, "<account><owner><name><given-name/></name></owner></account>")
    assert answer.status == 400
    assert sorted(answer.field_errors) == [
        ("/account/communities", "required"), ("/account/owner/email", "required"),
        ("/account/owner/name/family-name", "required"),
        ("/account/owner/name/given-name", "invalid"),
        ("/account/owner/password", "required")]


def test_invalid_birthday_gender_country_and_community_are_each_named(api):
    document = (SEED_CREATE.format(password=STRONG).replace("1974-09-08", "1974-02-30")
                .replace("<gender>MALE", "<gender>OTHER").replace('nationality code="US"',
                                                                  'nationality code="XX"'))
    answer = api.post_xml(BASE, document)
    assert answer.status == 400
    assert ("/account/owner/gender", "invalid") in answer.field_errors
    document = (SEED_CREATE.format(password=STRONG).replace("1974-09-08", "1974-02-30")
                .replace('nationality code="US"', 'nationality code="XX"')
                .replace("<community>original", "<community>nowhere"))
    answer = api.post_xml(BASE, document)
    assert sorted(answer.field_errors) == [
        ("/account/communities/community[1]", "invalid"), ("/account/owner/bday", "invalid"),
        ("/account/owner/nationality/@code", "invalid")]


def test_unconfigured_additional_field_is_refused(api):
    document = SEED_CREATE.format(password=STRONG).replace("crm-identifier", "favourite-colour")
    answer = api.post_xml(BASE, document)
    assert answer.field_errors == [("/account/additional-fields/field[1]", "unknown")]


def test_email_is_unique_per_community_without_case(api):
    created(api)
    answer = create(api, email="JOE@example.net")
    assert answer.status == 400
    assert answer.field_errors == [("/account/owner/email", "taken")]


def test_concurrent_creates_with_one_email_never_both_succeed(api):
    def attempt(_):
        try:
            return service.create_account({"owner": {"email": "race@example.net",
                                                     "password": STRONG,
                                                     "name": {"given-name": "R",
                                                              "family-name": "C"}},
                                           "communities": ["original"]})
        except ApiError as error:
            return error
    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    assert sum(isinstance(o, Account) for o in outcomes) == 1
    assert len(service.find_by_email("original", "race@example.net")) == 1


def test_account_limit_answers_403(api, monkeypatch):
    monkeypatch.setattr(settings, "account_limit", 2)
    created(api, email="a@example.net")
    created(api, email="b@example.net")
    answer = create(api, email="c@example.net")
    assert answer.status == 403 and answer.message == "Account limit reached."
    assert service.find_by_email("original", "c@example.net") == []


# --- read -----------------------------------------------------------------------------------------

def test_malformed_identifier_gets_400_and_unknown_404(api):
    assert api.get(f"{BASE}/01234575").status == 400
    assert api.get(f"{BASE}/abc").status == 400
    answer = api.get(f"{BASE}/49927398716")
    assert answer.status == 404 and "49927398716" in answer.message


def test_inactive_account_reads_as_404(api):
    identifier = created(api)
    account = Account.get(identifier)
    account.status = "INACTIVE"
    account.save()
    assert api.get(f"{BASE}/{identifier}").status == 404


def test_wrong_scope_gets_403(api):
    client_id, secret = auth.create_client("Requests only", ["requests"])
    assert api.get(f"{BASE}/01234574", auth=basic(client_id, secret)).status == 403


# --- update and change login --------------------------------------------------------------------

def test_seed_update_document_replaces_details_and_answers_201_with_a_ref(api):
    identifier = created(api)
    answer = put_xml(api, f"{BASE}/{identifier}", SEED_UPDATE)
    assert answer.status == 201 and answer.data["identifier"] == identifier
    account = api.get(f"{BASE}/{identifier}").data
    assert account["owner"]["full-name"] == "Joseph B Banks"
    assert account["billing-address"]["region"] == "California"
    assert account["owner"]["email"] == "joe@example.net"


def test_update_validation_errors_answer_409(api):
    identifier = created(api)
    answer = put_xml(api, f"{BASE}/{identifier}", SEED_UPDATE.replace(
        "<given-name>Joseph</given-name>", "").replace("1974-09-08", "1974-13-01"))
    assert answer.status == 409
    assert sorted(answer.field_errors) == [("/account/owner/bday", "invalid"),
                                           ("/account/owner/name/given-name", "required")]


def test_update_cannot_move_the_account_to_another_community(api):
    identifier = created(api)
    from chalicelib.accounts import catalog
    catalog.add_community("second")
    answer = put_xml(api, f"{BASE}/{identifier}", SEED_UPDATE.replace(
        "<community>original", "<community>second"))
    assert answer.status == 409
    assert answer.field_errors == [("/account/communities/community[1]", "invalid")]


def test_update_by_extid_and_of_unknown_account(api):
    identifier = created(api)
    api.post_form(f"{BASE}/{identifier}/extid", "extid=CRM-123")
    assert put_xml(api, f"{BASE}/extid/CRM-123", SEED_UPDATE).status == 201
    assert put_xml(api, f"{BASE}/49927398716", SEED_UPDATE).status == 404
    assert put_xml(api, f"{BASE}/12345", SEED_UPDATE).status == 400


def test_change_login_changes_the_email_and_frees_the_old_one(api, streams):
    identifier = created(api)
    answer = put_xml(api, f"{BASE}/{identifier}/change-login",
                     "<change-login><login-id>user@example.com</login-id></change-login>")
    assert answer.status == 201
    assert api.get(f"{BASE}/{identifier}").data["owner"]["email"] == "user@example.com"
    assert created(api, email="joe@example.net")  # the old address is free again
    streams.drain()
    from .conftest import sent_emails
    sent = {tuple(m["destinations"]["ToAddresses"]): m["subject"] for m in sent_emails()}
    assert sent == {("joe@example.net",): "Your login id has changed",
                    ("user@example.com",): "Your login id has changed"}


def test_change_login_to_a_taken_or_malformed_login_gets_400(api):
    identifier = created(api)
    answer = put_xml(api, f"{BASE}/{identifier}/change-login",
                     "<change-login><login-id>joe.banks@example.net</login-id></change-login>")
    assert answer.status == 400
    assert answer.field_errors == [("/change-login/login-id", "taken")]
    answer = put_xml(api, f"{BASE}/{identifier}/change-login",
                     "<change-login><login-id>not an email</login-id></change-login>")
    assert answer.field_errors == [("/change-login/login-id", "invalid")]
    answer = put_xml(api, f"{BASE}/{identifier}/change-login", "<change-login/>")
    assert answer.field_errors == [("/change-login/login-id", "required")]


# --- extids, acknowledgements, comments ----------------------------------------------------------

def test_extid_set_find_and_conflict(api):
    first, second = created(api), created(api, email="two@example.net")
    answer = api.post_form(f"{BASE}/{first}/extid", "extid=CRM-56789")
    assert answer.status == 200 and answer.data["extid"] == "CRM-56789"
    assert api.get(f"{BASE}/extid/CRM-56789").data["identifier"] == first
    assert api.post_form(f"{BASE}/{second}/extid", "extid=CRM-56789").status == 409
    assert api.post_form(f"{BASE}/49927398716/extid", "extid=X").status == 404


def test_acknowledge_clears_the_flag_and_unknown_ids_change_nothing(api):
    identifier = created(api)
    answer = api.post_xml(f"{BASE}/acked", "<acknowledgements><acknowledgement>"
                          f"{identifier}</acknowledgement><acknowledgement>49927398716"
                          "</acknowledgement></acknowledgements>")
    assert answer.status == 404 and "49927398716" in answer.message
    assert "unacked-since" in api.get(f"{BASE}/{identifier}").data
    answer = api.post_xml(f"{BASE}/acked", "<acknowledgements><acknowledgement>"
                          f"{identifier}</acknowledgement></acknowledgements>")
    assert answer.status == 204
    assert "unacked-since" not in api.get(f"{BASE}/{identifier}").data
    api.post_form(f"{BASE}/{identifier}/extid", "extid=CRM-1")
    put_xml(api, f"{BASE}/{identifier}", SEED_UPDATE)
    assert api.post_xml(f"{BASE}/external/acked", "<acknowledgements><acknowledgement>CRM-1"
                        "</acknowledgement></acknowledgements>").status == 204
    assert "unacked-since" not in api.get(f"{BASE}/{identifier}").data


def test_acknowledgement_racing_an_update_keeps_the_update_flagged(api):
    identifier = created(api)
    seen = api.get(f"{BASE}/{identifier}").data["version"]
    put_xml(api, f"{BASE}/{identifier}", SEED_UPDATE)
    api.post_xml(f"{BASE}/acked", f'<acknowledgements><acknowledgement version="{seen}">'
                 f"{identifier}</acknowledgement></acknowledgements>")
    assert "unacked-since" in api.get(f"{BASE}/{identifier}").data


def test_comments_are_stored_with_author_and_time(api):
    identifier = created(api)
    answer = api.post_xml(f"{BASE}/{identifier}/comments", "<customer-update><comment>Adding a "
                          "comment to the customer account.</comment></customer-update>")
    assert answer.status == 201
    [comment] = api.get(f"{BASE}/{identifier}").data["comments"]
    assert comment["text"] == "Adding a comment to the customer account."
    assert comment["author"] == "Demo client" and comment["time"]
    api.post_form(f"{BASE}/{identifier}/extid", "extid=CRM-7")
    assert api.post_xml(f"{BASE}/extid/CRM-7/comments", "<customer-update><comment>second"
                        "</comment></customer-update>").status == 201
    assert api.post_xml(f"{BASE}/49927398716/comments", "<customer-update><comment>x"
                        "</comment></customer-update>").status == 404
    assert api.post_xml(f"{BASE}/1/comments", "<customer-update><comment>x"
                        "</comment></customer-update>").status == 400


# --- finders ---------------------------------------------------------------------------------

def test_list_all_with_acked_and_paging(api):
    first, second = created(api, email="1@example.net"), created(api, email="2@example.net")
    api.post_xml(f"{BASE}/acked", f"<acknowledgements><acknowledgement>{first}"
                 "</acknowledgement><acknowledgement>01234574</acknowledgement>"
                 "</acknowledgements>")
    ids = [a["identifier"] for a in api.get(BASE).data["account"]]
    assert ids == ["01234574", first, second]
    assert [a["identifier"] for a in api.get(f"{BASE}?acked=false").data["account"]] == [second]
    assert [a["identifier"] for a in api.get(f"{BASE}?acked=true").data["account"]] == [
        "01234574", first]
    assert [a["identifier"] for a in api.get(f"{BASE}?limit=1&offset=1").data["account"]] == [
        first]


def test_find_by_additional_field_follows_updates(api):
    identifier = created(api)
    found = api.get(f"{BASE}/by-additional-field/crm-identifier/CRM123").data["account"]
    assert [a["identifier"] for a in found] == [identifier]
    put_xml(api, f"{BASE}/{identifier}", SEED_UPDATE.replace("CRM123", "CRM999"))
    assert api.get(f"{BASE}/by-additional-field/crm-identifier/CRM123").data == {}
    [account] = api.get(f"{BASE}/by-additional-field/crm-identifier/CRM999").data["account"]
    assert account["owner"]["full-name"] == "Joseph B Banks"
    assert account["version"] == api.get(f"{BASE}/{identifier}").data["version"]


def test_find_by_unconfigured_additional_field_gets_400(api):
    answer = api.get(f"{BASE}/by-additional-field/favourite-colour/blue")
    assert answer.status == 400


def test_find_by_email(api):
    identifier = created(api)
    found = api.get(f"{BASE}/by_email/original/JOE@example.net").data["account"]
    assert [a["identifier"] for a in found] == [identifier]
    assert api.get(f"{BASE}/by_email/other/joe@example.net").data == {}


def test_seed_change_login_document_is_accepted_with_its_closing_tag_corrected(api):
    identifier = created(api)
    answer = put_xml(api, f"{BASE}/{identifier}/change-login", """<change-login>
    <login-id>user@exmaple.com</login-id>
</change-login>""")
    assert answer.status == 201
    assert api.get(f"{BASE}/{identifier}").data["owner"]["email"] == "user@exmaple.com"


def test_seed_acknowledgements_document_is_accepted(api):
    first = created(api, email="1@example.net")
    second = created(api, email="2@example.net")
    answer = api.post_xml(f"{BASE}/acked", f"""<acknowledgements>
    <acknowledgement>{first}</acknowledgement>
    <acknowledgement>{second}</acknowledgement>
</acknowledgements>""")
    assert answer.status == 204


def test_change_login_by_extid(api):
    identifier = created(api)
    api.post_form(f"{BASE}/{identifier}/extid", "extid=CRM-9")
    answer = put_xml(api, f"{BASE}/extid/CRM-9/change-login",
                     "<change-login><login-id>new@example.org</login-id></change-login>")
    assert answer.status == 201 and answer.data["extid"] == "CRM-9"
    assert [a["identifier"] for a in api.get(f"{BASE}/by_email/original/new@example.org")
            .data["account"]] == [identifier]
    assert put_xml(api, f"{BASE}/extid/NOPE/change-login",
                   "<change-login><login-id>x@example.org</login-id></change-login>"
                   ).status == 404


def test_concurrent_claims_of_one_customer_extid_leave_one_holder(api):
    accounts = [created(api, email=f"{n}@example.net") for n in range(8)]

    def attempt(identifier):
        try:
            return service.set_extid(identifier, "CRM-SAME").identifier
        except ApiError:
            return None
    with ThreadPoolExecutor(8) as pool:
        winners = [w for w in pool.map(attempt, accounts) if w]
    assert len(winners) == 1
    assert api.get(f"{BASE}/extid/CRM-SAME").data["identifier"] == winners[0]
    assert sum(Account.get(i).extid == "CRM-SAME" for i in accounts) == 1
