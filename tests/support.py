"""Talking to the app as a client would, and checking every answer against the spec."""
import base64
import re
from functools import cache

import jsonschema
from lxml import etree

from chalicelib.core import spec, xml, xml_binding

XML_HEADERS = {"Content-Type": "application/xml"}


def basic(client_id: str, secret: str) -> dict:
    token = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@cache
def _route_patterns():
    return [(re.compile("^" + re.sub(r"{[^}]+}", "[^/]+", path) + "$"), method, op)
            for (path, method), op in spec.operations().items()]


def operation_for(method: str, path: str):
    """The spec operation that serves ``method path`` (static paths win, as in chalice)."""
    path = path.split("?")[0]
    matches = [(pattern.pattern.count("[^/]+"), op) for pattern, m, op in _route_patterns()
               if m == method and pattern.match(path)]
    return min(matches, key=lambda match: match[0])[1] if matches else None


def conforms(operation, status: int, headers: dict, body: str):
    """Decode a response by its spec schema and validate it; return the plain data."""
    media_type = (headers.get("content-type") or "").split(";")[0]
    if status == 204:
        assert not body
        return None
    responses = operation.definition["responses"]
    assert str(status) in responses or (status >= 400 and "default" in responses), \
        f"{operation.operation_id} answered {status}, which its spec does not list"
    schema = operation.response_schema(status, media_type)
    assert schema is not None, f"no {media_type} schema for {status}"
    if media_type.endswith("xml") and "xml" in schema:  # LEAP's, bound by the spec
        root = etree.fromstring(body.encode())
        assert etree.QName(root).namespace == xml.LEAP_NS
        assert etree.QName(root).localname == schema["xml"]["name"]
        data = xml_binding.decode(root, schema, operation.resolve)
    elif media_type.endswith("json"):
        import json
        data = json.loads(body)
    else:  # a page, a script, a style sheet (the docs), Open311's XML: text, as its schema says
        data = body
    jsonschema.Draft202012Validator(
        {**schema, "components": operation.document.get("components", {})}).validate(data)
    return data


class Answer:
    def __init__(self, response, data) -> None:
        self.status = response.status_code
        self.headers = {k.lower(): v for k, v in response.headers.items()}
        self.body = response.body.decode() if isinstance(response.body, bytes) else response.body
        self.data = data

    @property
    def xml(self) -> etree._Element:
        return etree.fromstring(self.body.encode())

    def text(self, xpath: str) -> str | None:
        found = self.xml.xpath(xpath, namespaces={"l": xml.LEAP_NS})
        if not found:
            return None
        first = found[0]
        return first if isinstance(first, str) else first.text

    @property
    def message(self) -> str:
        return self.data["message"]

    @property
    def field_errors(self) -> list[tuple[str, str]]:
        return [(f["xpath"], f["errorhint"]) for f in (self.data or {}).get("field-errors", [])]

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.body[:300]!r}>"


class Api:
    """chalice's test client, authenticated as the demo client unless told otherwise."""

    def __init__(self, http, credentials) -> None:
        self.http = http
        self.auth = basic(*credentials)

    def request(self, method: str, path: str, body: str | bytes = b"", headers=None,
                auth=True) -> Answer:
        sent = dict(self.auth if auth is True else (auth or {}))
        sent.update(headers or {})
        response = self.http.request(method, path, headers=sent, body=body)
        operation = operation_for(method, path)
        data = None
        if operation is not None:
            data = conforms(operation, response.status_code,
                            {k.lower(): v for k, v in response.headers.items()}, response.body
                            .decode() if isinstance(response.body, bytes) else response.body)
        return Answer(response, data)

    def get(self, path: str, **kw) -> Answer:
        return self.request("GET", path, **kw)

    def post_xml(self, path: str, document: str, **kw) -> Answer:
        return self.request("POST", path, document, headers={**XML_HEADERS,
                                                             **kw.pop("headers", {})}, **kw)

    def post_form(self, path: str, form: str, **kw) -> Answer:
        return self.request("POST", path, form, headers={
            "Content-Type": "application/x-www-form-urlencoded"}, **kw)

    # The product's own vocabulary, so that tests read as sentences.
    def raise_request(self, summary: str = "My parking spot has been taken.",
                      topic: str = "Parking", account: str = "01234574", extra: str = "") -> str:
        answer = self.post_xml("/api/v1/requests", f"""<support-request>
            <account identifier="{account}"/><topic identifier="{topic}"/>{extra}
            <summary>{summary}</summary></support-request>""")
        assert answer.status == 201, answer
        return answer.data["identifier"]

    def update(self, identifier: str, inner: str) -> Answer:
        return self.post_xml(f"/api/v1/requests/{identifier}/updates",
                             f"<support-request-update>{inner}</support-request-update>")
