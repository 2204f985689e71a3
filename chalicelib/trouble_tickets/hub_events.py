"""A ticket's events in TMF621's envelope, for the hubs (``events.envelopes``)::

    {"@type": "TroubleTicketStatusChangeEvent", "eventId": "msg_....TroubleTicketStatusChangeEvent",
     "eventTime": "...", "eventType": "TroubleTicketStatusChangeEvent", "correlationId":
     "msg_...", "domain": "troubleTicket", "event": {"troubleTicket": {...}}}

``SOURCES`` says which of the product's event types each TMF type follows; ``_kinds`` which
TMF types one event makes (a move to resolved is a status change and a resolution). The
ticket is shown as GET shows it to the hub's client, from the record the change wrote (read
again when a message is sent again, so a recovered message shows the ticket as it is now).
"""
import json

from ..cases.access import OPERATOR_SCOPE, newest_notes
from ..cases.models import Case, CaseNote
from ..core.config import settings
from ..events import bounds
from ..events.envelopes import SEPARATOR
from ..events.matching import owner
from ..events.models import Event, WebhookEndpoint
from .representation import ticket

__all__ = ["messages", "EVENT_TYPES", "SOURCES"]

SOURCES = {
    "TroubleTicketCreateEvent": ("ticket.created",),
    # a cancellation is a status change too (its ticket.status_changed event)
    "TroubleTicketStatusChangeEvent": ("ticket.status_changed",),
    "TroubleTicketResolvedEvent": ("ticket.status_changed",),
    "TroubleTicketInformationRequiredEvent": ("ticket.status_changed",),
    "TroubleTicketAttributeValueChangeEvent": ("ticket.updated", "ticket.note_added"),
}
EVENT_TYPES = tuple(SOURCES)
#: The TMF type a status change makes besides TroubleTicketStatusChangeEvent, by new status.
_BESIDES = {"RESOLVED": "TroubleTicketResolvedEvent",
            "ACTION_REQUIRED": "TroubleTicketInformationRequiredEvent"}


def _kinds(event: Event, case: Case) -> list[str]:
    kinds = [tmf for tmf, ours in SOURCES.items() if event.type in ours
             and tmf not in _BESIDES.values()]
    if event.type == "ticket.status_changed" and case.status in _BESIDES:
        kinds.append(_BESIDES[case.status])
    return kinds


def _case(event: Event, record) -> Case:
    if isinstance(record, Case):
        return record
    if isinstance(record, CaseNote):
        return Case.get(record.case_number, consistent_read=True)
    number = json.loads(event.body)["data"]["id"].split("/")[0]
    return Case.get(number, consistent_read=True)


def messages(endpoint: WebhookEndpoint, event: Event, record=None) -> list[tuple[str, str]]:
    if not event.type.startswith("ticket"):
        return [(event.message_id, event.body)]  # a webhook.test message, as it is
    try:
        case = _case(event, record)
    except Case.DoesNotExist:
        return []
    current = owner(endpoint.client_id)  # its INTERNAL notes: the desk's, as it is now
    operator = current is not None and OPERATOR_SCOPE in (current.scopes or ())
    # the newest notes only (a long conversation: the listener GETs the ticket's href)
    notes = newest_notes(case, bounds.NEWEST, operator)
    shown = ticket(case, notes, settings.public_base_url or "http://localhost")
    sent = []
    for kind in _kinds(event, case):
        if endpoint.envelope_types is not None and kind not in endpoint.envelope_types:
            continue
        message_id = f"{event.message_id}{SEPARATOR}{kind}"
        sent.append((message_id, _body(message_id, kind, event, shown)))
    return sent


def _body(message_id: str, kind: str, event: Event, shown: dict) -> str:
    """TMF's envelope of ``shown``, which fits ``bounds.MAX_BYTES`` (its largest fields left
    out, named in the envelope's ``truncated``, when it would not)."""
    envelope = {"@type": kind, "eventId": message_id, "eventTime": event.timestamp,
                "eventType": kind, "correlationId": event.message_id,
                "domain": "troubleTicket", "timeOccurred": event.timestamp}
    fitted = bounds.fit({"ticket": shown}, parts=("ticket",),
                        most=bounds.MAX_BYTES - bounds.size_of(envelope) - 64)
    if fitted.get("truncated"):
        envelope["truncated"] = [name.replace("ticket.", "event.troubleTicket.", 1)
                                 for name in fitted["truncated"]]
    return json.dumps({**envelope, "event": {"troubleTicket": fitted["ticket"]}},
                      separators=(",", ":"))
