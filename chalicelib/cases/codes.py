"""Ticket codes: ``NNNN-NNNN``, a category and a sub-category, and the type each one makes.

``KNOWN`` is the seed's enum of codes (plus Cross Connect's 0001, which the vendor's pages
name), with the category and sub-category names that the vendor's pages give; a code of that
shape that is not listed is accepted too (the seed's own request sample uses ``0013-0102``)
and named by its numbers.

The type rule: categories ``0000`` to ``0099`` report trouble with something the desk runs
(cross connects, power, environment, hardware, security, monitoring), so their tickets are
``TROUBLE``; every other category is a request for work or information, a ``CASE``.
"""
__all__ = ["KNOWN", "CATEGORY_NAMES", "SUB_CATEGORY_NAMES", "category_names", "ticket_type"]

#: Category -> its sub-categories, as the seed's enum lists them.
KNOWN = {
    "0000": ("0000", "0001", "0002"),
    "0002": ("0000", "0001"),
    "0003": ("0000", "0001", "0002", "0003"),
    "0004": ("0000", "0001"),
    "0005": ("0000", "0001"),
    "0007": ("0000", "0001", "0002", "0003", "0004"),
    "0010": ("0000", "0001", "0002", "0003", "0004", "0005"),
    "0011": ("0000", "0001", "0002", "0003", "0004", "0005"),
    "0012": ("0000", "0001", "0002", "0003", "0004", "0005"),
    "0015": ("0000", "0001", "0002", "0003", "0004"),
    "0100": ("0000", "0100", "0200", "0300", "0400", "0500"),
    "0101": ("0000", "0100"),
    "0102": ("0000", "0100", "0200", "0300", "0400", "0500", "0600"),
    "0103": ("0000", "0100"),
    "0104": ("0000", "0100", "0200", "0300", "0400", "0500"),
    "0105": ("0000", "0100", "0200", "0300", "0400", "0500", "0600"),
    "0106": ("0000", "0100"),
    "0107": ("0000", "0100", "0200", "0300", "0400"),
    "0108": ("0000", "0100"),
    "0200": ("0000", "0100", "0200", "0300", "0400", "0500", "0600", "0700", "0800", "0900",
             "1000", "1100", "1200", "1300"),
    "0201": ("0000", "0100", "0200", "0300"),
    "0202": ("0000", "0100"),
    "0203": ("0000", "0100", "0200", "0300"),
    "0204": ("0000", "0001"),
    "0205": ("0000", "0100"),
    "0300": ("0000", "0100", "0200", "0300", "0400"),
    "0301": ("0000", "0100"),
    "0302": ("0000", "0100", "0200", "0300", "0400", "0500", "0600"),
    "0303": ("0000", "0100"),
    "0304": ("0000", "0100", "0200", "0300", "0400", "0500", "0600"),
    "0305": ("0000", "0001", "0002", "0003", "0100", "0200", "0300", "0301", "0302", "0400",
             "0500", "0600", "0700"),
    "0306": ("0000", "0100", "0200", "0300"),
    "0500": ("0000", "0100", "0200", "0300", "0400", "0500", "0600", "0700"),
    "0501": ("0000", "0100"),
    "0502": ("0000", "0100", "0200", "0300", "0400", "0500", "0600"),
    "0800": ("0000",),
}
CATEGORY_NAMES = {"0000": "Cross Connect", "0002": "Power", "0003": "Environment",
                  "0004": "Hardware", "0005": "Security", "0007": "SmartView"}
SUB_CATEGORY_NAMES = {
    "0000-0000": "Stopped working", "0000-0001": "Metro Connect",
    "0000-0002": "Installed improperly",
    "0002-0000": "Total outage", "0002-0001": "Partial outage",
    "0003-0000": "Rising temperature", "0003-0001": "Decreasing temperature",
    "0003-0002": "Water leak", "0003-0003": "Structural damage",
    "0005-0000": "Cage or cabinet", "0005-0001": "Cage door",
}
_TROUBLE_BELOW = 100  # categories 0000-0099


def category_names(code: str) -> tuple[str, str]:
    """(category, sub-category) of a well-formed code: the vendor's names where known."""
    category, sub_category = code.split("-")
    return (CATEGORY_NAMES.get(category, f"Category {category}"),
            SUB_CATEGORY_NAMES.get(code, f"Sub-category {sub_category}"))


def ticket_type(code: str) -> str:
    return "TROUBLE" if int(code[:4]) < _TROUBLE_BELOW else "CASE"
