"""``/api/v1/property-relationship``: one route per operation of its spec."""
from chalice import Blueprint

from ..accounts import service as accounts
from ..core import feeds, idempotency
from ..core.errors import ApiError
from ..core.http import acknowledged, call_of, created, paged, reply, route
from ..properties import service as properties
from . import representation, service

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
BASE = "/property-relationship"


def _call():
    return call_of(blueprint.current_request)


def _one(call, record):
    """A single relationship shows its account's and property's current extid and flags."""
    try:
        account = accounts.get_account(record.account)
    except ApiError:  # an account closed since: the relationship still reads back
        account = None
    estate = properties.get_property(record.property_identifier)
    return reply(representation.relationship(record, call.base_url, account, estate))


@route(blueprint, BASE, "POST")
def associate_property():
    call = _call()
    body = call.body
    key = idempotency.of(call, "property-relationship")
    record, new = idempotency.create_once(key, service.get_relationship, lambda: (
        service.associate(body["account"]["identifier"], body["property"]["identifier"],
                          body["relationship"], body.get("start-date"), key)))
    return created(representation.ref(record, call.base_url), replayed=not new)


@route(blueprint, BASE, "GET")
def list_property_relationships():
    call = _call()
    params = call.params
    feed = feeds.Feed(acked=params.get("acked"), offset=params["offset"], limit=params["limit"],
                      cursor=params.get("cursor"))
    page = service.list_relationships(feed)
    return paged(call, {"property-relationship": [
        representation.relationship(r, call.base_url) for r in page.items]},
        page.next_cursor)


@route(blueprint, BASE + "/{identifier}", "GET")
def get_property_relationship(identifier):
    return _one(_call(), service.get_relationship(identifier))


@route(blueprint, BASE + "/extid/{extid}", "GET")
def get_property_relationship_by_extid(extid):
    return _one(_call(), service.get_relationship(extid=extid))


@route(blueprint, BASE + "/{identifier}/extid", "POST")
def set_property_relationship_extid(identifier):
    call = _call()
    return reply(representation.ref(service.set_extid(identifier, call.body["extid"]),
                                    call.base_url))


@route(blueprint, BASE + "/{identifier}/end", "PUT")
def end_property_relationship(identifier):
    call = _call()
    record = service.end(call.body["end-date"], identifier)
    return reply(representation.relationship(record, call.base_url))



@route(blueprint, BASE + "/acked", "POST")
def acknowledge_property_relationships():
    return acknowledged(_call(), service.acknowledge, by_extid=False)


@route(blueprint, BASE + "/external/acked", "POST")
def acknowledge_property_relationships_by_extid():
    return acknowledged(_call(), service.acknowledge, by_extid=True)
