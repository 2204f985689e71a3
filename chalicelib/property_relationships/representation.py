"""Property relationships as the plain data of the spec's schemas."""
from ..accounts import representation as accounts
from ..core.timestamps import to_wire
from ..properties import representation as properties
from .models import PropertyRelationship

__all__ = ["ref", "relationship"]


def ref(record: PropertyRelationship, base_url: str) -> dict:
    return {"ref": f"{base_url}/api/v1/property-relationship/{record.identifier}",
            "identifier": record.identifier, "extid": record.extid}


def relationship(record: PropertyRelationship, base_url: str, account=None,
                 estate=None) -> dict:
    """With the account and property records, their references carry extid and flags."""
    account_link = {"identifier": record.account, "ref": accounts.url(base_url, record.account)}
    if account is not None:
        account_link.update(extid=account.extid,
                            **{"unacked-since": to_wire(account.unacked_since)})
    return {
        **ref(record, base_url),
        "unacked-since": to_wire(record.unacked_since),
        "version": record.version,
        "property": properties.link(record.property_identifier, base_url, estate),
        "account": account_link,
        "relationship": record.relationship,
        "start-date": record.start_date,
        "end-date": record.end_date,
    }
