"""Inputs meant to break the service get a 4xx in the API's format, and change nothing."""
from urllib.parse import quote

from chalicelib.core.patterns import ecma_pattern

BASE = "/api/v1/requests"


def test_date_filters_at_the_edges_of_the_calendar_are_refused_with_400(api):
    for edge in ("9999-12-31T23:00:00-01:00", "0001-01-01T00:00:00+01:00",
                 "9999-12-31T23:59:59.9999Z"):
        for name in ("last-update-from", "last-update-to"):
            answer = api.get(f"{BASE}?{name}={quote(edge)}")
            assert answer.status == 400, (edge, answer)
            assert answer.field_errors == [(name, "invalid")]
    assert api.get(f"{BASE}?last-update-from={quote('0001-01-01T00:00:00Z')}").status == 200
    assert api.get(f"{BASE}?last-update-to={quote('9999-12-31T23:59:59Z')}").status == 200


def test_markup_inside_a_comment_is_refused_never_cut(api):
    identifier = api.raise_request()
    answer = api.update(identifier, "<comment>Use <b>this</b> door</comment>")
    assert answer.status == 400
    assert answer.field_errors == [("/support-request-update/comment", "invalid")]
    assert api.get(f"{BASE}/{identifier}").data["updates"] == []
    kept = api.update(identifier, "<comment>Use <!-- a remark -->this door</comment>")
    assert kept.status == 201 and kept.data["updates"][0]["comment"] == "Use this door"
    escaped = api.update(identifier, "<comment>Use &lt;b&gt;this&lt;/b&gt; door</comment>")
    assert escaped.data["updates"][0]["comment"] == "Use <b>this</b> door"


def test_patterns_are_read_as_ecma_262(api):
    # Python's $ also matches before a final newline; ECMA's does not.
    assert api.get("/api/v1/requests/extid/" + quote("A-1\n")).status == 400
    assert api.get("/api/v1/customers/" + quote("０１２３４５７４")).status == 400
    assert ecma_pattern(r"^\d{2}$") == r"^[0-9]{2}(?![\s\S])"
    assert ecma_pattern(r"^[\d.]+\$$") == r"^[0-9.]+\$(?![\s\S])"


def test_an_element_in_place_of_an_attribute_is_refused(api):
    answer = api.post_xml("/api/v1/properties", "<property><name>Car park</name><address>"
                          "<street-address>1 Example St</street-address><country-name>"
                          "<code>AU</code></country-name></address></property>")
    assert answer.status == 400
    assert answer.field_errors == [("/property/address/country-name/code", "invalid")]
    assert api.get("/api/v1/properties").data == {}


def test_offsets_past_ten_thousand_are_refused_saying_so(api):
    """An offset page reads offset + limit items: 100,000 let one call read 100,100."""
    for path in ("/api/v1/requests", "/api/v1/customers", "/api/v1/properties",
                 "/api/v1/property-relationship"):
        assert api.get(f"{path}?offset=10000").status == 200, path
        refused = api.get(f"{path}?offset=10001")
        assert refused.status == 400 and refused.field_errors == [("offset", "invalid")]
        assert refused.message == "Invalid parameter(s): offset (at most 10000)"
    from .test_crm_authentication import login
    token = login(api).data["data"]["token"]
    crm = api.get("/crmapi/rest/v2/service_requests/list?accounts_receivable_identifier="
                  f"number=01234574&offset=10001&token={token}", auth=None)
    assert crm.data["status"] == {"code": "INVALID_PARAMETER", "description": None,
                                  "message": "Invalid parameter(s): offset (at most 10000)"}


def test_a_lone_surrogate_is_a_malformed_body_and_tells_nothing_of_who_exists(api):
    """It answered 500 without credentials (UTF-8 cannot write it), and on a token endpoint
    500 for a known client id but 401 for an unknown one: an oracle for client ids."""
    import base64
    import json
    surrogate = '"\\ud800"'
    crm = api.request("POST", "/crmapi/rest/v2/service_requests/create",
                      f'{{"token": {surrogate}}}', auth=None,
                      headers={"Content-Type": "application/json"})
    assert (crm.status, crm.data["status"]["code"]) == (200, "INVALID_PARAMETER")
    answers = []
    for client_id in ("demo", "nobody"):
        for body, media_type in ((f'{{"client_id": "{client_id}", "client_secret": '
                                  f'{surrogate}}}', "application/json"),
                                 (f"client_id={client_id}&client_secret=%ED%A0%80",
                                  "application/x-www-form-urlencoded")):
            answer = api.request("POST", "/oauth2/v1/token", body, auth=None,
                                 headers={"Content-Type": media_type})
            answers.append((answer.status, answer.data["error_code"]))
        raw = base64.b64encode(f"{client_id}:".encode() + b"\xed\xa0\x80").decode()
        basic = api.get("/api/v1/requests", auth={"Authorization": f"Basic {raw}"})
        answers.append((basic.status, basic.message))
    assert answers[:3] == answers[3:]  # the same for a known and an unknown client
    assert answers[0] == (400, "invalid_request") and answers[2][0] == 401
    from .cases_client import customer, ticket
    client = customer(api)
    described = client.call("POST", "/tickets", json.dumps(ticket())[:-1]
                            + ', "secondaryId": "\\udfff"}')
    assert described.status == 400
    named = client.call("POST", "/attachments/uploads", '{"name": "\\ud83d.txt", "size": 9}')
    assert named.status == 400 and named.data[0]["additionalInfo"][0]["property"] == "name"
    assert client.call("POST", "/attachments/uploads", '{"name": "log.txt", "size": 9}') \
        .status == 200
