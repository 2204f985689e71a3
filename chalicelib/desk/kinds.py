"""The three kinds of work, translated at the edge: how a record of each store reads as a
work item. The desk copies none of their rules; each kind says, as data, how its states and
priorities map to the desk's one vocabulary, and reads its own fields.

| desk state | support request (LEAP) | service request (CRM) | ticket (Case Management) |
|---|---|---|---|
| new | NEW | PENDING | SUBMITTED |
| open | IN_PROGRESS | RESPONDED | IN_PROGRESS |
| pending | PROBLEM | TEMPORARY RESOLVED | ACTION_REQUIRED |
| resolved | - | FINAL RESOLVED | RESOLVED |
| closed | SUCCESSFUL, CANCELLED | COMPLETED, CANCELLED | CLOSED, CANCELLED |

Priorities, 1 (urgent) to 4 (low): a support request has none of its own (3, normal); a
service request's `urgency_level` URGENCY1, 2, 3 is 1, 2, 3 (a custom level: 3); a ticket's
TMF621 `severity` Critical, Major, Minor is 1, 2, 3 (none: 3).
"""
import json
from collections.abc import Callable
from dataclasses import dataclass

from ..cases import codes
from ..cases.models import Case
from ..service_requests import configuration
from ..service_requests.models import ServiceRequest
from ..support_requests.models import SupportRequest

__all__ = ["Kind", "KINDS", "kind_of", "STATES", "PRIORITIES"]

STATES = ("new", "open", "pending", "resolved", "closed")
#: Still to do: the states a group's count of open work counts.
OPEN_STATES = ("new", "open", "pending")
PRIORITIES = {1: "urgent", 2: "high", 3: "normal", 4: "low"}
TITLE_CHARS = 200


@dataclass(frozen=True)
class Kind:
    name: str  # the work item's kind, and its id's prefix
    model: type
    record: Callable  # the record's identifier in its own API
    states: dict  # native state -> desk state
    native_state: Callable
    priority: Callable  # record -> 1..4
    title: Callable
    account: Callable
    topic: Callable
    assignee: Callable
    group: Callable
    created: Callable
    updated: Callable
    path: str  # the record in its own API, "{}" its identifier
    property: Callable = lambda record: None

    def item_id(self, record_id: str) -> str:
        return f"{self.name}-{record_id}"


def _title(text: str | None, fallback: str) -> str:
    text = " ".join((text or "").split())
    return (text[:TITLE_CHARS - 1] + "…") if len(text) > TITLE_CHARS else (text or fallback)


def _configured(kind: str, entry_id: str | None) -> str | None:
    """A service request setting's name (a user's username), by its id."""
    if not entry_id:
        return None
    found = configuration.entry(kind, entry_id)
    return found.name if found is not None else None


def _severity(case: Case) -> int:
    details = json.loads(case.details) if case.details else None
    kept = details.get("tmf621") if isinstance(details, dict) else None
    severity = kept.get("severity") if isinstance(kept, dict) else None
    return {"critical": 1, "major": 2, "minor": 3}.get(str(severity).lower(), 3)


KINDS = {kind.name: kind for kind in (
    Kind("support-request", SupportRequest, lambda r: r.identifier,
         {"NEW": "new", "IN_PROGRESS": "open", "PROBLEM": "pending",
          "SUCCESSFUL": "closed", "CANCELLED": "closed"},
         native_state=lambda r: r.state, priority=lambda r: 3,
         title=lambda r: _title(r.summary, r.identifier), account=lambda r: r.account,
         topic=lambda r: f"{r.topic}:{r.sub_topic}" if r.sub_topic else r.topic,
         assignee=lambda r: r.assignee, group=lambda r: r.desk_group,
         created=lambda r: r.creation_time, updated=lambda r: r.last_update_time,
         path="/api/v1/requests/{}", property=lambda r: r.property_identifier),
    Kind("service-request", ServiceRequest, lambda r: r.number,
         {"PENDING": "new", "RESPONDED": "open", "TEMPORARY RESOLVED": "pending",
          "FINAL RESOLVED": "resolved", "COMPLETED": "closed", "CANCELLED": "closed"},
         native_state=lambda r: r.life_cycle_state,
         priority=lambda r: {"URGENCY1": 1, "URGENCY2": 2}.get(r.urgency_level, 3),
         title=lambda r: _title(r.description, r.number),
         account=lambda r: r.accounts_receivable,
         topic=lambda r: _configured("type", r.type_id),
         assignee=lambda r: r.desk_assignee or _configured("user", r.assigned_user_id),
         group=lambda r: r.desk_group or _configured(
             "group", r.assigned_group_id or r.owned_by_group_id),
         created=lambda r: r.created_date, updated=lambda r: r.updated_date,
         path="/crmapi/rest/v2/service_requests/show?service_request_identifier=number={}"),
    Kind("ticket", Case, lambda r: r.case_number,
         {"SUBMITTED": "new", "IN_PROGRESS": "open", "ACTION_REQUIRED": "pending",
          "RESOLVED": "resolved", "CLOSED": "closed", "CANCELLED": "closed"},
         native_state=lambda r: r.status, priority=_severity,
         title=lambda r: _title(r.description, r.case_number), account=lambda r: r.account,
         topic=lambda r: codes.category_names(r.code)[0],
         assignee=lambda r: r.desk_assignee, group=lambda r: r.desk_group,
         created=lambda r: r.created, updated=lambda r: r.updated,
         path="/support/v2/tickets/{}"),
)}


def kind_of(item_id: str) -> tuple[Kind, str] | None:
    """The kind and the record's identifier that a work item's id names (None: no kind)."""
    for name, kind in KINDS.items():
        if item_id.startswith(name + "-") and len(item_id) > len(name) + 1:
            return kind, item_id[len(name) + 1:]
    return None
