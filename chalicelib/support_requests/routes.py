"""``/api/v1/requests``: one route per operation of ``openapi/support_requests.yaml``.

Routes only translate: the pipeline (core.http) has authenticated the caller and validated the
input against the spec before a view runs, and encodes the plain data a view returns.
"""
from chalice import Blueprint

from ..core import feeds, idempotency
from ..core.http import acknowledged, call_of, created, paged, reply, route
from . import representation, service

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)


def _call():
    return call_of(blueprint.current_request)


def _feed(call, **scope) -> feeds.Feed:
    params = call.params
    return feeds.Feed(scope=scope, acked=params.get("acked"),
                      updated_from=params.get("last-update-from"),
                      updated_to=params.get("last-update-to"),
                      offset=params["offset"], limit=params["limit"],
                      cursor=params.get("cursor"))


def _page(call, **scope):
    page = service.list_requests(_feed(call, **scope))
    return paged(call, {"support-request": [representation.summary(item, call.base_url)
                                            for item in page.items]}, page.next_cursor)


def _raise(call):
    body = call.body
    optional = {name: body.get(element, {}).get("identifier")
                for name, element in (("sub_topic", "sub-topic"),
                                      ("property_identifier", "property"),
                                      ("purchased_product_offer", "purchased-product-offer"))}
    key = idempotency.of(call, "support-request")
    request, new = idempotency.create_once(key, service.get_request, lambda: service.raise_request(
        body["account"]["identifier"], body["topic"]["identifier"], body["summary"],
        description=body.get("description"), email=body.get("email"),
        creator=body.get("creator"), extid=body.get("extid"), idempotency=key, **optional))
    return created(representation.ref(request, call.base_url), replayed=not new)


def _update(call, identifier=None, extid=None):
    body = call.body
    request = service.post_update(body.get("updater") or call.principal.name, identifier, extid,
                                  state=body.get("state"), comment=body.get("comment"),
                                  assignee=body.get("assignee"))
    return reply(representation.full(request, call.base_url), 201)


def _acknowledge(call, by_extid: bool):
    body = call.body
    with_updates = body.get("acknowledgeUpdates", body.get("acknowlegdeUpdates", True))
    return acknowledged(call, service.acknowledge, with_updates=with_updates, by_extid=by_extid)


@route(blueprint, "/requests", "POST")
def raise_support_request():
    return _raise(_call())


@route(blueprint, "/requests", "GET")
def list_support_requests():
    return _page(_call())


@route(blueprint, "/requests/{identifier}", "GET")
def get_support_request(identifier):
    call = _call()
    return reply(representation.full(service.get_request(identifier), call.base_url))


@route(blueprint, "/requests/extid/{extid}", "GET")
def get_support_request_by_extid(extid):
    call = _call()
    return reply(representation.full(service.get_request(extid=extid), call.base_url))


@route(blueprint, "/requests/{identifier}/extid", "POST")
def set_support_request_extid(identifier):
    call = _call()
    request = service.set_extid(identifier, call.body["extid"])
    return reply(representation.ref(request, call.base_url))


@route(blueprint, "/requests/acked", "POST")
def acknowledge_support_requests():
    return _acknowledge(_call(), by_extid=False)


@route(blueprint, "/requests/external/acked", "POST")
def acknowledge_support_requests_by_extid():
    return _acknowledge(_call(), by_extid=True)


@route(blueprint, "/requests/by-topic/{topic}", "GET")
def list_support_requests_by_topic(topic):
    return _page(_call(), topic=topic)


@route(blueprint, "/requests/by-topic/{topic}/in-state/{state}", "GET")
def list_support_requests_by_topic_and_state(topic, state):
    return _page(_call(), topic=topic, state=state)


@route(blueprint, "/requests/{identifier}/updates", "POST")
def post_support_request_update(identifier):
    return _update(_call(), identifier=identifier)


@route(blueprint, "/requests/extid/{extid}/updates", "POST")
def post_support_request_update_by_extid(extid):
    return _update(_call(), extid=extid)
