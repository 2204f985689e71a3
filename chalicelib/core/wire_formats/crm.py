"""The wire format of the CRM-style JSON API (``/crmapi/rest/v2``, x-error-format: crm).

The vendor's clients read ``status.code`` of the envelope (core.crm) and treat any HTTP status
but 200 as a lost connection, so an error that the API answers travels with HTTP 200 and a
code from ``CODES``; only a fault of ours (500) or storage out of reach (503) keeps its HTTP
status, still in the envelope.

The token of the CRM login travels as the ``token`` query parameter (GET) or the ``token``
field of the JSON body (POST).
"""
import json
from typing import Any

from chalice import Response

from .. import bodies
from ..crm import CODES, envelope
from ..errors import ApiError
from . import WireFormat, register

__all__ = ["Crm"]

_BY_STATUS = {401: "INVALID_TOKEN", 403: "NOT_AUTHORIZED", 404: "NOT_FOUND", 405:
              "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "REQUEST_TOO_LARGE",
              415: "UNSUPPORTED_MEDIA_TYPE", 503: "TEMPORARILY_UNAVAILABLE",
              500: "SERVER_ERROR"}


def _code(error: ApiError) -> str:
    if error.code in CODES:
        return error.code
    if error.status == 400:
        missing = any(field.hint == "required" for field in error.field_errors)
        return "MISSING_PARAMETER" if missing else "INVALID_PARAMETER"
    return _BY_STATUS.get(error.status, "SERVER_ERROR" if error.status >= 500 else
                          "INVALID_PARAMETER")


@register
class Crm(WireFormat):
    name = "crm"
    token_scheme = "crmToken"

    def render_error(self, error: ApiError) -> Response:
        status = error.status if error.status >= 500 else 200
        headers = {**error.headers, "Content-Type": "application/json"}
        headers.pop("WWW-Authenticate", None)  # the token is not an HTTP authentication scheme
        return Response(body=json.dumps(envelope(_code(error), error.message)),
                        status_code=status, headers=headers)

    def token_of(self, request: Any) -> str | None:
        """The query's ``token``, else the JSON body's; 401 when there is neither a token
        nor an Authorization header."""
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
