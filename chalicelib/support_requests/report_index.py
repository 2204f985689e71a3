"""The index of public reports: where Open311's ``requests`` lists find support requests.

Each published request (``SupportRequest.published``: nothing else is public) has one small
entry per list it belongs to, ordered by when
it was raised (Open311's ``requested_datetime``): every report, the open ones, those of its
service, and its service's open ones. The entries are written in the same transaction as the
request (its ``companions``), and the request keeps the keys it wrote, so that a change of
state or of privacy deletes exactly the entries that no longer hold. A list is then one Query
of one partition, whichever filter it has, and reads its requests by key.

One table of entries rather than a GSI per list: a deployed table takes one new GSI per
update, and the four lists would need four.
"""
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from ..core.db import meta, shares_connection

__all__ = ["ReportEntry", "entry_keys", "entries_to_write", "feed_key", "service_code",
           "status_of", "OPEN_STATES", "SERVICE_SEPARATOR"]

#: The states that Open311 calls ``open``; the others (terminal) are ``closed``.
OPEN_STATES = ("NEW", "IN_PROGRESS", "PROBLEM")
#: Between a topic and its sub-topic in a service code: ``Parking:Stolen Spot``.
SERVICE_SEPARATOR = ":"
_KEY_SEPARATOR = "\u001f"  # no topic holds it (a service code has no control characters)


@shares_connection
class ReportEntry(Model):
    """One request's place in one list (``feed``), ordered by ``order``."""
    Meta = meta("reports")
    feed = UnicodeAttribute(hash_key=True)  # feed_key(service, status); both None: all
    order = UnicodeAttribute(range_key=True)  # "<creation time>#<identifier>"
    request = UnicodeAttribute()


def feed_key(service: str | None = None, status: str | None = None) -> str:
    """The partition of the list of reports of ``service`` (any: None) in ``status``
    (``open``, ``closed``; any: None)."""
    return _KEY_SEPARATOR.join(["reports", service or "*", status or "*"])


def service_code(topic: str, sub_topic: str | None) -> str:
    return topic + (SERVICE_SEPARATOR + sub_topic if sub_topic else "")


def status_of(state: str) -> str:
    return "open" if state in OPEN_STATES else "closed"


def entry_keys(request) -> list[str]:
    """The lists a request belongs to now, each as its feed and order in one string (none
    for a request that is not published)."""
    if not request.published:
        return []
    service = service_code(request.topic, request.sub_topic)
    status = status_of(request.state)
    order = f"{request.creation_time}#{request.identifier}"
    feeds = [feed_key(), feed_key(status=status), feed_key(service),
             feed_key(service, status)]
    return [feed + _KEY_SEPARATOR + order for feed in feeds]


def entries_to_write(request) -> tuple[list[ReportEntry], list[ReportEntry]]:
    """(entries to put, entries to delete) so that the index holds ``entry_keys(request)``;
    ``request.report_keys`` becomes those keys."""
    wanted = entry_keys(request)
    held = list(request.report_keys or [])
    request.report_keys = wanted

    def entry(key: str) -> ReportEntry:
        feed, _, order = key.rpartition(_KEY_SEPARATOR)  # an order holds no separator
        return ReportEntry(feed, order, request=request.identifier)
    return ([entry(key) for key in wanted if key not in held],
            [entry(key) for key in held if key not in wanted])
