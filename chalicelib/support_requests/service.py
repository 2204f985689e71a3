"""The rules of support requests, over plain values: raise, read, update, track, list."""
from pynamodb.exceptions import TransactWriteError

from ..accounts import service as accounts
from ..core import feeds, pages, timestamps, tracking, unique_keys
from ..core.errors import BadRequest, Conflict, FieldError, NotFound
from ..core.idempotency import Idempotency
from ..properties import service as properties
from .models import TERMINAL_STATES, Report, SupportRequest, Topic, Update, entry_key

__all__ = ["raise_request", "get_request", "post_update", "set_extid", "acknowledge",
           "list_requests", "EXTID_KIND", "LABEL", "add_topic", "publish"]

LABEL = "support request"
EXTID_KIND = "support-request-extid"
FIRST_IDENTIFIER = 10000000

# Which states a request may move to from each state; terminal states have no way out.
TRANSITIONS = {
    "NEW": {"IN_PROGRESS", "PROBLEM", "SUCCESSFUL", "CANCELLED"},
    "IN_PROGRESS": {"PROBLEM", "SUCCESSFUL", "CANCELLED"},
    "PROBLEM": {"IN_PROGRESS", "SUCCESSFUL", "CANCELLED"},
    "SUCCESSFUL": set(),
    "CANCELLED": set(),
}


def get_topic(identifier: str) -> Topic:
    try:
        return Topic.get(identifier)
    except Topic.DoesNotExist:
        raise NotFound(f"The support request topic {identifier} does not exist.") from None


def add_topic(identifier: str, extid: str | None = None, sub_topics=(),
              description: str | None = None, public: bool = False) -> Topic:
    """Add a topic, or replace its extid, sub-topics, description and publicity (its Open311
    attributes stay). A public topic's Open311 reports are public when raised."""
    try:
        topic = Topic.get(identifier, consistent_read=True)
    except Topic.DoesNotExist:
        topic = Topic(identifier)
    topic.extid, topic.description, topic.public = extid, description, public or None
    topic.sub_topics = [{"identifier": name} for name in sub_topics]
    topic.save()
    return topic


def _referenced(lookup, xpath: str):
    """What a body's reference names; a reference to nothing is a 400 naming it, as any
    other invalid field of the body (a path's unknown identifier stays a 404)."""
    try:
        return lookup()
    except NotFound as missing:
        raise BadRequest(missing.message, [FieldError(xpath, "invalid")]) from None


def raise_request(account_id: str, topic_id: str, summary: str, *, sub_topic: str | None = None,
                  description: str | None = None, email: str | None = None,
                  creator: str | None = None, property_identifier: str | None = None,
                  purchased_product_offer: str | None = None, extid: str | None = None,
                  idempotency: Idempotency | None = None, report: dict | None = None,
                  origin: str | None = None, published: bool = False) -> SupportRequest:
    """Raise a NEW request for an existing account; 404/400 name what was wrong. Written with
    ``idempotency``'s claim when there is one (``core.idempotency.create_once``). ``report``
    is what an Open311 report brought (``models.Report``), ``origin`` the face it came by;
    ``published``: Open311's public reads show it (an Open311 report of a public topic)."""
    account = _referenced(lambda: accounts.get_active_account(
        account_id, "/support-request/account/@identifier"), "/support-request/account/@identifier")
    topic = _referenced(lambda: get_topic(topic_id), "/support-request/topic/@identifier")
    if property_identifier is not None:
        _referenced(lambda: properties.get_property(property_identifier),
                    "/support-request/property/@identifier")
    sub = None
    if sub_topic is not None:
        sub = next((s for s in topic.sub_topics if s.identifier == sub_topic), None)
        if sub is None:
            raise BadRequest(f"The topic {topic_id} has no sub-topic {sub_topic}.",
                             [FieldError("/support-request/sub-topic/@identifier", "invalid")])
    when = timestamps.storage_now()
    request = SupportRequest(
        str(unique_keys.next_number("support-request", FIRST_IDENTIFIER)),
        state="NEW", topic=topic.identifier, topic_extid=topic.extid,
        sub_topic=sub and sub.identifier, sub_topic_extid=sub and sub.extid,
        summary=summary, description=description, email=email or account.email,
        creator=creator or account.full_name, community=account.community,
        account=account.identifier, property_identifier=property_identifier,
        purchased_product_offer=purchased_product_offer, creation_time=when,
        last_update_time=when, extid=extid, origin=origin, published=published or None,
        report=Report(**report) if report else None)
    tracking.mark_changed(request, when)
    request.refresh_feeds()
    claims = [unique_keys.UniqueKey(unique_keys.claim_key(EXTID_KIND, extid),
                                    owner=request.identifier)] if extid else []
    claims += [idempotency.claim(request.identifier)] if idempotency else []
    try:
        tracking.save(request, SupportRequest.identifier.does_not_exist(), claims)
    except TransactWriteError:
        if extid and unique_keys.owner_of(EXTID_KIND, extid) is not None:
            raise tracking.extid_taken(extid, LABEL, "/support-request/@extid") from None
        raise
    return request


def get_request(identifier: str | None = None, extid: str | None = None) -> SupportRequest:
    if extid is not None:
        return tracking.find_by_extid(SupportRequest, EXTID_KIND, extid, LABEL)
    return tracking.get_tracked(SupportRequest, identifier, LABEL)


def _entries(request: SupportRequest, updater: str, when: str, state: str | None,
             comment: str | None, assignee: str | None) -> list[Update]:
    """The history entries that one posted update adds, after checking the state machine."""
    if (state or assignee) and request.state in TERMINAL_STATES:
        raise Conflict(f"The support request is {request.state}, a terminal state: it cannot "
                       "change again.", [FieldError("/support-request-update/state", "invalid")])
    if state and state not in TRANSITIONS[request.state]:
        raise Conflict(f"Could not update the support request: {request.state} cannot move to "
                       f"{state}.", [FieldError("/support-request-update/state", "invalid")])
    entries = []
    if assignee:
        moves = None if state or request.state != "NEW" else "IN_PROGRESS"
        entries.append(Update(type="ASSIGNED", assignee=assignee, state=moves))
    if state:
        entries.append(Update(type="STATE_CHANGED", state=state))
    if not entries:
        entries.append(Update(type="COMMENT_ADDED"))
    entries[-1].comment = comment
    version = (request.version or 0) + 1  # the version this write gives the request
    for position, entry in enumerate(entries):
        entry.request, entry.entry = request.identifier, entry_key(version, position)
        entry.update_time, entry.updater, entry.version = when, updater, version
    return entries


def post_update(updater: str, identifier: str | None = None, extid: str | None = None, *,
                state: str | None = None, comment: str | None = None,
                assignee: str | None = None) -> SupportRequest:
    """Add a comment, a state change and/or an assignment, as one optimistic-locked write."""
    def apply(request, when):
        entries = _entries(request, updater, when, state, comment, assignee)
        for entry in entries:
            request.state = entry.state or request.state
            request.assignee = entry.assignee or request.assignee
        request.add_updates(entries)
    return tracking.change(lambda: get_request(identifier, extid), apply)


#: ``assign``'s "leave it as it is".
UNCHANGED = object()


def assign(updater: str, identifier: str, assignee=UNCHANGED, group=UNCHANGED
           ) -> SupportRequest:
    """The desk's assignment: an agent, by name, as an ASSIGNED update (by the state
    machine's rules: a NEW request moves to IN_PROGRESS, a finished one refuses), and/or the
    desk's group (LEAP has no place for one); None takes either away."""
    def apply(request, when):
        if assignee is not UNCHANGED and assignee != request.assignee:
            if assignee:
                entries = _entries(request, updater, when, None, None, assignee)
                for entry in entries:
                    request.state = entry.state or request.state
                request.add_updates(entries)
            request.assignee = assignee
        if group is not UNCHANGED:
            request.desk_group = group
    return tracking.change(lambda: get_request(identifier), apply)


def publish(identifier: str, published: bool, notes: str | None = None) -> SupportRequest:
    """The desk's: show a request in Open311's public reads, with ``notes`` to the public
    (``status_notes``; None keeps those it has), or hide it again (its entries in the report
    index come or go in the same write)."""
    def apply(request, when):
        request.published = published or None
        if notes is not None:
            request.public_notes = notes or None
    return tracking.change(lambda: get_request(identifier), apply)


def set_extid(identifier: str, extid: str) -> SupportRequest:
    return tracking.set_extid(SupportRequest, EXTID_KIND, identifier, extid, LABEL)


def acknowledge(references: list[tuple[str, int | None]], with_updates: bool,
                by_extid: bool) -> None:
    tracking.acknowledge(SupportRequest, LABEL, references, with_updates,
                         EXTID_KIND if by_extid else None)


def list_requests(feed: feeds.Feed) -> pages.Page:
    """A page of requests; a topic in the scope must exist (404 otherwise). A request of the
    topic on the page proves it, so the topic is read only for an empty page."""
    page = feeds.read_page(SupportRequest, feed)
    if "topic" in feed.scope and not page.items:
        get_topic(feed.scope["topic"])
    return page
