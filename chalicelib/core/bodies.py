"""Text request bodies (JSON and forms) as plain data, at a cost bounded by their size whatever
their shape.

Python's JSON decoder recurses once per level of nesting (100,000 levels raise
RecursionError), accepts NaN and Infinity, keeps the last of duplicate keys and lets lone
surrogates through (which no UTF-8 writer, DynamoDB's included, can store): a body is refused
for each of these, naming where, before anything reads it. Every check is linear in the body.
"""
import json
import math
import re
from typing import Any
from urllib.parse import parse_qs

from .errors import BadRequest, FieldError

__all__ = ["MAX_DEPTH", "MAX_FORM_FIELDS", "decode", "decode_json"]

#: The deepest nesting of arrays and objects (or XML elements) a body may have.
MAX_DEPTH = 64
#: The most fields a form body may have.
MAX_FORM_FIELDS = 100
FORM = "application/x-www-form-urlencoded"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# C0 controls but tab, line feed and carriage return, and lone surrogates: no text field
# takes them, and no UTF-8 writer can write a lone surrogate.
_UNWRITABLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff]")


def _malformed(message: str, where: str = "/") -> BadRequest:
    return BadRequest(message, [FieldError(where, "malformed")])


def _too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than ``MAX_DEPTH`` (brackets inside strings do
    not count)."""
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999 reads as infinity
        raise ValueError(f"number out of range: {text}")
    return number


def _constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {twice!r} is given twice")
    return found


def _unwritable_text(value: Any, path: list) -> list | None:
    """The path of the first string (or key) in ``value`` that holds a control character or a
    lone surrogate, or None. Its recursion is bounded by ``MAX_DEPTH``."""
    if isinstance(value, str):
        return path if _UNWRITABLE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _UNWRITABLE.search(key):
                return [*path, key]
            if (found := _unwritable_text(item, [*path, key])) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _unwritable_text(item, [*path, index])) is not None:
                return found
    return None


def _writable(value: Any) -> Any:
    """``value``, unless one of its texts is one that no field may hold (400 naming it)."""
    if (path := _unwritable_text(value, [])) is not None:
        where = "/".join(str(part) for part in path) or "/"
        raise BadRequest(f"{where} holds a control character or a lone surrogate.",
                         [FieldError(where, "invalid")])
    return value


def decode_json(raw: bytes | str) -> Any:
    """A JSON body as plain data; 400 (hint ``malformed``, or ``invalid`` naming the field
    whose text no field may hold) for anything that is not plain, sane JSON."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise _malformed("The body is not UTF-8 text.") from None
    if _too_deep(text):
        raise _malformed(f"The JSON body nests deeper than {MAX_DEPTH} levels.")
    try:
        value = json.loads(text or "null", parse_float=_finite, parse_constant=_constant,
                           object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as error:
        raise _malformed(f"Malformed JSON body: {error}.") from None
    return _writable(value)


def decode(raw: bytes | str, media_type: str) -> Any:
    """A JSON or form body as plain data (a form field given twice is a list)."""
    if media_type != FORM:
        return decode_json(raw)
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS,
                          errors="strict")
    except UnicodeDecodeError:
        raise _malformed("The form is not UTF-8 text.") from None
    except ValueError:
        raise _malformed(f"The form has more than {MAX_FORM_FIELDS} fields.") from None
    return _writable({key: values[0] if len(values) == 1 else values
                      for key, values in fields.items()})
