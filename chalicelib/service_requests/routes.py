"""``/crmapi/rest/v2/...``, as ``openapi/service_requests.yaml`` describes it."""
from chalice import Blueprint

from ..core import auth, crm
from ..core.config import settings
from ..core.errors import ApiError
from ..core.http import call_of, reply, route

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
SCOPE = "service-requests"


def _token_for(principal: auth.Principal) -> dict:
    if SCOPE not in principal.scopes:
        raise ApiError(f"Client {principal.client_id} lacks the scope {SCOPE}.", status=403)
    token, _ = auth.issue_token(principal, {SCOPE},
                                lifetime_seconds=settings.crm_token_lifetime_seconds)
    return crm.ok({"token": token})


@route(blueprint, "/authentication/token", "POST")
def issue_crm_token():
    body = call_of(blueprint.current_request).body
    if body["organisation"] != settings.crm_organisation:
        raise ApiError(f"Unknown organisation {body['organisation']}.",
                       code="INVALID_CREDENTIALS", status=401)
    try:
        principal = auth.verify_client(body["username"], body["password"], "crmToken")
    except ApiError:
        raise ApiError("Wrong username or password.", code="INVALID_CREDENTIALS",
                       status=401) from None
    return reply(_token_for(principal))


@route(blueprint, "/authentication/token/release", "POST")
def release_crm_token():
    auth.release_token(call_of(blueprint.current_request).body["token"])
    return reply(crm.ok(None))


@route(blueprint, "/authentication/web_api_key/token", "POST")
def issue_crm_token_with_web_api_key():
    return reply(_token_for(call_of(blueprint.current_request).principal))
