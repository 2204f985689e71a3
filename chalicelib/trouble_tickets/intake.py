"""A TMF621 ticket as it comes in, read as the Case Management API's ticket: its code, type,
primary id, reference, contacts and files, and the fields kept as given (``tmf621``).

The pipeline has checked the body against openapi/tmf621.yaml; what a schema cannot say
(a code that suits the ticketType, a file of this account) is checked here, naming the field.
"""
import json

from ..cases import attachments, codes
from ..cases.service import MAX_DETAILS_BYTES
from ..core import timestamps
from ..core.email_address import is_email
from ..core.errors import BadRequest, FieldError, NotFound
from .representation import TICKET_TYPES

__all__ = ["case_body", "kept_fields", "normalized", "TIMES", "DEFAULT_CODES"]

#: The code of a ticket that names none, by its ticketType (any other: the CASE one).
DEFAULT_CODES = {"TROUBLE": "0000-0000", "CASE": "0800-0000"}
#: Kept fields that are times: kept as RFC 3339 in UTC, however they were written.
TIMES = ("requestedResolutionDate", "expectedResolutionDate")
#: Fields the service sets: ignored on create (a create's status is always acknowledged).
_SERVICE_SET = ("@type", "@baseType", "@schemaLocation", "id", "href", "status",
                "statusChangeDate", "statusChangeReason", "statusChangeHistory",
                "creationDate", "lastUpdate", "resolutionDate")
#: Fields that the ticket itself holds (read from the ticket, never kept twice).
_HELD = ("description", "note", "troubleTicketCharacteristic", "attachment")


def _code(body: dict) -> str:
    given = body.get("ticketType", "")
    stated = given.upper() if given.upper() in TICKET_TYPES else None
    named = [item for item in body.get("troubleTicketCharacteristic", [])
             if item["name"] == "code"]
    if named:
        code = named[0].get("value")
        if not (isinstance(code, str) and len(code) == 9 and code[4] == "-"
                and (code[:4] + code[5:]).isdigit()):
            position = body["troubleTicketCharacteristic"].index(named[0])
            raise BadRequest("The code characteristic is a category and a sub-category, "
                             "NNNN-NNNN.",
                             [FieldError(f"troubleTicketCharacteristic/{position}/value",
                                         "invalid")])
    else:
        code = DEFAULT_CODES.get(stated or "CASE")
    if stated and codes.ticket_type(code) != stated:
        raise BadRequest(f"ticketType {given} does not suit code {code}, which is a "
                         f"{codes.ticket_type(code)} (categories 0000 to 0099 are TROUBLE).",
                         [FieldError("ticketType", "invalid")])
    return code


def normalized(name: str, value):
    """A kept value as it is stored: times in one form."""
    if name in TIMES and isinstance(value, str):
        return timestamps.to_storage(timestamps.parse_input(value))
    return value


def kept_fields(body: dict) -> dict:
    """The fields of ``body`` that the ticket has no place for, as given."""
    found = {name: normalized(name, value) for name, value in body.items()
             if name not in _SERVICE_SET and name not in _HELD and value is not None}
    if body.get("ticketType", "").upper() in TICKET_TYPES:
        del found["ticketType"]  # the ticket's own type
    others = [item for item in body.get("troubleTicketCharacteristic", [])
              if item["name"] != "code"]
    if others:
        found["troubleTicketCharacteristic"] = others
    return found


def _contacts(parties: list[dict]) -> list[dict]:
    """NOTIFICATION contacts of the parties whose contactMedium names an e-mail address."""
    contacts = []
    for position, party in enumerate(parties):
        reference = party.get("partyOrPartyRole") or {}
        emails = [medium.get("characteristic", {}).get("emailAddress")
                  for medium in reference.get("contactMedium", [])
                  if str(medium.get("mediumType", "")).lower() == "email"]
        emails = [email for email in emails if email]
        if not emails or party.get("role") == "customer":
            continue
        if not all(is_email(email) for email in emails):
            raise BadRequest("A contactMedium's emailAddress is not an e-mail address.",
                             [FieldError(f"relatedParty/{position}/partyOrPartyRole/"
                                         "contactMedium", "invalid")])
        names = (reference.get("name") or "").split(None, 1) or [emails[0].split("@")[0]]
        contacts.append({"type": "NOTIFICATION", "firstName": names[0][:100],
                         "lastName": (names[1] if len(names) > 1 else names[0])[:100],
                         "details": [{"type": "EMAIL", "value": email}
                                     for email in emails[:5]]})
    return contacts


def _files(body: dict, account: str) -> tuple[list[dict], list[dict]]:
    """(the files of this account that the attachments name, the other attachments)."""
    files, others = [], []
    for position, item in enumerate(body.get("attachment", [])):
        try:
            if "id" not in item:
                raise NotFound("no id")
            attachments.find(item["id"], account)
            files.append({"id": item["id"]})
        except NotFound:
            if item.get("@type") == "AttachmentRef":
                raise BadRequest("An AttachmentRef names a file this account uploaded "
                                 "(POST /support/v2/attachments).",
                                 [FieldError(f"attachment/{position}/id", "unknown")])
            others.append(item)
    return files, others


def case_body(body: dict, account: str) -> tuple[dict, tuple[str, ...]]:
    """(the Case Management API's create body for ``body``, the texts of its notes)."""
    entities = [item["entity"]["id"] for item in body.get("relatedEntity", [])
                if isinstance(item.get("entity"), dict) and item["entity"].get("id")]
    references = body.get("externalIdentifier", [])
    files, other_attachments = _files(body, account)
    kept = kept_fields(body)
    if other_attachments:
        kept["attachment"] = other_attachments
    parties = [party for party in body.get("relatedParty", []) if party.get("role") !=
               "customer"]
    if parties:
        kept["relatedParty"] = parties
    elif "relatedParty" in kept:
        del kept["relatedParty"]
    size = len(json.dumps({"tmf621": kept}, separators=(",", ":")).encode())
    if size > MAX_DETAILS_BYTES:
        largest = max(kept, key=lambda name: len(json.dumps(kept[name])))
        raise BadRequest(f"The fields kept as given hold at most {MAX_DETAILS_BYTES} bytes of "
                         f"JSON; these hold {size}.", [FieldError(largest, "too-long")])
    case = {"code": _code(body), "description": body["description"],
            "primaryId": entities[0] if entities else account,
            "contacts": _contacts(body.get("relatedParty", [])),
            "attachments": files, "details": {"tmf621": kept} if kept else None}
    if len(entities) > 1:
        case["secondaryId"] = entities[1]
    if references:
        case["customerReferenceId"] = references[0]["id"]
    return case, tuple(note["text"] for note in body.get("note", []))
