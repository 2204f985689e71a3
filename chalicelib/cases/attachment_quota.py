"""What one customer account may hold in uploaded files: a count and a number of bytes.

Two counters per account in the unique-keys table, ``attachment-files#<account>`` and
``attachment-bytes#<account>``, grow in the same transaction that records a new file, each
with a condition that it stays within its limit: concurrent uploads can never overshoot, and
a refused upload records nothing. A file leaves the counters when its item is removed (a file
that no ticket cited, by DynamoDB's TTL), through the attachments table's stream; the release
is recorded in the same transaction as a marker, so that a replayed record releases nothing
twice.
"""
import random
import time
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import db
from ..core.config import settings
from ..core.errors import ApiError
from ..core.unique_keys import UniqueKey, claim_key
from ..streams.batch import image_value
from .models import CaseAttachment

__all__ = ["record_within_quota", "handle_attachment_record", "QuotaExceeded", "usage"]

#: Concurrent uploads of one account write the same counters: DynamoDB cancels all but one
#: transaction at a time (TransactionConflict), and the others try again.
_ATTEMPTS = 4
#: How long a release is remembered: longer than a stream keeps a record (24 hours).
_RELEASE_MEMORY = timedelta(days=7)


class QuotaExceeded(ApiError):
    def __init__(self, account: str) -> None:
        super().__init__(
            f"Account {account} holds as many files as it may (at most "
            f"{settings.attachment_files_per_account} files and "
            f"{settings.attachment_bytes_per_account} bytes): an upload that no ticket cites "
            "is removed a day after it came.", status=403, code="EQ-4030004")


def _counter(kind: str, account: str) -> UniqueKey:
    return UniqueKey(claim_key(kind, account))


def usage(account: str) -> tuple[int, int]:
    """(files, bytes) that ``account`` holds, read strongly consistently."""
    found = []
    for kind in ("attachment-files", "attachment-bytes"):
        try:
            found.append(int(UniqueKey.get(claim_key(kind, account),
                                           consistent_read=True).value or 0))
        except UniqueKey.DoesNotExist:
            found.append(0)
    return found[0], found[1]


def record_within_quota(attachment: CaseAttachment) -> None:
    """Save the new ``attachment`` and count it against its account's quota, in one
    transaction; QuotaExceeded (403) when the account would hold more than it may."""
    files_limit = settings.attachment_files_per_account
    bytes_limit = settings.attachment_bytes_per_account
    size = int(attachment.size)
    if size > bytes_limit or files_limit < 1:
        raise QuotaExceeded(attachment.account)
    for attempt in range(_ATTEMPTS):
        try:
            _count_and_save(attachment, files_limit, bytes_limit, size)
            return
        except TransactWriteError as error:
            if db.is_conditional_failure(error):
                raise QuotaExceeded(attachment.account) from error
            if not db.is_transaction_conflict(error) or attempt == _ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))


def _count_and_save(attachment: CaseAttachment, files_limit: int, bytes_limit: int,
                    size: int) -> None:
    with TransactWrite(connection=db.connection()) as transaction:
        transaction.save(attachment, condition=CaseAttachment.attachment_id.does_not_exist())
        transaction.update(
            _counter("attachment-files", attachment.account),
            actions=[UniqueKey.value.add(1)],
            condition=UniqueKey.value.does_not_exist() | (UniqueKey.value <= files_limit - 1))
        transaction.update(
            _counter("attachment-bytes", attachment.account),
            actions=[UniqueKey.value.add(size)],
            condition=(UniqueKey.value.does_not_exist()
                       | (UniqueKey.value <= bytes_limit - size)))


def handle_attachment_record(record: dict) -> None:
    """A removed file (an uncited upload's TTL) leaves its account's counters, once."""
    dynamodb = record["dynamodb"]
    old = dynamodb.get("OldImage")
    # Only files recorded through the quota were counted (``staged``: every file since).
    if dynamodb.get("NewImage") or not old or not image_value(old, "staged"):
        return
    account, size = image_value(old, "account"), int(image_value(old, "size"))
    marker = UniqueKey(claim_key("attachment-released", image_value(old, "attachment_id")),
                       expires_at=_RELEASE_MEMORY)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.save(marker, condition=UniqueKey.key.does_not_exist())
            transaction.update(_counter("attachment-files", account),
                               actions=[UniqueKey.value.add(-1)])
            transaction.update(_counter("attachment-bytes", account),
                               actions=[UniqueKey.value.add(-size)])
    except TransactWriteError as error:
        if not db.is_conditional_failure(error):
            raise
