"""Endpoints' secrets, kept encrypted by the stack's KMS key with a context that names their
endpoint (a ciphertext copied to another endpoint decrypts nowhere): the API encrypts a new
one, and only the delivery function may decrypt (its role alone has kms:Decrypt).

An endpoint holds two secrets at most: the current one and, after a rotation, the previous
one for its grace period (or not at all, when the rotation ends it at once).
"""
import base64
import functools
import time

from ..core import clients
from ..core.config import settings
from .models import Secret, WebhookEndpoint
from .signing import new_secret

__all__ = ["create", "live", "rotated", "ROTATION_GRACE_SECONDS"]

ROTATION_GRACE_SECONDS = 24 * 3600
_PURPOSE = "servicedesk-webhook-secret"


def _context(endpoint_id: str | None) -> dict:
    return {"purpose": _PURPOSE, **({"endpoint": endpoint_id} if endpoint_id else {})}


def create(endpoint_id: str) -> tuple[str, Secret]:
    """A new secret of ``endpoint_id``: (its text, shown once; what the endpoint keeps)."""
    text = new_secret()
    blob = clients.client("kms").encrypt(KeyId=settings.webhook_key_id, Plaintext=text.encode(),
                                         EncryptionContext=_context(endpoint_id))
    return text, Secret(ciphertext=base64.b64encode(blob["CiphertextBlob"]).decode(),
                        bound=True)


@functools.lru_cache(maxsize=256)
def _decrypted(ciphertext: str, endpoint_id: str | None) -> str:
    """One KMS call per secret per warm delivery function, not one per delivery."""
    return clients.client("kms").decrypt(CiphertextBlob=base64.b64decode(ciphertext),
                                         EncryptionContext=_context(endpoint_id))[
        "Plaintext"].decode()


def live(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets that sign now: the newest, and the previous one within its grace."""
    now = time.time()
    return [_decrypted(secret.ciphertext, endpoint.endpoint_id if secret.bound else None)
            for secret in endpoint.secrets[:2]
            if secret.retires_at is None or secret.retires_at > now]


def rotated(endpoint: WebhookEndpoint, end_previous_now: bool = False) -> str:
    """Give ``endpoint`` a new secret (returned, to be shown once): the current one keeps
    signing for ``ROTATION_GRACE_SECONDS`` (none with ``end_previous_now``); any older is
    dropped."""
    text, secret = create(endpoint.endpoint_id)
    now = int(time.time())
    current = endpoint.secrets[0] if endpoint.secrets else None
    kept = []
    if current is not None and not end_previous_now and (current.retires_at or now + 1) > now:
        current.retires_at = min(current.retires_at or now + ROTATION_GRACE_SECONDS,
                                 now + ROTATION_GRACE_SECONDS)
        kept = [current]
    endpoint.secrets = [secret] + kept
    return text
