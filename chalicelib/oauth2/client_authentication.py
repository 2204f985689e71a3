"""How a token endpoint authenticates the client that asks for a token: RFC 6749, section
2.3.1 (HTTP Basic, or the body's client_id and client_secret)."""
from ..core import auth
from ..core.errors import BadRequest, FieldError, Unauthorized

__all__ = ["token_request_client"]


def token_request_client(authorization: str | None, body: dict) -> auth.Principal:
    """The client of a token request, authenticated as RFC 6749 (section 2.3.1) allows: by
    HTTP Basic, or by the body's ``client_id`` and ``client_secret``. Two secrets at once, or
    a body's ``client_id`` other than the Basic one, is ``invalid_request`` (400); no
    credentials, or wrong ones, are 401."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    if scheme.lower() == "basic" and credentials.strip():
        if body.get("client_secret") is not None:
            raise BadRequest("Authenticate the client one way: HTTP Basic or client_secret in "
                             "the body, not both.", [FieldError("client_secret", "invalid")],
                             code="invalid_request")
        principal = auth.basic_client(credentials.strip())
        if body.get("client_id") not in (None, principal.client_id):
            raise BadRequest("The body's client_id is not the client of the Basic "
                             "credentials.", [FieldError("client_id", "invalid")],
                             code="invalid_request")
        return principal
    client_id, secret = body.get("client_id"), body.get("client_secret")
    if client_id is None and secret is None:
        raise Unauthorized("Authenticate the client: HTTP Basic, or client_id and "
                           "client_secret in the body.", headers=auth.CHALLENGE,
                           reason="missing_credentials")
    missing = [name for name, value in (("client_id", client_id), ("client_secret", secret))
               if value is None]
    if missing:
        raise BadRequest(f"{' and '.join(missing)} is missing.",
                         [FieldError(name, "required") for name in missing],
                         code="invalid_request")
    return auth.verify_client(client_id, secret)
