"""The operator's upgrade to Open311 (``python -m ops.admin index-open311``): records stored
before the face existed, put into its lists. Not deployed, and never on a request path: it
reads the topics, the catalog and the support requests whole (Scans), once."""
from pynamodb.constants import KEY

from chalicelib.accounts.catalog import COMMUNITY, CatalogEntry
from chalicelib.core import db, kept, tracking
from chalicelib.support_requests import report_index
from chalicelib.support_requests.models import CATALOG, SupportRequest, Topic

__all__ = ["index_open311"]


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


def _index(identifier: str) -> None:
    """A request's report index entries, and its record of them, in one transaction that
    leaves its version as it was: to its API's clients, its history and its events, nothing
    changed (a new version would be an ``updated`` event for every older request)."""
    request = SupportRequest.get(identifier, consistent_read=True)
    if request.report_keys is not None:
        return
    entries, _ = report_index.entries_to_write(request)
    record = SupportRequest._get_connection().get_operation_kwargs(
        request.identifier, key=KEY, actions=[SupportRequest.report_keys.set(
            request.report_keys)], condition=SupportRequest.version == request.version)
    db.connection().transact_write_items(
        condition_check_items=[], delete_items=[], update_items=[record],
        put_items=[entry.get_save_kwargs_from_instance() for entry in entries])
