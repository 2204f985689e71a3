"""``/oauth2/token`` and ``/oauth2/v1/token``, as ``openapi/oauth2.yaml`` describes it."""
from chalice import Blueprint

from ..core import auth
from ..core.config import settings
from ..core.http import call_of, reply, route

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)


@route(blueprint, "/oauth2/token", "POST")
def issue_access_token():
    call = call_of(blueprint.current_request)
    requested = set(call.body.get("scope", "").split())
    token, scopes = auth.issue_token(call.principal, requested)
    return reply({"access_token": token, "token_type": "Bearer",
                  "expires_in": settings.token_lifetime_seconds,
                  "scope": " ".join(sorted(scopes))})


def _token_timeout() -> str:
    """A new token's lifetime as /oauth2/v1/token reports it: whole seconds left once it is
    issued, as the Case Management API's vendor counts them (an hour's token reads "3599")."""
    return str(settings.token_lifetime_seconds - 1)


@route(blueprint, "/oauth2/v1/token", "POST")
def issue_case_api_token():
    """The Case Management API's token endpoint: the client's credentials in a JSON body."""
    body = call_of(blueprint.current_request).body
    principal = auth.verify_client(body["client_id"], body["client_secret"], "oauth2")
    token, _ = auth.issue_token(principal)
    return reply({"access_token": token, "token_timeout": _token_timeout(),
                  "token_type": "Bearer", "user_name": principal.name})
