"""The service requests table: one item per request, keyed by its number (SR00000001).

Each list method of the API is a Query on an index made for it (see ``list_keys``): by
accounts receivable, by caller, by life cycle state (alone or with one filter), by pending
acceptance (alone or with one filter), and open requests by expected completion.
"""
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from ..core.db import ListOf, global_index, meta, shares_connection

__all__ = ["ServiceRequest", "FILTERS", "list_keys"]

#: The optional filters of the get_ methods, and the attribute each one reads.
FILTERS = {"accounts_receivable": "accounts_receivable", "type": "type_id",
           "caller": "contact", "category": "category_id"}


class Stage(MapAttribute):
    """A response or a resolution: its category, who gave it and when, and its acceptance."""
    category_id = UnicodeAttribute()
    by_user_id = UnicodeAttribute(null=True)
    date = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    requires_acceptance = BooleanAttribute(null=True)  # its category asks the customer
    accepted_by = UnicodeAttribute(null=True)  # the accepting contact's customer identifier
    accepted_date = UnicodeAttribute(null=True)


@shares_connection
class ServiceRequest(Model):
    Meta = meta("service_requests", streams=True)
    number = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute()
    version = VersionAttribute()
    changed_by = UnicodeAttribute(null=True)  # the API client of the latest write (actors)
    type_id = UnicodeAttribute()
    accounts_receivable = UnicodeAttribute()  # a customer identifier
    contact = UnicodeAttribute()  # the caller: the account's owner, a customer identifier
    # The account's name and login e-mail, kept with the request so that showing it reads no
    # account (stream handler on_account_change keeps them current); None on requests stored
    # before they were kept, which are shown from the account itself.
    accounts_receivable_name = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    caller_email = UnicodeAttribute(null=True)
    caller_phone = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    status_id = UnicodeAttribute()
    life_cycle_state = UnicodeAttribute()
    category_id = UnicodeAttribute()
    urgency_level = UnicodeAttribute()
    impact_level = UnicodeAttribute()
    owned_by_group_id = UnicodeAttribute(null=True)
    privacy_level_id = UnicodeAttribute(null=True)
    user_defined = MapAttribute(default=dict)  # udf_string_1 ... udf_date_4, as given
    start_date = UnicodeAttribute()
    expected_completion_date = UnicodeAttribute(null=True)
    estimated_completion_time = MapAttribute(null=True)  # {"value": n, "uot": "HOURS"}
    assigned_user_id = UnicodeAttribute(null=True)
    assigned_group_id = UnicodeAttribute(null=True)
    # The desk's agent and group, when the CRM's users and groups have none of that name
    # (desk.assignment); a desk assignment to a CRM user or group sets assigned_to itself.
    desk_assignee = UnicodeAttribute(null=True)
    desk_group = UnicodeAttribute(null=True)
    referring_to = MapAttribute(null=True)
    services = ListAttribute(default=list)
    physical_goods = ListAttribute(default=list)
    related_numbers = ListAttribute(default=list)
    response = Stage(null=True)
    temporary_resolutions = ListOf(of=Stage, default=list)
    final_resolution = Stage(null=True)
    cancellation_reason_id = UnicodeAttribute(null=True)
    created_date = UnicodeAttribute()
    updated_date = UnicodeAttribute()
    status_changes = NumberAttribute(default=0)  # how many times the status changed

    by_id = global_index("by_id", "id", "number")
    # list: by accounts receivable or by caller, newest last
    list_order = UnicodeAttribute()  # "<created>#<number>"
    list_ar = UnicodeAttribute()
    list_caller = UnicodeAttribute()
    list_ar_index = global_index("list_ar", "list_ar", "list_order")
    list_caller_index = global_index("list_caller", "list_caller", "list_order")
    # get_pending, get_final_resolved, get_completed: by state, alone or with one filter
    state_all = UnicodeAttribute(null=True)
    state_accounts_receivable = UnicodeAttribute(null=True)
    state_type = UnicodeAttribute(null=True)
    state_caller = UnicodeAttribute(null=True)
    state_category = UnicodeAttribute(null=True)
    state_all_index = global_index("state_all", "state_all", "list_order")
    state_accounts_receivable_index = global_index("state_accounts_receivable",
                                             "state_accounts_receivable", "list_order")
    state_type_index = global_index("state_type", "state_type", "list_order")
    state_caller_index = global_index("state_caller", "state_caller", "list_order")
    state_category_index = global_index("state_category", "state_category", "list_order")
    # get_responded_pending_acceptance, get_final_resolved_pending_acceptance (sparse)
    awaiting_all = UnicodeAttribute(null=True)
    awaiting_accounts_receivable = UnicodeAttribute(null=True)
    awaiting_type = UnicodeAttribute(null=True)
    awaiting_caller = UnicodeAttribute(null=True)
    awaiting_category = UnicodeAttribute(null=True)
    awaiting_all_index = global_index("awaiting_all", "awaiting_all", "list_order")
    awaiting_accounts_receivable_index = global_index("awaiting_accounts_receivable",
                                                "awaiting_accounts_receivable", "list_order")
    awaiting_type_index = global_index("awaiting_type", "awaiting_type", "list_order")
    awaiting_caller_index = global_index("awaiting_caller", "awaiting_caller", "list_order")
    awaiting_category_index = global_index("awaiting_category", "awaiting_category", "list_order")
    # get_close_to_estimated_completion_time: open requests by expected completion (sparse)
    completion_order = UnicodeAttribute(null=True)  # "<expected completion>#<number>"
    open_all = UnicodeAttribute(null=True)
    open_accounts_receivable = UnicodeAttribute(null=True)
    open_type = UnicodeAttribute(null=True)
    open_all_index = global_index("open_all", "open_all", "completion_order")
    open_accounts_receivable_index = global_index("open_accounts_receivable",
                                            "open_accounts_receivable", "completion_order")
    open_type_index = global_index("open_type", "open_type", "completion_order")

    def awaiting(self) -> str | None:
        """Which acceptance the request waits for: RESPONSE, FINAL_RESOLUTION or None."""
        if self.life_cycle_state == "RESPONDED" and self.response and \
                self.response.requires_acceptance and not self.response.accepted_by:
            return "RESPONSE"
        if self.life_cycle_state == "FINAL RESOLVED" and self.final_resolution and \
                self.final_resolution.requires_acceptance and \
                not self.final_resolution.accepted_by:
            return "FINAL_RESOLUTION"
        return None

    def refresh_list_keys(self) -> None:
        for name, value in list_keys(self).items():
            setattr(self, name, value)


def list_keys(request: ServiceRequest) -> dict[str, str | None]:
    """The values of every list attribute of ``request`` (None: not in that list)."""
    values = {name: getattr(request, attribute) for name, attribute in FILTERS.items()}
    keys: dict[str, str | None] = {
        "list_order": f"{request.created_date}#{request.number}",
        "list_ar": request.accounts_receivable, "list_caller": request.contact,
        "state_all": request.life_cycle_state}
    awaiting = request.awaiting()
    keys["awaiting_all"] = awaiting
    for name, value in values.items():
        keys[f"state_{name}"] = f"{request.life_cycle_state}#{value}"
        keys[f"awaiting_{name}"] = f"{awaiting}#{value}" if awaiting else None
    is_open = request.life_cycle_state not in ("COMPLETED", "CANCELLED") and \
        request.expected_completion_date is not None
    keys["completion_order"] = (f"{request.expected_completion_date}#{request.number}"
                                if is_open else None)
    keys["open_all"] = "open" if is_open else None
    keys["open_accounts_receivable"] = request.accounts_receivable if is_open else None
    keys["open_type"] = request.type_id if is_open else None
    return keys
