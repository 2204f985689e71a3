"""What follows a change to a support request: its history entry, and an e-mail to the
request's address for every update that moved its state."""
from html import escape

from ..core.config import settings
from ..streams import history, notifications
from ..streams.batch import image_value
from .models import SupportRequest, Update, entry_key

__all__ = ["handle_support_request_record", "KIND"]

KIND = "support-request"
_LABELS = {"NEW": "New", "IN_PROGRESS": "In Progress", "PROBLEM": "Problem",
           "SUCCESSFUL": "Successful", "CANCELLED": "Cancelled"}


def handle_support_request_record(record: dict) -> None:
    """Idempotent: a replayed record writes no second entry and sends no second e-mail."""
    dynamodb = record["dynamodb"]
    old, new = dynamodb.get("OldImage"), dynamodb.get("NewImage")
    history.record_change(KIND, record)
    if not new or old == new:  # removed, or a write that changed nothing
        return
    added = int(image_value(new, "update_count") or 0) - int(image_value(old, "update_count")
                                                              or 0)
    if added <= 0:
        return
    request = SupportRequest.from_raw_data(new)
    for update in Update.query(request.identifier, Update.entry.startswith(
            entry_key(request.version)[:-1]), consistent_read=True):
        if update.state:
            notifications.send_once(f"{KIND}#{request.identifier}", f"update-{update.entry}",
                                    state_change_email(request, update), request.account)


def state_change_email(request: SupportRequest, update) -> notifications.Email:
    state = _LABELS.get(update.state, update.state)
    subject = f"Your support request {request.identifier} is now {state}: {request.summary}"
    lines = [f"Your support request \"{request.summary}\" ({request.identifier}) is now "
             f"{state}."]
    if update.assignee:
        lines.append(f"It has been assigned to {update.assignee}.")
    if update.comment:
        lines += ["", f"{settings.desk_name} wrote:", update.comment]
    text = "\n".join(lines) + "\n"
    html = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return notifications.Email(request.email, subject, text, f"<html><body>{html}</body></html>")
