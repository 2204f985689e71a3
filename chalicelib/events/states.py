"""Where each message stands for each endpoint (``MessageState``), so that nothing queues a
message that is already pending for its endpoint: ``recover`` and ``redeliver`` claim it
first (a conditional write), the fan-out marks its first attempts, and each attempt's outcome
settles it.
"""
from pynamodb.exceptions import PutError

from ..core import db
from .models import RETENTION, STATE_PREFIX, MessageState

__all__ = ["mark_pending", "claim", "settle", "state", "states_of", "PENDING", "DELIVERED",
           "FAILED"]

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def state(endpoint_id: str, message_id: str, status: str) -> MessageState:
    return MessageState(endpoint_id, STATE_PREFIX + message_id, status=status,
                        expires_at=RETENTION)


def mark_pending(pairs: list[tuple[str, str]]) -> None:
    """(endpoint, message) pairs whose first attempt is queued (BatchWriteItem, 25 a call)."""
    if not pairs:
        return
    with MessageState.batch_write() as batch:
        for endpoint_id, message_id in pairs:
            batch.save(state(endpoint_id, message_id, PENDING))


def claim(endpoint_id: str, message_id: str, again_if_delivered: bool) -> bool:
    """Mark the message pending for the endpoint unless it is already (or, unless
    ``again_if_delivered``, it was delivered); whether this call did."""
    pending = state(endpoint_id, message_id, PENDING)
    free = MessageState.attempt_key.does_not_exist() | (MessageState.status == FAILED)
    if again_if_delivered:
        free = free | (MessageState.status == DELIVERED)
    try:
        pending.save(condition=free)
        return True
    except PutError as error:
        if db.is_conditional_failure(error):
            return False
        raise


def settle(endpoint_id: str, message_id: str, status: str) -> None:
    state(endpoint_id, message_id, status).save()


def states_of(endpoint_id: str, message_ids: list[str]) -> dict[str, str]:
    """message id -> its state for the endpoint (those that have one), by BatchGetItem (100
    keys a call)."""
    keys = [(endpoint_id, STATE_PREFIX + message_id) for message_id in message_ids]
    return {found.attempt_key[len(STATE_PREFIX):]: found.status
            for found in MessageState.batch_get(keys, consistent_read=True)}
