"""Every table of the product, for creating them (local runner, tests, admin command)."""
from .accounts.catalog import CatalogEntry
from .accounts.models import Account, AccountFieldEntry
from .cases.models import Case, CaseAttachment, CaseNote
from .core.auth import ApiClient
from .core.db import create_tables
from .core.tokens import AccessToken
from .core.unique_keys import UniqueKey
from .desk.models import QueueEntry, WorkItem
from .desk.people import Agent
from .events.models import DeliveryAttempt, Event, MessageState, WebhookEndpoint
from .open311.keys import Open311Key
from .properties.models import Property
from .property_relationships.models import PropertyRelationship
from .service_requests.configuration import ConfigurationEntry
from .service_requests.models import ServiceRequest
from .streams.history import HistoryEntry
from .streams.notifications import SentEmail
from .support_requests.models import SupportRequest, Topic, Update
from .support_requests.report_index import ReportEntry

__all__ = ["MODELS", "STREAMED_TABLES", "create_all_tables"]

# SentEmail shares the history table: its TTL attribute is that table's.
MODELS = [ApiClient, AccessToken, Account, AccountFieldEntry, CatalogEntry, Topic,
          SupportRequest, Update, Property, PropertyRelationship, UniqueKey, HistoryEntry,
          SentEmail, ConfigurationEntry, ServiceRequest, Case, CaseNote, CaseAttachment,
          Event, WebhookEndpoint, DeliveryAttempt, MessageState, ReportEntry, Open311Key,
          WorkItem, QueueEntry, Agent]  # Agent: the desk directory's groups share its table
#: Logical names of the tables whose streams have a handler in app.py.
STREAMED_TABLES = ["support_requests", "accounts", "properties", "property_relationships",
                   "service_requests", "cases", "case_notes", "case_attachments"]


def create_all_tables() -> None:
    create_tables(MODELS)
