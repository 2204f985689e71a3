"""``/oauth2/token``, ``/oauth2/v1/token`` and ``/oauth2/v1/refreshaccesstoken``, as
``openapi/oauth2.yaml`` describes them."""
from chalice import Blueprint

from ..core import auth, observability, tokens
from ..core.config import settings
from ..core.errors import BadRequest, FieldError
from ..core.http import Call, call_of, reply, route
from .client_authentication import token_request_client

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)


def _client() -> tuple[auth.Principal, Call]:
    """The client that asks for a token (HTTP Basic or the body's credentials) and its call."""
    request = blueprint.current_request
    call = call_of(request)
    principal = token_request_client(request.headers.get("authorization"), call.body)
    observability.identify_client(principal.client_id)
    return principal, call


@route(blueprint, "/oauth2/token", "POST")
def issue_access_token():
    principal, call = _client()
    requested = set(call.body.get("scope", "").split())
    token, scopes = tokens.issue_token(principal, requested)
    return reply({"access_token": token, "token_type": "Bearer",
                  "expires_in": settings.token_lifetime_seconds,
                  "scope": " ".join(sorted(scopes))})


def _token_timeout() -> str:
    """A new token's lifetime as /oauth2/v1/token reports it: whole seconds left once it is
    issued, as the Case Management API's vendor counts them (an hour's token reads "3599")."""
    return str(settings.token_lifetime_seconds - 1)


@route(blueprint, "/oauth2/v1/token", "POST")
def issue_case_api_token():
    """The Case Management API's token endpoint (client credentials; JSON or a form)."""
    principal, _ = _client()
    token, _ = tokens.issue_token(principal)
    return reply({"access_token": token, "token_timeout": _token_timeout(),
                  "token_type": "Bearer", "user_name": principal.name})


@route(blueprint, "/oauth2/v1/refreshaccesstoken", "POST")
def refresh_case_api_token():
    """The vendor's refresh: it issues refresh tokens only with the password grant, which this
    service never served, so a client whose credentials hold is told to take a new token."""
    _client()
    raise BadRequest("The refresh token is unknown: none is issued for the client_credentials "
                     "grant. Take a new access token from /oauth2/v1/token.",
                     [FieldError("refresh_token", "invalid")], code="invalid_grant")
