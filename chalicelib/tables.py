"""Every table of the product, for creating them (local runner, tests, admin command)."""
from .accounts.models import Account
from .core.auth import AccessToken, ApiClient
from .core.db import create_tables
from .core.unique_keys import UniqueKey
from .streams.history import HistoryEntry
from .support_requests.models import SupportRequest, Topic

__all__ = ["MODELS", "create_all_tables", "STREAMED_MODELS"]

MODELS = [ApiClient, AccessToken, Account, Topic, SupportRequest, UniqueKey, HistoryEntry]
STREAMED_MODELS = [SupportRequest]


def create_all_tables() -> None:
    create_tables(MODELS)
