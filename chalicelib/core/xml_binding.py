"""Map XML to plain data and back, driven by an OpenAPI schema's ``xml`` hints.

The same schema then validates the data, so the spec stays the one contract for XML bodies.
Rules (OpenAPI 3.1 ``xml`` object): a property is a child element named after the property
(or ``xml.name``), an attribute when ``xml.attribute`` is true, the element's own text when the
project's extension ``x-xml-text`` is true; arrays repeat their item element, inside a wrapper
element when ``xml.wrapped`` is true. Namespaces are ignored on the way in (the seeds' examples
have none) and the LEAP namespace is written on the way out.
"""
import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from .xml import LEAP_NS, local_name, xml_text

__all__ = ["decode", "encode"]

Resolve = Callable[[dict], dict]
_INTEGER = re.compile(r"^\s*[+-]?\d{1,18}\s*$")
_BOOLEAN = {"true": True, "false": False, "1": True, "0": False}


def _xml(schema: dict) -> dict:
    return schema.get("xml") or {}


def _element_name(prop_name: str, schema: dict) -> str:
    return _xml(schema).get("name", prop_name)


def _properties(schema: dict, resolve: Resolve) -> dict:
    """The properties of an object schema, including those it takes from ``allOf``."""
    properties: dict = {}
    for part in schema.get("allOf", []):
        properties.update(_properties(resolve(part), resolve))
    properties.update(schema.get("properties", {}))
    return properties


def _scalar(text: str | None, schema: dict) -> Any:
    text = "" if text is None else text
    kind = schema.get("type")
    if kind == "integer" and _INTEGER.match(text):
        return int(text)
    if kind == "boolean" and text.strip().lower() in _BOOLEAN:
        return _BOOLEAN[text.strip().lower()]
    return text  # left as text: the schema then reports the wrong type


#: What a text value with markup inside becomes: no schema's string, so validation names the
#: element ("invalid") instead of the text after the markup being dropped without a word.
MIXED_CONTENT = {"mixed-content": True}


def _whole_text(element: etree._Element) -> Any:
    """An element's whole text (comments inside are skipped, not the text around them)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            return MIXED_CONTENT
        parts.append(child.tail or "")
    return "".join(parts)


def decode(element: etree._Element, schema: dict, resolve: Resolve) -> Any:
    """Turn ``element`` into the plain value that ``schema`` describes."""
    schema = resolve(schema)
    if schema.get("type") != "object":
        text = _whole_text(element)
        return text if text is MIXED_CONTENT else _scalar(text, schema)
    data: dict[str, Any] = {}
    properties = _properties(schema, resolve)
    by_element: dict[str, tuple[str, dict]] = {}
    for name, prop in properties.items():
        prop = resolve(prop)
        hints = _xml(prop)
        if hints.get("attribute"):
            value = element.get(_element_name(name, prop))
            if value is not None:
                data[name] = _scalar(value, prop)
        elif prop.get("x-xml-text"):  # child elements here are properties or strangers
            data[name] = _scalar((element.text or "").strip(), prop)
        elif prop.get("type") == "array" and not hints.get("wrapped"):
            by_element[_element_name(name, resolve(prop.get("items", {})))] = (name, prop)
        else:
            by_element[_element_name(name, prop)] = (name, prop)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag = local_name(child)
        if tag not in by_element:
            # Kept, so that the schema names the stranger. An element named like an attribute
            # (or the text) is no stand-in for it: the property gets a value no schema takes.
            data[tag] = MIXED_CONTENT if tag in properties else child.text or ""
            continue
        name, prop = by_element[tag]
        if prop.get("type") != "array":
            value = decode(child, prop, resolve)
            # A repeated single element becomes a list, which the schema then rejects.
            data[name] = [data[name], value] if name in data else value
            continue
        items = resolve(prop.get("items", {}))
        if _xml(prop).get("wrapped"):
            data[name] = [decode(item, items, resolve) for item in child
                          if isinstance(item.tag, str)]
        else:
            data.setdefault(name, []).append(decode(child, items, resolve))
    return data


def encode(data: Any, schema: dict, resolve: Resolve, name: str | None = None) -> etree._Element:
    """Build the element for ``data``; ``name`` defaults to the schema's ``xml.name``."""
    schema = resolve(schema)
    element = etree.Element(f"{{{LEAP_NS}}}{name or _xml(schema)['name']}", nsmap={None: LEAP_NS})
    _fill(element, data, schema, resolve)
    return element


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_text(str(value))


def _fill(element: etree._Element, data: Any, schema: dict, resolve: Resolve) -> None:
    if schema.get("type") != "object":
        if data is not None:
            element.text = _text(data)
        return
    for name, prop in _properties(schema, resolve).items():
        value = data.get(name)
        if value is None:
            continue
        prop = resolve(prop)
        hints = _xml(prop)
        if hints.get("attribute"):
            element.set(_element_name(name, prop), _text(value))
        elif prop.get("x-xml-text"):
            element.text = _text(value)
        elif prop.get("type") == "array":
            items = resolve(prop.get("items", {}))
            item_name = _element_name(name, items)
            parent = element
            if hints.get("wrapped"):
                parent = etree.SubElement(element, f"{{{LEAP_NS}}}{_element_name(name, prop)}")
            for item in value:
                _fill(etree.SubElement(parent, f"{{{LEAP_NS}}}{item_name}"), item, items, resolve)
        else:
            _fill(etree.SubElement(element, f"{{{LEAP_NS}}}{_element_name(name, prop)}"),
                  value, prop, resolve)
