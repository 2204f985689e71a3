"""Webhook endpoints: made, changed and removed by their owner only (another client's is a
404), each with its own secret, stored encrypted.

A client holds ``MAX_PER_CLIENT`` endpoints at most: a counter in the unique keys table,
changed in the same transaction as the endpoint it counts, so that concurrent creates cannot
pass the cap.
"""
import uuid

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import auth, db, idempotency, timestamps
from ..core.errors import BadRequest, Conflict, FieldError, NotFound
from ..core.unique_keys import UniqueKey, claim_key
from ..events import catalogue, secrets, targets
from ..events.models import WebhookEndpoint

__all__ = ["create", "find", "change", "delete", "rotate", "MAX_PER_CLIENT", "shown",
           "checked_url"]

#: Endpoints one client may have (the fan-out reads every enabled one per event).
MAX_PER_CLIENT = 20


def checked_url(url: str, field: str = "url") -> str:
    """``url`` if it may be a target (events.targets), else 400 naming ``field``."""
    try:
        targets.check(url)
    except targets.RefusedTarget as refused:
        raise BadRequest(str(refused), [FieldError(field, "invalid")]) from None
    return url


def _checked_types(types: list[str] | None) -> list[str] | None:
    if types is None:
        return None
    known = catalogue.names()
    unknown = [position for position, name in enumerate(types) if name not in known]
    if unknown:
        raise BadRequest("Unknown event types: " + ", ".join(types[p] for p in unknown)
                         + " (GET /webhooks/v1/event-types lists them).",
                         [FieldError(f"event_types/{p}", "invalid") for p in unknown])
    return list(types)


def _account(principal: auth.Principal, wanted: str | None) -> str | None:
    """The customer account whose events an endpoint gets: its client's, when it is bound to
    one; else the one asked for (None: every account its client reads)."""
    if principal.account is not None and wanted not in (None, principal.account):
        raise BadRequest(f"This client acts for account {principal.account} only.",
                         [FieldError("account", "invalid")])
    return principal.account or wanted


def shown(endpoint: WebhookEndpoint) -> dict:
    return {"id": endpoint.endpoint_id, "url": endpoint.url, "account": endpoint.account,
            "event_types": endpoint.event_types, "description": endpoint.description,
            "exclude_own_changes": endpoint.exclude_own_changes,
            "notify_email": endpoint.notify_email, "status": endpoint.status,
            "disabled_reason": endpoint.disabled_reason, "created": endpoint.created,
            "updated": endpoint.updated}


def _counter(client_id: str) -> UniqueKey:
    """The count of ``client_id``'s endpoints; set from its endpoints the first time (a
    client whose endpoints were made before the counter)."""
    key = claim_key("webhook-endpoints", client_id)
    try:
        return UniqueKey.get(key, consistent_read=True)
    except UniqueKey.DoesNotExist:
        held = sum(1 for _ in WebhookEndpoint.by_client.query(client_id,
                                                              limit=MAX_PER_CLIENT + 1))
        counter = UniqueKey(key, value=held)
        try:
            counter.save(condition=UniqueKey.key.does_not_exist())
        except PutError as error:
            if not db.is_conditional_failure(error):
                raise
        return counter


def create(principal: auth.Principal, body: dict, envelope: dict | None = None,
           key: idempotency.Idempotency | None = None) -> tuple[WebhookEndpoint, str | None]:
    """A new endpoint of ``principal``, and its secret (shown once); for a create retried
    with the same ``key``, the first endpoint and None. ``envelope``: the attributes of an
    endpoint that takes another envelope (a TMF621 hub's)."""
    url = checked_url(body["url"])
    types = _checked_types(body.get("event_types"))
    account = _account(principal, body.get("account"))
    found, made = idempotency.create_once(
        key, lambda identifier: WebhookEndpoint.get(identifier, consistent_read=True),
        lambda: _create(principal, body, url, types, account, envelope, key))
    return found if made else (found, None)


def _create(principal, body, url, types, account, envelope, key):
    identifier = "ep_" + uuid.uuid4().hex
    text, secret = secrets.create(identifier)
    now = timestamps.storage_now()
    endpoint = WebhookEndpoint(
        identifier, client_id=principal.client_id, account=account, url=url,
        event_types=types, description=body.get("description", ""),
        exclude_own_changes=body.get("exclude_own_changes", True),
        notify_email=body.get("notify_email"), secrets=[secret], created=now, updated=now,
        created_key=f"{now}#{identifier}", **(envelope or {}))
    counter = _counter(principal.client_id)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.update(counter, actions=[UniqueKey.value.add(1)],
                               condition=UniqueKey.value < MAX_PER_CLIENT)
            transaction.save(endpoint, condition=WebhookEndpoint.endpoint_id.does_not_exist())
            if key is not None:
                transaction.save(key.claim(identifier),
                                 condition=UniqueKey.key.does_not_exist())
    except TransactWriteError as error:
        if not db.is_conditional_failure(error):
            raise
        raise BadRequest(f"A client has at most {MAX_PER_CLIENT} endpoints (delete one "
                         "first).", [FieldError("url", "invalid")]) from None
    return endpoint, text


def find(principal: auth.Principal, endpoint_id: str) -> WebhookEndpoint:
    try:
        endpoint = WebhookEndpoint.get(endpoint_id, consistent_read=True)
    except WebhookEndpoint.DoesNotExist:
        endpoint = None
    if endpoint is None or endpoint.client_id != principal.client_id:
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return endpoint


def change(principal: auth.Principal, endpoint_id: str, body: dict) -> WebhookEndpoint:
    endpoint = find(principal, endpoint_id)
    if "url" in body:
        endpoint.url = checked_url(body["url"])
    if "event_types" in body:
        endpoint.event_types = _checked_types(body["event_types"])
    if "account" in body:
        endpoint.account = _account(principal, body["account"])
    for name in ("description", "exclude_own_changes", "notify_email"):
        if name in body:
            setattr(endpoint, name, body[name])
    if body.get("status") == "enabled" and endpoint.status != "enabled":
        endpoint.status, endpoint.disabled_reason, endpoint.failing_since = \
            "enabled", None, None
    elif body.get("status") == "disabled":
        endpoint.status, endpoint.disabled_reason = "disabled", "Disabled by its owner."
    save_revision(endpoint)
    return endpoint


def save_revision(endpoint: WebhookEndpoint) -> None:
    """Save the owner's (or an operator's) change, unless another change came first (409)."""
    read = endpoint.revision
    endpoint.revision, endpoint.updated = read + 1, timestamps.storage_now()
    try:
        endpoint.save(condition=WebhookEndpoint.revision == read)
    except PutError as error:
        if db.is_conditional_failure(error):
            raise Conflict("The endpoint changed meanwhile: read it again and retry.") \
                from None
        raise


def remove(endpoint: WebhookEndpoint) -> None:
    """Delete ``endpoint`` and count it out of its client's, at once."""
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.delete(endpoint, condition=WebhookEndpoint.endpoint_id.exists())
            transaction.update(UniqueKey(claim_key("webhook-endpoints", endpoint.client_id)),
                               actions=[UniqueKey.value.add(-1)],
                               condition=UniqueKey.value > 0)
    except TransactWriteError as error:
        if not db.is_conditional_failure(error):
            raise
        endpoint.delete()  # made before the counter (or deleted meanwhile): nothing counted


def delete(principal: auth.Principal, endpoint_id: str) -> None:
    remove(find(principal, endpoint_id))


def rotate(principal: auth.Principal, endpoint_id: str, end_previous_now: bool = False) -> str:
    """A new secret; the current one keeps signing for ``ROTATION_GRACE_SECONDS`` at most
    (not at all with ``end_previous_now``), and no older one is kept."""
    endpoint = find(principal, endpoint_id)
    text = secrets.rotated(endpoint, end_previous_now)
    save_revision(endpoint)
    return text
