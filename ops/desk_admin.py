"""Operator commands for the desk's people: agents and groups (``chalicelib.desk.people``),
and the work items (``rebuild-work-items`` is with the maintenance commands)."""
import getpass

__all__ = ["register"]


def _password(args) -> str | None:
    if not args.with_password:
        return None
    return getpass.getpass("password for the agent (not shown): ")


def _create_agent(args) -> str:
    from chalicelib.desk import people
    body = {"name": args.name, "email": args.email,
            "groups": [g for g in (args.groups or "").split(",") if g]}
    password = _password(args)
    if password is not None:
        body["password"] = password
    agent = people.create_agent(body)
    return f"agent {agent.item} ({agent.name}, {agent.email}) created" + (
        "" if password else "; it signs in once it has a password (set-agent-password)")


def _list_agents(args) -> str:
    from chalicelib.desk import people
    lines = ["id\tname\te-mail\tgroups\tstate"]
    for agent in people.Agent.query("agents"):
        lines.append(f"{agent.item}\t{agent.name}\t{agent.email}\t"
                     f"{','.join(agent.groups or []) or '-'}\t"
                     f"{'active' if agent.active else 'deactivated'}")
    return "\n".join(lines)


def _deactivate_agent(args) -> str:
    from types import SimpleNamespace

    from chalicelib.core.auth import Principal
    from chalicelib.desk import actions, people
    agent = people.change_agent(args.agent_id, {"active": False})
    operator = SimpleNamespace(principal=Principal("operator", "The service desk", set(),
                                                   "operator"))
    returned = actions.return_work(agent.name, operator)
    return (f"agent {agent.item} deactivated: refused from now on; {returned} open work "
            "item(s) returned to their group")


def _set_password(args) -> str:
    from chalicelib.desk import people
    password = getpass.getpass("new password (not shown): ")
    people.change_agent(args.agent_id, {"password": password})
    return f"agent {args.agent_id}: password set"


def _create_group(args) -> str:
    from chalicelib.desk import people
    people.create_group({"name": args.name, "description": args.description})
    return f"group {args.name} created"


def _list_groups(args) -> str:
    from chalicelib.desk import people
    lines = ["name\tmembers\tdescription"]
    for group in people.Group.query("groups"):
        lines.append(f"{group.item}\t{len(people.members_of(group.item))}\t"
                     f"{group.description or '-'}")
    return "\n".join(lines)


def register(commands) -> None:
    agent = commands.add_parser("create-agent", help="a desk agent (--with-password asks "
                                                     "for its password)")
    agent.add_argument("name")
    agent.add_argument("email")
    agent.add_argument("--groups", help="comma-separated group names")
    agent.add_argument("--with-password", action="store_true")
    agent.set_defaults(run=_create_agent)
    commands.add_parser("list-agents", help="list the desk's agents").set_defaults(
        run=_list_agents)
    deactivate = commands.add_parser("deactivate-agent", help="refuse an agent from now on; "
                                                              "its open work returns to its "
                                                              "group")
    deactivate.add_argument("agent_id")
    deactivate.set_defaults(run=_deactivate_agent)
    password = commands.add_parser("set-agent-password", help="set an agent's password "
                                                              "(asked, not shown)")
    password.add_argument("agent_id")
    password.set_defaults(run=_set_password)
    group = commands.add_parser("create-group", help="a group of agents")
    group.add_argument("name")
    group.add_argument("--description")
    group.set_defaults(run=_create_group)
    commands.add_parser("list-groups", help="list the desk's groups").set_defaults(
        run=_list_groups)
