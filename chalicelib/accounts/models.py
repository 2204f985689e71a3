"""Customer accounts, and the copies of them that finding by additional field reads.

An account's property relationships are listed in the account item itself, written in the
same transaction as the relationship, so that the next read of the account shows them.
"""
import json

from pynamodb.attributes import ListAttribute, MapAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..core.db import ListOf, meta, shares_connection
from ..core.records import SECRET_ATTRIBUTES, TrackedRecord, plain

__all__ = ["Account", "AccountFieldEntry", "Phone", "Comment"]


class Phone(MapAttribute):
    type = UnicodeAttribute(null=True)
    number = UnicodeAttribute(null=True)


class Comment(MapAttribute):
    """An operator-visible note: never shown to the customer."""
    author = UnicodeAttribute()
    time = UnicodeAttribute()
    text = UnicodeAttribute()


@shares_connection
class AccountFieldEntry(Model):
    """A copy of an account under one of its additional field values.

    Finding accounts by field value is then one Query that reads only the page's items; the
    copies are rewritten in the same transaction as every write of the account.
    """
    Meta = meta("account_fields")
    field_value = UnicodeAttribute(hash_key=True)  # "<key>#<value>"
    identifier = UnicodeAttribute(range_key=True)
    snapshot = UnicodeAttribute()  # the account item, as DynamoDB JSON, less its secrets

    def account(self) -> "Account":
        return Account.from_raw_data(json.loads(self.snapshot))


class ByName(GlobalSecondaryIndex):
    """Accounts by lower-case full name: an accounts receivable named by name (service
    requests). Names are not unique, so a lookup reads two keys to tell."""

    class Meta:
        index_name = "by-name"
        projection = KeysOnlyProjection()

    name_key = UnicodeAttribute(hash_key=True)


@shares_connection
class Account(TrackedRecord):
    Meta = meta("accounts", streams=True)
    email = UnicodeAttribute()
    community = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    status = UnicodeAttribute(default="ACTIVE")
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    additional_names = UnicodeAttribute(null=True)
    honorific_prefixes = UnicodeAttribute(null=True)
    bday = UnicodeAttribute(null=True)
    gender = UnicodeAttribute(null=True)
    nationality = UnicodeAttribute(null=True)
    phones = ListOf(of=Phone, default=list)
    residential_address = MapAttribute(null=True)
    billing_address = MapAttribute(null=True)
    additional_fields = MapAttribute(null=True)  # key -> value
    comments = ListOf(of=Comment, default=list)
    relationships = ListAttribute(default=list)  # property relationship identifiers
    indexed_fields = ListAttribute(default=list)  # "<key>#<value>" copies written last time
    name_key = UnicodeAttribute(null=True)  # full_name, lower case
    by_name = ByName()

    @property
    def full_name(self) -> str:
        parts = (self.given_name, self.additional_names, self.family_name)
        return " ".join(part for part in parts if part)

    def fields(self) -> dict[str, str]:
        return plain(self.additional_fields)

    def companions(self) -> tuple[list, list]:
        """The field-value copies to (re)write, and those of values the account no longer has."""
        current = sorted(f"{key}#{value}" for key, value in self.fields().items())
        stale = set(self.indexed_fields or []) - set(current)
        self.indexed_fields = current
        snapshot = self.serialize()
        # The copy must show the version this very write gives the account; it serves finds,
        # which never show a password, so it keeps no hash of one.
        snapshot["version"] = {"N": str((self.version or 0) + 1)}
        for secret in SECRET_ATTRIBUTES:
            snapshot.pop(secret, None)
        text = json.dumps(snapshot)
        saves = [AccountFieldEntry(key, self.identifier, snapshot=text) for key in current]
        deletes = [(AccountFieldEntry(key, self.identifier), None) for key in sorted(stale)]
        return saves, deletes
