"""Support requests as the plain data of the spec's schemas (the pipeline makes it XML)."""
from ..core.timestamps import to_wire
from .models import SupportRequest

__all__ = ["summary", "full", "ref"]


def _url(base_url: str, path: str) -> str:
    return f"{base_url}/api/v1/{path}"


def ref(request: SupportRequest, base_url: str) -> dict:
    return {"ref": _url(base_url, f"requests/{request.identifier}"),
            "identifier": request.identifier, "extid": request.extid}


def summary(request: SupportRequest, base_url: str) -> dict:
    """A request as lists show it: everything but its updates."""
    def link(identifier, extid=None, path=None):
        if identifier is None:
            return None
        return {"identifier": identifier, "extid": extid,
                "ref": path and _url(base_url, f"{path}/{identifier}")}
    return {
        **ref(request, base_url),
        "unacked-since": to_wire(request.unacked_since),
        "version": request.version,
        "state": request.state,
        "topic": link(request.topic, request.topic_extid),
        "sub-topic": link(request.sub_topic, request.sub_topic_extid),
        "property": link(request.property_identifier, path="properties"),
        "purchased-product-offer": link(request.purchased_product_offer),
        "summary": request.summary,
        "description": request.description,
        "creation-time": to_wire(request.creation_time),
        "last-update-time": to_wire(request.last_update_time),
        "creator": request.creator,
        "assignee": request.assignee,
        "community": request.community,
        "email": request.email,
        "account": link(request.account, path="customers"),
    }


def full(request: SupportRequest, base_url: str, updates: list | None = None) -> dict:
    """A request with its history (or ``updates``, some of it), newest update first."""
    updates = [{
        "unacked-since": to_wire(update.update_time) if request.is_unacked(update) else None,
        "type": update.type,
        "state": update.state,
        "assignee": update.assignee,
        "update-time": to_wire(update.update_time),
        "updater": update.updater,
        "comment": update.comment or "",
    } for update in reversed(request.updates() if updates is None else updates)]
    return {**summary(request, base_url), "updates": updates}
