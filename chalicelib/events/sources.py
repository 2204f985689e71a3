"""The records that events follow: for each, how a stream image becomes the resource as its
API shows it, and which kind of change a change is.

Each ``Source`` is data: its API and scope, the model of its table, the account a record
belongs to, its representation, and its ``changes``: (event type, test of old and new
representation). A change is every type whose test holds (a state change with a comment is
``state_changed`` and ``commented``: one event of each); ``<resource>.updated`` names a
change that none describes, so that every change has at least one type.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from ..accounts import catalog
from ..accounts import representation as accounts
from ..accounts.models import Account
from ..cases import representation as cases
from ..cases.access import newest_notes
from ..cases.models import Case, CaseNote
from ..desk import representation as desk
from ..desk.models import WorkItem
from ..properties import representation as properties
from ..properties.models import Property
from ..property_relationships import representation as relationships
from ..property_relationships import service as relationship_service
from ..property_relationships.models import PropertyRelationship
from ..service_requests import representation as service_requests
from ..service_requests.models import ServiceRequest
from ..support_requests import representation as support_requests
from ..support_requests.models import SupportRequest
from . import bounds

__all__ = ["Source", "SOURCES", "source_of"]

Test = Callable[[dict, dict], bool]


def _at(shown: dict, path: str):
    """The value at ``path`` ("owner/email") of a representation (None where absent)."""
    for part in path.split("/"):
        shown = shown.get(part) if isinstance(shown, dict) else None
    return shown


def _changed(path: str) -> Test:
    return lambda old, new: _at(old, path) != _at(new, path)


def _became(name: str, *values: str) -> Test:
    return lambda old, new: old.get(name) != new.get(name) and new.get(name) in values


def _counted_more(name: str) -> Test:
    return lambda old, new: (new.get(name) or 0) > (old.get(name) or 0)


def _appeared(name: str) -> Test:
    return lambda old, new: not old.get(name) and bool(new.get(name))


def _acknowledged(old: dict, new: dict) -> bool:
    """An acknowledgement clears ``unacked-since`` or moves it later (a change sets it from
    none, and leaves it where it was)."""
    before, after = old.get("unacked-since"), new.get("unacked-since")
    return before is not None and (after is None or after > before)


def _commented(old: dict, new: dict) -> bool:
    """Updates were added, one of them with a comment (the newest come first; a message holds
    the newest ``bounds.NEWEST``, and a write adds three at most)."""
    added = (new.get("update-count") or 0) - (old.get("update-count") or 0)
    return added > 0 and any(update.get("comment") for update in new["updates"][:added])


def _accepted(old: dict, new: dict) -> bool:
    """The customer accepted a response or a resolution (a stage got its ``accepted_by``)."""
    def accepted(shown: dict) -> int:
        stages = [shown.get("response"), shown.get("final_resolution"),
                  *(shown.get("temporary_resolutions") or [])]
        return sum(1 for stage in stages if stage and stage.get("accepted_by"))
    return accepted(new) > accepted(old)


@dataclass(frozen=True)
class Source:
    kind: str  # the history's name of the record ("support-request")
    resource: str  # the events' name ("support_request")
    api: str
    scope: str  # the scope that reads it: an endpoint's client needs it
    model: type
    identifier: Callable[[object], str]
    account: Callable[[object], str | None]
    represent: Callable[[object, str], dict]
    changes: list[tuple[str, Test]] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)
    # A record only some readers may see (an INTERNAL note): the scope they need besides.
    restricted_to: Callable[[object], str | None] = lambda record: None
    created_type: str = ""  # "<resource>.created" unless named
    # The face a record was raised through (an event's ``origin``): its API unless it says.
    origin: Callable[[object], str | None] = lambda record: None
    # What grows without limit: the newest only are shown (``bounds``); a change's
    # ``previous`` leaves their old entries out ("a/b": the field b of a).
    growing: tuple[str, ...] = ()
    # When the record changed, by its own (stored UTC) time.
    changed_at: Callable[[object], str | None] = \
        lambda record: getattr(record, "last_update_time", None)
    # Only the ``changes`` are events (no created, updated or deleted): a record whose
    # other changes the feed already tells through another record's events (a work item).
    only_changes: bool = False

    def types_of(self, old: dict | None, new: dict | None) -> list[str]:
        """What a change is: one type or more (see the module's note)."""
        if self.only_changes:
            return [name for name, test in self.changes
                    if old is not None and new is not None and test(old, new)]
        if old is None:
            return [self.created_type or f"{self.resource}.created"]
        if new is None:
            return [f"{self.resource}.deleted"]
        return [name for name, test in self.changes if test(old, new)] or [
            f"{self.resource}.updated"]


def _customer(record: Account, base_url: str) -> dict:
    """The account with its newest comments and their count (``bounds``)."""
    labels = catalog.additional_field_labels(record.fields())
    links = relationship_service.links(record.relationships or [], base_url, with_flags=False)
    shown = accounts.account(record, base_url, labels, links)
    shown["comment-count"] = len(shown.get("comments") or [])
    shown["comments"] = (shown.get("comments") or [])[-bounds.NEWEST:]
    return shown


def _support_request(record: SupportRequest, base_url: str) -> dict:
    """The request with its newest updates and their count (``bounds``)."""
    return {**support_requests.full(record, base_url, record.newest_updates(bounds.NEWEST)),
            "update-count": record.update_count or 0}


def _service_request(record: ServiceRequest, base_url: str) -> dict:
    """The request with its newest temporary resolutions and their count (``bounds``)."""
    [shown] = service_requests.represent([record])
    resolutions = shown.get("temporary_resolutions") or []
    shown["temporary_resolution_count"] = len(resolutions)
    shown["temporary_resolutions"] = resolutions[-bounds.NEWEST:]
    return shown


def _ticket(record: Case, base_url: str) -> dict:
    """The ticket as its customer reads it, with the newest notes it had at this version
    (``bounds``)."""
    return cases.ticket(record, newest_notes(record, bounds.NEWEST, operator=False,
                                             until=record.updated))


def _note(record: CaseNote, base_url: str) -> dict:
    return {**cases.note(record), "caseNumber": record.case_number}


SOURCES = [
    Source("support-request", "support_request", "support-requests", "requests",
           SupportRequest, lambda r: r.identifier, lambda r: r.account, _support_request,
           growing=("updates",),
           origin=lambda r: r.origin,
           changes=[("support_request.state_changed", _changed("state")),
                    ("support_request.commented", _commented),
                    ("support_request.assigned", _changed("assignee")),
                    ("support_request.acknowledged", _acknowledged)],
           descriptions={
               "created": "A support request was raised.",
               "state_changed": "A support request moved to another state.",
               "commented": "A comment was added to a support request.",
               "assigned": "A support request was given to another assignee.",
               "acknowledged": "An external system acknowledged a support request's changes.",
               "updated": "Another field of a support request changed (its extid, whether "
                          "Open311 shows it)."}),
    Source("account", "customer", "customers", "customers", Account,
           lambda r: r.identifier, lambda r: r.identifier, _customer, growing=("comments",),
           changes=[("customer.login_changed", _changed("owner/email")),
                    ("customer.commented", _counted_more("comment-count")),
                    ("customer.acknowledged", _acknowledged)],
           descriptions={
               "created": "A customer account was created.",
               "login_changed": "A customer's login (e-mail) changed.",
               "commented": "An operator's comment was added to a customer account.",
               "acknowledged": "An external system acknowledged a customer's changes.",
               "updated": "Another field of a customer changed (its password included, "
                          "which no event shows)."}),
    Source("property", "property", "properties", "property-relationships", Property,
           lambda r: r.identifier, lambda r: None, properties.property_,
           changes=[("property.acknowledged", _acknowledged)],
           descriptions={"created": "A property was created.",
                         "acknowledged": "An external system acknowledged a property.",
                         "updated": "A property changed (its extid)."}),
    Source("property-relationship", "property_relationship", "property-relationships",
           "property-relationships", PropertyRelationship, lambda r: r.identifier,
           lambda r: r.account, lambda r, base: relationships.relationship(r, base),
           changes=[("property_relationship.ended", _changed("end-date")),
                    ("property_relationship.acknowledged", _acknowledged)],
           descriptions={
               "created": "A customer was associated with a property.",
               "ended": "A property relationship was given an end date.",
               "acknowledged": "An external system acknowledged a property relationship.",
               "updated": "A property relationship changed (its extid)."}),
    Source("service-request", "service_request", "service-requests", "service-requests",
           ServiceRequest, lambda r: r.number, lambda r: r.accounts_receivable,
           _service_request, changed_at=lambda r: r.updated_date,
           growing=("temporary_resolutions",),
           changes=[("service_request.status_changed", _changed("status")),
                    ("service_request.responded", _appeared("response")),
                    ("service_request.temporarily_resolved",
                     _counted_more("temporary_resolution_count")),
                    ("service_request.resolved", _appeared("final_resolution")),
                    ("service_request.accepted", _accepted)],
           descriptions={
               "created": "A service request was created.",
               "status_changed": "A service request's status changed (with any action that "
                                 "moves it: respond, resolve, complete, cancel...).",
               "responded": "A service request was responded to (respond).",
               "temporarily_resolved": "A temporary resolution was added to a service request "
                                       "(temporary_resolve).",
               "resolved": "A service request was finally resolved (final_resolve).",
               "accepted": "The customer accepted a service request's response or resolution "
                           "(response_accept, temporary_resolution_accept, "
                           "final_resolution_accept).",
               "updated": "Another field of a service request changed (update)."}),
    Source("case", "ticket", "cases", "cases", Case, lambda r: r.case_number,
           lambda r: r.account, _ticket, changed_at=lambda r: r.updated,
           growing=("otherDetails/notes",),
           changes=[("ticket.cancelled", _became("status", "CANCELLED")),
                    ("ticket.status_changed", _changed("status"))],
           descriptions={
               "created": "A ticket was created.",
               "cancelled": "A ticket was cancelled (its status changed too: a "
                            "ticket.status_changed comes with it).",
               "status_changed": "A ticket's status changed (the desk's moves, a re-open, a "
                                 "cancellation).",
               "updated": "Another field of a ticket changed."}),
    Source("case-note", "ticket_note", "cases", "cases", CaseNote,
           lambda r: f"{r.case_number}/{r.note_id}", lambda r: _case_account(r), _note,
           descriptions={"ticket.note_added": "A note was added to a ticket (INTERNAL notes "
                                              "reach only the desk's endpoints)."},
           restricted_to=lambda r: "cases-operator" if r.visibility == "INTERNAL" else None,
           created_type="ticket.note_added", changed_at=lambda r: r.created),
    # The desk's own event: published by the work items' projection (desk.projection) when
    # an item's assignee or group changes, whatever did it (the desk, routing, a record's
    # own API); only the desk's readers receive it (core.tenancy).
    Source("work-item", "work_item", "desk", "desk", WorkItem, lambda r: r.id,
           lambda r: r.account, desk.shown,
           changes=[("work_item.assigned", lambda old, new: (
               old.get("assignee"), old.get("group")) != (new.get("assignee"),
                                                          new.get("group")))],
           descriptions={"assigned": "A work item was given to another agent or group, or "
                                     "taken from one (the desk's, routing's or the "
                                     "record's own API's doing)."},
           changed_at=lambda r: r.updated, only_changes=True),
]


def _case_account(note: CaseNote) -> str:
    return Case.get(note.case_number).account  # a ticket never changes its account


_BY_KIND = {source.kind: source for source in SOURCES}


def source_of(kind: str) -> Source:
    return _BY_KIND[kind]
