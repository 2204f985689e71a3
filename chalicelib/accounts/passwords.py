"""Human passwords: the strength rule, and storage as a salted slow hash only.

New hashes are argon2id at OWASP's current parameters (19 MiB, 2 passes, 1 lane: about 35 ms
and 19 MiB per hash), written in the PHC format, which carries its own parameters and salt
(``$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>``). Hashes stored before (scrypt, N=2^14,
``scrypt$N$r$p$<salt>$<digest>``) carry theirs too, and keep verifying.
"""
import base64
import hashlib
import hmac
import re

__all__ = ["is_strong", "hash_password", "verify_password", "ARGON2_PARAMETERS", "RULE"]

#: OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
ARGON2_PARAMETERS = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}
_CLASSES = tuple(map(re.compile, ("[a-z]", "[A-Z]", "[0-9]", "[^a-zA-Z0-9]")))


#: The rule, as a refusal says it.
RULE = ("A password has 10 to 128 characters, of three kinds at least (lower case, upper "
        "case, digits, others), and does not hold the e-mail address or its name.")


def is_strong(password: str, email: str | None) -> bool:
    """``RULE``: 10 to 128 characters, three character classes, and not built on the e-mail
    address."""
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


def _hasher():
    from argon2 import PasswordHasher  # lazily: only a create or a login change pays for it
    return PasswordHasher(**ARGON2_PARAMETERS)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` hashes, with the parameters it was hashed
    with (argon2id, or the scrypt of older accounts)."""
    if stored.startswith("$argon2"):
        from argon2.exceptions import VerificationError
        try:
            return _hasher().verify(stored, password)
        except VerificationError:
            return False
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                               r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(candidate, base64.b64decode(digest))
