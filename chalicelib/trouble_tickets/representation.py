"""A ticket as TMF621 shows it (openapi/tmf621.yaml says what each field maps to).

The fields with no counterpart in the ticket are kept as given in its ``details`` under
``tmf621`` (``kept``); what the ticket itself holds (status, notes, contacts, reference,
files, code) is always shown from the ticket, so that both faces read the same data.
"""
import json

from ..cases.models import Case, CaseNote
from ..cases.representation import note as case_note
from .statuses import TO_TMF

__all__ = ["ticket", "kept", "select", "href", "ALWAYS", "TICKET_TYPES"]

PATH = "/tmf-api/troubleTicket/v5/troubleTicket"
#: Fields every answer carries, whatever ``fields`` asks.
ALWAYS = ("@type", "id", "href")
#: The ticketType values that are the ticket's type (any case).
TICKET_TYPES = ("TROUBLE", "CASE")
#: The ``@type`` of what a kept list holds, for an item a client sent without one.
_ITEM_TYPES = {"relatedParty": "RelatedPartyRefOrPartyRoleRef",
               "relatedEntity": "RelatedEntity", "externalIdentifier": "ExternalIdentifier",
               "troubleTicketRelationship": "TroubleTicketRelationship",
               "troubleTicketCharacteristic": "Characteristic", "attachment": "Attachment",
               "channel": "ChannelRef", "troubleTicketSpecification":
               "TroubleTicketSpecificationRef"}


def href(base_url: str, case_number: str) -> str:
    return f"{base_url}{PATH}/{case_number}"


def kept(case: Case) -> dict:
    """The TMF fields kept as given on ``case`` (none for a ticket made elsewhere)."""
    details = json.loads(case.details) if case.details else None
    found = details.get("tmf621") if isinstance(details, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def _typed(value, kind: str):
    """``value`` (a kept object, or a list of them) with an ``@type`` where it had none: TMF's
    objects all carry one."""
    if isinstance(value, list):
        return [_typed(item, kind) for item in value]
    if isinstance(value, dict) and "@type" not in value:
        return {"@type": kind, **value}
    return value


def _party(role: str, identifier: str, name: str, referred: str, kind: str = "PartyRef",
           email: str | None = None) -> dict:
    party = {"@type": kind, "@referredType": referred, "id": identifier, "name": name}
    if email:
        party["contactMedium"] = [{"@type": "ContactMedium", "mediumType": "email",
                                   "characteristic": {"@type": "EmailContactMedium",
                                                      "emailAddress": email}}]
    return {"@type": "RelatedPartyRefOrPartyRoleRef", "role": role, "partyOrPartyRole": party}


def _contact_parties(contacts: list[dict]) -> list[dict]:
    parties = []
    for position, contact in enumerate(contacts):
        role = contact["type"].lower()
        for user in contact.get("registeredUsers", []):
            parties.append(_party(role, user, user, "Individual"))
        if "firstName" in contact:
            emails = [d["value"] for d in contact.get("details", []) if d["type"] == "EMAIL"]
            name = f"{contact['firstName']} {contact['lastName']}"
            parties.append(_party(role, emails[0] if emails else f"contact-{position + 1}",
                                  name, "Individual", email=emails[0] if emails else None))
    return parties


def _related_parties(case: Case, given: dict) -> list[dict]:
    customer = _party("customer", case.account, case.account_name, "Customer", "PartyRoleRef")
    others = given.get("relatedParty")
    if others is None:
        others = _contact_parties(json.loads(case.contacts))
    others = [party for party in others if party.get("role") != "assignee"]
    # the desk's assignment (desk.actions): its agent, and its group as a team
    desk = [_party("assignee", name, name, referred) for name, referred in (
        (case.desk_assignee, "Individual"), (case.desk_group, "Organization")) if name]
    return [customer, *_typed(others, _ITEM_TYPES["relatedParty"]), *desk]


def _external_identifiers(case: Case, given: dict) -> list[dict]:
    if "externalIdentifier" in given:
        return _typed(given["externalIdentifier"], "ExternalIdentifier")
    if not case.customer_reference_id:
        return []
    return [{"@type": "ExternalIdentifier", "id": case.customer_reference_id,
             "externalIdentifierType": "customerReferenceId"}]


def _related_entities(case: Case, given: dict) -> list[dict]:
    if "relatedEntity" in given:
        return _typed(given["relatedEntity"], "RelatedEntity")
    entities = [("primaryId", case.primary_id), ("secondaryId", case.secondary_id)]
    return [{"@type": "RelatedEntity", "role": role,
             "entity": {"@type": "EntityRef", "id": value}}
            for role, value in entities if value]


def _file(entry: dict, base_url: str, note: CaseNote | None = None) -> dict:
    shown = {"@type": "AttachmentRef", "id": entry["id"], "name": entry["name"],
             "url": f"{base_url}/support/v2/attachments/{entry['id']}"}
    if note is not None:
        shown["description"] = f"Attached to note {note.note_id}"
    return shown


def _attachments(case: Case, notes: list[CaseNote] | None, base_url: str,
                 given: dict) -> list[dict]:
    """The ticket's files, then those of the notes the caller may read (v5's Note holds no
    attachment: each says in its ``description`` which note it came with), then what a
    client attached by link."""
    files = [_file(entry, base_url) for entry in json.loads(case.attachments)]
    files += [_file(entry, base_url, note) for note in notes or []
              for entry in json.loads(note.attachments or "[]")]
    return files + _typed(given.get("attachment", []), "Attachment")


def _note(entry: CaseNote) -> dict:
    shown = case_note(entry)
    return {"@type": "Note", "id": shown["id"], "author": shown["createdByFullName"],
            "date": shown["createdDateTime"], "text": shown["text"]}


def _status_history(case: Case) -> list[dict]:
    return [{"@type": "StatusChange", "status": TO_TMF[change.status],
             "statusChangeDate": change.at} for change in case.status_history]


def ticket(case: Case, notes: list[CaseNote] | None, base_url: str) -> dict:
    """The whole ticket; ``notes`` are those the caller may read (None: a list's ticket,
    shown without its notes, which are a Query of their own)."""
    given = kept(case)
    history = _status_history(case)
    last_update = max([case.updated, *(entry.created for entry in notes or [])])
    characteristics = [{"@type": "StringCharacteristic", "name": "code", "valueType": "string",
                        "value": case.code},
                       *_typed(given.get("troubleTicketCharacteristic", []), "Characteristic")]
    shown = {
        "@type": "TroubleTicket", "id": case.case_number, "href": href(base_url,
                                                                         case.case_number),
        "description": case.description,
        "ticketType": given.get("ticketType", case.type),
        "status": TO_TMF[case.status], "creationDate": case.created, "lastUpdate": last_update,
        "statusChangeDate": history[-1]["statusChangeDate"],
        "statusChangeHistory": history,
        "note": [_note(entry) for entry in notes or []],
        "externalIdentifier": _external_identifiers(case, given),
        "relatedParty": _related_parties(case, given),
        "relatedEntity": _related_entities(case, given),
        "attachment": _attachments(case, notes, base_url, given),
        "troubleTicketCharacteristic": characteristics,
    }
    if notes is None:
        del shown["note"]
    if case.status_note:
        shown["statusChangeReason"] = case.status_note
    if case.status in ("RESOLVED", "CLOSED"):
        resolved = [change.at for change in case.status_history if change.status == "RESOLVED"]
        if resolved:
            shown["resolutionDate"] = resolved[-1]
    for name, value in given.items():  # the kept fields (a kept ticketType is shown above)
        if name not in shown and name != "ticketType":
            shown[name] = _typed(value, _ITEM_TYPES[name]) if name in _ITEM_TYPES else value
    return shown


def select(shown: dict, fields: str | None) -> dict:
    """Only the fields that ``fields`` (``a,b``) names, and ``ALWAYS``; every field without."""
    if not fields:
        return shown
    wanted = {name.strip() for name in fields.split(",")} | set(ALWAYS)
    return {name: value for name, value in shown.items() if name in wanted}
