"""Who is calling, and whether they may: the caller that a request names (HTTP Basic, a bearer
token, a CRM login token, an Open311 API key), then the operation's security requirements
against its scopes."""
from . import tokens
from .auth import CHALLENGE, Principal, basic_client
from .errors import Forbidden, Unauthorized

__all__ = ["authenticate", "authorize", "TOKEN_SCHEMES"]


def _open311_key(api_key: str) -> Principal:
    from ..open311 import keys  # only an Open311 report needs it
    return keys.principal_of(api_key)


#: The security scheme of a token that a request carries outside its Authorization header
#: (``wire_formats``' ``token_of``) -> who it names: a CRM login token, or an Open311 API key
#: (a credential of its own, good for Open311 reports alone: never a client's secret).
TOKEN_SCHEMES = {"crmToken": lambda token: tokens.principal_of(token, "crmToken"),
                 "api_key": _open311_key}


def authenticate(authorization: str | None, token: str | None = None,
                 token_scheme: str = "") -> Principal:
    """The caller named by a ``token`` of the security scheme ``token_scheme`` (a CRM login
    token, an Open311 API key) or else by an ``Authorization`` header, or 401."""
    if token:
        return TOKEN_SCHEMES[token_scheme](token)
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    if scheme.lower() == "basic" and credentials:
        return basic_client(credentials.strip())
    if scheme.lower() == "bearer" and credentials:
        return tokens.principal_of(credentials.strip())
    raise Unauthorized("Authentication required: HTTP Basic (client id and secret) or a "
                       "Bearer token from /oauth2/token.", headers=CHALLENGE,
                       reason="missing_credentials")


def authorize(principal: Principal, security: list[dict]) -> None:
    """403 unless one of the operation's security requirements is met by ``principal``."""
    schemes = [requirement for requirement in security if principal.scheme in requirement]
    if not schemes:
        raise Unauthorized(f"This operation does not accept {principal.scheme} authentication.",
                           headers=CHALLENGE, reason="wrong_scheme",
                           claimed_client=principal.client_id)
    for requirement in schemes:
        needed = set(requirement[principal.scheme])
        if needed <= principal.scopes:
            return
    raise Forbidden(f"Client {principal.client_id} lacks the scope "
                    f"{' '.join(sorted(needed - principal.scopes))} that this operation needs.",
                    reason="missing_scope", claimed_client=principal.client_id)
