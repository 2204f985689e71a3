"""The error formats of the Case Management API (``/support/v2``, spec x-error-format: cases)
and of its token endpoint (``/oauth2/v1/token``, x-error-format: oauth2-v1).

An error of the API is a JSON array with one entry per problem::

    [{"errorCode": "EQ-4000002", "errorMessage": "...", "correlationId": "<request id>",
      "details": "...", "help": "...",
      "additionalInfo": [{"property": "contacts/0/type", "reason": "invalid", "value": null}]}]

with a stable ``errorCode`` from ``CODES`` (listed in openapi/cases.yaml). The vendor answers
400, 401, 403, 404, 409 and 500 only, so a body that is too large or of another media type is
a 400 with its own code; a method that a path lacks (405, with ``Allow``) and storage out of
reach (503, with ``Retry-After``) keep their HTTP meaning, which clients' HTTP libraries act on.
"""
import json

from chalice import Response

from .. import observability
from ..errors import ApiError
from . import WireFormat, register
from .oauth2 import oauth2_code

__all__ = ["CODES", "Cases", "CasesToken"]

#: The stable catalogue of ``errorCode`` values.
CODES = {
    "EQ-4000001": "A required field or parameter is missing (additionalInfo names it).",
    "EQ-4000002": "A field or parameter is malformed or not one of its allowed values.",
    "EQ-4000003": "A field or parameter that this operation does not know.",
    "EQ-4000004": "The body is not JSON.",
    "EQ-4000005": "The body is larger than the operation accepts.",
    "EQ-4000006": "The body's media type is not one the operation takes.",
    "EQ-4000007": "An attachment reference names no file uploaded by this account.",
    "EQ-4010001": "No valid bearer token: take one from /oauth2/v1/token.",
    "EQ-4030001": "The token lacks the scope this operation needs (cases or cases-operator).",
    "EQ-4030002": "The API client acts for no customer account (an operator binds it).",
    "EQ-4030003": "INTERNAL notes are the desk's: only a cases-operator client writes one.",
    "EQ-4030004": "The account holds as many uploaded files (or bytes) as its quota allows.",
    "EQ-4040001": "No ticket with this case or order number (for this account).",
    "EQ-4040002": "No attachment with this id (for this account).",
    "EQ-4040003": "No operation at this path.",
    "EQ-4050001": "The path does not take this method (405; Allow lists those it takes).",
    "EQ-4090001": "An open ticket of this account has the same customerReferenceId.",
    "EQ-4090002": "The ticket's status does not allow this change.",
    "EQ-4090003": "The ticket changed while this change was made: read it again and retry.",
    "EQ-4090004": "The Idempotency-Key was used before for a different request.",
    "EQ-5000001": "A fault of ours (500).",
    "EQ-5030001": "Storage cannot be reached now (503, Retry-After); retry later.",
}
_BY_HINT = {"required": "EQ-4000001", "unknown": "EQ-4000003", "malformed": "EQ-4000004"}
_BY_STATUS = {401: "EQ-4010001", 403: "EQ-4030001", 404: "EQ-4040003", 405: "EQ-4050001",
              409: "EQ-4090003", 413: "EQ-4000005", 415: "EQ-4000006", 500: "EQ-5000001",
              503: "EQ-5030001"}
#: The codes of errors that every API raises (core.idempotency), as this API numbers them.
_BY_CODE = {"idempotency_key_reused": "EQ-4090004"}
#: Statuses the vendor's clients do not expect, and the one they get instead.
_STATUS = {413: 400, 415: 400}


def _entry(code: str, message: str, details: str, info: list[dict]) -> dict:
    return {"errorCode": code, "errorMessage": message,
            "correlationId": observability.request_id(), "details": details,
            "help": CODES[code], "additionalInfo": info}


def _entries(error: ApiError) -> list[dict]:
    if error.field_errors and error.status == 400 and error.code not in CODES:
        return [_entry(_BY_HINT.get(field.hint, "EQ-4000002"),
                       f"{field.xpath}: {field.hint}", error.message,
                       [{"property": field.xpath, "reason": field.hint, "value": None}])
                for field in error.field_errors]
    if error.code in CODES or error.code in _BY_CODE:
        code = _BY_CODE.get(error.code, error.code)
    elif error.status == 400:
        code = "EQ-4000002"
    else:
        code = _BY_STATUS.get(error.status, "EQ-5000001" if error.status >= 500 else
                              "EQ-4000002")
    info = [{"property": field.xpath, "reason": field.hint, "value": None}
            for field in error.field_errors]
    return [_entry(code, error.message, error.message, info)]


@register
class Cases(WireFormat):
    name = "cases"

    def render_error(self, error: ApiError) -> Response:
        headers = {**error.headers, "Content-Type": "application/json"}
        return Response(body=json.dumps(_entries(error)),
                        status_code=_STATUS.get(error.status, error.status), headers=headers)


_TOKEN_TITLES = {400: "Bad request", 401: "Invalid client or secret", 405: "Method not allowed",
                 413: "Bad request", 415: "Bad request", 503: "Temporarily unavailable"}


#: The vendor's token spec lists 400 for every refusal, wrong credentials included.
_TOKEN_STATUS = {**_STATUS, 401: 400}


@register
class CasesToken(WireFormat):
    """``/oauth2/v1/token``'s errors: ``error_code`` is the RFC 6749 code (invalid_client, ...)."""
    name = "oauth2-v1"

    def render_error(self, error: ApiError) -> Response:
        body = {"error_domain": "authentication",
                "error_title": _TOKEN_TITLES.get(error.status, "Server error"),
                "error_code": error.code or oauth2_code(error),
                "developer_message": error.message, "error_message": error.message}
        headers = {**error.headers, "Content-Type": "application/json"}
        headers.pop("WWW-Authenticate", None)  # a challenge goes with a 401, which this is not
        return Response(body=json.dumps(body), headers=headers,
                        status_code=_TOKEN_STATUS.get(error.status, error.status))
