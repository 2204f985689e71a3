"""A work item as the desk API (and its events) show it."""
from .kinds import PRIORITIES
from .models import WorkItem

__all__ = ["shown"]


def shown(item: WorkItem, base_url: str) -> dict:
    return {"id": item.id, "kind": item.kind, "record": item.record, "title": item.title,
            "state": item.state, "native_state": item.native_state,
            "priority": PRIORITIES.get(int(item.priority), "normal"),
            "account": item.account, "property": item.property, "topic": item.topic,
            "assignee": item.assignee, "group": item.group,
            "created": item.created, "updated": item.updated,
            "link": base_url + item.path}
