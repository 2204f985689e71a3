"""Time on the wire: LEAP's ``2011-02-08T22:07:43.000+0000`` out; in, what the vendors'
clients write (``INPUT_PATTERN``, the pattern of every spec's ``TimestampInput``).

Stored times are UTC strings with milliseconds (``2011-02-08T22:07:43.000Z``): fixed width, so
they sort as text in DynamoDB range keys.
"""
import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["now", "to_storage", "to_wire", "parse_input", "storage_now", "from_epoch",
           "INPUT_PATTERN"]

#: A calendar date (the start of that day in UTC), or a date and time to the minute, with or
#: without seconds and a fraction, with ``Z``, ``+hh:mm`` or ``+hhmm`` (no offset: UTC). ``T``
#: and ``Z`` may be lower case (RFC 3339, section 5.6). Every spec's ``TimestampInput`` has
#: this pattern (a test holds them together); ECMA-262 and Python read it alike.
INPUT_PATTERN = (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
                 r"(?:[Tt]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
                 r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?$")
_INPUT = re.compile(INPUT_PATTERN.replace("$", r"\Z"))


def now() -> datetime:
    return datetime.now(UTC)


def to_storage(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def storage_now() -> str:
    return to_storage(now())


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def from_storage(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def to_wire(stored: str | None) -> str | None:
    """``2011-02-08T22:07:43.000Z`` -> ``2011-02-08T22:07:43.000+0000``."""
    return None if stored is None else stored[:-1] + "+0000"


def parse_input(text: str) -> datetime:
    """A time as ``INPUT_PATTERN`` reads it; ValueError for anything else, a day or an hour
    that the calendar lacks included (2026-02-30, 24:00).

    Fractions beyond milliseconds round *up* to the next millisecond, so that half-open
    intervals ``[from, to)`` over millisecond timestamps keep their meaning.
    """
    match = _INPUT.match(text)
    if not match:
        raise ValueError(f"not a date or a date and time: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    nanos = int((fraction or "0").ljust(9, "0"))
    millis, rest = divmod(nanos, 1_000_000)
    if offset is None or offset in ("Z", "z"):
        tz = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                      int(second or 0), millis * 1000, tzinfo=tz)
    try:  # in UTC it must still be a date of years 1 to 9999, as stored times are
        moment.astimezone(UTC)
        return moment + timedelta(milliseconds=1) if rest else moment
    except OverflowError:
        raise ValueError(f"outside the years 1 to 9999 in UTC: {text!r}") from None
