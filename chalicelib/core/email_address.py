"""What every API takes as an e-mail address: ASCII, a dot-atom local part of at most 64
characters, a domain of DNS labels (at least two, the last not all digits), at most 254 in
all (RFC 5321, 4.5.3.1), matched as a whole (a final newline is no address). Every spec's
e-mail pattern is ``PATTERN`` (a test holds them together); ECMA-262 and Python read it alike.
"""
import re

from .patterns import ecma_pattern

__all__ = ["PATTERN", "is_email"]

# "$" is written \x24: fastjsonschema turns every bare "$" into \Z, in a class too.
_ATOM = r"[A-Za-z0-9!#\x24%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PATTERN = (r"^(?=[^@]{1,64}@)(?=.{1,254}$)"
           rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?$")
_EMAIL = re.compile(ecma_pattern(PATTERN))


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))
