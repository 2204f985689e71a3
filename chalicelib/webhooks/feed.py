"""The events feed, and the messages that ``recover`` sends again: every event a reader may
read (``core.tenancy``), oldest first, by cursor.

A reader that reads one customer account's records only reads that account's partition of the
feed; one that reads every account's (of some scope) reads one partition per day, from
``since`` to today. Filters apply to what is read: a page reads at most ``READ_BUDGET`` times
its limit and may then be short, with a cursor to go on. Test messages are in no partition.
"""
import json
from collections.abc import Callable
from datetime import date, timedelta

from ..core import auth, cursors, tenancy, timestamps
from ..core.errors import BadRequest, FieldError
from ..events.matching import tenancy_of
from ..events.models import NO_ACCOUNT, RETENTION, Event

__all__ = ["page", "message", "events", "window", "partition_of", "READ_BUDGET"]

READ_BUDGET = 10
#: ``partition_of``'s answer for a reader who reads no account's records at all.
NOTHING = ""


def message(event: Event) -> dict:
    return {"id": event.message_id, **json.loads(event.body)}


def partition_of(reader) -> str | None:
    """The one account whose partition holds what ``reader`` may read; None when it reads
    every account's records of some scope (the partitions by day); ``NOTHING`` for none."""
    reaches = {tenancy.reach(reader, scope) for scope in reader.scopes or ()} - {None}
    if tenancy.EVERY_ACCOUNT in reaches:
        return None
    return reader.account if reaches else NOTHING


def readable(reader) -> Callable[[Event], bool]:
    def check(event: Event) -> bool:
        account = None if event.account == NO_ACCOUNT else event.account
        found = tenancy_of(event)
        return tenancy.may_read(reader, found.scope, account, found.restricted_to)
    return check


def _partitions(account: str | None, since: str):
    if account is not None:
        yield Event.by_account, account
        return
    day = date.fromisoformat(since[:10])
    today = timestamps.now().date()
    while day <= today:
        yield Event.by_day, day.isoformat()
        day += timedelta(days=1)


def window(since: str | None, until: str | None = None) -> tuple[str, str | None]:
    """``[since, until)`` as stored times, ``since`` clamped to the feed's reach (30 days
    back; the default); 400 naming ``until`` when it is not after ``since``."""
    oldest = timestamps.to_storage(timestamps.now() - RETENTION)
    since = max(since or oldest, oldest)
    if until is not None and until <= since:
        raise BadRequest("until must be later than since (and than the feed's reach, "
                         f"{RETENTION.days} days back).", [FieldError("until", "invalid")])
    return since, until


def events(partition: str | None, check: Callable[[Event], bool], since: str,
           after: str | None, types: set[str] | None, until: str | None = None,
           limit: int = 50):
    """(events, the position to go on from or None) of ``partition`` (an account, or None:
    every day's) that pass ``check``; at most ``READ_BUDGET * limit`` read."""
    if partition == NOTHING:
        return [], None
    start = max(after or "", since)
    found, budget = [], READ_BUDGET * limit
    for index, key in _partitions(partition, since):
        if index is Event.by_day and key < start[:10]:
            continue  # a cursor's day is later
        if until and index is Event.by_day and key > until[:10]:
            break
        condition = Event.position > start if start else None
        if until:
            condition = Event.position.between(start, until) if start else \
                Event.position < until
        for event in index.query(key, condition, limit=budget):
            budget -= 1
            if until and event.position >= until:
                return found, None
            if check(event) and (not types or event.type in types):
                found.append(event)
                if len(found) == limit:
                    return found, event.position
            if budget == 0:
                return found, event.position
    return found, None


def page(principal: auth.Principal, params: dict) -> tuple[list[dict], str | None]:
    """A page of the feed and the cursor of the next one (None: nothing more now)."""
    given = timestamps.to_storage(params["since"]) if params.get("since") else None
    since, _ = window(given)
    types = set(params["types"].split(",")) if params.get("types") else None
    # the query as asked: the default since moves with the clock
    query = {"since": given, "types": sorted(types or ())}
    after = cursors.decode(params.get("cursor"), query)
    found, position = events(partition_of(principal), readable(principal), since, after,
                             types, limit=params.get("limit", 50))
    return [message(e) for e in found], position and cursors.encode(position, query)
