"""External ids, acknowledgements and optimistic-locked writes of tracked records.

The records are ``core.records.TrackedRecord`` models; ``save`` writes one with the companion
items it derives, in one transaction.
"""
import random
import time

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from . import actors, db, timestamps, unique_keys
from .errors import Conflict, FieldError, NotFound

__all__ = ["save", "add_to", "change", "mark_changed", "set_extid", "get_tracked",
           "find_by_extid", "acknowledge", "retry_on_conflict", "extid_taken"]

_ATTEMPTS = 12


def retry_on_conflict(attempt):
    """Run ``attempt()`` again while its optimistic-locked write loses a race.

    Each try re-reads the record, so the winner's change is kept and ours applies on top of
    it (or is refused by the rules, as if it came second). Jittered backoff spreads the
    retries of many writers; if one still loses every time, it gets a 409 to retry later.
    """
    for round_ in range(_ATTEMPTS):
        try:
            return attempt()
        except Exception as error:  # noqa: BLE001 - re-raised unless it is a lost race
            if db.is_too_large(error):
                raise Conflict("The record has reached its size limit and cannot grow any "
                               "further.") from None
            if not db.is_conditional_failure(error):
                raise
            time.sleep(random.uniform(0, 0.005 * 2 ** min(round_, 6)))
    raise Conflict("The record was changed by other clients at the same moment; try again.")


def save(record, condition=None, claims=(), releases=(), claim_updates=()) -> None:
    """Write ``record`` (version-checked) with its companion items in one transaction.

    ``claims`` are unique keys to create (each only if it does not exist yet); ``releases``
    are (unique key, condition) pairs to delete; ``claim_updates`` are (unique key, update
    actions, condition) triples.
    """
    with TransactWrite(connection=db.connection()) as transaction:
        add_to(transaction, record, condition)
        for claim in claims:
            transaction.save(claim, condition=unique_keys.UniqueKey.key.does_not_exist())
        for item, release_condition in releases:
            transaction.delete(item, condition=release_condition)
        for item, actions, update_condition in claim_updates:
            transaction.update(item, actions, condition=update_condition)


def add_to(transaction, record, condition=None) -> None:
    """Put ``record`` and its companions into ``transaction``."""
    actors.stamp(record)
    saves, deletes = record.companions()
    transaction.save(record, condition=condition)
    for item in saves:
        transaction.save(item)
    for item, delete_condition in deletes:
        transaction.delete(item, condition=delete_condition)


def change(load, apply):
    """Load a record, apply a change as of now, flag it for external systems, and save it.

    ``apply(record, when)`` edits the record, raising an ApiError to refuse, and may return
    keyword arguments for ``save`` (claims, releases). A lost race loads and applies again, so
    the rules always judge the latest state.
    """
    def attempt():
        record = load()
        when = timestamps.storage_now()
        extra = apply(record, when) or {}
        record.last_update_time = when
        mark_changed(record, when)
        record.refresh_feeds()
        save(record, **extra)
        return record
    return retry_on_conflict(attempt)


def mark_changed(record, when: str) -> None:
    """Flag ``record`` as changed for external systems, as of ``when`` (kept if older)."""
    record.unacked_since = record.unacked_since or when
    record.changed_version = (record.version or 0) + 1  # the version this write will have


def get_tracked(model, identifier: str, label: str):
    try:
        return model.get(identifier, consistent_read=True)
    except model.DoesNotExist:
        raise NotFound(f"The {label} {identifier} does not exist.") from None


def find_by_extid(model, kind: str, extid: str, label: str):
    owner = unique_keys.owner_of(kind, extid)
    if owner is None:
        raise NotFound(f"No {label} has the external identifier {extid}.")
    return get_tracked(model, owner, label)


def set_extid(model, kind: str, identifier: str, extid: str, label: str):
    """Give the record ``extid``: 404 if it does not exist, 409 if another record holds it."""
    def attempt():
        record = get_tracked(model, identifier, label)
        if record.extid == extid:
            return record
        previous = record.extid
        record.extid = extid
        key = unique_keys.UniqueKey
        claim = key(unique_keys.claim_key(kind, extid), owner=identifier)
        release = [(key(unique_keys.claim_key(kind, previous)), key.owner == identifier)
                   ] if previous else []
        try:
            save(record, claims=[claim], releases=release)
        except TransactWriteError:
            if unique_keys.owner_of(kind, extid) not in (None, identifier):
                raise extid_taken(extid, label, "extid") from None
            raise  # the record itself changed meanwhile: retried
        # (Which item of a transaction failed is no guide: PynamoDB regroups the items.)
        return record
    return retry_on_conflict(attempt)


def extid_taken(extid: str, label: str, xpath: str) -> Conflict:
    return Conflict(f"The external identifier {extid} is already in use by another {label}.",
                    [FieldError(xpath, "taken")])


def _clear(record, seen_version: int | None, with_children: bool) -> bool:
    """Clear what ``record`` carried up to ``seen_version``; True if anything changed."""
    current = record.version or 0
    seen = current if seen_version is None else min(seen_version, current)
    before = record.acknowledgement_state()
    oldest_unseen = record.acknowledge_children(seen) if with_children else None
    if record.unacked_since and (record.changed_version or 0) <= seen:
        record.unacked_since = None
    elif record.unacked_since and oldest_unseen:
        record.unacked_since = oldest_unseen  # flagged since its oldest change still unseen
    return before != record.acknowledgement_state()


def acknowledge(model, label: str, references: list[tuple[str, int | None]],
                with_children: bool, extid_kind: str | None = None) -> None:
    """Acknowledge records named by LEAP ids (or extids when ``extid_kind`` is given).

    Each reference may carry the version the client saw: changes after it stay flagged.
    All or nothing: an unknown reference is a 404 that names it, and nothing changes.
    """
    seen_by_reference: dict[str, int | None] = {}
    for reference, seen_version in references:  # a reference named twice counts once
        known = seen_by_reference.get(reference, seen_version)
        seen_by_reference[reference] = None if None in (known, seen_version) else max(
            known, seen_version)

    def attempt():
        records = []
        for reference, seen_version in seen_by_reference.items():
            if extid_kind:
                record = find_by_extid(model, extid_kind, reference, label)
            else:
                record = get_tracked(model, reference, label)
            records.append((record, seen_version))
        dirty = [record for record, seen in records if _clear(record, seen, with_children)]
        if not dirty:
            return
        with TransactWrite(connection=db.connection()) as transaction:
            for record in dirty:
                record.refresh_feeds()
                add_to(transaction, record)
    retry_on_conflict(attempt)

