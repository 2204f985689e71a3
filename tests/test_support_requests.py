"""The Support Requests API, endpoint by endpoint, through chalice's test client."""
from chalicelib.core.unique_keys import owner_of
from chalicelib.support_requests.models import SupportRequest

BASE = "/api/v1/requests"


# --- raising a request ------------------------------------------------------------------------

def test_raising_a_request_returns_201_and_a_ref_to_it(api):
    property_id = api.post_xml("/api/v1/properties", """<property><name>Car park</name>
        <address><street-address>1 Example St</street-address><country-name code="AU"/>
        </address></property>""").data["identifier"]
    answer = api.post_xml(BASE, f"""<support-request>
        <account identifier="01234574"/><topic identifier="Parking"/>
        <sub-topic identifier="Stolen Spot"/><property identifier="{property_id}"/>
        <purchased-product-offer identifier="POF-12345"/>
        <summary>My parking spot has been taken.</summary>
        <description>A maintenance van is in it.</description>
        <email>some_special_email@example.net</email></support-request>""")
    assert answer.status == 201
    identifier = answer.data["identifier"]
    assert answer.data["ref"] == f"http://localhost{BASE}/{identifier}"
    assert answer.headers["location"] == answer.data["ref"]
    request = api.get(f"{BASE}/{identifier}").data
    assert request["state"] == "NEW"
    assert request["topic"] == {"identifier": "Parking"}
    assert request["sub-topic"] == {"identifier": "Stolen Spot"}
    assert request["property"]["ref"] == f"http://localhost/api/v1/properties/{property_id}"
    assert request["purchased-product-offer"] == {"identifier": "POF-12345"}
    assert request["email"] == "some_special_email@example.net"
    assert request["creator"] == "Joseph Banks"
    assert request["community"] == "original"
    assert request["account"] == {"identifier": "01234574",
                                  "ref": "http://localhost/api/v1/customers/01234574"}
    assert request["unacked-since"] == request["creation-time"] == request["last-update-time"]
    assert request["updates"] == []


def test_request_defaults_to_the_account_email_and_agent_may_be_the_creator(api):
    identifier = api.raise_request(extra="<creator>Jenny Bujold</creator>")
    request = api.get(f"{BASE}/{identifier}").data
    assert request["email"] == "joe.banks@example.net"
    assert request["creator"] == "Jenny Bujold"


def test_identifiers_are_sequential_numbers(api):
    first, second = api.raise_request(), api.raise_request()
    assert (first, second) == ("10000001", "10000002")


def test_raising_for_an_unknown_account_gets_400_naming_it_and_creates_nothing(api):
    """A body's reference to nothing is an invalid field, as any other of the body."""
    answer = api.post_xml(BASE, """<support-request><account identifier="49927398716"/>
        <topic identifier="Parking"/><summary>x</summary></support-request>""")
    assert answer.status == 400
    assert "49927398716" in answer.message
    assert answer.field_errors == [("/support-request/account/@identifier", "invalid")]
    assert SupportRequest.count() == 0


def test_raising_for_an_unknown_property_gets_400_naming_it(api):
    answer = api.post_xml(BASE, """<support-request><account identifier="01234574"/>
        <topic identifier="Parking"/><property identifier="PP-404"/><summary>x</summary>
        </support-request>""")
    assert answer.status == 400 and "PP-404" in answer.message
    assert answer.field_errors == [("/support-request/property/@identifier", "invalid")]


def test_raising_for_a_malformed_account_number_gets_400(api):
    answer = api.post_xml(BASE, """<support-request><account identifier="01234575"/>
        <topic identifier="Parking"/><summary>x</summary></support-request>""")
    assert answer.status == 400
    assert answer.field_errors == [("/support-request/account/@identifier", "invalid")]


def test_raising_under_an_unknown_topic_or_sub_topic_gets_400_naming_it(api):
    topic = api.post_xml(BASE, """<support-request><account identifier="01234574"/>
        <topic identifier="Plumbing"/><summary>x</summary></support-request>""")
    assert topic.status == 400
    assert topic.field_errors == [("/support-request/topic/@identifier", "invalid")]
    answer = api.post_xml(BASE, """<support-request><account identifier="01234574"/>
        <topic identifier="Parking"/><sub-topic identifier="Flooded"/><summary>x</summary>
        </support-request>""")
    assert answer.status == 400
    assert SupportRequest.count() == 0


def test_raising_without_required_fields_names_each_of_them(api):
    answer = api.post_xml(BASE, "<support-request><description>d</description></support-request>")
    assert answer.status == 400
    assert sorted(answer.field_errors) == [("/support-request/account", "required"),
                                           ("/support-request/summary", "required"),
                                           ("/support-request/topic", "required")]


def test_raising_with_an_invalid_email_and_unknown_element_names_both(api):
    answer = api.post_xml(BASE, """<support-request><account identifier="01234574"/>
        <topic identifier="Parking"/><summary>x</summary><email>not-an-email</email>
        <priority>high</priority></support-request>""")
    assert answer.status == 400
    assert sorted(answer.field_errors) == [("/support-request/email", "invalid"),
                                           ("/support-request/priority", "unknown")]


def test_raising_with_an_extid_claims_it(api):
    answer = api.post_xml(BASE, """<support-request extid="MAX-1234">
        <account identifier="01234574"/><topic identifier="Parking"/><summary>x</summary>
        </support-request>""")
    assert answer.status == 201 and answer.data["extid"] == "MAX-1234"
    identifier = answer.data["identifier"]
    assert api.get(f"{BASE}/extid/MAX-1234").data["identifier"] == identifier


def test_raising_with_a_taken_extid_gets_409_and_creates_nothing(api):
    api.post_xml(BASE, """<support-request extid="MAX-1"><account identifier="01234574"/>
        <topic identifier="Parking"/><summary>x</summary></support-request>""")
    answer = api.post_xml(BASE, """<support-request extid="MAX-1"><account identifier="01234574"/>
        <topic identifier="Parking"/><summary>y</summary></support-request>""")
    assert answer.status == 409
    assert SupportRequest.count() == 1


# --- reading ----------------------------------------------------------------------------------

def test_unknown_request_gets_404(api):
    answer = api.get(f"{BASE}/99999999")
    assert answer.status == 404
    assert "99999999" in answer.message


def test_unknown_extid_gets_404(api):
    assert api.get(f"{BASE}/extid/NOPE").status == 404


def test_no_header_of_a_client_chooses_the_host_of_a_ref(api):
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example",
              "X-Forwarded-Proto": "gopher"}
    created = api.post_xml(BASE, "<support-request><account identifier=\"01234574\"/><topic "
                                 "identifier=\"Parking\"/><summary>x</summary></support-request>",
                           headers=forged)
    assert created.status == 201
    assert created.data["ref"].startswith("http://localhost/api/v1/requests/")
    assert created.headers["location"] == created.data["ref"]
    identifier = created.data["identifier"]
    assert api.get(f"{BASE}/{identifier}", headers=forged).data["ref"] == \
        f"http://localhost{BASE}/{identifier}"


def test_a_trusted_proxy_names_the_public_host_and_a_configured_base_url_wins(api, monkeypatch):
    from chalicelib.core.config import settings
    identifier = api.raise_request()
    forwarded = {"X-Forwarded-Host": "desk.example.org", "X-Forwarded-Proto": "https"}
    monkeypatch.setenv("SERVICEDESK_TRUSTED_PROXIES", "::1, 127.0.0.0/24")
    settings.reload()  # chalice's local gateway calls from 127.0.0.1
    assert api.get(f"{BASE}/{identifier}", headers=forwarded).data["ref"] == \
        f"https://desk.example.org{BASE}/{identifier}"
    monkeypatch.setenv("SERVICEDESK_PUBLIC_BASE_URL", "https://api.example.org/desk/")
    settings.reload()
    assert api.get(f"{BASE}/{identifier}", headers=forwarded).data["ref"] == \
        f"https://api.example.org/desk{BASE}/{identifier}"
    monkeypatch.delenv("SERVICEDESK_PUBLIC_BASE_URL")
    monkeypatch.setenv("SERVICEDESK_TRUSTED_PROXIES", "127.0.0.2")
    settings.reload()
    assert api.get(f"{BASE}/{identifier}", headers=forwarded).data["ref"] == \
        f"http://localhost{BASE}/{identifier}"
    monkeypatch.delenv("SERVICEDESK_TRUSTED_PROXIES")
    settings.reload()


class _GatewayRequest:
    """What API Gateway hands a function about a request, as chalice exposes it."""

    def __init__(self, domain: str, headers: dict | None = None) -> None:
        self.context = {"domainName": domain, "stage": "api",
                        "identity": {"sourceIp": "127.0.0.9"}}
        self.headers = headers or {}


def test_behind_api_gateway_the_base_is_its_own_domain_and_stage():
    from chalicelib.core.http import base_url
    execute_api = "abc123.execute-api.us-east-1.amazonaws.com"
    assert base_url(_GatewayRequest(execute_api, {"x-forwarded-host": "evil.example"})) == \
        f"https://{execute_api}/api"
    assert base_url(_GatewayRequest("desk.example.org")) == "https://desk.example.org"


# --- external identifiers ---------------------------------------------------------------------

def test_setting_an_extid_returns_the_ref_and_finds_the_request(api):
    identifier = api.raise_request()
    answer = api.post_form(f"{BASE}/{identifier}/extid", "extid=MAX-56789")
    assert answer.status == 200
    assert answer.data == {"ref": f"http://localhost{BASE}/{identifier}",
                           "identifier": identifier, "extid": "MAX-56789"}
    assert api.get(f"{BASE}/extid/MAX-56789").data["identifier"] == identifier


def test_changing_an_extid_releases_the_old_one(api):
    first, second = api.raise_request(), api.raise_request()
    api.post_form(f"{BASE}/{first}/extid", "extid=OLD")
    api.post_form(f"{BASE}/{first}/extid", "extid=NEW")
    assert api.get(f"{BASE}/extid/OLD").status == 404
    assert api.post_form(f"{BASE}/{second}/extid", "extid=OLD").status == 200
    assert api.get(f"{BASE}/extid/NEW").data["identifier"] == first


def test_setting_the_same_extid_again_is_harmless(api):
    identifier = api.raise_request()
    api.post_form(f"{BASE}/{identifier}/extid", "extid=SAME")
    assert api.post_form(f"{BASE}/{identifier}/extid", "extid=SAME").status == 200


def test_extid_taken_by_another_request_gets_409_and_changes_nothing(api):
    first, second = api.raise_request(), api.raise_request()
    api.post_form(f"{BASE}/{first}/extid", "extid=MAX-1")
    api.post_form(f"{BASE}/{second}/extid", "extid=MAX-2")
    answer = api.post_form(f"{BASE}/{second}/extid", "extid=MAX-1")
    assert answer.status == 409
    assert answer.field_errors == [("extid", "taken")]
    assert api.get(f"{BASE}/{second}").data["extid"] == "MAX-2"
    assert api.get(f"{BASE}/extid/MAX-1").data["identifier"] == first


def test_extid_of_an_unknown_request_gets_404_and_claims_nothing(api):
    assert api.post_form(f"{BASE}/99999999/extid", "extid=MAX-1").status == 404
    assert owner_of("support-request-extid", "MAX-1") is None


def test_missing_or_malformed_extid_gets_400(api):
    identifier = api.raise_request()
    assert api.post_form(f"{BASE}/{identifier}/extid", "").field_errors == [("extid", "required")]
    assert api.post_form(f"{BASE}/{identifier}/extid", "extid=a%2Fb").status == 400


# --- updates: comments, state changes, assignment ----------------------------------------------

def test_state_change_with_comment_is_recorded_as_one_update(api):
    identifier = api.raise_request()
    answer = api.update(identifier, "<state>IN_PROGRESS</state><comment>On it</comment>")
    assert answer.status == 201
    assert answer.data["state"] == "IN_PROGRESS"
    [update] = answer.data["updates"]
    assert update["type"] == "STATE_CHANGED" and update["state"] == "IN_PROGRESS"
    assert update["comment"] == "On it" and update["updater"] == "Demo client"
    assert update["unacked-since"] == update["update-time"]
    assert api.get(f"{BASE}/{identifier}").data["updates"] == [update]  # read your writes


def test_comment_alone_adds_a_comment_without_changing_state(api):
    identifier = api.raise_request()
    answer = api.update(identifier, "<comment>adding a comment without state change</comment>"
                                    "<updater>Orville Wright</updater>")
    assert answer.data["state"] == "NEW"
    assert answer.data["updates"][0] == {**answer.data["updates"][0], "type": "COMMENT_ADDED",
                                         "updater": "Orville Wright"}
    assert "state" not in answer.data["updates"][0]


def test_assignment_records_assigned_and_moves_new_to_in_progress(api):
    identifier = api.raise_request()
    answer = api.update(identifier, "<assignee>Jenny Bujold</assignee>")
    assert answer.data["state"] == "IN_PROGRESS"
    assert answer.data["assignee"] == "Jenny Bujold"
    [update] = answer.data["updates"]
    assert (update["type"], update["state"], update["assignee"]) == (
        "ASSIGNED", "IN_PROGRESS", "Jenny Bujold")


def test_assignment_with_an_explicit_state_records_both(api):
    identifier = api.raise_request()
    answer = api.update(identifier, "<assignee>Jenny</assignee><state>PROBLEM</state>"
                                    "<comment>Need a key</comment>")
    assert answer.data["state"] == "PROBLEM"
    newest, oldest = answer.data["updates"]
    assert (oldest["type"], oldest.get("state")) == ("ASSIGNED", None)
    assert (newest["type"], newest["state"], newest["comment"]) == (
        "STATE_CHANGED", "PROBLEM", "Need a key")


def test_updates_are_listed_newest_first(api):
    identifier = api.raise_request()
    api.update(identifier, "<comment>first</comment>")
    api.update(identifier, "<comment>second</comment>")
    comments = [u["comment"] for u in api.get(f"{BASE}/{identifier}").data["updates"]]
    assert comments == ["second", "first"]


def test_problem_and_in_progress_may_alternate(api):
    identifier = api.raise_request()
    for state in ("IN_PROGRESS", "PROBLEM", "IN_PROGRESS", "SUCCESSFUL"):
        assert api.update(identifier, f"<state>{state}</state>").status == 201, state


def test_terminal_states_never_change_again(api):
    for terminal in ("SUCCESSFUL", "CANCELLED"):
        identifier = api.raise_request()
        api.update(identifier, f"<state>{terminal}</state>")
        for state in ("NEW", "IN_PROGRESS", "PROBLEM", "SUCCESSFUL", "CANCELLED"):
            answer = api.update(identifier, f"<state>{state}</state>")
            assert answer.status == 409, (terminal, state)
        assert api.update(identifier, "<assignee>Someone</assignee>").status == 409
        request = api.get(f"{BASE}/{identifier}").data
        assert request["state"] == terminal and len(request["updates"]) == 1


def test_comment_on_a_closed_request_is_still_accepted(api):
    identifier = api.raise_request()
    api.update(identifier, "<state>SUCCESSFUL</state>")
    answer = api.update(identifier, "<comment>Thanks!</comment>")
    assert answer.status == 201 and answer.data["state"] == "SUCCESSFUL"


def test_moving_back_to_new_or_to_the_same_state_gets_409(api):
    identifier = api.raise_request()
    assert api.update(identifier, "<state>NEW</state>").status == 409
    api.update(identifier, "<state>IN_PROGRESS</state>")
    answer = api.update(identifier, "<state>IN_PROGRESS</state>")
    assert answer.status == 409
    assert "IN_PROGRESS" in answer.message


def test_invalid_state_gets_400_and_changes_nothing(api):
    identifier = api.raise_request()
    answer = api.update(identifier, "<state>DONE</state>")
    assert answer.status == 400
    assert answer.field_errors == [("/support-request-update/state", "invalid")]
    assert api.get(f"{BASE}/{identifier}").data["updates"] == []


def test_empty_update_gets_400(api):
    identifier = api.raise_request()
    assert api.update(identifier, "").status == 400


def test_update_of_unknown_request_gets_404(api):
    assert api.update("99999999", "<comment>hi</comment>").status == 404
    answer = api.post_xml(f"{BASE}/extid/NOPE/updates",
                          "<support-request-update><comment>x</comment></support-request-update>")
    assert answer.status == 404


def test_update_by_extid(api):
    identifier = api.raise_request()
    api.post_form(f"{BASE}/{identifier}/extid", "extid=MAX-9")
    answer = api.post_xml(f"{BASE}/extid/MAX-9/updates", "<support-request-update>"
                          "<state>CANCELLED</state></support-request-update>")
    assert answer.status == 201 and answer.data["identifier"] == identifier
    assert api.get(f"{BASE}/{identifier}").data["state"] == "CANCELLED"


def test_seed_example_update_documents_are_accepted_as_written(api):
    identifier = api.raise_request()
    assert api.post_xml(f"{BASE}/{identifier}/updates", "<support-request-update> "
                        "<state>IN_PROGRESS</state> <comment>optional comment</comment> "
                        "</support-request-update>").status == 201
    assert api.post_xml(f"{BASE}/{identifier}/updates", "<support-request-update> <comment>"
                        "adding a comment without state change</comment> "
                        "</support-request-update>").status == 201


def test_a_history_grows_past_what_one_item_could_hold(api):
    # 60 updates of 10,000 characters: 600 KB, over DynamoDB's 400 KB item limit
    identifier = api.raise_request()
    for n in range(60):
        answer = api.post_xml(f"{BASE}/{identifier}/updates", "<support-request-update><comment>"
                              f"{n:05d}{'x' * 9995}</comment></support-request-update>")
        assert answer.status == 201, answer
    assert api.update(identifier, "<state>SUCCESSFUL</state>").status == 201
    answer = api.get(f"{BASE}/{identifier}")
    updates = answer.data["updates"]
    assert answer.data["state"] == "SUCCESSFUL" and len(updates) == 61
    assert updates[0]["state"] == "SUCCESSFUL"  # newest first
    assert [int(u["comment"][:5]) for u in updates[1:]] == list(range(59, -1, -1))
