"""The one error type every layer raises; the HTTP pipeline renders it in the API's format."""
from chalice.app import ChaliceUnhandledError

__all__ = ["ApiError", "FieldError", "NotFound", "Conflict", "BadRequest", "Unauthorized",
           "Forbidden", "Unavailable", "TryAgain"]


class TryAgain(Exception):
    """A stream handler's failure that the same work may not meet in a moment (another worker
    holds an e-mail's lease, a queue refused messages): the record is retried, not set
    aside."""


class FieldError:
    """One problem with one input: where it is (an XPath or parameter name) and what kind."""

    __slots__ = ("xpath", "hint")

    def __init__(self, xpath: str, hint: str) -> None:
        self.xpath = xpath
        self.hint = hint  # required | invalid | too-long | unknown | taken | malformed | ...

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and \
            (self.xpath, self.hint) == (other.xpath, other.hint)

    def __repr__(self) -> str:
        return f"FieldError({self.xpath!r}, {self.hint!r})"


# ChaliceUnhandledError is the one exception chalice lets through to middleware, which is
# where the pipeline turns it into a response in the API's own error format.
class ApiError(ChaliceUnhandledError):
    """A client-facing failure: HTTP status, a message and optional field errors."""

    status = 400

    def __init__(self, message: str, field_errors: list | None = None,
                 status: int | None = None, headers: dict | None = None,
                 code: str | None = None, reason: str | None = None,
                 claimed_client: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code  # a machine-readable reason, for formats that carry one (OAuth 2.0)
        # Why a caller was refused (401, 403) and whom it claimed to be, for the audit log
        # only: a client is told no more than its message.
        self.reason = reason
        self.claimed_client = claimed_client
        self.field_errors = list(field_errors or [])
        self.headers = dict(headers or {})
        if status is not None:
            self.status = status


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Unavailable(ApiError):
    """Storage (or another AWS service) cannot be reached: the client should retry later."""
    status = 503

    def __init__(self, message: str = "The service is temporarily unavailable; retry later.",
                 retry_after_seconds: int = 5) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after_seconds)},
                         code="temporarily_unavailable")
