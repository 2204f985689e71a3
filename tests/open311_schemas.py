"""The Open311 GeoReport v2 JSON Schemas (conformance/open311/, unmodified), and an XML answer
mapped to the JSON shape they describe (element for key, a plural element's children as a list,
texts typed as the schema says), so that both formats are checked by the standard's schemas."""
import json
import pathlib

import jsonschema
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DIRECTORY = pathlib.Path(__file__).resolve().parent.parent / "conformance" / "open311"
NAMES = ("service.json", "services.json", "service-definition.json", "request.json",
         "requests.json")


def _registry() -> Registry:
    """The schemas keyed by their file names, as they refer to each other (draft 4)."""
    return Registry().with_resources(
        (name, Resource.from_contents(json.loads((DIRECTORY / name).read_text()),
                                      default_specification=DRAFT4)) for name in NAMES)


REGISTRY = _registry()


def validate(name: str, document) -> None:
    """``document`` (JSON data) is valid by the standard's schema ``name``."""
    schema = json.loads((DIRECTORY / name).read_text())
    jsonschema.Draft4Validator(schema, registry=REGISTRY,
                               format_checker=jsonschema.FormatChecker()).validate(document)


def _schema_at(schema: dict) -> dict:
    if "$ref" in schema:
        return json.loads((DIRECTORY / schema["$ref"]).read_text())
    return schema


def _types(schema: dict) -> set[str]:
    found = {schema["type"]} if isinstance(schema.get("type"), str) else set()
    for part in schema.get("anyOf", []):
        found |= _types(part)
    return found


def from_xml(element: etree._Element, schema: dict):
    """``element`` as the JSON value that ``schema`` describes."""
    schema = _schema_at(schema)
    types = _types(schema)
    if "array" in types or (not types and "items" in schema):
        return [from_xml(child, schema.get("items", {})) for child in element]
    if schema.get("properties") or "object" in types:
        return {child.tag: from_xml(child, schema.get("properties", {}).get(child.tag, {}))
                for child in element}
    text = element.text
    if text is None:
        return None if "null" in types or not types - {"string"} else ""
    if "boolean" in types:
        return {"true": True, "false": False}.get(text, text)
    if "integer" in types:
        return int(text)
    if "number" in types:
        return float(text)
    return text


def validate_xml(name: str, text: str) -> object:
    """The XML answer ``text``, mapped to JSON and valid by the schema ``name``; its data."""
    root = etree.fromstring(text.encode())
    data = from_xml(root, json.loads((DIRECTORY / name).read_text()))
    validate(name, data)
    return data
