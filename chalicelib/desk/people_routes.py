"""``/desk/v1/agents``, ``/desk/v1/groups``, ``/desk/v1/sign-in``, ``/desk/v1/sign-out``:
the desk's people (``desk.people``), on the desk API's blueprint."""
from chalice import Response

from ..core.errors import Forbidden
from ..core.http import call_of, reply, route
from ..core.tokens import release_token
from . import actions, people
from .routes import blueprint, desk_call

__all__ = []


def managing():
    """A call that changes who works the desk: an API client of the desk's (an operator's
    integration), not a signed-in agent."""
    call = desk_call()
    if call.agent is not None:
        raise Forbidden("Agents and groups are managed by the desk's API clients and "
                        "operators, not by a signed-in agent.")
    return call


@route(blueprint, "/agents", "POST")
def create_desk_agent():
    call = managing()
    agent = people.create_agent(call.body)
    return Response(body=people.shown(agent), status_code=201,
                    headers={"Location": f"{call.base_url}/desk/v1/agents/{agent.item}"})


@route(blueprint, "/agents", "GET")
def list_desk_agents():
    desk_call()
    return reply({"data": [people.shown(agent) for agent in people.Agent.query("agents")]})


@route(blueprint, "/agents/{id}", "GET")
def get_desk_agent(id):  # noqa: A002
    desk_call()
    return reply(people.shown(people.agent_of(id)))


@route(blueprint, "/agents/{id}", "PATCH")
def update_desk_agent(id):  # noqa: A002
    """A deactivated agent's open work returns to its group (its records are unassigned)."""
    call = managing()
    agent = people.change_agent(id, call.body)
    if call.body.get("active") is False:
        actions.return_work(agent.name, call)
    return reply(people.shown(agent))


@route(blueprint, "/groups", "POST")
def create_desk_group():
    call = managing()
    group = people.create_group(call.body)
    return Response(body=_group(group), status_code=201,
                    headers={"Location": f"{call.base_url}/desk/v1/groups/{group.item}"})


def _group(group) -> dict:
    return {"name": group.item, "description": group.description, "created": group.created,
            "members": people.members_of(group.item)}


@route(blueprint, "/groups", "GET")
def list_desk_groups():
    desk_call()
    return reply({"data": [_group(group) for group in people.Group.query("groups")]})


@route(blueprint, "/sign-in", "POST")
def sign_in_desk_agent():
    call = call_of(blueprint.current_request)
    source = blueprint.current_request.context.get("identity", {}).get("sourceIp")
    agent, (token, lifetime) = people.sign_in(call.body["email"], call.body["password"],
                                              source)
    return reply({"access_token": token, "token_type": "Bearer", "expires_in": lifetime,
                  "agent": people.shown(agent)})


@route(blueprint, "/sign-out", "POST")
def sign_out_desk_agent():
    call = desk_call()
    if call.agent is None:
        raise Forbidden("Only a signed-in agent signs out.")
    header = blueprint.current_request.headers.get("authorization", "")
    release_token(header.split(" ", 1)[1] if " " in header else "")
    return Response(body=None, status_code=204)
