"""What an endpoint is sent for an event: the Standard Webhooks message itself, or the same
event in another envelope that the endpoint was made for (a TMF621 hub's ``TroubleTicket...
Event``s), each signed and delivered the same way.

An envelope is data: its name, stored on the endpoint (``WebhookEndpoint.envelope``), names
the module whose ``messages(endpoint, event, record)`` renders it. One event may make several
messages (a ticket resolved is a status change and a resolution); each message's id, its
``webhook-id``, is the event's and a suffix after ``SEPARATOR``, so it is the same on every
retry and names the event it came from.
"""
import importlib

from .models import Event, WebhookEndpoint

__all__ = ["messages", "event_id_of", "ENVELOPES", "SEPARATOR"]

#: envelope name -> the module that renders it.
ENVELOPES = {"tmf621": "chalicelib.trouble_tickets.hub_events"}
SEPARATOR = "."


def event_id_of(message_id: str) -> str:
    """The id of the event a message came from (itself, for a Standard Webhooks message)."""
    return message_id.split(SEPARATOR, 1)[0]


def messages(endpoint: WebhookEndpoint, event: Event, record=None) -> list[tuple[str, str]]:
    """(message id, body) of each message that ``endpoint`` is sent for ``event``;
    ``record`` is the changed record when the caller has it (else it is read)."""
    if not endpoint.envelope:
        return [(event.message_id, event.body)]
    module = importlib.import_module(ENVELOPES[endpoint.envelope])
    return module.messages(endpoint, event, record)
