"""Customer accounts as the plain data of the spec's schemas. Never the password."""
from ..core.records import plain
from ..core.timestamps import to_wire
from .models import Account

__all__ = ["ref", "account", "url"]


def url(base_url: str, identifier: str) -> str:
    return f"{base_url}/api/v1/customers/{identifier}"


def ref(record: Account, base_url: str) -> dict:
    return {"ref": url(base_url, record.identifier), "identifier": record.identifier,
            "extid": record.extid}


def _address(value) -> dict | None:
    address = plain(value)
    return address or None


def account(record: Account, base_url: str, labels: dict[str, str],
            relationships: list[dict]) -> dict:
    """``relationships``: the entries of ``<property-relationships>``, made by the caller."""
    fields = record.fields()
    return {
        **ref(record, base_url),
        "unacked-since": to_wire(record.unacked_since),
        "version": record.version,
        "creation-time": to_wire(record.creation_time),
        "account-status": "Active" if record.status == "ACTIVE" else "Inactive",
        "owner": {
            "full-name": record.full_name,
            "name": {"family-name": record.family_name, "given-name": record.given_name,
                     "additional-names": record.additional_names,
                     "honorific-prefixes": record.honorific_prefixes},
            "bday": record.bday,
            "gender": record.gender,
            "nationality": {"code": record.nationality} if record.nationality else None,
            "email": record.email,
            "tel": [{"type": phone.type, "number": phone.number or ""}
                    for phone in record.phones or []],
            "residential-address": _address(record.residential_address),
        },
        "billing-address": _address(record.billing_address),
        "property-relationships": relationships,
        "additional-fields": [{"key": key, "label": labels.get(key), "value": value}
                              for key, value in sorted(fields.items())],
        "communities": [record.community],
        "comments": [{"author": comment.author, "time": to_wire(comment.time),
                      "text": comment.text} for comment in record.comments or []],
    }
