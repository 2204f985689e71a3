"""``/api/v1/properties``: one route per operation of ``openapi/properties.yaml``."""
from chalice import Blueprint

from ..core import feeds, idempotency
from ..core.http import acknowledged, call_of, created, paged, reply, route
from . import representation, service

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
BASE = "/properties"


def _call():
    return call_of(blueprint.current_request)


@route(blueprint, BASE, "POST")
def create_property():
    call = _call()
    key = idempotency.of(call, "property")
    record, new = idempotency.create_once(key, service.get_property, lambda: (
        service.create_property(call.body["name"], call.body["address"], key)))
    return created(representation.ref(record, call.base_url), replayed=not new)


@route(blueprint, BASE, "GET")
def list_properties():
    call = _call()
    params = call.params
    feed = feeds.Feed(acked=params.get("acked"), offset=params["offset"], limit=params["limit"],
                      cursor=params.get("cursor"))
    page = service.list_properties(feed)
    return paged(call, {"property": [representation.property_(p, call.base_url)
                                     for p in page.items]}, page.next_cursor)


@route(blueprint, BASE + "/{identifier}", "GET")
def get_property(identifier):
    call = _call()
    return reply(representation.property_(service.get_property(identifier), call.base_url))


@route(blueprint, BASE + "/extid/{extid}", "GET")
def get_property_by_extid(extid):
    call = _call()
    return reply(representation.property_(service.get_property(extid=extid), call.base_url))


@route(blueprint, BASE + "/{identifier}/extid", "POST")
def set_property_extid(identifier):
    call = _call()
    return reply(representation.ref(service.set_extid(identifier, call.body["extid"]),
                                    call.base_url))



@route(blueprint, BASE + "/acked", "POST")
def acknowledge_properties():
    return acknowledged(_call(), service.acknowledge, by_extid=False)


@route(blueprint, BASE + "/external/acked", "POST")
def acknowledge_properties_by_extid():
    return acknowledged(_call(), service.acknowledge, by_extid=True)
