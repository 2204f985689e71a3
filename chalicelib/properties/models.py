"""Properties: the buildings and units that customers own or occupy."""
from pynamodb.attributes import MapAttribute, UnicodeAttribute

from ..core.db import meta, shares_connection
from ..core.records import TrackedRecord

__all__ = ["Property"]


@shares_connection
class Property(TrackedRecord):
    Meta = meta("properties", streams=True)
    name = UnicodeAttribute()
    address = MapAttribute()
