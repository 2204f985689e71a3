"""Open311 GeoReport v2 documents in XML: the JSON shape, element for key.

A list is its plural element holding one singular element per item (``services`` /
``service``, ``attributes`` / ``attribute``, ...), a boolean is ``true`` or ``false``, null an
empty element, and there is no namespace: the form the standard's own examples give.
"""
import re

from lxml import etree

__all__ = ["to_xml", "ITEM_NAMES"]

#: A list's element -> its items' element.
ITEM_NAMES = {"services": "service", "attributes": "attribute", "values": "value",
              "service_requests": "request", "requests": "request", "errors": "error",
              "endpoints": "endpoint", "formats": "format"}


#: What XML 1.0 cannot hold (C0 controls but tab and line ends, surrogates, U+FFFE/FFFF): an
#: error may quote what a client sent, so it is written as U+FFFD instead of failing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: etree._Element, value) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            _fill(etree.SubElement(element, name), item)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(etree.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root_name: str, value) -> str:
    """The document ``<root_name>`` of ``value`` (a list, or a dict of fields)."""
    root = etree.Element(root_name)
    _fill(root, value)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8").decode("utf-8")
