"""What follows a change to a service request: its history entry; when its status changed, an
e-mail to the caller, and when its life cycle state changed (its creation included), a text
to the caller's phone, as its type says.

A text is one short segment that carries no client's text (the request's number and its new
state): a flip between two statuses of one state (Open and On Hold, both PENDING) sent a text
on every call, with the description of the client's choosing, to any number.
"""
from html import escape

from ..streams import history, notifications
from ..streams.batch import image_value
from . import configuration

__all__ = ["handle_service_request_record", "KIND"]

KIND = "service-request"


def handle_service_request_record(record: dict) -> None:
    """Idempotent: a replayed record writes no second entry and sends nothing twice (each
    message is named after the request's count of status changes)."""
    dynamodb = record["dynamodb"]
    old, new = dynamodb.get("OldImage"), dynamodb.get("NewImage")
    history.record_change(KIND, record, key_attribute="number")
    if not new:
        return
    changes = int(image_value(new, "status_changes") or 0)
    if changes <= int(image_value(old, "status_changes") or 0) and old is not None:
        return
    number = image_value(new, "number")
    request_type = configuration.resolve("type", {"id": image_value(new, "type_id")}, "type")
    status = configuration.resolve("status", {"id": image_value(new, "status_id")}, "status")
    state = image_value(new, "life_cycle_state")
    # one vocabulary for e-mails and texts: the status's name (Open, On Hold, Responded...)
    text = (f"Your service request {number} is now {status.name}. "
            f"{image_value(new, 'description') or ''}").strip()
    key = f"status-{changes}"
    email, phone = image_value(new, "caller_email"), image_value(new, "caller_phone")
    account = image_value(new, "accounts_receivable")
    if request_type.emails_customers and email:
        notifications.send_once(f"{KIND}#{number}", key, notifications.Email(
            email, f"Your service request {number} is now {status.name}", text,
            f"<p>{escape(text)}</p>"), account)
    moved = old is None or image_value(old, "life_cycle_state") != state
    if request_type.texts_customers and phone and moved:
        notifications.text_once(f"{KIND}#{number}", key, phone,
                                f"Your service request {number} is now {status.name}.",
                                account)
