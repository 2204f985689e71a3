"""The OpenAPI documents are the contract: valid, shipped current, and equal to the routes."""
import json
import pathlib

import yaml
from openapi_spec_validator import validate

import app as app_module
from chalicelib.core import spec
from local import build_specs

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "openapi").glob("*.yaml"))


def test_every_spec_is_a_valid_openapi_document():
    assert SPECS
    for path in SPECS:
        validate(yaml.safe_load(path.read_text()))


def test_the_json_copies_in_the_lambda_package_are_current():
    for target, text in build_specs.rendered().items():
        assert target.exists(), f"{target.name} missing: run make specs"
        assert json.loads(target.read_text()) == json.loads(text), \
            f"{target.name} is stale: run make specs"


def test_the_routes_are_exactly_the_spec_operations_with_matching_names():
    routes = {(path, method): entry.view_name
              for path, methods in app_module.app.routes.items()
              for method, entry in methods.items()}
    documented = {key: operation.operation_id for key, operation in spec.operations().items()}
    assert routes == documented


def test_every_operation_requires_authentication_but_the_documentation_pages():
    public = {operation.operation_id for operation in spec.operations().values()
              if not operation.security}
    # the token endpoints (the CRM login, OAuth 2.0's and the Case Management API's) take the
    # client's id and secret in their bodies (or, but the CRM login, by HTTP Basic), which no
    # header scheme describes: they authenticate the client themselves
    # Open311's reads are public, as the standard has them (openapi/open311.yaml); the desk's
    # sign-in takes an agent's e-mail and password in its body
    assert public == {"show_api_documentation", "get_api_spec", "get_documentation_asset",
                      "issue_crm_token", "issue_case_api_token", "issue_access_token",
                      "refresh_case_api_token", "get_discovery_json", "get_discovery_xml",
                      "get_services_json", "get_services_xml", "get_service_definition",
                      "get_requests_json", "get_requests_xml", "get_request", "get_token",
                      "sign_in_desk_agent"}
    for operation in spec.operations().values():
        assert all(requirement for requirement in operation.security)


def test_the_error_code_catalogues_are_the_ones_their_specs_list():
    import re

    from chalicelib.core import crm
    from chalicelib.core.wire_formats import cases as case_format
    cases = spec.operations()[("/support/v2/tickets", "POST")].document["info"]["description"]
    assert set(re.findall(r"EQ-\d{7}", cases)) == set(case_format.CODES)
    crm_spec = json.dumps(spec.operations()[("/crmapi/rest/v2/service_requests/create",
                                             "POST")].document)
    assert all(code in crm_spec for code in crm.CODES)


def _unbounded(operation, schema: dict, path: list, seen: frozenset):
    """Paths of the strings without a length bound and the arrays without an item bound that
    an input schema lets through (an enum, a const or a quantified pattern bounds a string)."""
    schema = operation.resolve(schema)
    if id(schema) in seen:
        return
    seen = seen | {id(schema)}
    types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
    bounded_pattern = "{" in schema.get("pattern", "") or "x-timestamp" in schema
    if "string" in types and not bounded_pattern and not {
            "maxLength", "enum", "const", "format"} & set(schema):
        yield "/".join(path)
    if "array" in types and "maxItems" not in schema:
        yield "/".join(path)
    for part in (*schema.get("allOf", ()), *schema.get("oneOf", ()), *schema.get("anyOf", ())):
        yield from _unbounded(operation, part, path, seen)
    for name, sub in {**schema.get("properties", {}),
                      **schema.get("patternProperties", {})}.items():
        yield from _unbounded(operation, sub, [*path, name], seen)
    for key in ("additionalProperties", "items"):
        if isinstance(schema.get(key), dict):
            yield from _unbounded(operation, schema[key], [*path, key], seen)


def test_every_input_string_and_array_has_a_bound():
    """Bounded work whatever a client sends: no input of any operation is unbounded."""
    found = []
    for operation in spec.operations().values():
        body = operation.resolve(operation.definition.get("requestBody", {}))
        inputs = [(media_type, content.get("schema", {}))
                  for media_type, content in body.get("content", {}).items()]
        inputs += [(parameter["name"], parameter.get("schema", {}))
                   for parameter in map(operation.resolve, operation.parameters)]
        for where, schema in inputs:
            found += [(operation.operation_id, where, path)
                      for path in _unbounded(operation, schema, [], frozenset())]
    assert found == []


def test_every_api_names_a_registered_wire_format_and_every_format_is_used():
    from chalicelib.core import wire_formats
    named = {operation.error_format for operation in spec.operations().values()}
    assert named == set(wire_formats.FORMATS), (named, set(wire_formats.FORMATS))
