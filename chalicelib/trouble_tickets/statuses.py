"""TMF621's eight statuses against the ticket's six, both ways (openapi/tmf621.yaml).

``held`` (waiting on something other than the customer) and ``rejected`` have no
counterpart: no ticket is ever in them, and a move to them is refused, naming ``status``.
"""
from ..core.errors import BadRequest, FieldError

__all__ = ["TO_TMF", "FROM_TMF", "ticket_status"]

TO_TMF = {"SUBMITTED": "acknowledged", "IN_PROGRESS": "inProgress",
          "ACTION_REQUIRED": "pending", "RESOLVED": "resolved", "CLOSED": "closed",
          "CANCELLED": "cancelled"}
FROM_TMF = {tmf: status for status, tmf in TO_TMF.items()}


def ticket_status(tmf_status: str) -> str:
    """The ticket's status that ``tmf_status`` names, or 400 naming ``status``."""
    if tmf_status not in FROM_TMF:
        raise BadRequest(f"No ticket is ever {tmf_status}: the desk's statuses are "
                         + ", ".join(FROM_TMF) + ".", [FieldError("status", "invalid")])
    return FROM_TMF[tmf_status]
