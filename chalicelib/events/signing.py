"""Standard Webhooks' signature (version 1): ``v1,`` + base64 of HMAC-SHA256 over
``<webhook-id>.<webhook-timestamp>.<body>``, keyed by the bytes that follow ``whsec_``;
space-separated, one per live secret."""
import base64
import hashlib
import hmac
import secrets

__all__ = ["new_secret", "signature"]

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _sign(secret: str, payload: bytes) -> str:
    key = base64.b64decode(secret[len(PREFIX):])
    return "v1," + base64.b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode()


def signature(live_secrets: list[str], message_id: str, timestamp: int, body: str) -> str:
    payload = f"{message_id}.{timestamp}.{body}".encode()
    return " ".join(_sign(secret, payload) for secret in live_secrets)
