"""The accounts table: one item per customer account, keyed by its LEAP identifier."""
from pynamodb.attributes import UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

from ..core.db import meta, shares_connection

__all__ = ["Account"]


@shares_connection
class Account(Model):
    Meta = meta("accounts", streams=True)
    identifier = UnicodeAttribute(hash_key=True)
    version = VersionAttribute()
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    email = UnicodeAttribute()
    community = UnicodeAttribute()
    status = UnicodeAttribute(default="ACTIVE")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()
