"""Service requests as the API answers them: nested objects named after their entity without
``_identifier`` (``"type": {"id", "name", "alternative_code"}``), times as the wire writes them,
and only the ``fields_set`` asked for."""
from ..accounts.models import Account
from ..core import timestamps
from ..core.errors import BadRequest, FieldError
from . import configuration
from .models import ServiceRequest, Stage

__all__ = ["represent", "FIELDS"]

FIELDS = ("id", "number", "type", "accounts_receivable", "contact_information", "caller_email",
          "caller_phone", "description", "notes", "status", "life_cycle_state", "category",
          "urgency_level", "impact_level", "owned_by_group", "privacy_level",
          "user_defined_fields", "start_date", "expected_completion_date",
          "estimated_completion_time", "assigned_to", "referring_to", "services",
          "physical_goods", "related_service_requests", "response", "temporary_resolutions",
          "final_resolution", "cancellation_reason", "created_date", "updated_date", "version")
_STAGE_KINDS = {"response": "response_category",
                "temporary_resolutions": "temporary_resolution_category",
                "final_resolution": "final_resolution_category"}


def _stages(request: ServiceRequest) -> list[tuple[str, Stage]]:
    found = [("response", request.response), ("final_resolution", request.final_resolution)]
    found += [("temporary_resolutions", stage) for stage in request.temporary_resolutions]
    return [(name, stage) for name, stage in found if stage is not None]


def _wanted_keys(request: ServiceRequest) -> set[tuple[str, str]]:
    keys = {("type", request.type_id), ("status", request.status_id),
            ("category", request.category_id), ("group", request.owned_by_group_id),
            ("privacy_level", request.privacy_level_id), ("user", request.assigned_user_id),
            ("group", request.assigned_group_id),
            ("cancellation_reason", request.cancellation_reason_id)}
    for name, stage in _stages(request):
        keys |= {(_STAGE_KINDS[name], stage.category_id), ("user", stage.by_user_id)}
    return {(kind, key) for kind, key in keys if key}


def _fields_set(fields_set: str | None) -> tuple[str, ...]:
    if not fields_set:
        return FIELDS
    asked = tuple(field.strip() for field in fields_set.split(",") if field.strip())
    unknown = [field for field in asked if field not in FIELDS]
    if unknown:
        raise BadRequest(f"fields_set names unknown field(s): {', '.join(unknown)}.",
                         [FieldError("fields_set", "invalid")])
    return asked


def represent(requests: list[ServiceRequest], fields_set: str | None = None,
              with_emails: bool = False) -> list[dict]:
    """Each request as the API shows it; configuration and accounts read in one batch each.
    The contact's e-mail (the account's login) only ``with_emails``: for a client that may
    read customers."""
    fields = _fields_set(fields_set)
    keys = set().union(*(_wanted_keys(r) for r in requests)) if requests else set()
    entries = {(kind, key): found for kind, key in keys
               if (found := configuration.entry(kind, key)) is not None}
    unnamed = {r.accounts_receivable for r in requests if r.accounts_receivable_name is None}
    names = {a.identifier: a for a in Account.batch_get(sorted(unnamed))} if unnamed else {}
    return [{field: value for field, value in _one(r, entries, names, with_emails).items()
             if field in fields} for r in requests]


def _plain(value):
    """Stored maps and lists (raw PynamoDB attributes) as plain JSON values."""
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _user_defined(stored) -> dict:
    """The user-defined fields; dates as every time is written (a request stored before
    dates were normalised holds them as its client gave them)."""
    return {field: timestamps.to_wire(timestamps.to_storage(timestamps.parse_input(value)))
            if field.startswith("udf_date_") else value
            for field, value in (_plain(stored) or {}).items()}


def _ref(entries: dict, kind: str, key: str | None) -> dict | None:
    entry = entries.get((kind, key))
    if entry is None:
        return None if key is None else {"id": key}
    shown = {"id": entry.id, ("username" if kind == "user" else "name"): entry.name}
    for field in ("code", "alternative_code"):
        if getattr(entry, field):
            shown[field] = getattr(entry, field)
    return shown


def _stage(entries: dict, kind: str, stage: Stage, prefix: str) -> dict:
    return {"category": _ref(entries, kind, stage.category_id),
            f"{prefix}_by": _ref(entries, "user", stage.by_user_id),
            f"{prefix}_date": timestamps.to_wire(stage.date), "description": stage.description,
            "requires_acceptance": bool(stage.requires_acceptance),
            "accepted_by": {"id": stage.accepted_by} if stage.accepted_by else None,
            "accepted_date": timestamps.to_wire(stage.accepted_date)}


def _one(request: ServiceRequest, entries: dict, accounts: dict, with_emails: bool) -> dict:
    name, email = request.accounts_receivable_name, request.contact_email
    if name is None:  # stored before the request kept them
        account = accounts.get(request.accounts_receivable)
        name, email = (account.full_name, account.email) if account else (None, None)
    return {
        "id": request.id, "number": request.number,
        "type": _ref(entries, "type", request.type_id),
        "accounts_receivable": {"id": request.accounts_receivable,
                                "number": request.accounts_receivable, "name": name},
        "contact_information": {"id": request.contact, **(
            {"email": email} if with_emails else {})},
        "caller_email": request.caller_email, "caller_phone": request.caller_phone,
        "description": request.description, "notes": request.notes,
        "status": _ref(entries, "status", request.status_id),
        "life_cycle_state": request.life_cycle_state,
        "category": _ref(entries, "category", request.category_id),
        "urgency_level": request.urgency_level, "impact_level": request.impact_level,
        "owned_by_group": _ref(entries, "group", request.owned_by_group_id),
        "privacy_level": _ref(entries, "privacy_level", request.privacy_level_id),
        "user_defined_fields": _user_defined(request.user_defined),
        "start_date": timestamps.to_wire(request.start_date),
        "expected_completion_date": timestamps.to_wire(request.expected_completion_date),
        "estimated_completion_time": _plain(request.estimated_completion_time) or None,
        "assigned_to": {"user": _ref(entries, "user", request.assigned_user_id),
                        "group": _ref(entries, "group", request.assigned_group_id)},
        "referring_to": _plain(request.referring_to) or None,
        "services": _plain(list(request.services or [])),
        "physical_goods": _plain(list(request.physical_goods or [])),
        "related_service_requests": [{"number": n} for n in request.related_numbers or []],
        "response": request.response and _stage(entries, "response_category",
                                                 request.response, "responded"),
        "temporary_resolutions": [_stage(entries, "temporary_resolution_category", stage,
                                         "temporary_resolved")
                                  for stage in request.temporary_resolutions or []],
        "final_resolution": request.final_resolution and _stage(
            entries, "final_resolution_category", request.final_resolution, "final_resolved"),
        "cancellation_reason": _ref(entries, "cancellation_reason",
                                    request.cancellation_reason_id),
        "created_date": timestamps.to_wire(request.created_date),
        "updated_date": timestamps.to_wire(request.updated_date),
        "version": request.version,
    }
