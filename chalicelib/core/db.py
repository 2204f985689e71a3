"""PynamoDB plumbing: where the tables are, and creating them.

Table names and the endpoint come from configuration, so the same models talk to moto, to
DynamoDB Local or to AWS.
"""
from pynamodb.attributes import ListAttribute, MapAttribute
from pynamodb.constants import NULL
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from .config import settings

__all__ = ["meta", "global_index", "create_tables", "is_conditional_failure", "is_too_large",
           "is_transaction_conflict", "ListOf",
           "connection", "shares_connection", "is_unavailable"]

# AWS's answers that mean "not now": the same call may well succeed in a moment.
_UNAVAILABLE_CODES = {"ServiceUnavailable", "InternalServerError", "ThrottlingException",
                      "Throttling", "TooManyRequestsException", "InternalFailure",
                      "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                      "ResourceNotFoundException"}


def meta(logical_table: str, streams: bool = False) -> type:
    """The ``Meta`` class of a model stored in ``logical_table``."""
    attributes = {
        "table_name": settings.table_name(logical_table),
        "region": settings.region,
        "host": settings.aws_endpoint,
        "billing_mode": "PAY_PER_REQUEST",
        "max_retry_attempts": 3,
    }
    if streams:
        attributes["stream_view_type"] = "NEW_AND_OLD_IMAGES"
    return type("Meta", (), attributes)


def global_index(name: str, hash_attribute: str, range_attribute: str):
    """A GSI ``name`` (dashes for underscores) of two string keys, projecting every attribute:
    a list Query needs the whole item, and a second read per item would cost more."""
    from pynamodb.attributes import UnicodeAttribute
    from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
    meta_class = type("Meta", (), {"index_name": name.replace("_", "-"),
                                   "projection": AllProjection()})
    return type(name, (GlobalSecondaryIndex,), {
        "Meta": meta_class, hash_attribute: UnicodeAttribute(hash_key=True),
        range_attribute: UnicodeAttribute(range_key=True)})()


class ListOf(ListAttribute):
    """``ListAttribute(of=...)`` that builds its element attribute once. PynamoDB builds it
    again on every read, and for a map it deep-copies every attribute of the map's class: a
    third of a warm request's time, for a service request or a ticket."""

    def deserialize(self, values):
        if not (isinstance(self.element_type, type) and issubclass(self.element_type,
                                                                     MapAttribute)):
            return super().deserialize(values)
        element = self.__dict__.get("_element")
        if element is None:
            element = self.element_type()
            element._make_attribute()  # as PynamoDB does: it names the element's attributes
            self.__dict__["_element"] = element
        found = []
        for index, value in enumerate(values):
            if NULL in value:
                found.append(None)
                continue
            element.attr_name = f"{self.attr_name}[{index}]"
            found.append(element.deserialize(element.get_value(value)))
        return found


def create_tables(models) -> None:
    """Create every table that does not exist yet (idempotent), with TTL where declared."""
    for model in models:
        if not model.exists():
            model.create_table(wait=True)
        if getattr(model, "_ttl_attribute", lambda: None)():
            model.update_ttl(ignore_update_ttl_errors=True)


def is_conditional_failure(error: Exception) -> bool:
    """True when a write lost an optimistic-lock or uniqueness condition."""
    if isinstance(error, TransactWriteError):
        return any(reason and reason.code == "ConditionalCheckFailed"
                   for reason in (error.cancellation_reasons or []))
    return isinstance(error, (PutError, UpdateError, DeleteError)) and \
        error.cause_response_code == "ConditionalCheckFailedException"


def is_too_large(error: Exception) -> bool:
    """True when a write failed because the item would exceed DynamoDB's 400 KB."""
    return getattr(error, "cause_response_code", None) == "ValidationException" and \
        "size" in (getattr(error, "cause_response_message", None) or "").lower()


def is_transaction_conflict(error: Exception) -> bool:
    """True when a transaction was cancelled because another one held an item it wrote (not
    for a condition of its own): the same transaction may well succeed in a moment."""
    return isinstance(error, TransactWriteError) and any(
        reason and reason.code == "TransactionConflict"
        for reason in (error.cancellation_reasons or []))


def is_unavailable(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) says AWS could not be reached or is overloaded.

    A missing table counts too: it is a deployment fault that no client can fix, and the same
    call works again once the table is back.
    """
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (ConnectionError, HTTPClientError)):
            return True
        if isinstance(error, ClientError) and error.response.get("Error", {}).get(
                "Code") in _UNAVAILABLE_CODES:
            return True
        if getattr(error, "cause_response_code", None) in _UNAVAILABLE_CODES:
            return True
        if is_transaction_conflict(error):  # 503 with Retry-After: a retry will do
            return True
        error = getattr(error, "cause", None) or error.__cause__ or error.__context__
    return False


_connection = None


def connection():
    """One low-level connection for transactions, created on first use."""
    global _connection
    if _connection is None:
        from pynamodb.connection import Connection
        _connection = Connection(region=settings.region, host=settings.aws_endpoint,
                                 max_retry_attempts=3)
    return _connection


def shares_connection(model):
    """Class decorator: ``model`` talks through the one shared connection.

    PynamoDB gives each model its own connection and so its own botocore client, which costs
    tens of milliseconds to create; with six tables that lands on a cold Lambda's first requests.
    """
    table = model._get_connection()
    shared = connection()
    if table.table_name not in shared._tables:  # two models may share one table
        shared.add_meta_table(table.connection.get_meta_table(table.table_name))
    table.connection = shared
    return model
