"""The wire format of the CRM-style JSON API (``/crmapi/rest/v2``, spec x-error-format: crm).

Every answer is the envelope ``{"status": {"code", "message", "description"}, "data"}``. The
vendor's clients read ``status.code`` and treat any HTTP status but 200 as a lost connection,
so an error that the API answers travels with HTTP 200 and a code from ``CODES``; only a fault
of ours (500) or storage out of reach (503) keeps its HTTP status, still in the envelope.

The token of the CRM login travels as the ``token`` query parameter (GET) or the ``token``
field of the JSON body (POST).
"""
import json
from typing import Any

from chalice import Response

from . import bodies
from .errors import ApiError, BadRequest, FieldError

__all__ = ["CODES", "envelope", "ok", "render_error", "token_of", "identifier"]

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
_BY_STATUS = {401: "INVALID_TOKEN", 403: "NOT_AUTHORIZED", 404: "NOT_FOUND", 405:
              "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "REQUEST_TOO_LARGE",
              415: "UNSUPPORTED_MEDIA_TYPE", 503: "TEMPORARILY_UNAVAILABLE",
              500: "SERVER_ERROR"}


def envelope(code: str, message: str | None = None, data: Any = None) -> dict:
    return {"status": {"code": code, "message": message, "description": None}, "data": data}


def ok(data: Any) -> dict:
    return envelope("OK", None, data)


def _code(error: ApiError) -> str:
    if error.code in CODES:
        return error.code
    if error.status == 400:
        missing = any(field.hint == "required" for field in error.field_errors)
        return "MISSING_PARAMETER" if missing else "INVALID_PARAMETER"
    return _BY_STATUS.get(error.status, "SERVER_ERROR" if error.status >= 500 else
                          "INVALID_PARAMETER")


def render_error(error: ApiError) -> Response:
    status = error.status if error.status >= 500 else 200
    headers = {**error.headers, "Content-Type": "application/json"}
    headers.pop("WWW-Authenticate", None)  # the token is not an HTTP authentication scheme
    return Response(body=json.dumps(envelope(_code(error), error.message)), status_code=status,
                    headers=headers)


def token_of(request: Any) -> str | None:
    """The CRM token of a request: the query's ``token``, else the JSON body's; 401 naming the
    parameter when there is neither a token nor an Authorization header."""
    token = _token(request)
    if token is None and not request.headers.get("authorization"):
        raise ApiError("The token parameter is missing: log in with authentication/token.",
                       status=401, reason="missing_credentials")
    return token


def _token(request: Any) -> str | None:
    token = (request.query_params or {}).get("token")
    if token:
        return token
    if request.method == "POST" and request.raw_body:
        body = bodies.decode_json(request.raw_body)  # 400 for a body that is not sane JSON
        if isinstance(body, dict) and isinstance(body.get("token"), str):
            return body["token"]
    return None


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
