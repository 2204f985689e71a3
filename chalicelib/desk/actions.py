"""What the desk does to a work item, always through its record's own service (the record
stays the only truth, and its work item follows it through the stream):

- **assign** to an agent, a group, or both (None takes one away). A support request gets
  the agent as its LEAP ``assignee`` (an ASSIGNED update, by its state machine's rules) and
  the group as the desk's own; a service request the CRM user or group of that name in
  ``assigned_to`` when the CRM has one, else the desk's own; a ticket the desk's assignee
  and group (TMF621 shows the agent as a ``relatedParty`` of the role ``assignee``).
- **comment**, public or internal. Public: a support request's LEAP comment (an update), a
  ticket's EXTERNAL note (e-mailed to its contacts, as that API does). Internal: a ticket's
  INTERNAL note; on a support request or a service request, the desk's own note, which no
  other API shows. A service request has no comments in its API: a public comment there is
  refused (409), saying so.
"""
import secrets

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from ..cases import service as cases
from ..core import auth, timestamps
from ..core.db import meta
from ..core.errors import ApiError, BadRequest, Conflict, FieldError, NotFound
from ..service_requests import life_cycle
from ..support_requests import service as support_requests
from . import people
from .kinds import KINDS, kind_of

__all__ = ["assign", "comment", "DeskNote", "desk_notes"]

#: The desk's principal for the Case Management API: its scope reads and writes every
#: account's tickets (the desk's own calls, in the name of the agent or client).
_CASES_SCOPES = {"cases-operator"}


class DeskNote(Model):
    """An internal note of the desk on a support request or a service request."""
    Meta = meta("desk_directory")
    partition = UnicodeAttribute(hash_key=True)  # notes:<work item id>
    item = UnicodeAttribute(range_key=True)  # <time>#<random>: in order
    text = UnicodeAttribute()
    by = UnicodeAttribute()
    at = UnicodeAttribute()


def _target(item_id: str) -> tuple[str, str]:
    """The kind and record a work item's id names (its record may be newer than its work
    item: an action does not wait for the projection)."""
    named = kind_of(item_id)
    if named is None:
        raise NotFound(f"There is no work item {item_id}.")
    return named[0].name, named[1]


def _refused(error: ApiError, item_id: str, field: str) -> ApiError:
    """A record's own refusal as the desk's: its record missing is the work item's 404, a
    rule it broke a 409 (its message) naming the desk's field."""
    if error.status == 404:
        return NotFound(f"There is no work item {item_id}.")
    return _named(error, field)


def _desk_principal(call) -> auth.Principal:
    return auth.Principal(call.principal.client_id, call.principal.name, _CASES_SCOPES,
                          "oauth2")


def _named(error: ApiError, field: str) -> ApiError:
    """A record's own refusal, as the desk's (its message, its status, the desk's field)."""
    return type(error)(error.message, [FieldError(field, "invalid")], status=error.status)


def _assign_support_request(call, record: str, assignee, group, fields: set[str]) -> None:
    unchanged = support_requests.UNCHANGED
    support_requests.assign(call.principal.name, record,
                            assignee if "assignee" in fields else unchanged,
                            group if "group" in fields else unchanged)


def _assign_service_request(call, record: str, assignee, group, fields: set[str]) -> None:
    life_cycle.assign(record, assignee, group, fields)


def _assign_ticket(call, record: str, assignee, group, fields: set[str]) -> None:
    cases.assign(_desk_principal(call), record, assignee, group, fields)


def _public_comment_on_support_request(call, record: str, text: str) -> None:
    support_requests.post_update(call.principal.name, record, comment=text)


def _no_comments(call, record: str, text: str) -> None:
    raise Conflict("A service request has no comments in its API: write an internal note, "
                   "or change its notes through the CRM-style API.",
                   [FieldError("visibility", "invalid")])


def _note_on_ticket(visibility: str):
    def note(call, record: str, text: str) -> None:
        cases.add_note(_desk_principal(call), record, {"text": text, "visibility": visibility})
    return note


def _desk_note(call, item_id: str, text: str) -> None:
    now = timestamps.storage_now()
    DeskNote(f"notes:{item_id}", f"{now}#{secrets.token_hex(4)}", text=text,
             by=call.principal.name, at=now).save()


#: Each kind's assignment, through its record's service.
ASSIGN = {"support-request": _assign_support_request,
          "service-request": _assign_service_request, "ticket": _assign_ticket}
#: Each kind's comments by visibility, through its record's service (None: the desk's own
#: note, which no other API shows).
COMMENT = {"support-request": {"public": _public_comment_on_support_request,
                               "internal": None},
           "service-request": {"public": _no_comments, "internal": None},
           "ticket": {"public": _note_on_ticket("EXTERNAL"),
                      "internal": _note_on_ticket("INTERNAL")}}


def assign(call, item_id: str, body: dict) -> None:
    """Assign the work item to ``body``'s agent and/or group (null: nobody)."""
    kind, record = _target(item_id)
    fields = {"assignee"} if "agent" in body else set()
    fields |= {"group"} if "group" in body else set()
    assignee = None
    if body.get("agent"):
        agent = people.agent_of(body["agent"], field="agent")
        if not agent.active:
            raise BadRequest(f"The agent {agent.item} is not active.",
                             [FieldError("agent", "invalid")])
        assignee = agent.name
    if body.get("group"):
        people.group_of(body["group"], field="group")
    try:
        ASSIGN[kind](call, record, assignee, body.get("group"), fields)
    except ApiError as error:
        if error.status in (404, 409):
            raise _refused(error, item_id, "agent" if "agent" in body else "group") from None
        raise


def comment(call, item_id: str, body: dict) -> None:
    """A public or internal comment on the work item's record."""
    kind, record = _target(item_id)
    visibility = body.get("visibility", "public")
    write = COMMENT[kind][visibility]
    try:
        if write is None:
            KINDS[kind].model.get(record)  # the desk's own note: on a record that exists
            _desk_note(call, item_id, body["text"])
        else:
            write(call, record, body["text"])
    except DoesNotExist:
        raise NotFound(f"There is no work item {item_id}.") from None
    except ApiError as error:
        if error.status == 409 and error.field_errors and \
                error.field_errors[0].xpath == "visibility":
            raise
        if error.status in (404, 409):
            raise _refused(error, item_id, "text") from None
        raise


def desk_notes(item_id: str, newest: int) -> tuple[list[DeskNote], bool]:
    found = list(DeskNote.query(f"notes:{item_id}", scan_index_forward=False,
                                limit=newest + 1))
    return list(reversed(found[:newest])), len(found) > newest


#: The most open work items one deactivation hands back (the rest: deactivate again).
MOST_RETURNED = 1000


def return_work(agent_name: str, call) -> int:
    """Take ``agent_name`` off its open work items, through their records (each keeps its
    group, whose queue it returns to); how many."""
    from .kinds import OPEN_STATES
    from .models import QueueEntry, WorkItem
    entries = list(QueueEntry.query(f"assignee:{agent_name}", limit=MOST_RETURNED))
    returned = 0
    for item in WorkItem.batch_get([entry.item for entry in entries]) if entries else ():
        if item.state in OPEN_STATES and item.assignee == agent_name:
            ASSIGN[item.kind](call, item.record, None, None, {"assignee"})
            returned += 1
    return returned
