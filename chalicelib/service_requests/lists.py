"""The list methods: each a Query on an index made for it (see models), by offset or cursor.

With no filter or one, a page reads at most offset + number_of_results + 1 items (with a
cursor, number_of_results + 1 at any depth). Further filters are checked on the items the
first one's index returns: such a page reads at most ``pages.BUDGET`` times offset +
number_of_results items and may then be short, with a cursor to go on (core.pages).
"""
from datetime import datetime

from ..core import crm, pages, timestamps
from ..core.errors import BadRequest, FieldError
from . import configuration, service
from .models import ServiceRequest

__all__ = ["Filters", "by_customer", "in_state", "awaiting_acceptance",
           "close_to_completion"]


class Filters:
    """The optional filters of a list method, resolved to stored values (None: not given)."""

    def __init__(self, params: dict, allowed=("accounts_receivable", "type", "caller",
                                               "category")) -> None:
        self.values: dict[str, str] = {}
        for name in allowed:
            parameter = f"{name}_identifier"
            if params.get(parameter):
                self.values[name] = _resolve(name, crm.identifier(params[parameter],
                                                                  parameter), parameter)
        self.offset = params.get("offset", 0)
        self.limit = params.get("number_of_results", 100)
        self.cursor = params.get("cursor")

    def matches(self, request: ServiceRequest) -> bool:
        attributes = {"accounts_receivable": request.accounts_receivable,
                      "type": request.type_id, "caller": request.contact,
                      "category": request.category_id}
        return all(attributes[name] == value for name, value in self.values.items())

    def asked(self, index, hash_value: str) -> pages.Asked:
        """The page asked for, its cursor bound to this list and these filters."""
        return pages.Asked(self.limit, self.offset, self.cursor, query={
            "list": index.Meta.index_name, "of": hash_value, **self.values})


def _resolve(name: str, identifier: dict, parameter: str) -> str:
    if name == "accounts_receivable":
        return service.accounts_receivable(identifier, parameter).identifier
    if name == "caller":
        if list(identifier) != ["id"]:
            raise BadRequest(f"{parameter}.{next(iter(identifier))} cannot name a caller here "
                             "(an e-mail is unique only within a community); use id.",
                             [FieldError(parameter, "invalid")])
        return service.accounts_receivable(identifier, parameter).identifier
    return configuration.resolve(name, identifier, parameter).id


def _page(index, hash_value: str, filters: Filters, skip: set[str],
          range_key_condition=None, asked: pages.Asked | None = None) -> pages.Page:
    """The page of ``index``'s items under ``hash_value`` that match the other filters."""
    rest = {name for name in filters.values if name not in skip}
    return pages.read(index, hash_value, asked or filters.asked(index, hash_value),
                      range_key_condition=range_key_condition,
                      keep=filters.matches if rest else None)


def by_customer(filters: Filters) -> pages.Page:
    """``list``: exactly one of accounts receivable or caller, newest last."""
    given = [name for name in ("accounts_receivable", "caller") if name in filters.values]
    if len(given) != 1:
        raise BadRequest("list takes exactly one of accounts_receivable_identifier and "
                         "caller_identifier.",
                         [FieldError("accounts_receivable_identifier", "required"
                                     if not given else "invalid")])
    index = (ServiceRequest.list_ar_index if given[0] == "accounts_receivable"
             else ServiceRequest.list_caller_index)
    return _page(index, filters.values[given[0]], filters, {given[0]})


def _scoped(prefix: str, state: str, filters: Filters) -> pages.Page:
    """A page of the ``prefix`` lists (state_ or awaiting_) under ``state``: on the index of
    the first filter given, or of none."""
    first = next(iter(filters.values), None)
    if first is None:
        return _page(getattr(ServiceRequest, f"{prefix}all_index"), state, filters, set())
    index = getattr(ServiceRequest, f"{prefix}{first}_index")
    return _page(index, f"{state}#{filters.values[first]}", filters, {first})


def in_state(state: str, filters: Filters) -> pages.Page:
    return _scoped("state_", state, filters)


def awaiting_acceptance(of: str, filters: Filters) -> pages.Page:
    """Requests whose RESPONSE or FINAL_RESOLUTION waits for the customer's acceptance."""
    return _scoped("awaiting_", of, filters)


def close_to_completion(period: int, uot: str, filters: Filters,
                        now: datetime | None = None) -> pages.Page:
    """Requests not completed (nor cancelled) whose expected completion falls in
    [now, now + period)."""
    now = now or timestamps.now()
    low = timestamps.to_storage(now)
    high = timestamps.to_storage(service.add_period(now, period, uot, "period"))
    condition = ServiceRequest.completion_order.between(low, high)
    first = next(iter(filters.values), None)
    index, hash_value = ((ServiceRequest.open_all_index, "open") if first is None else
                         (getattr(ServiceRequest, f"open_{first}_index"), filters.values[first]))
    asked = filters.asked(index, hash_value)
    asked.query["window"] = f"{period} {uot}"
    start = asked.start()
    if start and start["completion_order"] < low:
        # The window has moved on past where the last page ended: every request still in it
        # comes after that page, so this one starts at the window's start.
        asked.cursor = None
    return _page(index, hash_value, filters, {first}, condition, asked)
