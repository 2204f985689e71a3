"""What every API takes as an e-mail address: ASCII, a dot-atom local part of at most 64
characters, a domain of DNS labels (at least two, the last starting with a letter), at most
254 characters in all (RFC 5321's size limits), matched as a whole (a final newline is no
address). Every spec's e-mail schema has the pattern ``PATTERN`` (a test holds them together),
``maxLength: 254`` and ``x-email: true``, by which the pipeline applies ``is_email`` too.
ECMA-262 and Python read the pattern alike. It has no lookahead, so that a generator of
examples (the fuzzer's) can write addresses from it; so it bounds each part of the local part
to 64 characters, and ``is_email`` the whole local part.
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
MAX_LOCAL_LENGTH = 64
_EMAIL = re.compile(ecma_pattern(PATTERN))


def is_email(text: str) -> bool:
    return (len(text) <= MAX_LENGTH and len(text.rpartition("@")[0]) <= MAX_LOCAL_LENGTH
            and bool(_EMAIL.match(text)))
