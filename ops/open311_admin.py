"""Operator commands for Open311: what its public reads show (topics and requests the desk
made public), its keys, and the upgrades of older stores (``index-open311`` puts records
stored before the face into its lists; ``open311-privacy`` takes out of them what the desk
did not make public). Not deployed: the upgrades read tables whole (Scans), once."""
from pynamodb.constants import KEY

from chalicelib.accounts.catalog import COMMUNITY, CatalogEntry
from chalicelib.core import db, kept, tracking
from chalicelib.open311 import keys
from chalicelib.support_requests import report_index
from chalicelib.support_requests import service as support_requests
from chalicelib.support_requests.models import CATALOG, SupportRequest, Topic

__all__ = ["index_open311", "open311_privacy", "register"]


def index_open311() -> str:
    """Index what was stored without Open311's keys; what it did, as a line to print. Run
    again, it finds nothing left to do."""
    topics = 0
    for topic in Topic.scan(Topic.catalog.does_not_exist()):
        topic.catalog = CATALOG
        topic.save()
        topics += 1
    entries = 0
    for entry in CatalogEntry.scan(CatalogEntry.kind.does_not_exist()):
        entry.kind = entry.key.partition("#")[0]
        entry.save()
        entries += entry.kind == COMMUNITY
    requests = 0
    for request in SupportRequest.scan(SupportRequest.report_keys.does_not_exist()):
        # its own write, version-checked: a request changed meanwhile was indexed by it
        tracking.retry_on_conflict(lambda request=request: _index(request.identifier))
        requests += 1
    kept.forget_all()
    return f"{topics} topics, {entries} communities and {requests} support requests indexed"


def open311_privacy() -> str:
    """Take out of Open311's lists every request that the desk did not make public (stores
    written when every request was public unless marked private); the ids, to print. Run
    again, it finds nothing left to do."""
    hidden = []
    indexed = {entry.request for entry in report_index.ReportEntry.query(
        report_index.feed_key(), consistent_read=True)}
    for identifier in sorted(indexed):
        request = SupportRequest.get(identifier, consistent_read=True)
        if not request.published:
            tracking.retry_on_conflict(lambda identifier=identifier: _index(identifier, True))
            hidden.append(identifier)
    if not hidden:
        return "every support request in Open311's lists is published: nothing became private"
    return (f"{len(hidden)} support requests are private now (not published by the desk): "
            + ", ".join(hidden) + "\npublish one again with: python -m ops.admin "
            "publish-request ID [--notes TEXT]")


def _index(identifier: str, again: bool = False) -> None:
    """A request's report index entries as they should be, and its record of them, in one
    transaction that leaves its version as it was: to its API's clients, its history and its
    events, nothing changed (a new version would be an ``updated`` event for every older
    request)."""
    request = SupportRequest.get(identifier, consistent_read=True)
    if request.report_keys is not None and not again:
        return
    entries, stale = report_index.entries_to_write(request)
    record = SupportRequest._get_connection().get_operation_kwargs(
        request.identifier, key=KEY, actions=[SupportRequest.report_keys.set(
            request.report_keys)], condition=SupportRequest.version == request.version)
    db.connection().transact_write_items(
        condition_check_items=[], update_items=[record],
        delete_items=[entry._get_connection().get_operation_kwargs(
            entry.feed, entry.order, key=KEY) for entry in stale],
        put_items=[entry.get_save_kwargs_from_instance() for entry in entries])


def _publish_topic(args) -> str:
    topic = support_requests.get_topic(args.topic)
    topic.update(actions=[Topic.public.remove() if args.private else Topic.public.set(True)])
    kept.forget_all()
    return (f"topic {args.topic}: its Open311 reports from now on are "
            + ("private" if args.private else "public"))


def _publish_request(args) -> str:
    support_requests.publish(args.request, not args.unpublish, args.notes)
    return f"support request {args.request} is {'private' if args.unpublish else 'public'}"


def _keys() -> str:
    rows = [f"{key.key_id}\t{key.name}\t{key.account}\t"
            f"{'revoked' if key.revoked else 'live'}\t{key.created[:10]}\t"
            f"last used {key.last_used or 'never'}" for key in keys.listed()]
    return "\n".join(["id\tname\taccount\tstate\tissued\tlast used", *rows]) if rows \
        else "no Open311 keys"


def _issue(args) -> str:
    from .client_admin import _check_account
    _check_account(args.account)
    key = keys.issue(args.name, args.account, args.key_id)
    return (f"api key: {key}\n(shown only once; it raises Open311 reports for account "
            f"{args.account} and does nothing else)")


def register(commands) -> None:
    commands.add_parser("index-open311", help="put topics, communities and support requests "
                                              "made before Open311 in its lists (once, after "
                                              "upgrading)"
                        ).set_defaults(run=lambda args: index_open311())
    commands.add_parser("open311-privacy", help="take out of Open311's public lists every "
                                                "request the desk did not publish (once, "
                                                "after upgrading); prints them"
                        ).set_defaults(run=lambda args: open311_privacy())
    topic = commands.add_parser("publish-topic", help="make a topic's Open311 reports public "
                                                      "from now on (--private: no more)")
    topic.add_argument("topic")
    topic.add_argument("--private", action="store_true")
    topic.set_defaults(run=_publish_topic)
    request = commands.add_parser("publish-request", help="show a support request in "
                                                          "Open311's public reads")
    request.add_argument("request")
    request.add_argument("--notes", help="the desk's note to the public (status_notes)")
    request.add_argument("--unpublish", action="store_true", help="hide it again")
    request.set_defaults(run=_publish_request)
    issue = commands.add_parser("issue-open311-key", help="a key that raises Open311 reports "
                                                          "for one account; printed once")
    issue.add_argument("name")
    issue.add_argument("--account", required=True)
    issue.add_argument("--id", dest="key_id", help="1 to 64 of A-Z a-z 0-9 _ -")
    issue.set_defaults(run=_issue)
    commands.add_parser("list-open311-keys", help="list Open311 keys (never their secrets)"
                        ).set_defaults(run=lambda args: _keys())
    rotate = commands.add_parser("rotate-open311-key", help="a new secret for a key (printed "
                                                            "once)")
    rotate.add_argument("key_id")
    rotate.add_argument("--grace-hours", type=float, default=0,
                        help="how long the previous key keeps working")
    rotate.set_defaults(run=lambda args: f"api key: {keys.rotate(args.key_id, args.grace_hours)}"
                        "\n(shown only once)")
    revoke = commands.add_parser("revoke-open311-key", help="end a key now")
    revoke.add_argument("key_id")
    revoke.set_defaults(run=lambda args: (keys.revoke(args.key_id),
                                          f"{args.key_id} revoked")[1])
