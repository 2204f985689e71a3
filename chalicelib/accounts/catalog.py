"""What operators configure for customer accounts: communities and additional fields."""
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from ..core.db import meta, shares_connection

__all__ = ["CatalogEntry", "add_community", "add_additional_field", "is_community",
           "additional_field_labels"]


@shares_connection
class CatalogEntry(Model):
    """One configured value: ``community#<key>`` or ``additional-field#<key>``."""
    Meta = meta("catalog")
    key = UnicodeAttribute(hash_key=True)
    label = UnicodeAttribute(null=True)


def add_community(key: str, label: str | None = None) -> None:
    CatalogEntry(f"community#{key}", label=label or key).save()


def add_additional_field(key: str, label: str) -> None:
    CatalogEntry(f"additional-field#{key}", label=label).save()


def is_community(key: str) -> bool:
    return _get(f"community#{key}") is not None


def additional_field_labels(keys) -> dict[str, str]:
    """Key -> label of the configured ones among ``keys``, in one batch read."""
    wanted = sorted({f"additional-field#{key}" for key in keys})
    if not wanted:
        return {}
    return {entry.key.split("#", 1)[1]: entry.label
            for entry in CatalogEntry.batch_get(wanted, consistent_read=True)}


def _get(key: str) -> CatalogEntry | None:
    try:
        return CatalogEntry.get(key)
    except CatalogEntry.DoesNotExist:
        return None
