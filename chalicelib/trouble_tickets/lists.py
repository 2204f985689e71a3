"""``GET /troubleTicket``: the caller's tickets, each filter a Query on an index made for it
(the Case Management API's), by offset or by the ``after`` and ``before`` cursors.

``status`` and ``externalIdentifier.id`` choose the index; ``ticketType`` and ``severity``
(and ``status`` beside a reference) are checked on what it returns, within ``pages.BUDGET``
times the page, so such a page may be short with a link to go on. ``before`` reads the index
the other way from its cursor, and the page is turned back into the list's order.
"""
from ..cases.lists import index_of
from ..core import pages
from ..core.errors import BadRequest, FieldError
from .representation import TICKET_TYPES, kept
from .statuses import FROM_TMF

__all__ = ["Listing", "tickets", "COUNTED_AT_MOST"]

#: X-Total-Count is counted on the index when at most this many tickets match.
COUNTED_AT_MOST = 1000


class Listing:
    """A page, with the cursors of its neighbours and the count of the whole list (None:
    not counted)."""

    def __init__(self, items: list, after: str | None, before: str | None,
                 total: int | None) -> None:
        self.items, self.after, self.before, self.total = items, after, before, total


def _keep(status: str | None, ticket_type: str | None, severity: str | None,
          status_on_index: bool):
    tests = []
    if status and not status_on_index:
        tests.append(lambda case: case.status == status)
    if ticket_type:
        if ticket_type.upper() in TICKET_TYPES:
            tests.append(lambda case: case.type == ticket_type.upper())
        else:
            tests.append(lambda case: kept(case).get("ticketType") == ticket_type)
    if severity:
        tests.append(lambda case: kept(case).get("severity") == severity)
    return (lambda case: all(test(case) for test in tests)) if tests else None


def _renamed(error: BadRequest, name: str) -> BadRequest:
    """A cursor refusal of ``core.cursors``, naming this list's parameter."""
    error.field_errors = [FieldError(name, field.hint) if field.xpath == "cursor" else field
                          for field in error.field_errors]
    error.message = error.message.replace("cursor", name)
    return error


def tickets(account: str | None, params: dict) -> Listing:
    """The page that ``params`` (the operation's valid parameters) asks for."""
    tmf_status = params.get("status")
    if tmf_status is not None and tmf_status not in FROM_TMF:
        return Listing([], None, None, 0)  # held, rejected: no ticket is ever in them
    status = FROM_TMF.get(tmf_status)
    reference = params.get("externalIdentifier.id")
    index, key = index_of(account, None if reference else status, reference)
    keep = _keep(status, params.get("ticketType"), params.get("severity"),
                 status_on_index=not reference)
    forward = params.get("sort") in ("creationDate", "+creationDate")
    if params.get("before") and params.get("after"):
        raise BadRequest("Give before or after, not both.", [FieldError("before", "invalid")])
    query = {"list": "tmf621", "index": index.Meta.index_name, "of": key,
             "status": status, "ticketType": params.get("ticketType"),
             "severity": params.get("severity"), "forward": forward}
    backwards = {**query, "forward": not forward}
    before = params.get("before")
    name = "before" if before else "after"
    asked = pages.Asked(params["limit"], params["offset"], before or params.get("after"),
                        backwards if before else query)
    try:
        page = pages.read(index, key, asked, forward=forward != bool(before), keep=keep,
                          first_query=query if before else backwards)
    except BadRequest as error:
        raise _renamed(error, name) from None
    if before:  # read the other way: turn it back; the link onwards starts at its end
        items, after, earlier = page.items[::-1], page.first_cursor, page.next_cursor
    else:
        items, after = page.items, page.next_cursor
        earlier = page.first_cursor if (params.get("after") or params["offset"]) else None
    return Listing(items, after, earlier, _total(index, key, keep, params, items, after))


def _total(index, key: str, keep, params: dict, items: list, after: str | None) -> int | None:
    by_offset = not params.get("after") and not params.get("before")
    if after is None and by_offset and (items or not params["offset"]):
        return params["offset"] + len(items)  # the list's last page, by offset
    if keep is not None:
        return None
    # A Query of at most COUNTED_AT_MOST + 1 keys (PynamoDB's count() would page through the
    # whole partition: its limit bounds the items it yields, and a count yields none).
    counted = sum(1 for _ in index.query(key, limit=COUNTED_AT_MOST + 1,
                                         page_size=COUNTED_AT_MOST + 1,
                                         attributes_to_get=["case_number"]))
    return counted if counted <= COUNTED_AT_MOST else None

