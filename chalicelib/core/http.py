"""The HTTP pipeline every route goes through, as one chalice middleware.

For each request: find the spec operation of (route, method), authenticate and authorize by the
operation's security, validate parameters and body, call the view, then encode the view's plain
data by the operation's response schema. Any ApiError on the way becomes the API's own error
document; so does anything unexpected, as a 500 that says nothing of the internals.
"""
import functools
import ipaddress
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from chalice import Response

from . import (
    actors,
    auth,
    callers,
    db,
    idempotency,
    observability,
    spec,
    wire_formats,
    xml,
    xml_binding,
)
from .config import settings
from .errors import ApiError, Unavailable
from .validation import ValidRequest, validate_request

__all__ = ["handle", "call_of", "Call", "reply", "created", "route", "acknowledged", "render_error",
           "unrouted", "paged", "next_link"]

log = logging.getLogger(__name__)


class Call:
    """What a view receives besides its path arguments: caller, valid input, own base URL."""

    def __init__(self, principal: auth.Principal, valid: ValidRequest, base_url: str,
                 path: str = "", query: dict | None = None) -> None:
        self.principal = principal
        self.params = valid.params
        self.body = valid.body
        self.base_url = base_url
        self.path = path  # as the client asked, without the stage
        self.query = dict(query or {})  # the query string's parameters, as the client wrote them


def route(blueprint: Any, path: str, method: str):
    """``blueprint.route`` for one operation of the spec.

    Media types are the spec's business: the pipeline answers 415 in the API's format, so
    chalice's own check (which would refuse, say, a GET that carries a Content-Type) is off.
    A view that finds AWS out of reach raises 503 (chalice would turn any other exception of
    a view into its own 500 before the pipeline sees it).
    """
    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except ApiError:
                raise
            except Exception as error:
                if db.is_unavailable(error):
                    log.warning("AWS unavailable: %s", error)
                    raise Unavailable() from error
                raise
        return blueprint.route(path, methods=[method], content_types=["*/*"])(guarded)
    return register


def acknowledged(call: Call, acknowledge: Callable[..., None], **options: Any) -> Response:
    """Run an API's ``acknowledge`` over an ``<acknowledgements>`` body; answer 204."""
    acknowledge([(item["reference"], item.get("version"))
                 for item in call.body["acknowledgement"]], **options)
    return reply(None, 204)


def call_of(request: Any) -> Call:
    return request.servicedesk_call


def reply(data: Any, status: int = 200) -> Response:
    """A view's answer: plain data that the pipeline encodes by the spec."""
    return Response(body=data, status_code=status)


#: Query parameters that a next page's link leaves out: where the page starts, and a token
#: (a CRM client sends its own with every call; a header must not echo it).
_NOT_CARRIED = {"offset", "cursor", "token"}


def next_link(call: Call, cursor: str | None) -> dict[str, str]:
    """The RFC 8288 ``Link`` header to the page after this one (none on a list's last page):
    this request's URL, under the configured base URL, with ``cursor`` for the offset."""
    if not cursor:
        return {}
    query = [(name, value) for name, value in call.query.items() if name not in _NOT_CARRIED]
    # a path that reached us decoded (a topic with a space) is encoded again; escapes stay
    path = quote(call.path, safe="/%:@!$&'()*+,;=-._~")
    url = f"{call.base_url}{path}?{urlencode([*query, ('cursor', cursor)])}"
    return {"Link": f'<{url}>; rel="next"'}


def paged(call: Call, data: Any, cursor: str | None) -> Response:
    """A page of a list: its data, and a ``Link`` to the next page when there is one."""
    return Response(body=data, status_code=200, headers=next_link(call, cursor))


def created(ref: dict, replayed: bool = False) -> Response:
    """201 for a new resource: its reference, and its URL in ``Location`` as HTTP says; a
    create that an Idempotency-Key replays says so."""
    return Response(body=ref, status_code=201, headers={
        "Location": ref["ref"], **(idempotency.REPLAYED if replayed else {})})


#: Where the service answers when nothing says otherwise (a test client, a bare local server).
FALLBACK_BASE_URL = "http://localhost"


def base_url(request: Any) -> str:
    """Where this service answers, for absolute URLs (``ref``, ``Location``): never a client's
    header. The configured public base URL (``make run`` sets its own address); else the one
    that a trusted proxy names; else API Gateway's own domain name (and stage, on its
    execute-api domain), from the request context that API Gateway writes; else localhost."""
    if settings.public_base_url:
        return settings.public_base_url
    context = request.context or {}
    headers = request.headers
    forwarded = headers.get("x-forwarded-host")
    if forwarded and _from_trusted_proxy(context):
        scheme = headers.get("x-forwarded-proto") or "https"
        return f"{scheme}://{forwarded}"
    domain = context.get("domainName")
    if domain:
        stage = context.get("stage") if ".execute-api." in domain else None
        return f"https://{domain}" + (f"/{stage}" if stage else "")
    return FALLBACK_BASE_URL


def _from_trusted_proxy(context: dict) -> bool:
    source = (context.get("identity") or {}).get("sourceIp")
    if not source or not settings.trusted_proxies:
        return False
    try:
        address = ipaddress.ip_address(source)
        return any(address in ipaddress.ip_network(proxy, strict=False)
                   for proxy in settings.trusted_proxies)
    except ValueError:
        return False


#: API Gateway's catch-all resource (deploy/template.py): a path that no route has.
CATCH_ALL_ROUTES = {"/", "/{proxy+}"}


def handle(request: Any, get_response: Callable[[Any], Response]) -> Response:
    route = request.context.get("resourcePath", "")
    path = requested_path(request)
    observability.start_request(request.context.get("requestId"), path, request.method)
    operation = spec.find_operation(route, request.method)
    response = _respond(request, get_response, operation, route, path)
    observability.count_request(operation.api if operation else "none", response.status_code)
    return response


def _respond(request: Any, get_response: Callable[[Any], Response],
             operation: spec.Operation | None, route: str, path: str) -> Response:
    principal = None  # a public operation (its spec's security is empty): the docs, tokens
    actors.acting(None)  # until the caller is known (a warm instance served others before)
    try:
        if operation is None:
            return unrouted(path, request.method, None if route in CATCH_ALL_ROUTES else route)
        if operation.security:
            wire_format = wire_formats.of(operation)
            principal = callers.authenticate(request.headers.get("authorization"),
                                          wire_format.token_of(request),
                                          wire_format.token_scheme)
            observability.identify_client(principal.client_id)
            actors.acting(principal.client_id)
            callers.authorize(principal, operation.security)
        request.servicedesk_call = Call(principal, validate_request(operation, request),
                                        base_url(request), path.split("?")[0],
                                        request.query_params)
        response = get_response(request)
        return _encode(operation, response)
    except ApiError as error:
        if error.status in (401, 403):
            observability.refused(error.status, error.reason or "refused",
                                  error.claimed_client or (principal and principal.client_id),
                                  (request.context.get("identity") or {}).get("sourceIp"))
        return render_error(operation, error, path)
    except Exception as error:  # an AWS outage, or a bug: log it, tell nothing internal
        if db.is_unavailable(error):
            log.warning("AWS unavailable: %s", error)
            return render_error(operation, Unavailable(), path)
        log.exception("unhandled error")
        return render_error(operation, ApiError("An internal error occurred.", status=500,
                                                code="server_error"), path)


def requested_path(request: Any) -> str:
    """The path the client asked for, without the stage (chalice's ``request.path`` is the
    route that matched it)."""
    event = request.to_original_event() if hasattr(request, "to_original_event") else {}
    return event.get("path") or request.context.get("path") or request.path


def unrouted(path: str, method: str, route: str | None = None) -> Response:
    """The answer to a request that no operation serves: 405 naming the methods the path
    allows, in its API's error format, or 404 when no route has that path."""
    route = route or spec.route_of(path)
    allowed = spec.methods_of(route) if route else []
    api = spec.find_operation(route, allowed[0]) if allowed else spec.api_operation_of(path)
    return wire_formats.of(api).for_path(path).missing_route(path, method, allowed)


def _encode(operation: spec.Operation, response: Response) -> Response:
    if isinstance(response.body, dict) and set(response.body) == {"Code", "Message"}:
        # chalice's own answer: an exception in a view (500) or a refused content type
        message = response.body["Message"] if response.status_code < 500 else \
            "An internal error occurred."
        return render_error(operation, ApiError(message, status=response.status_code))
    if response.body is None:  # chalice would send the JSON "null"
        return Response(body="", status_code=response.status_code, headers=response.headers)
    if isinstance(response.body, str):
        return response
    media_type = operation.response_media_type(response.status_code) or "application/json"
    schema = operation.response_schema(response.status_code, media_type)
    if media_type.endswith("xml"):
        body = xml.serialize(xml_binding.encode(response.body, schema, operation.resolve))
    else:
        body = json.dumps(response.body)
    return Response(body=body, status_code=response.status_code,
                    headers={**response.headers, "Content-Type": media_type})


def render_error(operation: spec.Operation | None, error: ApiError, path: str = "") -> Response:
    """``error`` in the wire format of ``operation``'s API (LEAP's XML when none serves it),
    as it answers ``path``."""
    return wire_formats.of(operation).for_path(path).render_error(error)
