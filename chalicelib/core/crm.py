"""The CRM-style JSON API's envelope and identifier objects (its wire format, errors and
tokens, is core.wire_formats.crm).

Every answer is the envelope ``{"status": {"code", "message", "description"}, "data"}``, its
``status.code`` one of ``CODES``.
"""
from typing import Any

from .errors import BadRequest, FieldError

__all__ = ["CODES", "envelope", "ok", "identifier"]

#: The stable catalogue of ``status.code`` values (listed in openapi/service_requests.yaml).
CODES = {
    "OK": "The call succeeded.",
    "MISSING_PARAMETER": "A mandatory parameter is missing; the message names it.",
    "INVALID_PARAMETER": "A parameter is malformed or not one of its allowed values.",
    "INVALID_CREDENTIALS": "Wrong username, password or organisation at login.",
    "INVALID_TOKEN": "The token is missing, unknown, expired or released.",
    "NOT_AUTHORIZED": "The API client lacks the scope service-requests.",
    "NOT_FOUND": "No record matches an identifier; the message names which.",
    "LIFE_CYCLE_RULE": "The change breaks a rule of the life cycle; the message names it.",
    "CONFLICT": "Another change came first; read again and retry.",
    "METHOD_NOT_ALLOWED": "No such method at this path.",
    "UNSUPPORTED_MEDIA_TYPE": "Changes take a JSON body.",
    "REQUEST_TOO_LARGE": "The body is larger than the service accepts.",
    "TEMPORARILY_UNAVAILABLE": "Storage cannot be reached now (HTTP 503); retry later.",
    "SERVER_ERROR": "A fault of ours (HTTP 500).",
}


def envelope(code: str, message: str | None = None, data: Any = None) -> dict:
    return {"status": {"code": code, "message": message, "description": None}, "data": data}


def ok(data: Any) -> dict:
    return envelope("OK", None, data)


#: The longest identifier value (in a body, the spec's Identifier says the same): 200
#: characters are at most 800 bytes of UTF-8, below the 1,024 of a DynamoDB key.
MAX_IDENTIFIER_VALUE = 200


def identifier(text: str, parameter: str) -> dict:
    """An identifier object of a query string: ``number=SR00000275`` -> {"number": ...}."""
    field, separator, value = text.partition("=")
    if len(value) > MAX_IDENTIFIER_VALUE:
        raise BadRequest(f"{parameter}'s value has more than {MAX_IDENTIFIER_VALUE} "
                         "characters.", [FieldError(parameter, "invalid")])
    if not separator or not field:
        raise BadRequest(f"{parameter} must be field=value, e.g. {parameter}=name=Example.",
                         [FieldError(parameter, "invalid")])
    return {field: value}
