"""``/desk/v1``: one route per operation of ``openapi/desk.yaml``."""
from chalice import Blueprint, Response

from ..core import tenancy, timestamps
from ..core.errors import BadRequest, FieldError, Forbidden, NotFound
from ..core.http import call_of, paged, reply, route
from . import actions, people, queue, raising
from .kinds import PRIORITIES, kind_of
from .models import WorkItem
from .representation import shown
from .timeline import timeline

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
_FILTERS = ("state", "kind", "assignee", "group", "account", "property", "topic", "priority")
_WINDOWS = ("created_from", "created_to", "updated_from", "updated_to")


def desk_call():
    """The call, once its caller is known to act for the desk: an active agent, or an API
    client of scope desk bound to no account (403 otherwise: a customer account's client
    never reaches the desk)."""
    call = call_of(blueprint.current_request)
    if not tenancy.acts_for_desk(call.principal):
        raise Forbidden("This client acts for a customer account; the desk API is the desk's "
                        "(scope desk, no account).")
    call.agent = people.active_agent(call.principal)
    return call



def _filters(params: dict, agent) -> dict:
    found = {name: params.get(name) for name in _FILTERS}
    if found["assignee"] == "me":
        if agent is None:
            raise BadRequest("assignee=me is a signed-in agent's own work; an API client "
                             "names the assignee.", [FieldError("assignee", "invalid")])
        found["assignee"] = agent.name
    if found["priority"] is not None:
        found["priority"] = {name: level for level, name in PRIORITIES.items()}[
            found["priority"]]
    found["unassigned"] = bool(params.get("unassigned"))
    for name in _WINDOWS:
        value = params.get(name)
        found[name] = timestamps.to_storage(value) if value is not None else None
    return found


@route(blueprint, "/work-items", "GET")
def list_work_items():
    call = desk_call()
    params = call.params
    items, cursor, _ = queue.page(_filters(params, call.agent), params.get("sort", "priority"),
                                  params.get("order", "desc" if params.get("sort") in (
                                      "created", "updated") else "asc") == "desc",
                                  params.get("limit", 50), params.get("cursor"))
    return paged(call, {"data": [shown(item, call.base_url) for item in items],
                        "next_cursor": cursor}, cursor)


@route(blueprint, "/work-items", "POST")
def raise_work_item():
    """Work raised on a customer's behalf, through its record's own service."""
    call = desk_call()
    item_id = raising.raise_work(call, call.body)
    kind, record = kind_of(item_id)
    return Response(body={"id": item_id, "kind": kind.name, "record": record,
                          "link": call.base_url + kind.path.format(record)}, status_code=201,
                    headers={"Location": f"{call.base_url}/desk/v1/work-items/{item_id}"})


@route(blueprint, "/work-items/{id}", "GET")
def get_work_item(id):  # noqa: A002
    call = desk_call()
    named = kind_of(id)
    try:
        item = WorkItem.get(id) if named else None
    except WorkItem.DoesNotExist:
        item = None
    if item is None:
        raise NotFound(f"There is no work item {id}.")
    return reply({**shown(item, call.base_url), **timeline(item.kind, item.record, item.id)})


@route(blueprint, "/work-items/{id}/assignment", "POST")
def assign_work_item(id):  # noqa: A002
    call = desk_call()
    actions.assign(call, id, call.body)
    return Response(body=None, status_code=204)


@route(blueprint, "/work-items/{id}/comments", "POST")
def comment_work_item(id):  # noqa: A002
    call = desk_call()
    actions.comment(call, id, call.body)
    return Response(body=None, status_code=204)


@route(blueprint, "/counts", "GET")
def get_work_item_counts():
    desk_call()
    return reply(queue.counts())


from . import people_routes, routing_routes  # noqa: E402,F401 - on this blueprint
