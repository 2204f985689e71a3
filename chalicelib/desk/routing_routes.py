"""``/desk/v1/routing-rules``: the desk's routing rules (``desk.routing``), on the desk API's
blueprint."""
from chalice import Response

from ..core.http import reply, route
from . import routing
from .people_routes import managing
from .routes import blueprint, desk_call

__all__ = []


@route(blueprint, "/routing-rules", "GET")
def list_routing_rules():
    desk_call()
    return reply({"data": [routing.shown(rule) for rule in routing.rules()]})


@route(blueprint, "/routing-rules", "POST")
def create_routing_rule():
    call = managing()
    rule = routing.create_rule(call.body)
    return Response(body=routing.shown(rule), status_code=201, headers={
        "Location": f"{call.base_url}/desk/v1/routing-rules/{rule.item}"})


@route(blueprint, "/routing-rules/{id}", "PATCH")
def update_routing_rule(id):  # noqa: A002
    call = managing()
    return reply(routing.shown(routing.change_rule(id, call.body)))


@route(blueprint, "/routing-rules/{id}", "DELETE")
def delete_routing_rule(id):  # noqa: A002
    managing()
    routing.delete_rule(id)
    return Response(body=None, status_code=204)


@route(blueprint, "/routing-rules/test", "POST")
def test_routing_rules():
    """A dry run: which rule would take an item of these fields, and to whom it would go
    next (a round robin's turn is not taken)."""
    call = desk_call()
    rule = routing.choose(call.body)
    if rule is None:
        return reply({"rule": None, "group": None, "strategy": None})
    return reply({"rule": routing.shown(rule), "group": rule.group,
                  "strategy": rule.strategy})
