"""Which endpoints an event goes to: the owner's scopes and account (tenancy), its event
types, and whether it leaves out its own client's changes (no loop when a receiver writes
back)."""
from .models import NO_ACCOUNT, Event, WebhookEndpoint

__all__ = ["matches", "matching_endpoints", "readable_by"]


def readable_by(event: Event, scopes: set[str], account: str | None) -> bool:
    """Whether a client of ``scopes``, bound to ``account`` (None: every account), may read
    ``event``: tenancy is the same for deliveries and for the feed."""
    if event.type.startswith("webhook."):
        return True
    if event.scope not in scopes or (event.restricted_to and event.restricted_to not in scopes):
        return False
    return account is None or (event.account != NO_ACCOUNT and event.account == account)


def matches(endpoint: WebhookEndpoint, event: Event) -> bool:
    return (endpoint.status == "enabled"
            and (endpoint.event_types is None or event.type in endpoint.event_types)
            and readable_by(event, set(endpoint.scopes or ()), endpoint.account)
            and not (endpoint.exclude_own_changes and event.actor == endpoint.client_id))


def matching_endpoints(event: Event) -> list[WebhookEndpoint]:
    """Read strongly consistently: an endpoint made a moment ago gets the next change. The
    endpoints are few (at most ``MAX_PER_CLIENT`` per client), so this is one Scan."""
    return [endpoint for endpoint in WebhookEndpoint.scan(
        WebhookEndpoint.status == "enabled", consistent_read=True) if matches(endpoint, event)]
