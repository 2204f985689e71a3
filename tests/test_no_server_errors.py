"""Whatever a client sends, the answer is never a 500, and always conforms to the spec.

Hypothesis builds requests for every operation from the spec itself: path values, declared and
undeclared query parameters, media types, and bodies made of the operation's own element and
attribute names filled with arbitrary text, besides plain garbage.
"""
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.core import spec

OPERATIONS = sorted(spec.operations().items())
WORDS = st.sampled_from(["10000001", "10000002", "MAX-1", "Parking", "NEW", "IN_PROGRESS",
                         "true", "false", "0", "-1", "100", "101", "2011-02-08T22:07:43.000Z",
                         "01234574", "", " ", "&amp;", "%", "a/b"])
TEXT = st.one_of(WORDS, st.text(max_size=40))


def names_in(schema, resolve, depth: int = 0) -> set[str]:
    """Every property and XML name a schema mentions, to build near-valid documents."""
    schema = resolve(schema)
    names = {schema.get("xml", {}).get("name")} - {None}
    if depth > 6:
        return names
    parts = schema.get("allOf", []) + ([schema["items"]] if "items" in schema else [])
    for part in parts + list(schema.get("properties", {}).values()):
        names |= names_in(part, resolve, depth + 1)
    return names | set(schema.get("properties", {}))


def xml_documents(root: str, names: list[str]):
    element = st.deferred(lambda: st.builds(
        lambda name, attrs, children, text: f"<{name}{attrs}>{text}{''.join(children)}</{name}>",
        st.sampled_from(names),
        st.lists(st.tuples(st.sampled_from(names), TEXT), max_size=2).map(
            lambda pairs: "".join(f' {n}="{quote(v)}"' for n, v in pairs)),
        st.lists(element, max_size=3),
        TEXT.map(lambda t: t.replace("<", "&lt;").replace("&", "&amp;"))))
    return st.lists(element, max_size=4).map(lambda kids: f"<{root}>{''.join(kids)}</{root}>")


@st.composite
def requests_for(draw, operation):
    path = operation.path
    for parameter in map(operation.resolve, operation.parameters):
        if parameter["in"] == "path":
            value = quote(draw(TEXT) or "x", safe="")
            path = path.replace("{" + parameter["name"] + "}", value)
    declared = [p["name"] for p in map(operation.resolve, operation.parameters)
                if p["in"] == "query"]
    query = draw(st.dictionaries(st.sampled_from(declared + ["bogus"]), TEXT, max_size=3))
    prefix = operation.document["servers"][0]["url"].rstrip("/")
    url = prefix + path + ("?" + urlencode(query) if query else "")
    content = operation.resolve(operation.definition.get("requestBody") or {}).get("content", {})
    if not content:
        return url, None, ""
    media_type = draw(st.sampled_from(list(content) + ["application/json", "text/plain"]))
    schema = operation.resolve(content.get(media_type, next(iter(content.values())))["schema"])
    names = sorted(names_in(schema, operation.resolve)) or ["x"]
    root = schema.get("xml", {}).get("name", "x")
    body = draw(st.one_of(
        xml_documents(root, names), TEXT,
        st.dictionaries(st.sampled_from(names), TEXT, max_size=3).map(urlencode)))
    return url, media_type, body


def _check(api, operation, request):
    url, media_type, body = request
    headers = {"Content-Type": media_type} if media_type else {}
    answer = api.request(operation.method, url, body, headers=headers)  # checks conformance
    assert answer.status < 500, (url, body, answer)


def test_every_operation_is_listed_here():
    assert OPERATIONS, "the spec index is empty"


def _fuzz(operation):
    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(request=requests_for(operation))
    def test(api, request):
        _check(api, operation, request)
    test.__name__ = f"test_no_server_error_{operation.operation_id}"
    return test


for _operation in dict(OPERATIONS).values():
    globals()[f"test_no_server_error_{_operation.operation_id}"] = _fuzz(_operation)
