"""The rules of property relationships: associate, end, read, track, list."""
from datetime import date

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..accounts import service as accounts
from ..core import db, feeds, pages, timestamps, tracking, unique_keys
from ..core.errors import BadRequest, Conflict, FieldError
from ..core.idempotency import Idempotency
from ..properties import service as properties
from .models import KINDS, PropertyRelationship

__all__ = ["associate", "end", "get_relationship", "set_extid", "acknowledge",
           "list_relationships", "links", "holds", "LABEL", "EXTID_KIND"]

LABEL = "property relationship"
EXTID_KIND = "property-relationship-extid"
ACTIVE_KIND = "active-property-relationship"  # one live (account, property, kind) at a time


def _active_key(account: str, property_identifier: str, kind: str) -> str:
    return unique_keys.claim_key(ACTIVE_KIND, f"{account}#{property_identifier}#{kind}")


def associate(account_id: str, property_id: str, kind: str, start_date: str | None,
              idempotency: Idempotency | None = None) -> PropertyRelationship:
    """Relate an account to a property; 409 while the same relationship is live. Written
    with ``idempotency``'s claim when there is one (``core.idempotency.create_once``)."""
    if start_date is not None:
        try:
            date.fromisoformat(start_date)
        except ValueError:
            raise BadRequest(f"The start date {start_date} is not a date.", [
                FieldError("/associated-account/start-date", "invalid")]) from None

    def attempt():
        account = accounts.get_active_account(account_id,
                                              "/associated-account/account/@identifier")
        estate = properties.get_property(property_id)
        when = timestamps.storage_now()
        record = PropertyRelationship(
            str(unique_keys.next_number("property-relationship", 0)),
            account=account.identifier, property_identifier=estate.identifier,
            relationship=kind, start_date=start_date or when[:10], creation_time=when,
            last_update_time=when)
        tracking.mark_changed(record, when)
        record.refresh_feeds()
        accounts.link_relationship(account, record.identifier)
        key = unique_keys.UniqueKey
        claim = key(_active_key(account.identifier, estate.identifier, kind),
                    owner=record.identifier)
        today = when[:10]
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                tracking.add_to(transaction, record,
                                PropertyRelationship.identifier.does_not_exist())
                tracking.add_to(transaction, account)
                # free, or held by a relationship that has ended by today
                transaction.save(claim, condition=key.key.does_not_exist()
                                 | (key.live_until <= today))
                if idempotency:
                    transaction.save(idempotency.claim(record.identifier),
                                     condition=key.key.does_not_exist())
        except TransactWriteError:
            if idempotency and idempotency.earlier() is not None:  # made meanwhile: no retry
                raise Conflict(f"A create with {idempotency.key} made it meanwhile.") from None
            holder = _live_holder(claim.key, today)
            if holder is not None:
                raise Conflict(f"Account {account.identifier} already holds a live {kind} "
                               f"relationship to property {estate.identifier} "
                               f"({holder}).") from None
            raise  # the account changed meanwhile: retried
        return record
    return tracking.retry_on_conflict(attempt)


def end(end_date: str, identifier: str) -> PropertyRelationship:
    """End a live relationship (never before it started); it stays readable."""
    def apply(record, when):
        if record.end_date:
            raise Conflict(f"The {LABEL} {identifier} already ended on {record.end_date}.")
        invalid = [FieldError("/property-relationship-end/end-date", "invalid")]
        try:
            ends = date.fromisoformat(end_date)
        except ValueError:
            raise BadRequest(f"The end date {end_date} is not a date.", invalid) from None
        if ends < date.fromisoformat(record.start_date):
            raise BadRequest(f"The end date is before the start date {record.start_date}.",
                             invalid)
        record.end_date = end_date
        # The relationship stays live until its end date: its claim lapses then.
        key = unique_keys.UniqueKey
        return {"claim_updates": [(
            key(_active_key(record.account, record.property_identifier, record.relationship)),
            [key.live_until.set(end_date)], key.owner == record.identifier)]}
    return tracking.change(lambda: get_relationship(identifier), apply)


def _live_holder(claim_key: str, today: str) -> str | None:
    """The relationship that holds ``claim_key`` today, if any."""
    try:
        claim = unique_keys.UniqueKey.get(claim_key, consistent_read=True)
    except unique_keys.UniqueKey.DoesNotExist:
        return None
    if claim.live_until is not None and claim.live_until <= today:
        return None
    return claim.owner


def holds(account_id: str, property_id: str) -> bool:
    """Whether ``account_id`` owns or occupies ``property_id`` today (a live relationship)."""
    today = timestamps.storage_now()[:10]
    return any(_live_holder(_active_key(account_id, property_id, kind), today) is not None
               for kind in KINDS)


def get_relationship(identifier: str | None = None,
                     extid: str | None = None) -> PropertyRelationship:
    if extid is not None:
        return tracking.find_by_extid(PropertyRelationship, EXTID_KIND, extid, LABEL)
    return tracking.get_tracked(PropertyRelationship, identifier, LABEL)


def set_extid(identifier: str, extid: str) -> PropertyRelationship:
    return tracking.set_extid(PropertyRelationship, EXTID_KIND, identifier, extid, LABEL)


def acknowledge(references: list[tuple[str, int | None]], by_extid: bool) -> None:
    """Clears the relationships' own flags only, never those of accounts or properties."""
    tracking.acknowledge(PropertyRelationship, LABEL, references, False,
                         EXTID_KIND if by_extid else None)


def list_relationships(feed: feeds.Feed) -> pages.Page:
    return feeds.read_page(PropertyRelationship, feed)


def links(identifiers: list[str], base_url: str, with_flags: bool) -> list[dict]:
    """``<property-relationship>`` references for an account; with their flags if asked."""
    records = {}
    if with_flags and identifiers:
        records = {r.identifier: r for r in PropertyRelationship.batch_get(
            sorted(set(identifiers)), consistent_read=True)}
    entries = []
    for identifier in identifiers:
        entry = {"identifier": identifier,
                 "ref": f"{base_url}/api/v1/property-relationship/{identifier}"}
        if identifier in records:
            entry["unacked-since"] = timestamps.to_wire(records[identifier].unacked_since)
        entries.append(entry)
    return entries
