"""Who owns or occupies which property. A relationship is ended, never removed."""
from pynamodb.attributes import UnicodeAttribute

from ..core.db import meta, shares_connection
from ..core.records import TrackedRecord

__all__ = ["PropertyRelationship", "KINDS"]

KINDS = ("OWNER", "OCCUPIER")


@shares_connection
class PropertyRelationship(TrackedRecord):
    Meta = meta("property_relationships", streams=True)
    account = UnicodeAttribute()
    property_identifier = UnicodeAttribute()
    relationship = UnicodeAttribute()  # OWNER | OCCUPIER
    start_date = UnicodeAttribute()
    end_date = UnicodeAttribute(null=True)
