"""Open311 GeoReport v2 reports: raised with a form body as GeoReport clients send it (an
api_key, attributes, a location), read back through Open311 and through LEAP, listed by
status, service, window and id, each answer valid by the standard's schemas in both formats."""
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.accounts import service as accounts
from chalicelib.core import timestamps
from chalicelib.open311 import keys, services
from chalicelib.properties import service as properties
from chalicelib.property_relationships import service as relationships
from chalicelib.support_requests import service as support_requests
from chalicelib.support_requests.models import SupportRequest
from chalicelib.support_requests.report_index import ReportEntry, feed_key
from local import demo

from .conftest import sent_emails
from .open311_schemas import validate, validate_xml

BASE = "/open311/v2"
DEMO_KEY = demo.demo_open311_key()  # it raises reports for the demo customer


def post(api, form, suffix: str = "json", headers=None):
    body = form if isinstance(form, str) else urlencode(form, doseq=True)
    return api.request("POST", f"{BASE}/requests.{suffix}", body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})},
        auth=None)


def get(api, path: str):
    return api.request("GET", BASE + path, b"", headers={}, auth=None)


def report(api, **fields) -> str:
    answer = post(api, {"api_key": DEMO_KEY, "service_code": "Parking", "lat": "-33.8688",
                        "long": "151.2093", **fields})
    assert answer.status == 200, answer
    return answer.data[0]["service_request_id"]


def other_account(email: str = "other@example.com") -> str:
    return accounts.create_account({**demo.DEMO_ACCOUNT, "owner": {
        **demo.DEMO_ACCOUNT["owner"], "email": email}}).identifier


def test_a_report_as_the_standard_example_sends_it_is_a_support_request(api):
    services.add_attribute("Parking", "WHISPAWN", "string", "The bay's number", required=True)
    services.add_attribute("Parking", "WHISDORN", "singlevaluelist", "What was parked",
                           values=(("COISL001", "A car"), ("COISL002", "A van")))
    # the standard's own example request, but for its api_key and service_code
    body = (f"api_key={DEMO_KEY}&jurisdiction_id=city.gov&service_code=Parking&"
            "lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&"
            "email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&"
            "last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+"
            "street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477"
            "a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001")
    answer = post(api, body)
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    [raised] = answer.data
    identifier = raised["service_request_id"]
    assert raised["account_id"] == "123456"  # as the app gave it: it tells nothing of ours
    assert identifier in raised["service_notice"] and "smit333" in raised["service_notice"]
    stored = SupportRequest.get(identifier)
    assert (stored.state, stored.topic, stored.origin) == ("NEW", "Parking", "open311")
    assert stored.summary == "A large sinkhole is destroying the street"
    assert (stored.email, stored.creator) == ("smit333@sfgov.edu", "john smith")
    assert stored.report.attributes.as_dict() == {"WHISPAWN": "123456", "WHISDORN": "COISL001"}
    assert (stored.report.phone, stored.report.client) == ("111111111", "demo-resident-app")
    # the same request through LEAP, which the desk works it by
    leap = api.get(f"/api/v1/requests/{identifier}")
    assert leap.status == 200 and leap.text("l:summary") == stored.summary
    assert leap.text("l:account/@identifier") == demo.DEMO_CUSTOMER
    # and through Open311, in both formats, valid by the standard's schemas
    one = get(api, f"/requests/{identifier}.json")
    assert one.status == 200
    validate("requests.json", one.data)
    [shown] = one.data
    assert shown["status"] == "open" and shown["service_code"] == "Parking"
    assert (shown["lat"], shown["long"]) == (37.76524078, -122.4212043)
    assert shown["address"] == "1234 5th street" and shown["media_url"].startswith("http://")
    assert "email" not in shown and "phone" not in shown  # never the reporter's details
    assert validate_xml("requests.json", get(api, f"/requests/{identifier}.xml").body) == one.data
    token = get(api, f"/tokens/{identifier}.json")
    assert token.status == 200 and token.data == [{"service_request_id": identifier,
                                                   "token": identifier}]


def test_the_xml_answer_is_the_standards_service_requests_list(api):
    answer = post(api, {"api_key": DEMO_KEY, "service_code": "Alarm",
                        "address_string": "Level 2, Car park"}, "xml")
    assert answer.status == 200 and answer.headers["content-type"] == "text/xml"
    from lxml import etree
    root = etree.fromstring(answer.body.encode())
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert root.find("request/account_id") is None  # no account is ever told
    assert demo.DEMO_CUSTOMER not in answer.body


@pytest.mark.parametrize("form, field, status", [
    ({}, "api_key", 403),
    ({"api_key": "demo.wrong"}, "api_key", 403),
    ({"api_key": "nobody"}, "api_key", 403),
    ({"service_code": "Nowhere"}, "service_code", 404),
    ({"service_code": ""}, "service_code", 400),
    ({"lat": "", "long": ""}, "lat", 400),
    ({"long": ""}, "long", 400),
    ({"lat": "91"}, "lat", 400),
    ({"long": "-180.5"}, "long", 400),
    ({"lat": "north"}, "lat", 400),
    ({"email": "not an address"}, "email", 400),
    ({"address_id": "PP-99999999"}, "address_id", 400),
    ({"description": "x" * 4001}, "description", 400),
    ({"media_url": "javascript:alert(1)"}, "media_url", 400),
    ({"colour": "red"}, "colour", 400),
    ({"attribute[nope]": "1"}, "attribute[nope]", 400),
])
def test_a_refused_report_names_its_field_and_changes_nothing(api, form, field, status):
    before = SupportRequest.count()
    fields = {"api_key": DEMO_KEY, "service_code": "Parking", "lat": "1", "long": "2", **form}
    if not form:  # the first case: no api_key at all
        fields.pop("api_key")
    for suffix in ("json", "xml"):
        answer = post(api, fields, suffix)
        assert answer.status == status, answer
        errors = (answer.data if suffix == "json" else
                  [{"code": int(e.findtext("code")), "description": e.findtext("description")}
                   for e in answer.xml.iter("error")])
        assert errors[0]["code"] == status and field in errors[0]["description"], errors
    assert SupportRequest.count() == before


def test_a_clients_secret_is_no_open311_key_and_a_revoked_key_is_refused(api, capsys):
    from ops import admin
    form = {"service_code": "Alarm", "address_string": "Lobby"}
    # the demo client holds every scope: its secret opens none of Open311's reports
    whole_secret = ".".join(demo.demo_credentials())
    answer = post(api, {"api_key": whole_secret, **form})
    assert answer.status == 403 and "api_key" in answer.data[0]["description"]
    assert "www-authenticate" not in {name.lower() for name in answer.headers}
    key = keys.issue("Lobby kiosk", demo.DEMO_CUSTOMER)
    # and an Open311 key opens nothing but Open311's reports
    assert api.get("/api/v1/requests", auth={"Authorization": "Bearer " + key}).status == 401
    assert post(api, {"api_key": key, **form}).status == 200
    assert admin.main(["revoke-open311-key", key.rpartition(".")[0]]) == 0
    assert post(api, {"api_key": key, **form}).status == 403
    assert SupportRequest.count() == 1


def test_attributes_are_required_typed_and_among_their_values(api):
    services.add_attribute("Parking", "bay", "number", "Bay number", required=True)
    services.add_attribute("Parking", "seen", "datetime", "When you saw it")
    services.add_attribute("Parking", "kinds", "multivaluelist", "What was there",
                           values=(("car", "Car"), ("van", "Van")))
    services.add_attribute("Parking", "note", "string", "Tow-away zone", variable=False)
    base = {"api_key": DEMO_KEY, "service_code": "Parking", "address_string": "Bay 4"}
    for extra, field in [({}, "attribute[bay]"), ({"attribute[bay]": "four"}, "attribute[bay]"),
                         ({"attribute[bay]": "4", "attribute[seen]": "yesterday"},
                          "attribute[seen]"),
                         ({"attribute[bay]": "4", "attribute[kinds][]": ["car", "boat"]},
                          "attribute[kinds]")]:
        answer = post(api, {**base, **extra})
        assert answer.status == 400 and field in answer.data[0]["description"], (extra, answer)
    identifier = report(api, **{"attribute[bay]": "4", "attribute[seen]": "2026-11-30",
                                "attribute[kinds][]": ["car", "van"], "attribute[note]": "x"})
    assert SupportRequest.get(identifier).report.attributes.as_dict() == {
        "bay": "4", "seen": "2026-11-30T00:00:00.000Z", "kinds": ["car", "van"]}


def test_a_location_by_property_takes_the_propertys_address(api):
    car_park = properties.create_property("Car park", {
        "street-address": "1 Example Street", "locality": "Sydney",
        "country-name": {"code": "AU"}}).identifier
    relationships.associate(demo.DEMO_CUSTOMER, car_park, "OCCUPIER", None)
    identifier = report(api, lat="", long="", address_id=car_park)
    [shown] = get(api, f"/requests/{identifier}.json").data
    assert shown["address_id"] == car_park and shown["address"] == "1 Example Street, Sydney, AU"
    assert (shown["lat"], shown["long"]) == (None, None)
    assert api.get(f"/api/v1/requests/{identifier}").text("l:property/@identifier") == \
        car_park


def test_a_report_never_reveals_which_customer_or_property_exists(api):
    """An e-mail is the reporter's, never an account's; a property of another account is
    answered as one that does not exist."""
    other = other_account()
    elsewhere = properties.create_property("Elsewhere", {"street-address": "9 Hidden Lane",
                                                         "country-name": {"code": "AU"}})
    relationships.associate(other, elsewhere.identifier, "OWNER", None)
    answer = post(api, {"api_key": DEMO_KEY, "service_code": "Alarm",
                        "address_string": "Lobby", "email": "other@example.com"})
    assert answer.status == 200 and "account_id" not in answer.data[0]
    stored = SupportRequest.get(answer.data[0]["service_request_id"])
    assert stored.account == demo.DEMO_CUSTOMER  # the key's, whoever's e-mail it is
    answers = [post(api, {"api_key": DEMO_KEY, "service_code": "Alarm",
                          "address_id": property_id}) for property_id in
               (elsewhere.identifier, "PP-99999999")]
    assert [a.status for a in answers] == [400, 400]
    assert answers[0].data == answers[1].data and "address_id" in answers[0].body
    assert "Hidden Lane" not in answers[0].body


def test_a_key_raises_for_its_own_account_only(api):
    other = other_account()
    key = keys.issue("Other building", other)
    customer = accounts.get_active_account(demo.DEMO_CUSTOMER)
    answer = post(api, {"api_key": key, "service_code": "Alarm",
                        "address_string": "Lobby", "email": customer.email})
    assert answer.status == 200
    assert SupportRequest.get(answer.data[0]["service_request_id"]).account == other


def test_a_retried_report_with_its_idempotency_key_is_one_request(api):
    form = {"api_key": DEMO_KEY, "service_code": "Alarm", "address_string": "Lobby"}
    first = post(api, form, headers={"Idempotency-Key": "report-1"})
    again = post(api, form, headers={"Idempotency-Key": "report-1"})
    assert first.data[0]["service_request_id"] == again.data[0]["service_request_id"]
    assert SupportRequest.count() == 1
    # Alarm's reports are not public: the replay finds the request that Open311's reads hide
    hidden = post(api, form, headers={"Idempotency-Key": "report-2"})
    replay = post(api, form, headers={"Idempotency-Key": "report-2"})
    assert hidden.status == replay.status == 200 and hidden.data == replay.data
    assert SupportRequest.count() == 2


def test_the_reporter_is_emailed_on_each_state_change_and_events_carry_the_origin(
        api, streams):
    identifier = report(api, email="resident@example.com")
    api.update(identifier, "<state>IN_PROGRESS</state><comment>On our way.</comment>")
    api.update(identifier, "<state>SUCCESSFUL</state><comment>Towed.</comment>")
    streams.drain()
    to_reporter = [m for m in sent_emails() if m["destinations"]["ToAddresses"] ==
                   ["resident@example.com"]]
    assert len(to_reporter) == 2
    [shown] = get(api, f"/requests/{identifier}.json").data
    assert (shown["status"], shown["status_notes"]) == ("closed", None)  # not for the public
    events = api.request("GET", "/webhooks/v1/events?limit=100").data["data"]
    mine = [e for e in events if e["data"]["id"] == identifier]
    assert [e["type"] for e in mine] == ["support_request.created",
                                         "support_request.state_changed",
                                         "support_request.commented",
                                         "support_request.state_changed",
                                         "support_request.commented"]
    assert {e["data"]["origin"] for e in mine} == {"open311"}


def test_lists_by_status_service_window_and_ids(api):
    support_requests.add_topic("Alarm", public=True)
    first, second = report(api), report(api, service_code="Alarm")
    third = report(api, service_code="Parking:Stolen Spot")
    api.update(second, "<state>SUCCESSFUL</state>")
    leap = api.raise_request(topic="Alarm")  # raised through LEAP: public once published
    support_requests.publish(leap, True)

    def codes(query: str) -> list[str]:
        answer = get(api, f"/requests.json?{query}")
        assert answer.status == 200, answer
        validate("requests.json", answer.data)
        xml = get(api, f"/requests.xml?{query}")
        assert validate_xml("requests.json", xml.body) == answer.data
        return [request["service_request_id"] for request in answer.data]

    assert codes("") == [leap, third, second, first]  # newest first
    assert codes("status=open") == [leap, third, first]
    assert codes("status=closed") == [second]
    assert codes("status=open,closed") == [leap, third, second, first]
    assert codes("service_code=Parking") == [first]
    assert codes("service_code=Alarm&status=open") == [leap]
    assert codes(f"service_request_id={first},{leap},99999999") == [first, leap]
    assert codes("page_size=2") == [leap, third] and codes("page=2&page_size=2") == [second,
                                                                                      first]
    tomorrow = (timestamps.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    assert codes(f"start_date={tomorrow}") == []
    assert codes(f"end_date={tomorrow}") == [leap, third, second, first]


def test_the_window_spans_90_days_at_most(api):
    answer = get(api, "/requests.json?start_date=2026-01-01&end_date=2026-04-02")
    assert answer.status == 400 and "end_date" in answer.data[0]["description"]
    assert get(api, "/requests.json?start_date=2026-01-01&end_date=2026-03-31").status == 200
    assert get(api, "/requests.xml?start_date=2026-13-01").status == 400
    assert get(api, "/requests.json?page_size=1001").status == 400
    assert get(api, "/requests.json?service_request_id=" + ",".join(
        str(n) for n in range(101))).status == 400
    assert get(api, "/requests.json?service_request_id=" + "1" * 65).status == 400


def test_nothing_is_public_unless_the_desk_made_it_so(api, capsys):
    from ops import admin
    public = report(api)  # Parking: a topic the desk made public
    not_public = report(api, service_code="Alarm")  # a topic it did not
    crm = api.raise_request("My alarm code is 4711, the spare key is under the mat")
    api.update(crm, "<assignee>Sam Staff (0400 000 000)</assignee><comment>Call Sam on "
                    "0400 000 000</comment>")
    api.update(public, "<assignee>Sam Staff</assignee><comment>Internal: the tow "
                       "company owes us</comment>")
    listed = get(api, "/requests.json").data
    assert [r["service_request_id"] for r in listed] == [public]
    for hidden in (not_public, crm):
        assert get(api, f"/requests/{hidden}.json").status == 404
        assert get(api, f"/requests.json?service_request_id={hidden}").data == []
        assert hidden not in {entry.request for entry in ReportEntry.query(feed_key())}
        assert api.get(f"/api/v1/requests/{hidden}").status == 200  # the desk sees it
    [shown] = listed
    assert shown["agency_responsible"] is None and shown["status_notes"] is None
    assert "Sam" not in get(api, f"/requests/{public}.xml").body
    # the desk publishes a request, with a note for the public, and hides it again
    assert admin.main(["publish-request", crm, "--notes", "A technician is booked."]) == 0
    [published] = get(api, f"/requests/{crm}.json").data
    assert published["status_notes"] == "A technician is booked."
    assert "Sam" not in get(api, f"/requests/{crm}.json").body
    assert admin.main(["publish-request", crm, "--unpublish"]) == 0
    assert get(api, f"/requests/{crm}.json").status == 404
    # a topic made public covers the reports raised after it, not those before
    assert admin.main(["publish-topic", "Alarm"]) == 0
    later = report(api, service_code="Alarm")
    assert get(api, f"/requests/{later}.json").status == 200
    assert get(api, f"/requests/{not_public}.json").status == 404


def test_an_older_store_becomes_private_unless_published(api, capsys):
    """A store written when every request was public: its index entries stay until the
    operator's command takes out, and names, what the desk did not publish."""
    from ops import admin
    public = report(api)
    older = api.raise_request("Raised through LEAP, public in the older store")
    stored = SupportRequest.get(older)
    written_before(stored)
    assert get(api, f"/requests/{older}.json").status == 404  # read as it is now: private
    assert admin.main(["open311-privacy"]) == 0
    printed = capsys.readouterr().out
    assert f"1 support requests are private now (not published by the desk): {older}" in printed
    assert {entry.request for entry in ReportEntry.query(feed_key())} == {public}
    assert SupportRequest.get(older).version == stored.version  # no change to its clients
    assert admin.main(["open311-privacy"]) == 0
    assert "nothing became private" in capsys.readouterr().out


def written_before(request) -> None:
    """The four entries that the store before the desk's opt-in held for every request, and
    the request's record of them, written as that store wrote them (no new version)."""
    from chalicelib.core import clients
    from chalicelib.support_requests import report_index
    request.published = True
    wanted, _ = report_index.entries_to_write(request)
    for entry in wanted:
        entry.save()
    clients.client("dynamodb").update_item(
        TableName=SupportRequest.Meta.table_name, Key={"identifier": {"S": request.identifier}},
        UpdateExpression="SET report_keys = :keys",
        ExpressionAttributeValues={":keys": {"L": [{"S": key}
                                                   for key in request.report_keys]}})


def test_read_errors_are_the_standards_list_in_the_paths_format(api):
    missing = get(api, "/requests/99999999.xml")
    assert missing.status == 404 and missing.headers["content-type"] == "text/xml"
    assert missing.xml.tag == "errors" and missing.xml.findtext("error/code") == "404"
    assert get(api, "/requests/99999999.json").data[0]["code"] == 404
    assert get(api, "/tokens/nope.json").status == 404
    assert get(api, "/requests/1.yaml").status == 400
    assert get(api, "/requests.json?colour=red").status == 400
    # what a client adds to every call is taken
    assert get(api, "/requests.json?api_key=anything&jurisdiction_id=city.gov").status == 200


def test_every_operation_takes_a_jurisdiction_id_and_a_report_its_key_in_the_query(api):
    """The open311 Python client sends jurisdiction_id in the query of a POST too."""
    form = urlencode({"service_code": "Parking", "address_string": "Bay 4"})
    answer = api.request("POST", f"{BASE}/requests.json?jurisdiction_id=city.gov&api_key="
                                 f"{DEMO_KEY}", form, headers={
        "Content-Type": "application/x-www-form-urlencoded"}, auth=None)
    assert answer.status == 200, answer
    empty = post(api, {"api_key": DEMO_KEY, "jurisdiction_id": "", "service_code": "Alarm",
                       "address_string": "Lobby"})
    assert empty.status == 200
    identifier = answer.data[0]["service_request_id"]
    for path in ("/discovery.json", "/services.xml", "/services/Parking.json",
                 f"/tokens/{identifier}.json", "/requests.json"):
        assert get(api, f"{path}?jurisdiction_id=city.gov&api_key=x").status == 200, path


def test_records_stored_before_open311_are_indexed_once_without_a_new_version(api, capsys):
    from chalicelib.accounts.catalog import CatalogEntry
    from chalicelib.core import clients, kept
    from ops import admin
    older = report(api)
    dynamodb = clients.client("dynamodb")
    dynamodb.update_item(TableName=SupportRequest.Meta.table_name,  # as stored before
                         Key={"identifier": {"S": older}}, UpdateExpression="REMOVE report_keys")
    for entry in ReportEntry.query(feed_key()):
        entry.delete()
    dynamodb.update_item(TableName=CatalogEntry.Meta.table_name,
                         Key={"key": {"S": "community#original"}}, UpdateExpression="REMOVE kind")
    kept.forget_all()
    assert get(api, "/requests.json").data == []
    version = SupportRequest.get(older).version
    assert admin.main(["index-open311"]) == 0
    assert "0 topics, 1 communities and 1 support requests indexed" in capsys.readouterr().out
    kept.forget_all()
    assert [r["service_request_id"] for r in get(api, "/requests.json").data] == [older]
    assert SupportRequest.get(older).version == version  # to LEAP clients and events, no change
    assert admin.main(["index-open311"]) == 0
    assert "0 topics, 0 communities and 0 support requests indexed" in capsys.readouterr().out


def test_the_operator_issues_lists_rotates_and_revokes_open311_keys(api, capsys):
    from ops import admin

    def printed_key() -> str:
        line = next(line for line in capsys.readouterr().out.splitlines()
                    if line.startswith("api key:"))
        return line.split(":", 1)[1].strip()
    assert admin.main(["issue-open311-key", "Resident app", "--account",
                       demo.DEMO_CUSTOMER]) == 0
    first = printed_key()
    key_id = first.rpartition(".")[0]
    form = {"service_code": "Alarm", "address_string": "Lobby"}
    assert post(api, {"api_key": first, **form}).status == 200
    assert admin.main(["rotate-open311-key", key_id, "--grace-hours", "1"]) == 0
    second = printed_key()
    assert post(api, {"api_key": second, **form}).status == 200
    assert post(api, {"api_key": first, **form}).status == 200  # in its grace
    assert admin.main(["rotate-open311-key", key_id]) == 0
    third = printed_key()
    assert [post(api, {"api_key": k, **form}).status for k in (first, second, third)] == [
        403, 403, 200]
    assert admin.main(["list-open311-keys"]) == 0
    listed = capsys.readouterr().out
    assert key_id in listed and "Resident app" in listed and third.rpartition(".")[2] not in \
        listed
    stored = keys.Open311Key.get(key_id)
    assert third.rpartition(".")[2] not in stored.secret_digest  # a digest only
    with pytest.raises(SystemExit):
        admin.main(["issue-open311-key", "Nowhere", "--account", "99999997"])
