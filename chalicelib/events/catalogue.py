"""The catalogue of event types: every kind of change of every record that events follow
(``sources``), and ``webhook.test``."""
import functools

from .sources import SOURCES

__all__ = ["entries", "names", "TEST_TYPE"]

TEST_TYPE = "webhook.test"
_EXAMPLE_TIME = "2026-12-01T09:30:00.000Z"


def _example(name: str, api: str, created: bool) -> dict:
    example = {"type": name, "timestamp": _EXAMPLE_TIME, "data": {
        "api": api, "id": "10000001", "url": "https://desk.example.com/...", "version": 2,
        "account": "01234574", "actor": "demo", "origin": api,
        "...": "every field of the resource, as its API's GET shows it"}}
    if not created:
        example["previous"] = {"...": "each field that changed, with its old value"}
    return example


@functools.cache
def entries() -> tuple[dict, ...]:
    found = []
    for source in SOURCES:
        for key, description in source.descriptions.items():
            name = key if "." in key else f"{source.resource}.{key}"
            found.append({"name": name, "description": description, "api": source.api,
                          "scope": source.scope,
                          "example": _example(name, source.api, key in ("created",)
                                              or name == source.created_type)})
    found.append({"name": TEST_TYPE, "description": "A message sent on request "
                  "(POST /webhooks/v1/endpoints/{id}/test), to try an endpoint.",
                  "api": "webhooks", "scope": "webhooks",
                  "example": {"type": TEST_TYPE, "timestamp": _EXAMPLE_TIME,
                              "data": {"api": "webhooks", "endpoint": "ep_..."}}})
    return tuple(found)


@functools.cache
def names() -> frozenset[str]:
    return frozenset(entry["name"] for entry in entries())
