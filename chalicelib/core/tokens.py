"""Bearer tokens: issued to an authenticated client (OAuth 2.0's token endpoints, the CRM
login), looked up by their digest on each call, ended on release or when they expire."""
import secrets
import time
from datetime import timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .auth import CHALLENGE, ApiClient, Principal, digest_of
from .config import settings
from .db import connection, is_conditional_failure, meta, shares_connection
from .errors import BadRequest, FieldError, Unauthorized

__all__ = ["AccessToken", "principal_of", "issue_token", "release_token"]


@shares_connection
class AccessToken(Model):
    Meta = meta("access_tokens")
    token_digest = UnicodeAttribute(hash_key=True)
    client_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scopes = UnicodeSetAttribute(default=set)
    account = UnicodeAttribute(null=True)  # the client's, when the token was issued
    expires_at = TTLAttribute()  # DynamoDB deletes expired tokens; reads check it too


def principal_of(token: str, scheme: str = "oauth2") -> Principal:
    try:
        stored = AccessToken.get(digest_of(token), consistent_read=True)  # released: ended
    except AccessToken.DoesNotExist:
        stored = None
    if stored is None or stored.expires_at.timestamp() <= time.time():
        raise Unauthorized("The access token is unknown or has expired.", headers=CHALLENGE,
                           reason="unknown_token" if stored is None else "expired_token",
                           claimed_client=stored and stored.client_id)
    return Principal(stored.client_id, stored.name, stored.scopes or set(), scheme,
                     stored.account)


def issue_token(principal: Principal, requested: set[str] | None = None,
                lifetime_seconds: int | None = None) -> tuple[str, set[str]]:
    """A new bearer token for ``principal`` limited to ``requested`` scopes (default: all),
    valid for ``lifetime_seconds`` (default: the OAuth tokens' lifetime)."""
    scopes = principal.scopes if not requested else requested
    if not scopes <= principal.scopes:
        raise BadRequest("The client may not request the scope(s) "
                         + " ".join(sorted(scopes - principal.scopes)) + ".",
                         [FieldError("scope", "invalid")], code="invalid_scope")
    token = secrets.token_urlsafe(32)
    stored = AccessToken(digest_of(token), client_id=principal.client_id, name=principal.name,
                         scopes=set(scopes) or None, account=principal.account,
                         expires_at=timedelta(seconds=lifetime_seconds
                                              or settings.token_lifetime_seconds))
    # Only while the client exists and is enabled: a token written a moment before an
    # operator disables or deletes it is one that the revocation after it finds.
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.condition_check(ApiClient, principal.client_id, condition=(
                ApiClient.client_id.exists() & ApiClient.disabled.does_not_exist()))
            transaction.save(stored)
    except TransactWriteError as error:
        if not is_conditional_failure(error):
            raise
        raise Unauthorized("Unknown client or wrong secret.", headers=CHALLENGE,
                           reason="disabled_client", claimed_client=principal.client_id) \
            from None
    return token, set(scopes)


def release_token(token: str) -> None:
    """End ``token`` now (401 if it is unknown or already over)."""
    principal_of(token)
    AccessToken(digest_of(token)).delete()
