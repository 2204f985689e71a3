"""``ops.admin scrub-secrets``: leave secrets out of what was stored before they were kept out.

History entries written before it held the old and new password hash of every password change,
and every find-by-field copy of an account held the account's hash. This rewrites both as
they are written now: a history entry says only that a secret "changed", a copy holds no
secret. It reads the two tables whole (an operator's command, never a request path) and may
be run again: a second run rewrites nothing.
"""
import json

from chalicelib.accounts.models import AccountFieldEntry
from chalicelib.core.records import SECRET_ATTRIBUTES
from chalicelib.streams.history import HistoryEntry, scrubbed_changes

__all__ = ["scrub_secrets"]


def scrub_secrets() -> tuple[int, int]:
    """(history entries, account copies) rewritten."""
    entries = 0
    for entry in HistoryEntry.scan(HistoryEntry.entry.startswith("v")):
        scrubbed = scrubbed_changes(entry.changes)
        if scrubbed is not None:
            entry.update(actions=[HistoryEntry.changes.set(scrubbed)])
            entries += 1
    copies = 0
    for copy in AccountFieldEntry.scan():
        snapshot = json.loads(copy.snapshot)
        if SECRET_ATTRIBUTES & set(snapshot):
            kept = {name: value for name, value in snapshot.items()
                    if name not in SECRET_ATTRIBUTES}
            copy.update(actions=[AccountFieldEntry.snapshot.set(json.dumps(kept))])
            copies += 1
    return entries, copies
