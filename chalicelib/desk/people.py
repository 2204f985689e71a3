"""The desk's people: agents (name, e-mail, groups, active or not, a password to sign in) and
groups (a name, members). One table, ``desk-directory``: agents under the partition
``agents``, groups under ``groups``, each group's members under ``members:<group>``; an
agent's e-mail is a claim in the unique keys table, written in the same transaction.

An agent signs in with e-mail and password (argon2id, as the customers' passwords) and gets a
bearer token of the scope ``desk`` that names the agent (``agent:<id>``). Every call of an
agent's token reads the agent: a deactivated agent is refused at once, whatever tokens it
holds. A failed sign-in costs the same whether the agent exists (a hash is verified either
way); failures per e-mail are limited (``SIGN_IN_FAILURES`` in 15 minutes, then 429) and
logged as refusals are.
"""
import re
import secrets
from datetime import timedelta

from pynamodb.attributes import BooleanAttribute, ListAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..accounts import passwords
from ..core import db, observability, rate_limits, timestamps
from ..core.auth import digest_of
from ..core.db import meta
from ..core.errors import BadRequest, Conflict, FieldError, NotFound, Unauthorized
from ..core.tokens import AccessToken
from ..core.unique_keys import UniqueKey, claim_key

__all__ = ["Agent", "Group", "Member", "create_agent", "change_agent", "agent_of", "sign_in",
           "create_group", "AGENT_PREFIX", "active_agent", "members_of", "shown"]

AGENT_PREFIX = "agent:"
SIGN_IN_FAILURES = 10
SIGN_IN_WINDOW_SECONDS = 900
#: A working day: an agent signs in again the next morning.
SESSION_SECONDS = 8 * 3600
_GROUP_NAME = re.compile(r"^[^\x00-\x1f:]{1,100}$")
#: Verified when no agent has the e-mail, so that a refusal costs the same either way.
_NOBODY = None


class Agent(Model):
    Meta = meta("desk_directory")
    partition = UnicodeAttribute(hash_key=True, default="agents")
    item = UnicodeAttribute(range_key=True)  # the agent's id, ag_<12 hex>
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    groups = ListAttribute(of=UnicodeAttribute, default=list)
    active = BooleanAttribute(default=True)
    password_hash = UnicodeAttribute(null=True)
    created = UnicodeAttribute()
    updated = UnicodeAttribute()


class Group(Model):
    Meta = meta("desk_directory")
    partition = UnicodeAttribute(hash_key=True, default="groups")
    item = UnicodeAttribute(range_key=True)  # the group's name
    description = UnicodeAttribute(null=True)
    created = UnicodeAttribute()


class Member(Model):
    Meta = meta("desk_directory")
    partition = UnicodeAttribute(hash_key=True)  # members:<group>
    item = UnicodeAttribute(range_key=True)  # the agent's id


def _email_key(email: str) -> str:
    return claim_key("agent-email", email.lower())


def shown(agent: Agent) -> dict:
    return {"id": agent.item, "name": agent.name, "email": agent.email,
            "groups": list(agent.groups or []), "active": bool(agent.active),
            "created": agent.created, "updated": agent.updated}


def _entry(model, partition: str, key: str, label: str, field: str | None):
    """The directory's ``label`` ``key``: 404, or a 400 naming ``field`` when a body names
    it."""
    try:
        return model.get(partition, key)
    except model.DoesNotExist:
        message = f"There is no {label} {key}."
        if field:
            raise BadRequest(message, [FieldError(field, "invalid")]) from None
        raise NotFound(message) from None


def agent_of(agent_id: str, field: str | None = None) -> Agent:
    return _entry(Agent, "agents", agent_id, "agent", field)


def group_of(name: str, field: str | None = None) -> Group:
    return _entry(Group, "groups", name, "group", field)


def _known_groups(names: list[str]) -> None:
    for name in names:
        group_of(name, field="groups")


def _checked_password(password: str | None, email: str) -> str | None:
    if password is None:
        return None
    if not passwords.is_strong(password, email):
        raise BadRequest(f"The password is too weak. {passwords.RULE}",
                         [FieldError("password", "invalid")])
    return passwords.hash_password(password)


def create_agent(body: dict) -> Agent:
    """A new agent; 409 when another agent has its e-mail."""
    groups = list(dict.fromkeys(body.get("groups") or []))
    _known_groups(groups)
    now = timestamps.storage_now()
    agent = Agent("agents", f"ag_{secrets.token_hex(6)}", name=body["name"],
                  email=body["email"], groups=groups, active=True, created=now, updated=now,
                  password_hash=_checked_password(body.get("password"), body["email"]))
    try:
        with TransactWrite(connection=db.connection()) as writes:
            writes.save(agent, condition=Agent.item.does_not_exist())
            writes.save(UniqueKey(_email_key(agent.email), owner=agent.item),
                        condition=UniqueKey.key.does_not_exist())
            for group in groups:
                writes.save(Member(f"members:{group}", agent.item))
    except TransactWriteError as error:
        if db.is_conditional_failure(error):
            raise Conflict(f"An agent has the e-mail {agent.email} already.",
                           [FieldError("email", "taken")]) from None
        raise
    return agent


def change_agent(agent_id: str, body: dict) -> Agent:
    """Change an agent's name, groups, password or state (``active``)."""
    agent = agent_of(agent_id)
    before = set(agent.groups or [])
    if "groups" in body:
        _known_groups(body["groups"])
        agent.groups = list(dict.fromkeys(body["groups"]))
    if "name" in body:
        agent.name = body["name"]
    if "active" in body:
        agent.active = body["active"]
    if "password" in body:
        agent.password_hash = _checked_password(body["password"], agent.email)
    agent.updated = timestamps.storage_now()
    after = set(agent.groups or [])
    with TransactWrite(connection=db.connection()) as writes:
        writes.save(agent, condition=Agent.item.exists())
        for group in before - after:
            writes.delete(Member(f"members:{group}", agent.item))
        for group in after - before:
            writes.save(Member(f"members:{group}", agent.item))
    return agent


def create_group(body: dict) -> Group:
    name = body["name"]
    if not _GROUP_NAME.match(name):
        raise BadRequest("A group's name has 1 to 100 characters, no control character and "
                         "no colon.", [FieldError("name", "invalid")])
    group = Group("groups", name, description=body.get("description"),
                  created=timestamps.storage_now())
    try:
        group.save(condition=Group.item.does_not_exist())
    except Exception as error:
        if db.is_conditional_failure(error):
            raise Conflict(f"The group {name} exists already.",
                           [FieldError("name", "taken")]) from None
        raise
    return group


def members_of(name: str) -> list[str]:
    return [member.item for member in Member.query(f"members:{name}")]


def _nobody() -> str:
    global _NOBODY
    if _NOBODY is None:
        _NOBODY = passwords.hash_password(secrets.token_urlsafe(24))
    return _NOBODY


def sign_in(email: str, password: str, source_ip: str | None) -> tuple[Agent, tuple[str, int]]:
    """The agent whose e-mail and password these are, with a new token and its lifetime;
    401 otherwise (the same answer, and the same work, whether the e-mail is known)."""
    name = f"desk-sign-in#{email.lower()}"
    if rate_limits.count(name, SIGN_IN_WINDOW_SECONDS) >= SIGN_IN_FAILURES:
        observability.refused(429, "too_many_sign_in_failures", email, source_ip)
        rate_limits.take(name, SIGN_IN_FAILURES, SIGN_IN_WINDOW_SECONDS, "Sign in failed")
    owner = None
    try:
        owner = UniqueKey.get(_email_key(email), consistent_read=True).owner
    except UniqueKey.DoesNotExist:
        pass
    agent = None
    if owner:
        try:
            agent = Agent.get("agents", owner)
        except Agent.DoesNotExist:
            agent = None
    stored = agent.password_hash if agent is not None and agent.password_hash else _nobody()
    matches = passwords.verify_password(password, stored)
    if agent is None or not matches or not agent.active or not agent.password_hash:
        rate_limits.take(name, SIGN_IN_FAILURES + 1, SIGN_IN_WINDOW_SECONDS, "Sign in failed")
        raise Unauthorized("The e-mail or the password is not right (or the agent is not "
                           "active).", reason="wrong_password" if agent else "unknown_agent",
                           claimed_client=email)
    return agent, _session(agent)


def _session(agent: Agent) -> tuple[str, int]:
    """A bearer token for ``agent`` (scope ``desk``), written only while it is active."""
    token = secrets.token_urlsafe(32)
    stored = AccessToken(digest_of(token), client_id=AGENT_PREFIX + agent.item,
                         name=agent.name, scopes={"desk"},
                         expires_at=timedelta(seconds=SESSION_SECONDS))
    try:
        with TransactWrite(connection=db.connection()) as writes:
            writes.condition_check(Agent, "agents", agent.item,
                                   condition=Agent.active == True)  # noqa: E712
            writes.save(stored)
    except TransactWriteError as error:
        if not db.is_conditional_failure(error):
            raise
        raise Unauthorized("The agent is not active.", reason="disabled_client") from None
    return token, SESSION_SECONDS


def active_agent(principal) -> Agent | None:
    """The agent a principal stands for (None: an API client); 401 when the agent is gone
    or deactivated, whatever tokens it holds."""
    client_id = getattr(principal, "client_id", "") or ""
    if not client_id.startswith(AGENT_PREFIX):
        return None
    try:
        agent = Agent.get("agents", client_id[len(AGENT_PREFIX):])
    except Agent.DoesNotExist:
        agent = None
    if agent is None or not agent.active:
        raise Unauthorized("The agent is not active; sign in again.", reason="disabled_client")
    return agent
