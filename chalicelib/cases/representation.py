"""Tickets as the Case Management API writes them (openapi/cases.yaml)."""
import json

from .access import order_number
from .codes import category_names
from .models import OPEN_STATUSES, Case, CaseAttachment, CaseNote
from .service import CANCELLABLE

__all__ = ["ticket", "summary", "created", "result", "attachment", "note"]

CHANNEL = "PORTAL"  # every ticket of this service comes through the API: the customer's side


def created(case: Case) -> dict:
    return {"id": case.case_number, "type": case.type}


def result(case: Case, note: CaseNote | None) -> dict:
    """The answer to a note, a cancellation or a move of status."""
    return {"result": {"CaseId": case.case_id, "CaseNotesId": note.note_id if note else None,
                       "CaseNumber": case.case_number}}


def note(entry: CaseNote) -> dict:
    return {"id": entry.note_id, "text": entry.text, "visibility": entry.visibility,
            "createdDateTime": entry.created, "createdByFullName": entry.author,
            "attachments": json.loads(entry.attachments)}


def summary(case: Case) -> dict:
    category, sub_category = category_names(case.code)
    return {"id": case.case_number, "orderId": order_number(case.case_number),
            "type": case.type, "status": case.status, "code": case.code, "category": category,
            "subCategory": sub_category, "accountNumber": case.account,
            "customerReferenceId": case.customer_reference_id,
            "createdDateTime": case.created, "updatedDateTime": case.updated}


def ticket(case: Case, notes: list[CaseNote]) -> dict:
    """The whole ticket; ``notes`` are those the caller may read. The latest of its own
    change and its notes is its update."""
    category, sub_category = category_names(case.code)
    updated, updated_by = case.updated, case.updated_by
    if notes and notes[-1].created > updated:
        updated, updated_by = notes[-1].created, notes[-1].author
    other = {
        "category": category, "subCategory": sub_category, "code": case.code,
        "type": case.type, "description": case.description, "primaryId": case.primary_id,
        "secondaryId": case.secondary_id, "occurredDateTime": case.occurred,
        "updatedDateTime": updated, "updatedByFullName": updated_by,
        "statusHistory": [{"status": change.status, "createdDate": change.at}
                          for change in case.status_history],
        "notes": [note(entry) for entry in notes],
        "attachments": json.loads(case.attachments),
        "details": json.loads(case.details) if case.details else None,
        "modifiable": case.status in OPEN_STATUSES,
        "cancellable": case.status in CANCELLABLE,
        "reOpen": case.status == "RESOLVED",  # the desk may take it up again
        "respond": case.status == "ACTION_REQUIRED",
    }
    return {"id": case.case_number, "accountNumber": case.account,
            "accountName": case.account_name, "customerReferenceId": case.customer_reference_id,
            "channel": CHANNEL, "orderId": order_number(case.case_number),
            "status": case.status, "contacts": json.loads(case.contacts),
            "createdDateTime": case.created,
            "otherDetails": {key: value for key, value in other.items() if value is not None}}


def attachment(entry: CaseAttachment, url: str | None = None) -> dict:
    answer = {"id": entry.attachment_id, "name": entry.name}
    if url is not None:
        answer.update(size=entry.size, uploadedDateTime=entry.uploaded, url=url)
    return answer
