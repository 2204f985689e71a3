"""The events feed, and the messages that ``recover`` sends again: every event a client may
read, oldest first, by cursor.

A client bound to a customer account reads that account's partition of the feed; one that
sees every account reads one partition per day, from ``since`` to today. Filters apply to
what is read: a page reads at most ``READ_BUDGET`` times its limit and may then be short,
with a cursor to go on.
"""
import json
from datetime import date, timedelta

from ..core import auth, cursors, timestamps
from ..events.matching import readable_by
from ..events.models import RETENTION, Event

__all__ = ["page", "message", "READ_BUDGET"]

READ_BUDGET = 10


def message(event: Event) -> dict:
    return {"id": event.message_id, **json.loads(event.body)}


def _partitions(account: str | None, since: str):
    if account is not None:
        yield Event.by_account, account
        return
    day = date.fromisoformat(since[:10])
    today = timestamps.now().date()
    while day <= today:
        yield Event.by_day, day.isoformat()
        day += timedelta(days=1)


def events(scopes: set[str], account: str | None, since: str, after: str | None,
           types: set[str] | None, until: str | None = None, limit: int = 50):
    """(events, the position to go on from or None); at most ``READ_BUDGET * limit`` read."""
    start = max(after or "", since)
    found, budget = [], READ_BUDGET * limit
    for index, partition in _partitions(account, since):
        if index is Event.by_day and partition < start[:10]:
            continue  # a cursor's day is later
        condition = Event.position > start if start else None
        if until:
            condition = Event.position.between(start, until) if start else \
                Event.position < until
        for event in index.query(partition, condition, limit=budget):
            budget -= 1
            if (readable_by(event, scopes, account) and not event.type.startswith("webhook.")
                    and (not types or event.type in types)):
                found.append(event)
                if len(found) == limit:
                    return found, event.position
            if budget == 0:
                return found, event.position
    return found, None


def page(principal: auth.Principal, params: dict) -> tuple[list[dict], str | None]:
    """A page of the feed and the cursor of the next one (None: nothing more now)."""
    oldest = timestamps.to_storage(timestamps.now() - RETENTION)
    since = timestamps.to_storage(params["since"]) if params.get("since") else oldest
    types = set(params["types"].split(",")) if params.get("types") else None
    # the query as asked: the default since moves with the clock
    query = {"since": since if params.get("since") else None, "types": sorted(types or ())}
    after = cursors.decode(params.get("cursor"), query)
    found, position = events(principal.scopes, principal.account, max(since, oldest), after,
                             types, limit=params.get("limit", 50))
    return [message(e) for e in found], position and cursors.encode(position, query)
