"""``/hub``: a TMF621 listener's subscription, made a webhook endpoint of its client (the
events machinery: its tenancy, retries, signing and target rules) that takes TMF's envelope
(``hub_events``). Only its own client sees or removes it (404 otherwise)."""
import re

from ..cases import access
from ..core import auth
from ..core.errors import BadRequest, FieldError, NotFound
from ..events.models import WebhookEndpoint
from ..webhooks import endpoints
from .hub_events import EVENT_TYPES, SOURCES

__all__ = ["create", "find", "delete", "shown", "PATH"]

PATH = "/tmf-api/troubleTicket/v5/hub"
ENVELOPE = "tmf621"
_QUERY = re.compile(r"^eventType=([A-Za-z,]+)$")


def _event_types(query: str) -> list[str] | None:
    """The TMF event types that ``query`` asks for (None: every one), or 400 naming it."""
    query = query.strip()
    if not query:
        return None
    names: list[str] = []
    for part in query.split("&"):
        match = _QUERY.match(part.strip().replace(" ", ""))
        if not match:
            raise BadRequest("query is empty (every event) or eventType=A,B, naming any of "
                             + ", ".join(EVENT_TYPES) + ".", [FieldError("query", "invalid")])
        names += match.group(1).split(",")
    wanted = []
    for name in names:
        known = next((t for t in EVENT_TYPES if t.lower() == name.lower()), None)
        if known is None:
            raise BadRequest(f"No event type {name}: the hub sends " + ", ".join(EVENT_TYPES)
                             + ".", [FieldError("query", "invalid")])
        if known not in wanted:
            wanted.append(known)
    return wanted


def create(principal: auth.Principal, body: dict, key=None
           ) -> tuple[WebhookEndpoint, str | None]:
    """A new hub of ``principal``'s client, and its signing secret (shown once; None for a
    create retried with the same Idempotency-Key ``key``). Only a client that may read
    tickets makes one (403 as the ticket operations answer: ``access.tenant``)."""
    access.tenant(principal)
    callback = endpoints.checked_url(body["callback"], "callback")
    query = body.get("query", "")
    wanted = _event_types(query)
    types = sorted({ours for tmf in (wanted or EVENT_TYPES) for ours in SOURCES[tmf]})
    return endpoints.create(principal, {
        "url": callback, "event_types": types, "description": "TMF621 hub",
        "exclude_own_changes": False}, envelope={
        "envelope": ENVELOPE, "envelope_types": wanted, "hub_query": query}, key=key)


def find(principal: auth.Principal, hub_id: str) -> WebhookEndpoint:
    try:
        endpoint = endpoints.find(principal, hub_id)
    except NotFound:
        endpoint = None
    if endpoint is None or endpoint.envelope != ENVELOPE:
        raise NotFound(f"No hub {hub_id}.")
    return endpoint


def delete(principal: auth.Principal, hub_id: str) -> None:
    endpoints.remove(find(principal, hub_id))


def shown(endpoint: WebhookEndpoint, base_url: str, secret: str | None = None) -> dict:
    hub = {"@type": "Hub", "id": endpoint.endpoint_id,
           "href": f"{base_url}{PATH}/{endpoint.endpoint_id}", "callback": endpoint.url,
           "query": endpoint.hub_query or ""}
    if secret:
        hub["secret"] = secret
    return hub
