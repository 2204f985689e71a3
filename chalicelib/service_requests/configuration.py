"""What operators configure for service requests: types, statuses, categories, the response
and resolution categories, cancellation reasons, privacy levels, groups and users.

Each is an entry of one kind in one table (kind, id). An identifier object names an entry by
exactly one of its kind's fields (``{"name": "Fault"}``). A kind's entries are one Query,
whose size is the configuration's, not the requests'; a warm instance keeps what it read for
a while (core.kept), so that a request reads no configuration at all.
"""
import uuid

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.models import Model

from ..core import kept
from ..core.db import meta, shares_connection
from ..core.errors import BadRequest, FieldError, NotFound

__all__ = ["ConfigurationEntry", "KINDS", "LIFE_CYCLE_STATES", "add", "entries", "entry",
           "resolve", "named_field", "representation"]

LIFE_CYCLE_STATES = ("PENDING", "RESPONDED", "TEMPORARY RESOLVED", "FINAL RESOLVED",
                     "COMPLETED", "CANCELLED")

#: kind -> (its name in messages, the fields an identifier object may use)
KINDS = {
    "type": ("service request type", ("id", "name", "alternative_code")),
    "status": ("service request status", ("id", "name")),
    "category": ("service request category", ("id", "name", "code")),
    "response_category": ("response category", ("id", "name", "code")),
    "temporary_resolution_category": ("temporary resolution category", ("id", "name", "code")),
    "final_resolution_category": ("final resolution category", ("id", "name", "code")),
    "cancellation_reason": ("cancellation reason", ("id", "name")),
    "privacy_level": ("privacy level", ("id", "name")),
    "group": ("group", ("id", "name", "alternative_code")),
    "user": ("user", ("id", "username")),
}
_NAMESPACE = uuid.UUID("6d1c8d0e-5b1e-4a8e-9a49-3c2c3f6f5e11")


@shares_connection
class ConfigurationEntry(Model):
    Meta = meta("service_request_configuration")
    kind = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()  # a user's username
    code = UnicodeAttribute(null=True)
    alternative_code = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    # statuses: the life cycle state and the type they belong to
    life_cycle_state = UnicodeAttribute(null=True)
    type_id = UnicodeAttribute(null=True)
    # response and final resolution categories
    requires_acceptance = BooleanAttribute(null=True)
    # types: who is told of status changes, and what a cancellation defaults to
    emails_customers = BooleanAttribute(null=True)
    texts_customers = BooleanAttribute(null=True)
    cancellation_status_id = UnicodeAttribute(null=True)
    cancellation_reason_id = UnicodeAttribute(null=True)


def add(kind: str, name: str, **fields) -> ConfigurationEntry:
    """Add or replace the entry ``name`` of ``kind``; its id is stable for that name."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}; one of {', '.join(KINDS)}")
    if fields.get("life_cycle_state") not in (None, *LIFE_CYCLE_STATES):
        raise ValueError(f"unknown life cycle state {fields['life_cycle_state']}")
    entry_id = uuid.uuid5(_NAMESPACE, f"{kind}:{fields.get('type_id') or ''}:{name}").hex
    entry = ConfigurationEntry(kind, entry_id, name=name, **fields)
    entry.save()
    kept.forget_all()
    return entry


@kept.for_a_while
def _read(kind: str) -> tuple[list[ConfigurationEntry], dict[str, ConfigurationEntry]]:
    found = sorted(ConfigurationEntry.query(kind, consistent_read=True),
                   key=lambda entry: (entry.name, entry.id))
    return found, {entry.id: entry for entry in found}


def entries(kind: str) -> list[ConfigurationEntry]:
    """Every entry of ``kind``, by name (then id). Shared: not to be changed."""
    return _read(kind)[0]


def entry(kind: str, entry_id: str | None) -> ConfigurationEntry | None:
    """The entry of ``kind`` with ``entry_id`` (None: there is none)."""
    return _read(kind)[1].get(entry_id) if entry_id else None


def named_field(identifier, allowed: tuple[str, ...], label: str,
                parameter: str) -> tuple[str, object]:
    """(field, value) of an identifier object, which names exactly one of ``allowed``;
    INVALID_PARAMETER naming ``parameter`` otherwise."""
    if not isinstance(identifier, dict) or len(identifier) != 1:
        raise BadRequest(f"{parameter} must name exactly one of: {', '.join(allowed)}.",
                         [FieldError(parameter, "invalid")])
    (field, value), = identifier.items()
    if field not in allowed:
        raise BadRequest(f"{parameter}.{field} is not a field of a {label} identifier; use "
                         f"one of: {', '.join(allowed)}.", [FieldError(parameter, "invalid")])
    return field, value


def resolve(kind: str, identifier: dict, parameter: str) -> ConfigurationEntry:
    """The entry that ``identifier`` names; INVALID_PARAMETER or NOT_FOUND naming
    ``parameter`` otherwise."""
    label, allowed = KINDS[kind]
    field, value = named_field(identifier, allowed, label, parameter)
    if field == "id":
        found = entry(kind, str(value))
        if found is not None:
            return found
    else:
        attribute = "name" if field == "username" else field
        for candidate in entries(kind):
            if getattr(candidate, attribute) == value:
                return candidate
    raise NotFound(f"No {label} has {field} {value} ({parameter}).")


def representation(entry: ConfigurationEntry) -> dict:
    """An entry as the API shows it: its identifying fields and what its kind adds."""
    shown = {"id": entry.id, ("username" if entry.kind == "user" else "name"): entry.name}
    for field in ("code", "alternative_code", "description", "life_cycle_state",
                  "requires_acceptance"):
        if getattr(entry, field) is not None:
            shown[field] = getattr(entry, field)
    if entry.kind == "status":
        shown["type"] = {"id": entry.type_id}
    if entry.kind == "type":
        shown["notifications"] = {"email": bool(entry.emails_customers),
                                  "sms": bool(entry.texts_customers)}
    return shown
