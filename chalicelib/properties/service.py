"""The rules of properties, over plain values."""
from ..core import feeds, pages, timestamps, tracking, unique_keys
from ..core.countries import is_country_code
from ..core.errors import BadRequest, FieldError
from ..core.idempotency import Idempotency
from .models import Property

__all__ = ["create_property", "get_property", "set_extid", "acknowledge", "list_properties",
           "LABEL", "EXTID_KIND"]

LABEL = "property"
EXTID_KIND = "property-extid"


def create_property(name: str, address: dict,
                    idempotency: Idempotency | None = None) -> Property:
    code = address["country-name"]["code"]
    if not is_country_code(code):
        raise BadRequest("The property is not valid.",
                         [FieldError("/property/address/country-name/@code", "invalid")])
    when = timestamps.storage_now()
    record = Property(f"PP-{unique_keys.next_number('property', 10000000)}", name=name,
                      address=address, creation_time=when, last_update_time=when)
    tracking.mark_changed(record, when)
    record.refresh_feeds()
    tracking.save(record, Property.identifier.does_not_exist(),
                  [idempotency.claim(record.identifier)] if idempotency else [])
    return record


def get_property(identifier: str | None = None, extid: str | None = None) -> Property:
    if extid is not None:
        return tracking.find_by_extid(Property, EXTID_KIND, extid, LABEL)
    return tracking.get_tracked(Property, identifier, LABEL)


def set_extid(identifier: str, extid: str) -> Property:
    return tracking.set_extid(Property, EXTID_KIND, identifier, extid, LABEL)


def acknowledge(references: list[tuple[str, int | None]], by_extid: bool) -> None:
    tracking.acknowledge(Property, LABEL, references, False, EXTID_KIND if by_extid else None)


def list_properties(feed: feeds.Feed) -> pages.Page:
    return feeds.read_page(Property, feed)

