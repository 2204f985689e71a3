"""Which endpoints an event goes to, and whether a message may still reach one.

An endpoint reads as its owner reads *now* (``core.tenancy``: the owner's current scopes and
account; a disabled or deleted owner reads nothing), narrowed to the account the endpoint was
made for, to its event types, and to changes made after it existed; it may leave out its own
client's changes (no loop when a receiver writes back). A test message belongs to its endpoint
alone. The same rule is asked at fan-out, at each delivery attempt, and by ``redeliver`` and
``recover``.
"""
from ..core import tenancy
from ..core.auth import ApiClient
from .models import NO_ACCOUNT, Event, WebhookEndpoint

__all__ = ["Tenancy", "owners", "owner", "endpoint_reads", "matches", "Subscribers",
           "tenancy_of"]


class Tenancy:
    """What the rule needs of an event: the scope that reads it, its account (NO_ACCOUNT for
    none), the scope it is restricted to, and for a test message its endpoint."""

    def __init__(self, scope: str, account: str | None, restricted_to: str | None = None,
                 endpoint_id: str | None = None) -> None:
        self.scope, self.account = scope, account
        self.restricted_to, self.endpoint_id = restricted_to, endpoint_id

    def as_list(self) -> list:
        return [self.scope, self.account, self.restricted_to, self.endpoint_id]

    @classmethod
    def from_list(cls, values: list) -> "Tenancy":
        return cls(*values)


def tenancy_of(event: Event) -> Tenancy:
    return Tenancy(event.scope, event.account, event.restricted_to, event.endpoint_id)


def owners(client_ids) -> dict[str, ApiClient]:
    """The enabled clients among ``client_ids``, as they are now (read strongly
    consistently: a client disabled a moment ago is disabled here)."""
    wanted = sorted(set(client_ids))
    found = ApiClient.batch_get(wanted, consistent_read=True) if wanted else []
    return {client.client_id: client for client in found if not client.disabled}


def owner(client_id: str) -> ApiClient | None:
    return owners([client_id]).get(client_id)


def endpoint_reads(endpoint: WebhookEndpoint, current_owner: ApiClient | None,
                   event: Tenancy) -> bool:
    """Whether ``endpoint``, whose owner is ``current_owner`` (None: disabled or deleted),
    may be sent an event of ``event``'s tenancy."""
    if current_owner is None:
        return False
    if event.endpoint_id is not None:  # a test message
        return event.endpoint_id == endpoint.endpoint_id
    account = None if event.account in (None, NO_ACCOUNT) else event.account
    return (tenancy.may_read(current_owner, event.scope, account, event.restricted_to)
            and (endpoint.account is None or endpoint.account == account))


def matches(endpoint: WebhookEndpoint, event: Event, current_owner: ApiClient | None) -> bool:
    return (endpoint.status == "enabled"
            and (endpoint.event_types is None or event.type in endpoint.event_types)
            and (event.changed or event.timestamp) >= endpoint.created
            and endpoint_reads(endpoint, current_owner, tenancy_of(event))
            and not (endpoint.exclude_own_changes and event.actor == endpoint.client_id))


class Subscribers:
    """Every enabled endpoint and its owner as it is now, read once for a change's events:
    strongly consistently (an endpoint made a moment ago gets the next change). The endpoints
    are few (at most ``MAX_PER_CLIENT`` per client), so this is one Scan, and one BatchGetItem
    of their owners (none when there is no endpoint)."""

    def __init__(self) -> None:
        self.endpoints = list(WebhookEndpoint.scan(WebhookEndpoint.status == "enabled",
                                                   consistent_read=True))
        self.owners = owners(endpoint.client_id for endpoint in self.endpoints)

    def of(self, event: Event) -> list[WebhookEndpoint]:
        return [endpoint for endpoint in self.endpoints
                if matches(endpoint, event, self.owners.get(endpoint.client_id))]
