"""The base of every record that external systems keep in sync (requests, customers, ...).

A tracked record has a LEAP ``identifier``, an optimistic-lock ``version``, an ``extid``, the
acknowledgement state (``unacked_since``; ``changed_version`` is the version of its newest
unacknowledged change) and its place in the paged lists (feeds, see ``core.feeds``). Subclasses
add their attributes, their own ``FEED_SCOPES`` beyond "all", and may have children that are
acknowledged with them (``acknowledge_children``).
"""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.models import Model

from . import feeds

__all__ = ["TrackedRecord", "plain", "SECRET_ATTRIBUTES"]

#: Attributes whose values no copy of a record and no history entry may hold (a history
#: entry says only that they "changed").
SECRET_ATTRIBUTES = frozenset({"password_hash", "secret_digest", "previous_secret_digest",
                               "token_digest"})


class TrackedRecord(Model):
    FEED_SCOPES: list[tuple[str, ...]] = [()]

    identifier = UnicodeAttribute(hash_key=True)
    version = VersionAttribute()
    extid = UnicodeAttribute(null=True)
    creation_time = UnicodeAttribute()
    last_update_time = UnicodeAttribute()
    unacked_since = UnicodeAttribute(null=True)
    changed_version = NumberAttribute(null=True)
    changed_by = UnicodeAttribute(null=True)  # the API client of the latest write (actors)

    feed_order = UnicodeAttribute(null=True)
    feed_all = UnicodeAttribute(null=True)
    feed_all_ack = UnicodeAttribute(null=True)
    feed_all_index = feeds.feed_index((), False)
    feed_all_ack_index = feeds.feed_index((), True)

    def feed_values(self) -> dict[str, str]:
        """The values of the attributes that ``FEED_SCOPES`` name."""
        return {}

    def refresh_feeds(self) -> None:
        keys = feeds.feed_keys(self.FEED_SCOPES, self.feed_values(), self.unacked_since is None,
                               self.last_update_time, self.identifier)
        for name, value in keys.items():
            setattr(self, name, value)

    def acknowledge_children(self, seen_version: int) -> str | None:
        """Acknowledge the children changed up to ``seen_version``; return since when the
        oldest child left unacknowledged has been (None if none is)."""
        return None

    def acknowledgement_state(self) -> tuple:
        """What an acknowledgement may change, to tell whether it changed anything."""
        return (self.unacked_since,)

    def companions(self) -> tuple[list, list]:
        """Items to (save, delete) in the same transaction as this record (derived copies)."""
        return [], []


def plain(value) -> dict:
    """A raw map attribute as a dict, whether just assigned or read from DynamoDB."""
    if not value:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)
