"""Every message fits, whatever its record holds.

A message (an event, a webhook body, a TMF621 hub's message) carries the record as its API
shows it, but of what grows without limit (a support request's updates, a ticket's notes, an
account's comments, a service request's temporary resolutions) only the newest ``NEWEST``
(each source reads no more: ``sources``), with the whole count beside them where the record
keeps one; the record's own URL (``data.url``) reads the rest. Its ``previous`` holds the
old values of what changed but those lists (their old count says what they were). Then, if
the body is still past ``MAX_BYTES`` (a record near DynamoDB's 400 KB, whose change holds
its old values too), its largest values are left out, largest first, until it fits: each is
named in the message's ``truncated`` list (``data.description``, ``previous.contacts``...),
and the record's identity (``api``, ``id``, ``url``, ``version``, ``account``, ``actor``,
``origin``) always stays.
"""
import json

__all__ = ["fit", "size_of", "NEWEST", "MAX_BYTES", "KEPT"]

#: Entries of a list that grows without limit that a message carries: the newest.
NEWEST = 10
#: The most a message's body takes: ten of the longest support request comments (10,000
#: characters) with the request itself fit; an event item holds it with room beside (400 KB),
#: and so does a delivery's queue message (SQS takes 256 KB; ``queue`` carries up to 200 KB).
MAX_BYTES = 192 * 1024
#: What a message always keeps of its record.
KEPT = frozenset({"api", "id", "url", "version", "account", "actor", "origin", "href",
                  "@type", "status"})


def size_of(document) -> int:
    return len(json.dumps(document, separators=(",", ":")).encode())


def _candidates(message: dict, parts: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """(size, part, name) of every value that may be left out, largest first."""
    found = []
    for part in parts:
        values = message.get(part)
        if isinstance(values, dict):
            found += [(size_of(value), part, name) for name, value in values.items()
                      if name not in KEPT]
    return sorted(found, reverse=True)


def fit(message: dict, parts: tuple[str, ...] = ("previous", "data"),
        most: int = MAX_BYTES) -> dict:
    """``message`` if its body takes at most ``most`` bytes; else a copy without its largest
    values of ``parts`` (dicts of the message), each named in ``truncated``."""
    if size_of(message) <= most:
        return message
    message = {**message, **{part: dict(message[part]) for part in parts
                             if isinstance(message.get(part), dict)}}
    truncated = list(message.get("truncated", []))
    for _, part, name in _candidates(message, parts):
        del message[part][name]
        truncated.append(f"{part}.{name}")
        message["truncated"] = truncated
        if size_of(message) <= most:
            break
    return message
