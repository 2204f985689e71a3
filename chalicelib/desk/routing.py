"""Routing as data: ordered rules put a new work item in a group and, within it, give it to
an agent by round robin, by least open work, or to nobody (a pool).

A rule matches by kind, topic (or type, or category), property, account and priority (each
given or not); the first matching rule, in order, takes the item. Round robin takes the next
number of the rule's counter (one atomic ADD), so concurrent creates each get their own turn
and no agent gets two before every other active member got one; an inactive agent is
skipped. Least open work reads the open-work counters per assignee (one Query). Routing runs
once, when a record's work item is first made and the record names no assignee or group;
the assignment goes through the record's own service, as the desk's does (``actions``).
"""
import json
import secrets
from types import SimpleNamespace

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from ..core import timestamps
from ..core.auth import Principal
from ..core.db import meta
from ..core.errors import BadRequest, FieldError, NotFound
from . import people
from .kinds import KINDS, PRIORITIES

__all__ = ["Rule", "create_rule", "change_rule", "delete_rule", "rules", "choose", "route",
           "shown", "MATCHES", "STRATEGIES", "MOST_RULES"]

MATCHES = ("kind", "topic", "property", "account", "priority")
STRATEGIES = ("round_robin", "least_open", "pool")
MOST_RULES = 100
#: Who routing acts as, in the records' histories.
ROUTER = SimpleNamespace(principal=Principal("desk-routing", "The service desk", set(),
                                             "system"))


class Rule(Model):
    Meta = meta("desk_directory")
    partition = UnicodeAttribute(hash_key=True, default="rules")
    item = UnicodeAttribute(range_key=True)  # ru_<12 hex>
    name = UnicodeAttribute()
    position = NumberAttribute()
    match = UnicodeAttribute(default="{}")  # JSON: a field of MATCHES -> its value
    group = UnicodeAttribute()
    strategy = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    created = UnicodeAttribute()
    updated = UnicodeAttribute()


class Turn(Model):
    """A round robin rule's counter: how many items it has handed out."""
    Meta = meta("desk_directory")
    partition = UnicodeAttribute(hash_key=True)  # turns:<rule id>
    item = UnicodeAttribute(range_key=True, default="count")
    count = NumberAttribute(default=0)


def shown(rule: Rule) -> dict:
    return {"id": rule.item, "name": rule.name, "position": int(rule.position),
            "match": _match(rule), "group": rule.group, "strategy": rule.strategy,
            "active": bool(rule.active), "created": rule.created, "updated": rule.updated}


def _match(rule: Rule) -> dict:
    return json.loads(rule.match or "{}")


def _stored(match: dict | None) -> str:
    return json.dumps(match or {}, sort_keys=True)


def rules() -> list[Rule]:
    """Every rule, in order."""
    return sorted(Rule.query("rules"), key=lambda rule: (rule.position, rule.created))


def _rule(rule_id: str) -> Rule:
    try:
        return Rule.get("rules", rule_id)
    except Rule.DoesNotExist:
        raise NotFound(f"There is no routing rule {rule_id}.") from None


def _renumber(ordered: list[Rule]) -> None:
    for position, rule in enumerate(ordered, start=1):
        if rule.position != position:
            rule.position = position
            rule.save()


def create_rule(body: dict) -> Rule:
    existing = rules()
    if len(existing) >= MOST_RULES:
        raise BadRequest(f"A desk has at most {MOST_RULES} routing rules.",
                         [FieldError("name", "invalid")])
    people.group_of(body["group"], field="group")
    now = timestamps.storage_now()
    rule = Rule("rules", f"ru_{secrets.token_hex(6)}", name=body["name"],
                position=len(existing) + 1, match=_stored(body.get("match")),
                group=body["group"], strategy=body.get("strategy", "pool"),
                active=body.get("active", True), created=now, updated=now)
    rule.save()
    if "position" in body:
        _place(rule, body["position"], existing)
    return rule


def _place(rule: Rule, position: int, others: list[Rule]) -> None:
    ordered = [other for other in others if other.item != rule.item]
    ordered.insert(max(0, min(position, len(ordered) + 1) - 1), rule)
    _renumber(ordered)


def change_rule(rule_id: str, body: dict) -> Rule:
    rule = _rule(rule_id)
    if "group" in body:
        people.group_of(body["group"], field="group")
    for name in ("name", "group", "strategy", "active"):
        if name in body:
            setattr(rule, name, body[name])
    if "match" in body:
        rule.match = _stored(body["match"])
    rule.updated = timestamps.storage_now()
    rule.save()
    if "position" in body:
        _place(rule, body["position"], rules())
    return rule


def delete_rule(rule_id: str) -> None:
    _rule(rule_id).delete()
    _renumber(rules())


def _matches(rule: Rule, item: dict) -> bool:
    return rule.active and all(str(item.get(name)) == str(value)
                               for name, value in _match(rule).items())


def choose(item: dict) -> Rule | None:
    """The first active rule that matches ``item`` (a work item's fields), if any."""
    return next((rule for rule in rules() if _matches(rule, item)), None)


def _members(group: str) -> list[people.Agent]:
    members = people.members_of(group)
    found = people.Agent.batch_get([("agents", member) for member in members]) \
        if members else []
    return sorted((agent for agent in found if agent.active), key=lambda agent: agent.item)


def _round_robin(rule: Rule, members: list) -> people.Agent:
    turn = Turn(f"turns:{rule.item}")
    turn.update(actions=[Turn.count.add(1)])
    return members[(int(turn.count) - 1) % len(members)]


def _least_open(rule: Rule, members: list) -> people.Agent:
    from .queue import open_work
    counts = open_work()
    return min(members, key=lambda agent: (counts.get(agent.name, 0), agent.item))


def agent_for(rule: Rule) -> people.Agent | None:
    """The agent ``rule`` gives its next item to (None: a pool, or nobody active)."""
    members = _members(rule.group) if rule.strategy != "pool" else []
    if not members:
        return None
    return (_round_robin if rule.strategy == "round_robin" else _least_open)(rule, members)


def fields_of(item) -> dict:
    """What rules match on, of a work item."""
    found = {name: getattr(item, name) for name in MATCHES}
    found["priority"] = PRIORITIES.get(int(item.priority), "normal")
    return found


def route(item) -> None:
    """Route a new work item whose record names no assignee or group yet (read again: a
    replayed creation finds the record routed and does nothing), through its record."""
    if item.assignee or item.group:
        return
    rule = choose(fields_of(item))
    if rule is None:
        return
    kind = KINDS[item.kind]
    try:
        record = kind.model.get(item.record, consistent_read=True)
    except kind.model.DoesNotExist:
        return
    if kind.assignee(record) or kind.group(record):
        return
    from .actions import ASSIGN
    agent = agent_for(rule)
    ASSIGN[item.kind](ROUTER, item.record, agent.name if agent else None, rule.group,
                      {"assignee", "group"} if agent else {"group"})
