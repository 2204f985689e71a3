"""Human passwords: the strength rule, and storage as a salted scrypt hash only."""
import base64
import hashlib
import hmac
import os
import re

__all__ = ["is_strong", "hash_password", "verify_password"]

# scrypt cost: 16 MiB and some tens of milliseconds per hash; once per create or login check.
_N, _R, _P = 2 ** 14, 8, 1
_CLASSES = tuple(map(re.compile, ("[a-z]", "[A-Z]", "[0-9]", "[^a-zA-Z0-9]")))


def is_strong(password: str, email: str | None) -> bool:
    """10 to 128 characters, three character classes, and not built on the e-mail address."""
    if not 10 <= len(password) <= 128:
        return False
    if sum(bool(pattern.search(password)) for pattern in _CLASSES) < 3:
        return False
    if email:
        lowered = password.lower()
        local = email.split("@")[0].lower()
        if email.lower() in lowered or (len(local) >= 3 and local in lowered):
            return False
    return True


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encoded = (base64.b64encode(value).decode() for value in (salt, digest))
    return "$".join(("scrypt", str(_N), str(_R), str(_P), *encoded))


def verify_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                               r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(candidate, base64.b64decode(digest))
