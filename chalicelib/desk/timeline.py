"""One work item's timeline, newest last: its record's history (every change, with the
fields it changed), and its comments and notes as the record's own API keeps them (a support
request's updates, a ticket's notes, INTERNAL ones included: the desk reads them).

Each source gives its newest ``NEWEST`` entries; ``truncated`` says that older ones exist.
"""
import json

from ..cases.models import CaseNote
from ..streams.history import HistoryEntry
from ..support_requests.models import Update

__all__ = ["timeline", "NEWEST"]

NEWEST = 200
#: The history's name of each kind's records.
_HISTORY_KIND = {"support-request": "support-request", "service-request": "service-request",
                 "ticket": "case"}
#: What the history records that a reader of the timeline has no use for.
_NOISE = ("feed_", "list_", "state_", "awaiting_", "open_", "unacked", "changed_", "version",
          "update_count", "desk", "account_status", "account_reference", "created_key",
          "completion_order", "status_changes")


def _newest(query) -> tuple[list, bool]:
    found = list(query)
    return list(reversed(found[:NEWEST])), len(found) > NEWEST


def _changes(entry: HistoryEntry) -> dict:
    try:
        changes = json.loads(entry.changes)
    except (TypeError, ValueError):
        return {}
    return {name: value for name, value in changes.items() if not name.startswith(_NOISE)}


def _history(kind: str, record: str) -> tuple[list[dict], bool]:
    entries, more = _newest(HistoryEntry.query(
        f"{_HISTORY_KIND[kind]}#{record}", HistoryEntry.entry.startswith("v"),
        scan_index_forward=False, limit=NEWEST + 1))
    return [{"at": entry.at, "type": "created" if entry.event == "INSERT" else "changed",
             "version": int(entry.version), "changes": _changes(entry)}
            for entry in entries], more


def _comments(kind: str, record: str) -> tuple[list[dict], bool]:
    if kind == "support-request":
        updates, more = _newest(Update.query(record, scan_index_forward=False,
                                             limit=NEWEST + 1))
        return [{"at": u.update_time, "type": {"STATE_CHANGED": "state_changed",
                                                "ASSIGNED": "assigned"}.get(u.type, "comment"),
                 "by": u.updater, "visibility": "public", "text": u.comment or None,
                 "state": u.state, "assignee": u.assignee} for u in updates], more
    if kind == "ticket":
        notes, more = _newest(CaseNote.query(record, scan_index_forward=False,
                                             limit=NEWEST + 1))
        return [{"at": n.created, "type": "comment", "by": n.author,
                 "visibility": "internal" if n.visibility == "INTERNAL" else "public",
                 "text": n.text} for n in notes], more
    return [], False


def _desk_notes(item_id: str) -> tuple[list[dict], bool]:
    from .actions import desk_notes
    notes, more = desk_notes(item_id, NEWEST)
    return [{"at": note.at, "type": "comment", "by": note.by, "visibility": "internal",
             "text": note.text} for note in notes], more


def timeline(kind: str, record: str, item_id: str) -> dict:
    history, older_history = _history(kind, record)
    comments, older_comments = _comments(kind, record)
    notes, older_notes = _desk_notes(item_id)
    entries = sorted(history + comments + notes, key=lambda entry: entry["at"] or "")
    for entry in entries:
        for name in [name for name, value in entry.items() if value is None]:
            del entry[name]
    return {"timeline": entries, "truncated": older_history or older_comments or older_notes}
