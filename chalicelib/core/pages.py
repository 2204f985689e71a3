"""One page of a list Query, by offset or by cursor, reading what it must and no more.

Every list is a Query on an index whose range key orders it without ties. A page asks for
``offset + limit`` items and reads one more, which tells whether a next page exists; it then
answers the cursor of that next page, which starts after the page's last item (DynamoDB's
ExclusiveStartKey), so the table may change between pages without an item being skipped or
repeated. With a cursor (and no offset) a page reads at most ``limit + 1`` items at any depth.

A filter that no index serves (``keep``, the combination of two filters) is checked on what
the index returns, and a page reads at most ``BUDGET`` times ``offset + limit`` items: a sparse
combination answers a short page, with a cursor that goes on from the last item read.
"""
from collections.abc import Callable

from . import cursors
from .errors import BadRequest, FieldError

__all__ = ["Asked", "Page", "read", "of_sorted", "BUDGET"]

#: With a filter that no index serves, a page reads at most this many times what it answers.
BUDGET = 10


class Asked:
    """What a client asked of a list: its size, an offset or a cursor, and the filters that
    a cursor is bound to (with the list's name). A plain class: a dataclass costs a cold
    start milliseconds to build."""

    def __init__(self, limit: int, offset: int = 0, cursor: str | None = None,
                 query: dict | None = None) -> None:
        self.limit, self.offset, self.cursor, self.query = limit, offset, cursor, query

    def start(self) -> dict | None:
        """The key after which the page starts (None: the list's start)."""
        if self.cursor and self.offset:
            raise BadRequest("Give offset or cursor, not both: a cursor already says where "
                             "the page starts.", [FieldError("offset", "invalid")])
        return cursors.decode(self.cursor, self.query or {}, dict)


class Page:
    def __init__(self, items: list, next_cursor: str | None,
                 first_cursor: str | None = None) -> None:
        self.items = items
        self.next_cursor = next_cursor  # None: this page is the list's last
        # The cursor that starts a read the other way from this page's first item (asked
        # for by ``first_query``): TMF621's ``before``.
        self.first_cursor = first_cursor


def _key_of(item, key_names) -> dict[str, str]:
    """The table and index keys of ``item`` (all strings here), as a cursor keeps them."""
    serialized = item.serialize()
    return {name: serialized[name]["S"] for name in sorted(key_names)}


def read(index, hash_value: str, asked: Asked, range_key_condition=None, forward: bool = True,
         keep: Callable[[object], bool] | None = None, first_query: dict | None = None) -> Page:
    """The page of ``index``'s items under ``hash_value`` (those that ``keep``, if given);
    with ``first_query``, also the cursor of its first item, bound to that query."""
    start = asked.start()
    wanted = asked.offset + asked.limit
    budget = wanted + 1 if keep is None else BUDGET * wanted
    results = index.query(hash_value, range_key_condition=range_key_condition,
                          scan_index_forward=forward, limit=budget, page_size=wanted + 1,
                          last_evaluated_key=start and {name: {"S": value}
                                                        for name, value in start.items()})
    found, last_read, read_count = [], None, 0
    for item in results:
        read_count += 1
        last_read = item
        # the next call, if one is needed (a page past DynamoDB's 1 MB), asks for what remains
        results.page_iter.page_size = max(1, min(wanted + 1, budget - read_count))
        if keep is None or keep(item):
            found.append(item)
            if len(found) > wanted:
                break
    query = asked.query or {}
    key_names = results.page_iter.key_names
    if len(found) > wanted:  # a full page, and another item after it
        after = found[wanted - 1]
    elif read_count == budget and keep is not None:  # the budget ran out: go on from here
        after = last_read
    else:
        after = None
    items = found[asked.offset:wanted]
    first = items and first_query is not None and cursors.encode(_key_of(items[0], key_names),
                                                                 first_query)
    return Page(items, after and cursors.encode(_key_of(after, key_names), query), first or None)


def of_sorted(items: list, key: Callable[[object], dict[str, str]], asked: Asked) -> Page:
    """A page of a list already in memory (configuration), in the order of ``key``'s values,
    which name each item uniquely; by offset or by cursor as a Query's pages."""
    start = asked.start()
    if start is not None:
        after = tuple(start.get(name, "") for name in sorted(start))
        items = [item for item in items if tuple(key(item)[n] for n in sorted(start)) > after]
    wanted = asked.offset + asked.limit
    page = items[asked.offset:wanted]
    more = len(items) > wanted and page
    return Page(page, cursors.encode(key(page[-1]), asked.query or {}) if more else None)
