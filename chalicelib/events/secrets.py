"""Endpoints' secrets, kept encrypted by the stack's KMS key: the API encrypts a new one, and
only the delivery function may decrypt (its role alone has kms:Decrypt)."""
import base64
import functools
import time

from ..core import clients
from ..core.config import settings
from .models import Secret, WebhookEndpoint
from .signing import new_secret

__all__ = ["create", "live", "ROTATION_GRACE_SECONDS"]

ROTATION_GRACE_SECONDS = 24 * 3600
_CONTEXT = {"purpose": "servicedesk-webhook-secret"}


def create() -> tuple[str, Secret]:
    """A new secret: (its text, shown once; what the endpoint keeps)."""
    text = new_secret()
    blob = clients.client("kms").encrypt(KeyId=settings.webhook_key_id, Plaintext=text.encode(),
                                         EncryptionContext=_CONTEXT)["CiphertextBlob"]
    return text, Secret(ciphertext=base64.b64encode(blob).decode())


@functools.lru_cache(maxsize=256)
def _decrypted(ciphertext: str) -> str:
    """One KMS call per secret per warm delivery function, not one per delivery."""
    return clients.client("kms").decrypt(CiphertextBlob=base64.b64decode(ciphertext),
                                         EncryptionContext=_CONTEXT)["Plaintext"].decode()


def live(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets that sign now: the newest, and a rotated one within its grace."""
    now = time.time()
    return [_decrypted(secret.ciphertext) for secret in endpoint.secrets
            if secret.retires_at is None or secret.retires_at > now]
