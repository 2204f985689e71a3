"""Support requests as Open311 service requests: one, a list, a token; public reads.

Nothing is public unless the desk made it so (``SupportRequest.published``): an Open311 report
of a topic the desk made public, or a request the desk published. Any other request has no
entries in the report index, and reading it by id is a 404 as for an id that does not exist.
A public read shows what the GeoReport standard needs for the public and nothing more: no
staff names, no comment but the desk's public notes, no reporter (e-mail, names, phone,
account).
"""
from datetime import timedelta

from ..core import timestamps
from ..core.errors import BadRequest, FieldError, NotFound
from ..support_requests.models import SupportRequest
from ..support_requests.report_index import ReportEntry, feed_key, service_code, status_of

__all__ = ["document", "one", "listed", "by_ids", "WINDOW", "MOST", "MAX_IDS"]

#: The longest window of ``start_date`` to ``end_date``, and the default: the last 90 days.
WINDOW = timedelta(days=90)
#: The most requests one list answers (the standard's default limit).
MOST = 1000
#: The most ids one ``service_request_id`` list may name, and the longest id (as the path's).
MAX_IDS = 100
MAX_ID_LENGTH = 64
#: Open311's ``description`` holds at most 4,000 characters; LEAP's, 10,000.
DESCRIPTION_LENGTH = 4000


def _time(stored: str | None) -> str | None:
    """``2026-12-01T09:30:00.000Z`` -> ``2026-12-01T09:30:00Z`` (W3C's ISO 8601 subset)."""
    return None if stored is None else stored[:19] + "Z"


def document(request: SupportRequest) -> dict:
    """The standard's ``request`` of a support request."""
    report = request.report
    return {
        "service_request_id": request.identifier,
        "status": status_of(request.state),
        "status_notes": request.public_notes,
        "service_name": request.sub_topic or request.topic,
        "service_code": service_code(request.topic, request.sub_topic),
        "description": request.description and request.description[:DESCRIPTION_LENGTH],
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": _time(request.creation_time),
        "updated_datetime": _time(request.last_update_time),
        "expected_datetime": None,
        "address": report and report.address,
        "address_id": request.property_identifier,
        "zipcode": None,
        "lat": report and report.lat,
        "long": report and report.long,
        "media_url": report and report.media_url,
    }


def one(identifier: str) -> SupportRequest:
    """The request ``identifier`` if it is published; 404 for any other, alike."""
    try:
        request = SupportRequest.get(identifier, consistent_read=True)
    except SupportRequest.DoesNotExist:
        request = None
    if request is None or not request.published:
        raise NotFound(f"No service request {identifier}.",
                       [FieldError("service_request_id", "invalid")])
    return request


def by_ids(text: str) -> list[SupportRequest]:
    """The published requests among the comma-separated ids, in their order (unknown and
    unpublished ones are left out, as a filter leaves them)."""
    ids = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not ids or len(ids) > MAX_IDS or any(len(i) > MAX_ID_LENGTH for i in ids):
        raise BadRequest(f"service_request_id names 1 to {MAX_IDS} ids of at most "
                         f"{MAX_ID_LENGTH} characters, comma-separated.",
                         [FieldError("service_request_id", "invalid")])
    found = {request.identifier: request
             for request in SupportRequest.batch_get(ids, consistent_read=True)}
    return [found[i] for i in ids if i in found and found[i].published]


def window(start, end) -> tuple[str, str]:
    """[start, end) as stored times: 90 days at most; the last 90 days by default."""
    if start and end and end - start > WINDOW:
        raise BadRequest("start_date to end_date spans 90 days at most.",
                         [FieldError("end_date", "invalid")])
    if start and end and end < start:
        raise BadRequest("end_date is before start_date.", [FieldError("end_date", "invalid")])
    end = end or ((start + WINDOW) if start else timestamps.now())
    start = start or (end - WINDOW)
    return timestamps.to_storage(start), timestamps.to_storage(end)


def listed(service: str | None, status: str | None, start, end, offset: int = 0,
           limit: int = MOST) -> list[SupportRequest]:
    """The newest visible requests raised in the window (of ``service``, in ``status``): one
    Query of the report index reading ``offset + limit`` entries at most, then their
    requests by key."""
    low, high = window(start, end)
    entries = ReportEntry.query(feed_key(service, status), ReportEntry.order.between(low, high),
                                scan_index_forward=False, limit=offset + limit,
                                page_size=min(offset + limit, MOST))
    ids = [entry.request for entry in entries][offset:offset + limit]
    found: dict[str, SupportRequest] = {}
    for start_at in range(0, len(ids), MAX_IDS):  # BatchGetItem takes 100 keys a call
        found.update((request.identifier, request) for request in SupportRequest.batch_get(
            ids[start_at:start_at + MAX_IDS], consistent_read=True))
    # an entry written with its request is never without it; an unpublished one has none
    # (but for entries written before the desk's opt-in, until ops.admin open311-privacy)
    return [found[i] for i in ids if i in found and found[i].published]
