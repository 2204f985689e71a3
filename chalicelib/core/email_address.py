"""What every API takes as an e-mail address: ASCII, a dot-atom local part whose parts have
at most 64 characters, a domain of DNS labels (at least two, the last starting with a
letter), at most 254 characters in all (RFC 5321's size limits: the spec's maxLength), matched
as a whole (a final newline is no address). Every spec's e-mail pattern is ``PATTERN`` (a
test holds them together); ECMA-262 and Python read it alike. It has no lookahead, so that a
generator of examples (the fuzzer's) can write addresses from it.
"""
import re

from .patterns import ecma_pattern

__all__ = ["PATTERN", "is_email"]

# "$" is written \x24: fastjsonschema turns every bare "$" into \Z, in a class too.
_ATOM = r"[A-Za-z0-9!#\x24%&'*+/=?^_`{|}~-]{1,64}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PATTERN = (rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+"
           r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
MAX_LENGTH = 254
_EMAIL = re.compile(ecma_pattern(PATTERN))


def is_email(text: str) -> bool:
    return len(text) <= MAX_LENGTH and bool(_EMAIL.match(text))
