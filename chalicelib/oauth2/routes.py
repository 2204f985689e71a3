"""``/oauth2/token``, as ``openapi/oauth2.yaml`` describes it."""
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
