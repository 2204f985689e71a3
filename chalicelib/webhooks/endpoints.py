"""Webhook endpoints: made, changed and removed by their owner only (another client's is a
404), each with its own secret, stored encrypted."""
import time
import uuid

from pynamodb.exceptions import PutError

from ..core import auth, db, timestamps
from ..core.errors import BadRequest, Conflict, FieldError, NotFound
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
    one; else the one asked for (None: every account)."""
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


def create(principal: auth.Principal, body: dict, envelope: dict | None = None
           ) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of ``principal``, and its secret (shown once). ``envelope``: the
    attributes of an endpoint that takes another envelope (a TMF621 hub's)."""
    mine = WebhookEndpoint.by_client.query(principal.client_id, limit=MAX_PER_CLIENT + 1)
    if sum(1 for _ in mine) >= MAX_PER_CLIENT:
        raise BadRequest(f"A client has at most {MAX_PER_CLIENT} endpoints.",
                         [FieldError("url", "invalid")])
    url = checked_url(body["url"])
    text, secret = secrets.create()
    now = timestamps.storage_now()
    identifier = "ep_" + uuid.uuid4().hex
    endpoint = WebhookEndpoint(
        identifier, client_id=principal.client_id,
        account=_account(principal, body.get("account")),
        scopes=set(principal.scopes), url=url,
        event_types=_checked_types(body.get("event_types")),
        description=body.get("description", ""),
        exclude_own_changes=body.get("exclude_own_changes", True),
        notify_email=body.get("notify_email"), secrets=[secret], created=now, updated=now,
        created_key=f"{now}#{identifier}", **(envelope or {}))
    endpoint.save(condition=WebhookEndpoint.endpoint_id.does_not_exist())
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
    endpoint.scopes = set(principal.scopes)  # what its owner may read now
    _save_revision(endpoint)
    return endpoint


def _save_revision(endpoint: WebhookEndpoint) -> None:
    """Save the owner's change, unless another change of the owner's came first (409)."""
    read = endpoint.revision
    endpoint.revision, endpoint.updated = read + 1, timestamps.storage_now()
    try:
        endpoint.save(condition=WebhookEndpoint.revision == read)
    except PutError as error:
        if db.is_conditional_failure(error):
            raise Conflict("The endpoint changed meanwhile: read it again and retry.") \
                from None
        raise


def delete(principal: auth.Principal, endpoint_id: str) -> None:
    find(principal, endpoint_id).delete()


def rotate(principal: auth.Principal, endpoint_id: str) -> str:
    """A new secret; the current ones keep signing for ``ROTATION_GRACE_SECONDS`` at most."""
    endpoint = find(principal, endpoint_id)
    text, secret = secrets.create()
    retires = int(time.time()) + secrets.ROTATION_GRACE_SECONDS
    for old in endpoint.secrets:
        old.retires_at = min(old.retires_at or retires, retires)
    endpoint.secrets = [secret] + [s for s in endpoint.secrets if s.retires_at > time.time()]
    _save_revision(endpoint)
    return text
