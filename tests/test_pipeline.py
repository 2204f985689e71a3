"""What every request goes through: authentication, scopes, validation, safe XML, errors."""
import base64
import json
from datetime import timedelta

from chalicelib.core import auth
from chalicelib.core.tokens import AccessToken

from .support import basic

LIST = "/api/v1/requests"


def test_request_without_credentials_gets_401_with_a_challenge(api):
    answer = api.get(LIST, auth=None)
    assert answer.status == 401
    assert "Basic" in answer.headers["www-authenticate"]
    assert "Authentication required" in answer.message


def test_wrong_secret_unknown_client_and_malformed_basic_get_401(api):
    assert api.get(LIST, auth=basic("demo", "wrong")).status == 401
    assert api.get(LIST, auth=basic("nobody", "demo-secret")).status == 401
    assert api.get(LIST, auth={"Authorization": "Basic !!!"}).status == 401
    assert api.get(LIST, auth={"Authorization": "Digest abc"}).status == 401


def test_client_without_the_requests_scope_gets_403(api):
    client_id, secret = auth.create_client("CRM", ["customers"])
    answer = api.get(LIST, auth=basic(client_id, secret))
    assert answer.status == 403
    assert "requests" in answer.message


def test_client_secret_is_stored_only_as_a_digest():
    client_id, secret = auth.create_client("CRM", ["requests"])
    stored = auth.ApiClient.get(client_id)
    assert secret not in str(stored.attribute_values)
    assert len(stored.secret_digest) == 64


def test_bearer_token_from_client_credentials_grant_is_accepted(api):
    answer = api.request("POST", "/oauth2/token", "grant_type=client_credentials",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 200
    assert answer.data["token_type"] == "Bearer" and answer.data["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {answer.data['access_token']}"}
    assert api.get(LIST, auth=bearer).status == 200


def test_token_limited_to_a_scope_cannot_use_another_api(api):
    answer = api.request("POST", "/oauth2/token", "grant_type=client_credentials&scope=customers",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.data["scope"] == "customers"
    bearer = {"Authorization": f"Bearer {answer.data['access_token']}"}
    assert api.get(LIST, auth=bearer).status == 403


def test_token_for_a_scope_the_client_lacks_is_refused(api):
    client_id, secret = auth.create_client("CRM", ["customers"])
    answer = api.request("POST", "/oauth2/token", "grant_type=client_credentials&scope=requests",
                         headers={"Content-Type": "application/x-www-form-urlencoded"},
                         auth=basic(client_id, secret))
    assert answer.status == 400 and answer.data["error"] == "invalid_scope"  # RFC 6749, 5.2


def test_token_endpoint_refuses_other_grants_and_bad_credentials(api):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = api.request("POST", "/oauth2/token", "grant_type=password", headers=form)
    assert answer.status == 400 and answer.data["error"] == "unsupported_grant_type"
    answer = api.request("POST", "/oauth2/token", "scope=requests", headers=form)
    assert answer.status == 400 and answer.data["error"] == "invalid_request"
    answer = api.request("POST", "/oauth2/token", "grant_type=client_credentials&scope=Bad!",
                         headers=form)
    assert answer.status == 400 and answer.data["error"] == "invalid_scope"
    answer = api.request("GET", "/oauth2/token")
    assert answer.status == 405 and json.loads(answer.body)["error"] == "invalid_request"
    assert answer.headers["allow"] == "POST"
    answer = api.request("POST", "/oauth2/token", "grant_type=client_credentials", headers=form,
                         auth=basic("demo", "nope"))
    assert answer.status == 401 and answer.data["error"] == "invalid_client"


def test_expired_token_gets_401(api):
    answer = api.request("POST", "/oauth2/token", "grant_type=client_credentials",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    token = answer.data["access_token"]
    for stored in AccessToken.scan():
        stored.update(actions=[AccessToken.expires_at.set(timedelta(seconds=-1))])
    answer = api.get(LIST, auth={"Authorization": f"Bearer {token}"})
    assert answer.status == 401 and "expired" in answer.message


def test_bearer_token_is_not_accepted_at_the_token_endpoint(api):
    answer = api.request("POST", "/oauth2/token", "grant_type=client_credentials",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    again = api.request("POST", "/oauth2/token", "grant_type=client_credentials",
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                        auth={"Authorization": f"Bearer {answer.data['access_token']}"})
    assert again.status == 401


def test_wrong_method_gets_405_in_the_leap_format(api):
    answer = api.request("DELETE", LIST)
    assert answer.status == 405
    assert "DELETE" in answer.text("/l:error/l:message")
    assert "GET" in answer.headers["allow"]


def test_a_post_without_a_body_is_judged_by_its_missing_body_not_its_content_type(api):
    required = api.request("POST", LIST, b"", headers={"Content-Type": "text/plain"})
    assert required.status == 400 and required.field_errors == [("/", "required")]
    optional = api.request("POST", "/crmapi/rest/v2/authentication/web_api_key/token", b"",
                           headers={"Content-Type": "applicatio/json"})
    assert optional.status == 200 and optional.data["status"]["code"] == "OK", optional
    typed = api.request("POST", "/crmapi/rest/v2/authentication/web_api_key/token", b"{}",
                        headers={"Content-Type": "applicatio/json"})
    assert typed.data["status"]["code"] == "UNSUPPORTED_MEDIA_TYPE"  # a body is judged


def test_wrong_content_type_gets_415_in_the_leap_format(api):
    answer = api.request("POST", LIST, '{"summary": "x"}',
                         headers={"Content-Type": "application/json"})
    assert answer.status == 415
    assert "application/xml" in answer.text("/l:error/l:message")


def test_malformed_xml_gets_400_and_says_so(api):
    answer = api.post_xml(LIST, "<support-request><summary>x</summary>")
    assert answer.status == 400
    assert answer.message.startswith("Malformed XML")


def test_empty_body_gets_400(api):
    assert api.post_xml(LIST, "").status == 400


def test_wrong_root_element_gets_400_naming_it(api):
    answer = api.post_xml(LIST, "<account/>")
    assert answer.status == 400
    assert answer.field_errors == [("/account", "invalid")]


def test_body_over_the_size_cap_gets_413(api):
    padding = "x" * (1024 * 1024)
    answer = api.post_xml(LIST, f"<support-request><summary>{padding}</summary></support-request>")
    assert answer.status == 413


def test_external_entity_is_refused_and_nothing_is_read(api):
    document = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<support-request-update><comment>&x;</comment></support-request-update>')
    identifier = api.raise_request()
    answer = api.post_xml(f"/api/v1/requests/{identifier}/updates", document)
    assert answer.status == 400
    assert "root:" not in answer.body
    assert api.get(f"/api/v1/requests/{identifier}").data["updates"] == []


def test_billion_laughs_is_refused_without_expansion(api):
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "&{chr(97 + i)};&{chr(97 + i)};&{chr(97 + i)};">'
        for i in range(9))
    document = (f'<?xml version="1.0"?><!DOCTYPE r [{entities}]>'
                '<support-request-update><comment>&j;</comment></support-request-update>')
    identifier = api.raise_request()
    answer = api.post_xml(f"/api/v1/requests/{identifier}/updates", document)
    assert answer.status == 400
    assert "lollol" not in answer.body


def test_external_dtd_is_refused(api):
    document = ('<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">'
                '<support-request-update><comment>hi</comment></support-request-update>')
    identifier = api.raise_request()
    answer = api.post_xml(f"/api/v1/requests/{identifier}/updates", document)
    assert answer.status == 400
    assert "DTD" in answer.message


def test_unknown_query_parameter_gets_400_naming_it(api):
    answer = api.get(f"{LIST}?lmit=5")
    assert answer.status == 400
    assert answer.field_errors == [("lmit", "unknown")]


def test_limit_and_offset_out_of_range_get_400(api):
    for query in ("limit=0", "limit=101", "limit=ten", "offset=-1", "limit=1&limit=2"):
        answer = api.get(f"{LIST}?{query}")
        assert answer.status == 400, query
        assert answer.field_errors[0][1] == "invalid"


def test_invalid_dates_get_400_naming_the_parameter(api):
    for query in ("last-update-from=yesterday", "last-update-to=2011-02-30T00:00:00Z",
                  "last-update-from=2011-02-08T22:07:43%2B00",
                  "last-update-from=2011-02-08%2022:07:43Z", "last-update-to=2011-02-08T24:00Z"):
        answer = api.get(f"{LIST}?{query}")
        assert answer.status == 400, query
        assert answer.field_errors == [(query.split("=")[0], "invalid")], query


def test_request_documents_are_accepted_with_the_leap_namespace(api):
    document = ('<support-request xmlns="http://schema.majitek.com/leap-ws-v1.0">'
                '<account identifier="01234574"/><topic identifier="Parking"/>'
                '<summary>namespaced</summary></support-request>')
    assert api.post_xml(LIST, document, headers={"Content-Type": "text/xml"}).status == 201


def test_basic_credentials_with_colon_in_secret_work(api):
    auth.create_client("Colon", ["requests"], client_id="colon", secret="a:b:c")
    token = base64.b64encode(b"colon:a:b:c").decode()
    assert api.get(LIST, auth={"Authorization": f"Basic {token}"}).status == 200


def test_a_get_that_carries_a_content_type_is_served(api):
    assert api.get(LIST, headers={"Content-Type": "application/xml"}).status == 200


def test_xml_with_a_charset_parameter_is_accepted(api):
    answer = api.post_xml(LIST, '<support-request><account identifier="01234574"/>'
                          '<topic identifier="Parking"/><summary>x</summary></support-request>',
                          headers={"Content-Type": "application/xml; charset=utf-8"})
    assert answer.status == 201


def test_an_absurdly_long_client_id_gets_401_not_an_error(api):
    assert api.get(LIST, auth=basic("c" * 5000, "secret")).status == 401


def test_reads_that_must_see_the_last_write_are_strongly_consistent(api, monkeypatch):
    """Credentials (a released token, a rotated or disabled secret stop at once) and a ticket
    just created, its notes and its files: DynamoDB's eventually consistent reads may miss a
    write of the last second (moto never does, so the calls themselves are read)."""
    import botocore.client

    from .cases_client import customer
    client = customer(api)
    reads = []
    original = botocore.client.BaseClient._make_api_call

    def spied(self, operation, params):
        if operation in ("GetItem", "Query"):
            reads.append((params["TableName"], params.get("IndexName"),
                          params.get("ConsistentRead", False)))
        return original(self, operation, params)
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spied)
    assert api.get(LIST).status == 200  # HTTP Basic: the client
    number = client.new_ticket()
    assert client.get(number).status == 200  # the token, the ticket and its notes
    uploaded = client.upload("log.txt", b"x")
    assert client.call("GET", f"/attachments/{uploaded.data['id']}").status == 200
    wanted = {"servicedesk-api-clients", "servicedesk-access-tokens", "servicedesk-cases",
              "servicedesk-case-notes", "servicedesk-case-attachments"}
    assert {table for table, index, _ in reads if index is None} >= wanted
    assert [(table, consistent) for table, index, consistent in reads
            if table in wanted and index is None and not consistent] == []
