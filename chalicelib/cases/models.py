"""The tables of the Case Management API: tickets, their notes, and uploaded files.

A ticket is one item keyed by its case number; its notes are items of their own, so that
concurrent notes never contend for the ticket's version and a long conversation never nears
DynamoDB's 400 KB item limit. Each list of the API is a Query on an index of tickets, newest
first (``created_key`` is the creation time, then the case number).
"""
from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from ..core.db import ListOf, global_index, meta, shares_connection

__all__ = ["Case", "CaseNote", "CaseAttachment", "StatusChange", "OPEN_STATUSES", "DESK"]

#: Statuses in which a ticket is open: it takes notes, and its customerReferenceId is taken.
OPEN_STATUSES = ("SUBMITTED", "IN_PROGRESS", "ACTION_REQUIRED", "RESOLVED")
#: The one value of ``desk``: the operators' index of every ticket.
DESK = "tickets"


class StatusChange(MapAttribute):
    status = UnicodeAttribute()
    at = UnicodeAttribute()  # stored time, as the wire writes it


@shares_connection
class Case(Model):
    Meta = meta("cases", streams=True)
    case_number = UnicodeAttribute(hash_key=True)  # 8 digits; the order number derives from it
    case_id = UnicodeAttribute()  # "CaseId" of the answers to notes and cancel
    version = VersionAttribute()
    account = UnicodeAttribute()  # the customer identifier of the account it belongs to
    account_name = UnicodeAttribute()  # the owner's full name when it was created
    client_id = UnicodeAttribute()  # the API client that created it
    type = UnicodeAttribute()  # TROUBLE | CASE (see codes.ticket_type)
    code = UnicodeAttribute()
    description = UnicodeAttribute()
    primary_id = UnicodeAttribute()
    secondary_id = UnicodeAttribute(null=True)
    occurred = UnicodeAttribute(null=True)
    customer_reference_id = UnicodeAttribute(null=True)
    contacts = UnicodeAttribute()  # JSON, as given
    details = UnicodeAttribute(null=True)  # JSON, as given
    attachments = UnicodeAttribute()  # JSON: [{"id", "name"}]
    status = UnicodeAttribute()
    status_history = ListOf(of=StatusChange, default=list)
    status_changes = NumberAttribute(default=1)  # names each status change's e-mail
    status_note = UnicodeAttribute(null=True)  # the EXTERNAL note of the latest change
    # The desk's agent and group working it (desk.assignment); TMF621 shows the agent as a
    # relatedParty of the role assignee, the Case Management API has no place for them.
    desk_assignee = UnicodeAttribute(null=True)
    desk_group = UnicodeAttribute(null=True)
    created = UnicodeAttribute()
    updated = UnicodeAttribute()
    updated_by = UnicodeAttribute()  # the name of the API client that changed it last
    changed_by = UnicodeAttribute(null=True)  # its id (core.actors)
    # List keys.
    created_key = UnicodeAttribute()  # "<created>#<case number>": newest first, no ties
    account_status = UnicodeAttribute()  # "<account>#<status>"
    account_reference = UnicodeAttribute(null=True)  # "<account>#<customerReferenceId>"
    desk = UnicodeAttribute(default=DESK)
    by_account = global_index("by_account", "account", "created_key")
    by_account_status = global_index("by_account_status", "account_status", "created_key")
    by_account_reference = global_index("by_account_reference", "account_reference",
                                        "created_key")
    by_status = global_index("by_status", "status", "created_key")  # operators
    by_reference = global_index("by_reference", "customer_reference_id", "created_key")
    by_desk = global_index("by_desk", "desk", "created_key")  # operators: every ticket


@shares_connection
class CaseNote(Model):
    Meta = meta("case_notes", streams=True)
    case_number = UnicodeAttribute(hash_key=True)
    note_id = UnicodeAttribute(range_key=True)  # time-ordered: the notes of a case in order
    text = UnicodeAttribute()
    visibility = UnicodeAttribute()  # EXTERNAL | INTERNAL
    attachments = UnicodeAttribute()  # JSON: [{"id", "name"}]
    created = UnicodeAttribute()
    author = UnicodeAttribute()  # the API client's name
    client_id = UnicodeAttribute()
    # Set when the note came with a status change (a cancellation's reason, an operator's
    # note): the ticket's e-mail about that change carries it, so it sends none of its own.
    with_status = UnicodeAttribute(null=True)


@shares_connection
class CaseAttachment(Model):
    """An uploaded file of an account; tickets and notes of the same account refer to it by id.

    Its bytes come to ``staging/<account>/<id>`` of the attachments bucket. The first ticket
    or note that cites the file copies them to ``<account>/<id>/<ETag>`` (``content_tag``),
    which nothing else writes: from then on the file is what was cited, whatever is uploaded
    to the staging key later. A file stored before staging began is ``<account>/<id>``."""
    Meta = meta("case_attachments", streams=True)
    attachment_id = UnicodeAttribute(hash_key=True)
    account = UnicodeAttribute()
    name = UnicodeAttribute()
    size = NumberAttribute()
    uploaded = UnicodeAttribute()
    client_id = UnicodeAttribute()
    pending = BooleanAttribute(null=True)  # announced by an upload form, not yet seen in S3
    # Uploaded to the staging key and counted in the account's quota (every file since both).
    staged = BooleanAttribute(null=True)
    content_tag = UnicodeAttribute(null=True)  # the cited bytes' ETag: set once, when first cited
    # A file that no ticket cited: DynamoDB deletes its item a day after the upload.
    expires_at = TTLAttribute(null=True)

    @property
    def staging_key(self) -> str:
        return f"staging/{self.account}/{self.attachment_id}"

    @property
    def object_key(self) -> str:
        """Where the file's bytes are now."""
        if self.content_tag:
            return f"{self.account}/{self.attachment_id}/{self.content_tag}"
        return self.staging_key if self.staged else f"{self.account}/{self.attachment_id}"
