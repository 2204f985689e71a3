"""Open311 API keys: a credential of its own, good for raising Open311 reports and nothing
else, for the public resident apps that carry it (whoever extracts one can raise reports, no
more).

A key is ``<key id>.<secret>``; only the secret's SHA-256 is stored (it carries 256 random
bits, as a client's secret does). A key is bound to the customer account that its reports are
raised for, chosen by the operator when it is issued: a report never chooses its account, and
names only the properties of that account (``intake``). Operators issue, list, rotate (with a
grace period for the previous secret) and revoke keys (``python -m ops.admin``).
"""
import hmac
import re
import secrets
import time

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from ..core import timestamps
from ..core.auth import CHALLENGE, Principal, digest_of
from ..core.db import is_conditional_failure, meta, shares_connection
from ..core.errors import Unauthorized

__all__ = ["Open311Key", "issue", "principal_of", "rotate", "revoke", "listed", "SCOPE",
           "SEPARATOR"]

#: The only scope a key's caller has: raising reports.
SCOPE = "open311"
#: Between a key's id and its secret (a generated secret has no dot).
SEPARATOR = "."
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@shares_connection
class Open311Key(Model):
    Meta = meta("open311_keys")
    key_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    account = UnicodeAttribute()  # the customer account its reports are raised for
    secret_digest = UnicodeAttribute()
    previous_secret_digest = UnicodeAttribute(null=True)
    previous_secret_until = NumberAttribute(null=True)  # epoch seconds
    revoked = BooleanAttribute(null=True)
    created = UnicodeAttribute()
    last_used = UnicodeAttribute(null=True)  # the last day (UTC) it raised a report

    def takes(self, digest: str) -> bool:
        if hmac.compare_digest(self.secret_digest, digest):
            return True
        return bool(self.previous_secret_digest and (self.previous_secret_until or 0) > time.time()
                    and hmac.compare_digest(self.previous_secret_digest, digest))


_NO_KEY = digest_of("")


def _refused(reason: str, key_id: str = "") -> Unauthorized:
    return Unauthorized("Invalid api_key.", headers=CHALLENGE, reason=reason,
                        claimed_client=key_id[:64] or None)


def principal_of(api_key: str) -> Principal:
    """The caller that ``api_key`` names (scheme ``api_key``, scope ``open311`` alone), or
    401; the same work whether the key exists or not."""
    key_id, _, secret = api_key.rpartition(SEPARATOR)
    digest = digest_of(secret)
    try:
        key = Open311Key.get(key_id, consistent_read=True) if KEY_ID.fullmatch(key_id) else None
    except Open311Key.DoesNotExist:
        key = None
    if key is None:
        hmac.compare_digest(digest, _NO_KEY)
        raise _refused("unknown_key", key_id)
    if not key.takes(digest):
        raise _refused("wrong_secret", key_id)
    if key.revoked:
        raise _refused("revoked_key", key_id)
    today = timestamps.storage_now()[:10]
    if key.last_used != today:
        key.update(actions=[Open311Key.last_used.set(today)])
    return Principal(key.key_id, key.name, {SCOPE}, "api_key", key.account)


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def issue(name: str, account: str, key_id: str | None = None, secret: str | None = None,
          replace: bool = False) -> str:
    """A new key (the whole key, shown once) raising reports for ``account``; ``replace``
    replaces the key that has ``key_id`` (the demo data's)."""
    key_id = key_id or "o311-" + secrets.token_hex(6)
    if not KEY_ID.fullmatch(key_id):
        raise ValueError("a key id is 1 to 64 of A-Z a-z 0-9 _ -")
    secret = secret or _new_secret()
    try:
        Open311Key(key_id, name=name, account=account, secret_digest=digest_of(secret),
                   created=timestamps.storage_now()).save(
            condition=None if replace else Open311Key.key_id.does_not_exist())
    except PutError as error:
        if is_conditional_failure(error):
            raise ValueError(f"Open311 key {key_id} exists") from None
        raise
    return key_id + SEPARATOR + secret


def _existing(key_id: str) -> Open311Key:
    try:
        return Open311Key.get(key_id, consistent_read=True)
    except Open311Key.DoesNotExist:
        raise ValueError(f"no Open311 key {key_id}") from None


def rotate(key_id: str, grace_hours: float = 0) -> str:
    """A new secret for ``key_id`` (the whole key, shown once); the previous one works for
    ``grace_hours`` more."""
    key = _existing(key_id)
    secret = _new_secret()
    key.previous_secret_digest = key.secret_digest if grace_hours > 0 else None
    key.previous_secret_until = int(time.time() + grace_hours * 3600) if grace_hours > 0 \
        else None
    key.secret_digest = digest_of(secret)
    key.save()
    return key_id + SEPARATOR + secret


def revoke(key_id: str) -> None:
    key = _existing(key_id)
    key.update(actions=[Open311Key.revoked.set(True)])


def listed() -> list[Open311Key]:
    """Every key (a Scan of the small keys table: an operator's command only)."""
    return sorted(Open311Key.scan(consistent_read=True), key=lambda key: key.key_id)
