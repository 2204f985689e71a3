"""Open311 GeoReport v2: discovery, services and service definitions, in XML and in JSON,
each answer valid by the standard's own schemas (conformance/open311/); reads are public."""
import hashlib
import json

import pytest
from lxml import etree

from chalicelib.open311 import services

from .open311_schemas import DIRECTORY, validate, validate_xml

BASE = "/open311/v2"


def get(api, path: str):
    return api.request("GET", BASE + path, b"", headers={}, auth=None)


def test_services_are_the_topics_and_sub_topics_in_both_formats(api):
    answer = get(api, "/services.json")
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    validate("services.json", answer.data)
    codes = {service["service_code"]: service for service in answer.data}
    assert set(codes) == {"Parking", "Parking:Stolen Spot", "Alarm", "Air Conditioning"}
    assert codes["Parking:Stolen Spot"]["group"] == "Parking"
    assert all(service["type"] == "realtime" and service["metadata"] is False
               for service in answer.data)
    xml = get(api, "/services.xml")
    assert xml.status == 200 and xml.headers["content-type"] == "text/xml"
    assert validate_xml("services.json", xml.body) == answer.data
    assert etree.fromstring(xml.body.encode()).tag == "services"  # no namespace


def test_a_topic_with_attributes_has_a_definition(api):
    services.add_attribute("Parking", "bay", "string", "The bay's number", required=True)
    services.add_attribute("Parking", "kind", "singlevaluelist", "What was parked there",
                           values=(("car", "A car"), ("van", "A van")))
    listed = {s["service_code"]: s for s in get(api, "/services.json").data}
    assert listed["Parking"]["metadata"] is True and listed["Alarm"]["metadata"] is False
    answer = get(api, "/services/Parking.json")
    assert answer.status == 200
    validate("service-definition.json", answer.data)
    assert [(a["code"], a["order"], a["required"]) for a in answer.data["attributes"]] == [
        ("bay", 1, True), ("kind", 2, False)]
    assert answer.data["attributes"][1]["values"] == [{"key": "car", "name": "A car"},
                                                      {"key": "van", "name": "A van"}]
    xml = get(api, "/services/Parking.xml")
    assert validate_xml("service-definition.json", xml.body) == answer.data
    sub = get(api, "/services/Parking:Stolen%20Spot.json")
    assert sub.status == 200 and sub.data["service_code"] == "Parking:Stolen Spot"
    assert get(api, "/services/Alarm.json").data == {"service_code": "Alarm", "attributes": []}


def test_discovery_lists_two_endpoints_each_with_both_formats(api):
    answer = get(api, "/discovery.json")
    assert answer.status == 200
    endpoints = answer.data["endpoints"]
    assert len(endpoints) == 2 and {e["type"] for e in endpoints} == {"production", "test"}
    assert all(e["specification"] == "http://wiki.open311.org/GeoReport_v2" and
               set(e["formats"]) == {"text/xml", "application/json"} for e in endpoints)
    xml = etree.fromstring(get(api, "/discovery.xml").body.encode())
    assert [f.text for f in xml.find("endpoints").find("endpoint").find("formats")] == [
        "application/json", "text/xml"]


def test_errors_are_the_standards_list_in_the_paths_format(api):
    missing = get(api, "/services/Nothing.json")
    assert missing.status == 404 and missing.headers["content-type"] == "application/json"
    assert missing.data[0]["code"] == 404 and "Nothing" in missing.data[0]["description"]
    xml = get(api, "/services/Nothing.xml")
    assert xml.status == 404 and xml.headers["content-type"] == "text/xml"
    error = etree.fromstring(xml.body.encode()).find("error")
    assert error.find("code").text == "404"
    wrong = get(api, "/services/Parking.csv")
    assert wrong.status == 400


def test_an_attribute_is_checked_when_an_operator_adds_it():
    with pytest.raises(Exception, match="datatype"):
        services.add_attribute("Parking", "x", "colour", "?")
    with pytest.raises(Exception, match="values"):
        services.add_attribute("Parking", "x", "singlevaluelist", "?")
    with pytest.raises(Exception, match="No topic"):
        services.add_attribute("Nowhere", "x", "string", "?")


def test_the_standards_schemas_are_kept_as_published():
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
               for path in sorted(DIRECTORY.glob("*.json"))}
    assert digests == {"request.json": "0491c947b970e245", "requests.json": "21d5e0c7786a8004",
                       "service-definition.json": "7fd2425205078887",
                       "service.json": "3b46ef5fffec98b3", "services.json": "e97115ff427221f2"}
    assert json.loads((DIRECTORY / "services.json").read_text())["items"]["$ref"] == \
        "service.json"


def test_topics_made_before_open311_are_indexed_once_by_the_operator(api, capsys):
    from chalicelib.core import clients, kept
    from chalicelib.support_requests.models import Topic
    from ops import admin
    clients.client("dynamodb").put_item(TableName=Topic.Meta.table_name,
                                        Item={"identifier": {"S": "Lifts"}})  # an older item
    assert "Lifts" not in {s["service_code"] for s in get(api, "/services.json").data}
    assert admin.main(["index-open311"]) == 0
    assert "1 topics, 0 communities and 0 support requests indexed" in capsys.readouterr().out
    kept.forget_all()
    assert "Lifts" in {s["service_code"] for s in get(api, "/services.json").data}
    assert admin.main(["add-topic-attribute", "Lifts", "floor", "--datatype", "number",
                       "--description", "Which floor?", "--required"]) == 0
    kept.forget_all()
    assert get(api, "/services/Lifts.json").data["attributes"][0]["code"] == "floor"


def test_an_error_quoting_what_xml_cannot_hold_is_still_a_document(api):
    answer = get(api, "/services/%F1%B9%82%83%1A%1C.xml")
    assert answer.status == 404 and answer.headers["content-type"] == "text/xml"
    assert "\ufffd" in etree.fromstring(answer.body.encode()).find("error/description").text
