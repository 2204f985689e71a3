"""API clients and their secrets: who a client is, what it may do (its scopes), the account
it acts for, and the check of its id and secret. Bearer tokens are ``core.tokens``; how a
request names its caller, and whether the caller may call an operation, ``core.callers``.

Generated secrets and tokens carry 256 random bits, so a fast digest (SHA-256) is as safe to
store as a slow hash and costs microseconds per request instead of tens of milliseconds.
"""
import base64
import hashlib
import hmac
import re
import secrets
import time

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from . import timestamps
from .db import is_conditional_failure, meta, shares_connection
from .errors import Unauthorized

__all__ = ["ApiClient", "Principal", "create_client", "verify_client", "bind_account",
           "basic_client", "CHALLENGE", "digest_of", "SCOPES"]

SCOPES = ("requests", "customers", "property-relationships", "service-requests", "cases",
          "cases-operator", "webhooks", "desk")
_MAX_CLIENT_ID = 128  # DynamoDB refuses longer keys; such a caller is simply unknown
#: What a new client's id may be made of (an operator's --id).
CLIENT_ID = re.compile(f"[A-Za-z0-9._-]{{1,{_MAX_CLIENT_ID}}}")
CHALLENGE = {"WWW-Authenticate": 'Basic realm="servicedesk", Bearer realm="servicedesk"'}


@shares_connection
class ApiClient(Model):
    Meta = meta("api_clients")
    client_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    scopes = UnicodeSetAttribute(default=set)
    secret_digest = UnicodeAttribute()
    created = NumberAttribute(default=lambda: int(time.time()))
    # The customer account (its identifier) that this client acts for in the Case Management
    # API: it sees and changes that account's tickets only (bind_account sets it).
    account = UnicodeAttribute(null=True)
    disabled = BooleanAttribute(null=True)  # an operator's: no call and no token is taken
    # After a rotation, the secret before it works until the grace period ends (epoch s).
    previous_secret_digest = UnicodeAttribute(null=True)
    previous_secret_until = NumberAttribute(null=True)
    last_used = UnicodeAttribute(null=True)  # the last day (UTC) it authenticated

    def takes(self, digest: str) -> bool:
        """Whether ``digest`` is its secret's, or the one's before a rotation, in its grace."""
        if hmac.compare_digest(self.secret_digest, digest):
            return True
        return bool(self.previous_secret_digest and (self.previous_secret_until or 0) > time.time()
                    and hmac.compare_digest(self.previous_secret_digest, digest))


class Principal:
    """An authenticated caller: which client, by which scheme, with which scopes.

    ``scheme`` is the name of the spec's security scheme it used: ``basic`` or ``oauth2``;
    ``account`` the customer account it acts for in the Case Management API (or None).
    """

    def __init__(self, client_id: str, name: str, scopes: set[str], scheme: str,
                 account: str | None = None) -> None:
        self.client_id = client_id
        self.name = name
        self.scopes = set(scopes)
        self.scheme = scheme
        self.account = account


def digest_of(secret: str) -> str:
    """What is stored of a generated secret or a token: its SHA-256, in hex (of any string:
    a lone surrogate is digested as it is, never an error)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


_NO_CLIENT = digest_of("")  # what an unknown client's digest is compared with


def create_client(name: str, scopes, client_id: str | None = None,
                  secret: str | None = None, account: str | None = None,
                  replace: bool = False) -> tuple[str, str]:
    """Store a new client and return (client_id, secret); the secret is not kept. An id that
    a client has already is refused unless ``replace`` (one slip would otherwise rebind a
    tenant's integration, or make it the desk)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}")
    if client_id is not None and not CLIENT_ID.fullmatch(client_id):
        raise ValueError(f"a client id is 1 to {_MAX_CLIENT_ID} of A-Z a-z 0-9 . _ -")
    client_id = client_id or "client-" + secrets.token_hex(8)
    secret = secret or secrets.token_urlsafe(32)
    try:
        ApiClient(client_id, name=name, scopes=set(scopes) or None,
                  secret_digest=digest_of(secret), account=account).save(
            condition=None if replace else ApiClient.client_id.does_not_exist())
    except PutError as error:
        if is_conditional_failure(error):
            raise ValueError(f"API client {client_id} exists (--replace replaces it)") from None
        raise
    return client_id, secret


def bind_account(client_id: str, account: str | None) -> None:
    """Let ``client_id`` act for the customer account ``account`` (None: for no account).
    Tokens issued before keep the account they were issued with until they expire."""
    try:
        ApiClient.get(client_id).update(actions=[
            ApiClient.account.set(account) if account else ApiClient.account.remove()])
    except ApiClient.DoesNotExist:
        raise ValueError(f"no API client {client_id}") from None


def basic_client(credentials: str) -> Principal:
    """The client that HTTP Basic ``credentials`` (base64 of id:secret) name, or 401."""
    try:
        client_id, _, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
    except ValueError:
        raise Unauthorized("Malformed Basic credentials.", headers=CHALLENGE,
                           reason="malformed_credentials") from None
    return verify_client(client_id, secret)


def verify_client(client_id: str, secret: str, scheme: str = "basic") -> Principal:
    """The API client ``client_id`` if ``secret`` is its secret, else 401. The same work is
    done whether the client exists or not: no answer or timing tells which ids exist."""
    digest = digest_of(secret)
    try:
        # strongly consistent: a rotated or disabled secret stops at once, not a moment later
        client = (ApiClient.get(client_id, consistent_read=True)
                  if 0 < len(client_id) <= _MAX_CLIENT_ID else None)
    except ApiClient.DoesNotExist:
        client = None
    if client is None:
        hmac.compare_digest(digest, _NO_CLIENT)  # as long as a wrong secret takes
    if client is None or not client.takes(digest):
        raise Unauthorized("Unknown client or wrong secret.", headers=CHALLENGE,
                           reason="unknown_client" if client is None else "wrong_secret",
                           claimed_client=client_id[:_MAX_CLIENT_ID])
    if client.disabled:
        raise Unauthorized("Unknown client or wrong secret.", headers=CHALLENGE,
                           reason="disabled_client", claimed_client=client.client_id)
    _note_use(client)
    return Principal(client.client_id, client.name, client.scopes or set(), scheme,
                     client.account)


def _note_use(client: ApiClient) -> None:
    """Record the day a client authenticated, once a day: a busy client writes nothing more."""
    today = timestamps.storage_now()[:10]
    if client.last_used == today:
        return
    try:
        client.update(actions=[ApiClient.last_used.set(today)],
                      condition=ApiClient.client_id.exists())
    except UpdateError as error:
        if not is_conditional_failure(error):  # deleted meanwhile: nothing to record
            raise
