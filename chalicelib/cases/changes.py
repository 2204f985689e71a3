"""What follows a change to a ticket or a new note: the audit history, and e-mail to the
ticket's NOTIFICATION contacts that have an EMAIL detail.

A ticket's e-mail goes out on every change of its status (its creation included) and carries
the EXTERNAL note that came with the change; a note e-mails when it is EXTERNAL and came on
its own. Each message is sent at most once per recipient, even when a batch is replayed: it
is named after the ticket's count of status changes, or after the note.
"""
import json
from html import escape

from ..streams import history, notifications
from ..streams.batch import image_value
from .models import Case

__all__ = ["handle_case_record", "handle_case_note_record", "recipients"]

_STATUS_WORDS = {"SUBMITTED": "submitted", "IN_PROGRESS": "in progress",
                 "ACTION_REQUIRED": "waiting for your action", "RESOLVED": "resolved",
                 "CLOSED": "closed", "CANCELLED": "cancelled"}


def recipients(contacts_json: str | None) -> list[str]:
    """The e-mail addresses of the NOTIFICATION contacts, each once."""
    found: list[str] = []
    for contact in json.loads(contacts_json or "[]"):
        if contact.get("type") != "NOTIFICATION":
            continue
        for detail in contact.get("details", []):
            if detail.get("type") == "EMAIL" and detail["value"].lower() not in found:
                found.append(detail["value"].lower())
    return found


def _send(entity: str, key: str, to: list[str], subject: str, text: str,
          account: str) -> None:
    for address in to:
        notifications.send_once(entity, f"{key}#{address}", notifications.Email(
            address, subject, text, "".join(f"<p>{escape(line)}</p>"
                                            for line in text.split("\n") if line)), account)


def handle_case_record(record: dict) -> None:
    dynamodb = record["dynamodb"]
    old, new = dynamodb.get("OldImage"), dynamodb.get("NewImage")
    history.record_change("case", record, key_attribute="case_number")
    if not new:
        return
    changes = int(image_value(new, "status_changes") or 0)
    if old is not None and changes <= int(image_value(old, "status_changes") or 0):
        return
    number, status = image_value(new, "case_number"), image_value(new, "status")
    text = f"Your ticket {number} is {_STATUS_WORDS.get(status, status)}."
    if image_value(new, "status_note"):
        text += "\n" + image_value(new, "status_note")
    _send(f"case#{number}", f"status-{changes}", recipients(image_value(new, "contacts")),
          f"Ticket {number}: {_STATUS_WORDS.get(status, status)}", text,
          image_value(new, "account"))


def handle_case_note_record(record: dict) -> None:
    dynamodb = record["dynamodb"]
    new = dynamodb.get("NewImage")
    history.record_change("case-note", record, key_attribute="note_id")
    if (not new or dynamodb.get("OldImage") or image_value(new, "visibility") != "EXTERNAL"
            or image_value(new, "with_status")):
        return
    number = image_value(new, "case_number")
    case = Case.get(number)  # contacts and account never change: any read will do
    _send(f"case#{number}", f"note-{image_value(new, 'note_id')}", recipients(case.contacts),
          f"Ticket {number}: a new note",
          f"A note was added to your ticket {number}:\n{image_value(new, 'text')}",
          case.account)
