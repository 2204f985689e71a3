"""Properties as the plain data of the spec's schemas."""
from ..core.records import plain
from ..core.timestamps import to_wire
from .models import Property

__all__ = ["ref", "property_", "url", "link"]


def url(base_url: str, identifier: str) -> str:
    return f"{base_url}/api/v1/properties/{identifier}"


def ref(record: Property, base_url: str) -> dict:
    return {"ref": url(base_url, record.identifier), "identifier": record.identifier,
            "extid": record.extid}


def link(identifier: str, base_url: str, record: Property | None = None) -> dict:
    """A reference to a property; with its record, also its extid and acknowledgement state."""
    entry = {"identifier": identifier, "ref": url(base_url, identifier)}
    if record is not None:
        entry.update(extid=record.extid, **{"unacked-since": to_wire(record.unacked_since)})
    return entry


def property_(record: Property, base_url: str) -> dict:
    return {**ref(record, base_url), "unacked-since": to_wire(record.unacked_since),
            "version": record.version, "name": record.name, "address": plain(record.address)}
