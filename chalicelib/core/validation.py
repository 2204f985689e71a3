"""Check a request against its OpenAPI operation before any handler runs.

Parameters are coerced from text by their schema type, bodies are decoded by media type (XML
through the spec's ``xml`` hints), and everything is validated with JSON Schema compiled once
per schema (fastjsonschema). Only an invalid input pays for jsonschema, which lists every
problem rather than the first.
"""
import functools
import re
from typing import Any
from urllib.parse import unquote

import fastjsonschema

from . import bodies, timestamps, xml, xml_binding
from .config import settings
from .email_address import is_email
from .errors import ApiError, BadRequest, FieldError
from .patterns import ecma_pattern, ecma_patterns
from .spec import Operation

__all__ = ["ValidRequest", "validate_request", "check_value"]

_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
#: The most problems an answer names: past them, the rest of an input is not read.
MAX_PROBLEMS = 100
_compiled: dict[tuple, Any] = {}
_invalid_input_validators: dict[tuple, Any] = {}


class ValidRequest:
    """What a handler may rely on: typed parameters and a decoded, schema-valid body."""

    def __init__(self, params: dict[str, Any], body: Any) -> None:
        self.params = params
        self.body = body


def validate_request(operation: Operation, request: Any) -> ValidRequest:
    params = _parameters(operation, request)
    body = _body(operation, request)
    return ValidRequest(params, body)


def _schema_root(operation: Operation, schema: dict) -> dict:
    # Local $refs need the document beside the schema they start from.
    return ecma_patterns({**schema, "components": operation.document.get("components", {})})


def _validator(operation: Operation, schema: dict, where: str):
    key = (operation.api, operation.operation_id, where)
    if key not in _compiled:
        _compiled[key] = fastjsonschema.compile(_schema_root(operation, schema))
    return _compiled[key]


def _problems(operation: Operation, schema: dict, value: Any,
              where: str) -> list[tuple[list, str, str]]:
    """Every (path, hint, rule in words) that ``value`` breaks; empty when valid. ``where``
    names the input."""
    try:
        _validator(operation, schema, where)(value)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    import jsonschema  # lazily: the invalid path alone pays for its import
    validator = _invalid_input_validators.get(key := (operation.api, operation.operation_id,
                                                       where))
    if validator is None:
        # Formats too, as fastjsonschema checks them: a malformed date-time names its field.
        validator = jsonschema.Draft202012Validator(
            _schema_root(operation, schema),
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        _invalid_input_validators[key] = validator
    # Ordered and without repeats (jsonschema may report one problem through several schema
    # paths), and at most MAX_PROBLEMS: iter_errors is lazy, so a body of 300,000 wrong
    # items costs the first few hundred of them.
    found: dict[tuple, tuple[list, str]] = {}
    for error in validator.iter_errors(value):
        for problem in _named_problems(error):  # one error may name 300,000 unknown keys
            found.setdefault((tuple(problem[0]), problem[1]), problem)
            if len(found) == MAX_PROBLEMS:
                return list(found.values())
    return list(found.values()) or [([], "invalid", "")]


def _named_problems(error):
    """The (path, hint, rule) problems that one jsonschema error stands for, one at a time."""
    path = list(error.absolute_path)
    if error.validator == "required":
        yield from ((path + [name], "required", "") for name in error.validator_value
                    if isinstance(error.instance, dict) and name not in error.instance)
    elif error.validator == "additionalProperties":
        allowed = error.schema.get("properties", {})
        yield from ((path + [name], "unknown", "") for name in error.instance
                    if name not in allowed)
    elif error.validator == "minProperties":
        yield path, "required", ""
    else:
        yield path, "invalid", _broken_rule(error)


#: What a value must be, in words, by the JSON Schema keyword it broke.
_KEYWORD_RULES = {
    "minLength": "at least {} characters", "maxLength": "at most {} characters",
    "minimum": "at least {}", "maximum": "at most {}", "minItems": "at least {} items",
    "maxItems": "at most {} items", "enum": "one of {}", "const": "{}", "type": "a {}",
    "format": "a valid {}", "multipleOf": "a multiple of {}",
}


def _broken_rule(error) -> str:
    """The rule that ``error``'s value broke, in words: the keyword's (``at least 10
    characters``), then the field's description in its spec, which says the rest."""
    value = error.validator_value
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    said = _KEYWORD_RULES.get(error.validator, "")
    described = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    parts = [said.format(value) if said else "",
             " ".join(described.split()).rstrip(".") if len(described) <= 300 else ""]
    return "; ".join(part for part in parts if part)


def _all_problems(operation: Operation, schema: dict, value: Any,
                  where: str) -> list[tuple[list, str]]:
    """The schema's problems with ``value``; when it has none, the values that match their
    pattern but that a rule beyond patterns refuses (``RULES``)."""
    return _problems(operation, schema, value, where) or [
        (path, "invalid", "") for path in _refused_by_rules(operation, schema, value, [])]


def _is_time(value: Any) -> bool:
    try:
        timestamps.parse_input(value)
    except (TypeError, ValueError):
        return False
    return True


#: Schema keywords of ours, each the test that a value of such a schema must also pass: what
#: a pattern cannot say without lookaheads (which example generators cannot write from).
RULES = {
    "x-timestamp": _is_time,  # a time the calendar has (not 2026-02-30, not 24:00)
    "x-email": lambda value: isinstance(value, str) and is_email(value),  # local part <= 64
}


def _refused_by_rules(operation: Operation, schema: dict, value: Any, path: list):
    """Paths of the values in ``value`` (valid by ``schema``) that a keyword of ``RULES`` in
    their schema refuses. Follows the schema, not the value, so its work is bounded by the
    schema's depth."""
    schema = operation.resolve(schema)
    refusing = [test for keyword, test in RULES.items() if schema.get(keyword)]
    if refusing:
        if not all(test(value) for test in refusing):
            yield path
        return
    for part in schema.get("allOf", ()):
        yield from _refused_by_rules(operation, part, value, path)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            matching = [properties[key]] if key in properties else []
            matching += [sub for pattern, sub in schema.get("patternProperties", {}).items()
                         if _compiled_pattern(pattern).search(key)]
            for sub in matching:
                yield from _refused_by_rules(operation, sub, item, [*path, key])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _refused_by_rules(operation, schema["items"], item, [*path, index])


@functools.cache
def _compiled_pattern(pattern: str) -> re.Pattern:
    return re.compile(ecma_pattern(pattern))


def _coerce(raw: str, schema: dict) -> Any:
    kind = schema.get("type")
    if kind == "integer" and _INTEGER.match(raw):
        return int(raw)
    if kind == "boolean" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


def _parameters(operation: Operation, request: Any) -> dict[str, Any]:
    # API Gateway hands path parameters over percent-encoded ("Air%20Conditioning"). Decode
    # them in place, once: chalice passes this same dict to the view as its arguments.
    path_params = request.uri_params or {}
    for name, value in path_params.items():
        path_params[name] = unquote(value)
    sources = {"path": path_params, "query": request.query_params or {},
               "header": request.headers or {}}  # chalice's headers ignore case
    declared = {(p["in"], p["name"]) for p in map(operation.resolve, operation.parameters)}
    declared |= {("query", name) for name in operation.credential_parameters()}
    errors = [FieldError(name, "unknown") for name in sources["query"]
              if ("query", name) not in declared]
    caps: dict[str, int] = {}  # parameters past their maximum, and that maximum
    rules: dict[str, str] = {}  # what an invalid parameter must be (its spec's description)
    params: dict[str, Any] = {}
    for parameter in map(operation.resolve, operation.parameters):
        name, schema = parameter["name"], operation.resolve(parameter.get("schema", {}))
        rules[name] = _rule(parameter, schema)
        source = sources.get(parameter["in"], {})
        if name not in source:
            values = []
        else:
            values = source.getlist(name) if hasattr(source, "getlist") else [source[name]]
        if not values:
            if parameter.get("required"):
                errors.append(FieldError(name, "required"))
            elif "default" in schema:
                params[name] = schema["default"]
            continue
        if len(values) > 1:
            errors.append(FieldError(name, "invalid"))
            continue
        value = _coerce(values[0], schema)
        if _problems(operation, schema, value, "parameter " + name):
            errors.append(FieldError(name, "invalid"))
            if isinstance(value, int) and value > schema.get("maximum", value):
                caps[name] = schema["maximum"]
        elif schema.get("x-timestamp"):
            try:
                params[name] = timestamps.parse_input(value)
            except ValueError:
                errors.append(FieldError(name, "invalid"))
        else:
            params[name] = value
    if errors:  # each says what it must be (a number past its maximum: the maximum)
        raise BadRequest("Invalid parameter(s): " + ", ".join(
            f"{e.xpath} (at most {caps[e.xpath]})" if e.xpath in caps else
            f"{e.xpath} (unknown: this operation takes no such parameter)" if
            e.hint == "unknown" else f"{e.xpath} ({e.hint}: {rules[e.xpath]})"
            if rules.get(e.xpath) else e.xpath for e in errors), errors)
    return params


def _rule(parameter: dict, schema: dict) -> str:
    """What a parameter must be, for its 400: its spec's description, else its values, its
    range or its form, in words."""
    if parameter.get("description"):
        return parameter["description"].strip().rstrip(".")
    if schema.get("enum"):
        return "one of " + ", ".join(map(str, schema["enum"]))
    if schema.get("type") == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        return "a whole number" + (f" from {low}" if low is not None else "") + (
            f" to {high}" if high is not None else "")
    if schema.get("x-timestamp"):
        return "a date (2026-12-01) or a date and time with its offset (2026-12-01T09:30:00Z)"
    if schema.get("maxLength"):
        return f"text of at most {schema['maxLength']} characters"
    return ""


def _body(operation: Operation, request: Any) -> Any:
    request_body = operation.resolve(operation.definition.get("requestBody") or {})
    content = request_body.get("content")
    if not content:
        return None
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    raw = request.raw_body or b""
    if not raw and media_type not in content:  # no body: its media type means nothing
        if not request_body.get("required"):
            return None
        raise BadRequest("The request body is missing.", [FieldError("/", "required")])
    if media_type not in content:
        raise ApiError(f"Unsupported media type {media_type or '(none)'}; use one of: "
                       + ", ".join(content), status=415)
    schema = operation.resolve(content[media_type].get("schema", {}))
    # Every body, whatever its media type; an operation that takes files says how large.
    limit = operation.definition.get("x-max-body-bytes", settings.max_body_bytes)
    if len(raw) > limit:
        raise ApiError(f"The request body exceeds {limit} bytes.", status=413)
    if schema.get("format") == "binary":  # a file: its bytes, as sent
        if not raw and request_body.get("required"):
            raise BadRequest("The request body (the file) is empty.", [FieldError("/",
                                                                                  "required")])
        return raw if isinstance(raw, bytes) else raw.encode("utf-8")
    if media_type.endswith("xml"):
        root = xml.parse(raw)
        expected = schema.get("xml", {}).get("name")
        if xml.local_name(root) != expected:
            raise BadRequest(f"Expected a <{expected}> document, got <{xml.local_name(root)}>.",
                             [FieldError("/" + xml.local_name(root), "invalid")])
        value = xml_binding.decode(root, schema, operation.resolve)
        problems = _all_problems(operation, schema, value, media_type)
        if problems:
            fields = [FieldError(_xpath(operation, schema, expected, path), hint)
                      for path, hint, _ in problems]
            raise BadRequest("The document is not valid: " + _listed(fields, problems), fields,
                             status=operation.definition.get("x-validation-status"))
        return value
    value = bodies.decode(raw, media_type)
    check_value(operation, schema, value, media_type)
    return value


def check_value(operation: Operation, schema: dict, value: Any, where: str) -> None:
    """400 naming every field of ``value`` (JSON) that ``schema`` refuses; ``where`` names
    the input (a media type) for the compiled validators' cache. Also for what a view derives
    from a body (TMF621: the merge patch that a JSON patch amounts to)."""
    problems = _all_problems(operation, schema, value, where)
    if problems:
        fields = [FieldError("/".join(str(p) for p in path) or "/", hint)
                  for path, hint, _ in problems]
        raise BadRequest("Invalid field(s): " + _listed(fields, problems), fields)


def _listed(fields: list[FieldError], problems: list[tuple]) -> str:
    """``/a/b (invalid: at least 10 characters), /c (required)``."""
    return ", ".join(f"{field.xpath} ({field.hint}: {rule})" if rule else
                     f"{field.xpath} ({field.hint})" for field, (_, _, rule) in
                     zip(fields, problems, strict=True))


def _xpath(operation: Operation, schema: dict, root: str, path: list) -> str:
    """Spell a data path as the XPath of the element or attribute it came from."""
    steps = ["", root]
    for position, part in enumerate(path):
        schema = operation.resolve(schema)
        if isinstance(part, int):
            steps[-1] += f"[{part + 1}]"
            schema = schema.get("items", {})
            continue
        prop = operation.resolve(schema.get("properties", {}).get(part, {}))
        hints = prop.get("xml", {})
        if prop.get("x-xml-text"):
            break
        item_name = operation.resolve(prop.get("items", {})).get("xml", {}).get("name", part)
        schema = prop
        if prop.get("type") == "array" and not hints.get("wrapped"):
            steps.append(item_name)  # a bare array is its repeated item element
            continue
        steps.append(("@" if hints.get("attribute") else "") + hints.get("name", part))
        if prop.get("type") == "array" and position + 1 < len(path):
            steps.append(item_name)  # inside a wrapped array: wrapper, then the item
    return "/".join(steps)
