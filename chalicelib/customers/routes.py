"""``/api/v1/customers``: one route per operation of ``openapi/customers.yaml``."""
from chalice import Blueprint

from ..accounts import catalog, representation, service
from ..core import feeds, idempotency, pages
from ..core.http import acknowledged, call_of, created, paged, reply, route
from ..property_relationships import service as relationships

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
BASE = "/customers"


def _call():
    return call_of(blueprint.current_request)


def _one(call, account):
    """A single account shows its relationships with their current acknowledgement state."""
    links = relationships.links(account.relationships or [], call.base_url, with_flags=True)
    labels = catalog.additional_field_labels(account.fields())
    return reply(representation.account(account, call.base_url, labels, links))


def _many(call, accounts, next_cursor: str | None = None):
    labels = catalog.additional_field_labels({key for a in accounts for key in a.fields()})
    return paged(call, {"account": [
        representation.account(a, call.base_url, labels, relationships.links(
            a.relationships or [], call.base_url, with_flags=False)) for a in accounts]},
        next_cursor)


def _ref(call, account, status=201):
    return reply(representation.ref(account, call.base_url), status)


@route(blueprint, BASE, "POST")
def create_customer():
    call = _call()
    key = idempotency.of(call, "customer")
    account, new = idempotency.create_once(key, service.get_account, lambda: (
        service.create_account(call.body, idempotency=key)))
    return created(representation.ref(account, call.base_url), replayed=not new)


@route(blueprint, BASE, "GET")
def list_customers():
    call = _call()
    params = call.params
    feed = feeds.Feed(acked=params.get("acked"), offset=params["offset"], limit=params["limit"],
                      cursor=params.get("cursor"))
    page = service.list_accounts(feed)
    return _many(call, page.items, page.next_cursor)


@route(blueprint, BASE + "/{identifier}", "GET")
def get_customer(identifier):
    return _one(_call(), service.get_account(identifier))


@route(blueprint, BASE + "/{identifier}", "PUT")
def update_customer(identifier):
    call = _call()
    return _ref(call, service.update_account(call.body, identifier=identifier))


@route(blueprint, BASE + "/extid/{extid}", "GET")
def get_customer_by_extid(extid):
    return _one(_call(), service.get_account(extid=extid))


@route(blueprint, BASE + "/extid/{extid}", "PUT")
def update_customer_by_extid(extid):
    call = _call()
    return _ref(call, service.update_account(call.body, extid=extid))


@route(blueprint, BASE + "/{identifier}/change-login", "PUT")
def change_customer_login(identifier):
    call = _call()
    return _ref(call, service.change_login(call.body["login-id"], identifier=identifier))


@route(blueprint, BASE + "/extid/{extid}/change-login", "PUT")
def change_customer_login_by_extid(extid):
    call = _call()
    return _ref(call, service.change_login(call.body["login-id"], extid=extid))


@route(blueprint, BASE + "/{identifier}/extid", "POST")
def set_customer_extid(identifier):
    call = _call()
    return _ref(call, service.set_extid(identifier, call.body["extid"]), 200)



@route(blueprint, BASE + "/acked", "POST")
def acknowledge_customers():
    return acknowledged(_call(), service.acknowledge, by_extid=False)


@route(blueprint, BASE + "/external/acked", "POST")
def acknowledge_customers_by_extid():
    return acknowledged(_call(), service.acknowledge, by_extid=True)


@route(blueprint, BASE + "/by-additional-field/{field}/{value}", "GET")
def find_customers_by_additional_field(field, value):
    call = _call()
    page = service.find_by_additional_field(field, value, pages.Asked(
        call.params["limit"], call.params["offset"], call.params.get("cursor")))
    return _many(call, page.items, page.next_cursor)


@route(blueprint, BASE + "/by_email/{community}/{email}", "GET")
def find_customers_by_email(community, email):
    return _many(_call(), service.find_by_email(community, email))


@route(blueprint, BASE + "/{identifier}/comments", "POST")
def add_customer_comment(identifier):
    call = _call()
    return _ref(call, service.add_comment(call.body["comment"], call.principal.name,
                                          identifier=identifier))


@route(blueprint, BASE + "/extid/{extid}/comments", "POST")
def add_customer_comment_by_extid(extid):
    call = _call()
    return _ref(call, service.add_comment(call.body["comment"], call.principal.name,
                                          extid=extid))
