"""What operators configure for customer accounts: communities and additional fields.

A warm instance keeps each entry it read for a while (core.kept): an account page reads none.
"""
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from ..core import kept
from ..core.db import global_index, meta, shares_connection

__all__ = ["CatalogEntry", "add_community", "add_additional_field", "is_community",
           "additional_field_labels", "communities", "entries_of"]

COMMUNITY = "community"


@shares_connection
class CatalogEntry(Model):
    """One configured value: ``community#<key>`` or ``additional-field#<key>``."""
    Meta = meta("catalog")
    key = UnicodeAttribute(hash_key=True)
    label = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)  # "community", "additional-field": its index's key
    by_kind = global_index("catalog_by_kind", "kind", "key")


def add_community(key: str, label: str | None = None) -> None:
    CatalogEntry(f"{COMMUNITY}#{key}", label=label or key, kind=COMMUNITY).save()
    kept.forget_all()


def add_additional_field(key: str, label: str) -> None:
    CatalogEntry(f"additional-field#{key}", label=label, kind="additional-field").save()
    kept.forget_all()


@kept.for_a_while
def communities() -> list[str]:
    """Every community's key (one Query of the catalog's index)."""
    return [entry.key.partition("#")[2] for entry in CatalogEntry.by_kind.query(COMMUNITY)]


def entries_of(kind: str) -> list[tuple[str, str]]:
    """(key, label) of every configured ``kind`` ("community", "additional-field")."""
    return [(entry.key.partition("#")[2], entry.label or "")
            for entry in CatalogEntry.by_kind.query(kind)]


def is_community(key: str) -> bool:
    return _get(f"community#{key}") is not None


def additional_field_labels(keys) -> dict[str, str]:
    """Key -> label of the configured ones among ``keys``."""
    found = {key: _get(f"additional-field#{key}") for key in set(keys)}
    return {key: entry.label for key, entry in found.items() if entry is not None}


@kept.for_a_while
def _get(key: str) -> CatalogEntry | None:
    try:
        return CatalogEntry.get(key, consistent_read=True)
    except CatalogEntry.DoesNotExist:
        return None
