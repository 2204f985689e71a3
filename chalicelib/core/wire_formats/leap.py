"""The wire format of the LEAP XML APIs (support requests, customers, properties, property
relationships; x-error-format: leap), and of any path under no API at all::

    <error xmlns="http://schema.majitek.com/leap-ws-v1.0"><message>...</message>
      <field-errors><field xpath="/support-request/summary" errorhint="required"/></field-errors>
    </error>
"""
from chalice import Response
from lxml import etree

from .. import xml
from ..errors import ApiError
from . import WireFormat, register

__all__ = ["Leap"]


@register
class Leap(WireFormat):
    name = "leap"

    def render_error(self, error: ApiError) -> Response:
        root = etree.Element(f"{{{xml.LEAP_NS}}}error", nsmap={None: xml.LEAP_NS})
        etree.SubElement(root, f"{{{xml.LEAP_NS}}}message").text = xml.xml_text(error.message)
        if error.field_errors:
            fields = etree.SubElement(root, f"{{{xml.LEAP_NS}}}field-errors")
            for field in error.field_errors:
                etree.SubElement(fields, f"{{{xml.LEAP_NS}}}field",
                                 xpath=xml.xml_text(field.xpath), errorhint=field.hint)
        return Response(body=xml.serialize(root), status_code=error.status,
                        headers={**error.headers, "Content-Type": "application/xml"})
