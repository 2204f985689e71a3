"""Properties and property relationships, through chalice's test client."""
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from chalicelib.core.errors import ApiError
from chalicelib.property_relationships import service
from chalicelib.streams.history import entries_of

PROPERTIES = "/api/v1/properties"
BASE = "/api/v1/property-relationship"
PROPERTY = """<property><name>{name}</name><address><street-address>1 Example Street
    </street-address><locality>Springfield</locality><postal-code>99221</postal-code>
    <country-name code="US"/></address></property>"""


def new_property(api, name="Unit 1") -> str:
    answer = api.post_xml(PROPERTIES, PROPERTY.format(name=name))
    assert answer.status == 201, answer
    return answer.data["identifier"]


def associate(api, property_id, kind="OWNER", account="01234574", start="2010-01-12"):
    start_date = f"<start-date>{start}</start-date>" if start else ""
    return api.post_xml(BASE, f"""<associated-account> <account identifier="{account}"/>
        <property identifier="{property_id}"/> <relationship>{kind}</relationship>
        {start_date} </associated-account>""")


def end(api, identifier, when):
    return api.request("PUT", f"{BASE}/{identifier}/end", "<property-relationship-end>"
                       f"<end-date>{when}</end-date></property-relationship-end>",
                       headers={"Content-Type": "application/xml"})


# --- properties ------------------------------------------------------------------------------

def test_property_is_created_and_read_back_by_id_and_extid(api):
    identifier = new_property(api)
    assert identifier.startswith("PP-")
    estate = api.get(f"{PROPERTIES}/{identifier}").data
    assert estate["name"] == "Unit 1"
    assert estate["address"]["country-name"] == {"code": "US"}
    assert estate["unacked-since"]
    assert api.post_form(f"{PROPERTIES}/{identifier}/extid", "extid=XREF1").status == 200
    assert api.get(f"{PROPERTIES}/extid/XREF1").data["identifier"] == identifier
    assert api.get(f"{PROPERTIES}/PP-99999999").status == 404


def test_property_needs_a_name_a_street_and_a_real_country(api):
    answer = api.post_xml(PROPERTIES, "<property><address><locality>x</locality></address>"
                                      "</property>")
    assert sorted(answer.field_errors) == [("/property/address/country-name", "required"),
                                           ("/property/address/street-address", "required"),
                                           ("/property/name", "required")]
    answer = api.post_xml(PROPERTIES, PROPERTY.format(name="x").replace('"US"', '"XX"'))
    assert answer.field_errors == [("/property/address/country-name/@code", "invalid")]


def test_properties_are_listed_and_acknowledged(api):
    first, second = new_property(api, "A"), new_property(api, "B")
    assert api.post_xml(f"{PROPERTIES}/acked", "<acknowledgements><acknowledgement>"
                        f"{first}</acknowledgement></acknowledgements>").status == 204
    listed = lambda query="": [p["identifier"] for p in  # noqa: E731
                               api.get(f"{PROPERTIES}{query}").data.get("property", [])]
    assert listed() == [first, second]
    assert listed("?acked=false") == [second]
    assert listed("?acked=true&limit=1") == [first]
    api.post_form(f"{PROPERTIES}/{second}/extid", "extid=XREF2")
    assert api.post_xml(f"{PROPERTIES}/external/acked", "<acknowledgements><acknowledgement>"
                        "XREF2</acknowledgement></acknowledgements>").status == 204
    assert listed("?acked=false") == []


# --- relationships ---------------------------------------------------------------------------

def test_seed_association_document_is_accepted_and_reads_back(api):
    property_id = new_property(api)
    api.post_form(f"{PROPERTIES}/{property_id}/extid", "extid=XREF1")
    answer = associate(api, property_id)
    assert answer.status == 201
    identifier = answer.data["identifier"]
    relationship = api.get(f"{BASE}/{identifier}").data
    assert relationship["relationship"] == "OWNER"
    assert relationship["start-date"] == "2010-01-12"
    assert relationship["property"]["identifier"] == property_id
    assert relationship["property"]["extid"] == "XREF1"
    assert relationship["property"]["unacked-since"]
    assert relationship["account"]["identifier"] == "01234574"
    assert relationship["account"]["ref"] == "http://localhost/api/v1/customers/01234574"
    assert "end-date" not in relationship


def test_the_account_shows_its_relationships_at_once(api):
    property_id = new_property(api)
    identifier = associate(api, property_id).data["identifier"]
    links = api.get("/api/v1/customers/01234574").data["property-relationships"]
    assert links == [{"identifier": identifier,
                      "ref": f"http://localhost{BASE}/{identifier}",
                      "unacked-since": api.get(f"{BASE}/{identifier}").data["unacked-since"]}]


def test_owner_who_occupies_holds_two_records(api):
    property_id = new_property(api)
    assert associate(api, property_id, "OWNER").status == 201
    assert associate(api, property_id, "OCCUPIER").status == 201
    assert len(api.get(BASE).data["property-relationship"]) == 2


def test_same_live_relationship_twice_gets_409_until_it_ends(api):
    property_id = new_property(api)
    identifier = associate(api, property_id).data["identifier"]
    assert associate(api, property_id).status == 409
    assert end(api, identifier, "2020-06-30").status == 200
    assert associate(api, property_id, start="2020-07-01").status == 201


def test_a_relationship_ended_in_the_future_is_live_until_its_end_date(api):
    property_id = new_property(api)
    identifier = associate(api, property_id).data["identifier"]
    assert end(api, identifier, "2999-12-31").status == 200
    refused = associate(api, property_id)
    assert refused.status == 409 and identifier in refused.message
    other = new_property(api, "Unit 2")
    ended_today = associate(api, other).data["identifier"]
    assert end(api, ended_today, date.today().isoformat()).status == 200
    assert associate(api, other).status == 201  # it ended today: no longer live


def test_concurrent_associations_of_one_relationship_create_one(api):
    property_id = new_property(api)

    def attempt(_):
        try:
            return service.associate("01234574", property_id, "OCCUPIER", None)
        except ApiError as error:
            return error
    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    assert sum(not isinstance(o, ApiError) for o in outcomes) == 1
    links = api.get("/api/v1/customers/01234574").data["property-relationships"]
    assert len(links) == 1


def test_unknown_account_or_property_gets_404_and_malformed_account_400(api):
    property_id = new_property(api)
    assert associate(api, property_id, account="49927398716").status == 404
    assert associate(api, "PP-99999999").status == 404
    answer = associate(api, property_id, account="01234575")
    assert answer.status == 400
    assert answer.field_errors == [("/associated-account/account/@identifier", "invalid")]
    assert api.get(BASE).data == {}


def test_ending_keeps_the_record_with_its_end_date(api):
    identifier = associate(api, new_property(api)).data["identifier"]
    answer = end(api, identifier, "2020-06-30")
    assert answer.status == 200 and answer.data["end-date"] == "2020-06-30"
    assert api.get(f"{BASE}/{identifier}").data["end-date"] == "2020-06-30"
    assert end(api, identifier, "2021-01-01").status == 409


def test_ending_before_the_start_gets_400_and_unknown_404(api):
    identifier = associate(api, new_property(api)).data["identifier"]
    answer = end(api, identifier, "2009-12-31")
    assert answer.status == 400
    assert answer.field_errors == [("/property-relationship-end/end-date", "invalid")]
    assert end(api, "999", "2020-01-01").status == 404
    assert end(api, identifier, "2020-02-30").status == 400


def test_extid_and_acknowledgement_clear_only_the_relationship(api):
    property_id = new_property(api)
    identifier = associate(api, property_id).data["identifier"]
    assert api.post_form(f"{BASE}/{identifier}/extid", "extid=1234").status == 200
    assert api.get(f"{BASE}/extid/1234").data["identifier"] == identifier
    other = associate(api, property_id, "OCCUPIER").data["identifier"]
    assert api.post_form(f"{BASE}/{other}/extid", "extid=1234").status == 409
    assert api.post_xml(f"{BASE}/external/acked", "<acknowledgements><acknowledgement>1234"
                        "</acknowledgement></acknowledgements>").status == 204
    relationship = api.get(f"{BASE}/{identifier}").data
    assert "unacked-since" not in relationship
    assert relationship["property"]["unacked-since"]  # the property's own flag stays
    assert api.get("/api/v1/customers/01234574").data["unacked-since"]
    assert api.post_xml(f"{BASE}/acked", f"<acknowledgements><acknowledgement>{other}"
                        "</acknowledgement><acknowledgement>999</acknowledgement>"
                        "</acknowledgements>").status == 404
    assert [r["identifier"] for r in api.get(f"{BASE}?acked=false").data[
        "property-relationship"]] == [other]


def test_changes_to_all_three_get_history(api, streams):
    property_id = new_property(api)
    identifier = associate(api, property_id).data["identifier"]
    end(api, identifier, "2020-06-30")
    streams.drain()
    assert [e.event for e in entries_of("property-relationship", identifier)] == [
        "INSERT", "MODIFY"]
    assert [e.event for e in entries_of("property", property_id)] == ["INSERT"]
    assert len(entries_of("customer-account", "01234574")) == 2  # created, then linked


def test_clients_without_the_property_relationships_scope_get_403(api):
    from chalicelib.core import auth

    from .support import basic
    client_id, secret = auth.create_client("Customers only", ["customers"])
    assert api.get(BASE, auth=basic(client_id, secret)).status == 403
    assert api.get(PROPERTIES, auth=basic(client_id, secret)).status == 403
