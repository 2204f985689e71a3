"""An Open311 report (``POST requests.{fmt}``, a form) raised as a support request.

The form's fields are checked here where the spec's schema cannot say it: the service's own
attributes (required, typed, among their values), one location at least, coordinates within
the globe. The account it is raised for is the one its Open311 key is bound to, always
(``keys``); a report never chooses it, and nothing in its answer tells which customers or
properties exist: ``address_id`` names a property of that account (any other, existing or
not, is the same 400), and an e-mail is the reporter's, never looked up.

It is public (Open311's reads show it) when its service's topic is public; else only the
desk sees it.
"""
import re

from ..core import timestamps
from ..core.auth import Principal
from ..core.errors import BadRequest, FieldError
from ..properties import service as properties
from ..property_relationships import service as relationships
from ..support_requests import service as support_requests
from ..support_requests.models import ServiceAttribute, SupportRequest
from . import services

__all__ = ["raise_report", "ORIGIN"]

#: What the events of a request raised here carry as its ``origin``.
ORIGIN = "open311"
#: A summary is the description's first line, cut to the LEAP summary's 200 characters.
SUMMARY_LENGTH = 200
_ATTRIBUTE = re.compile(r"attribute\[([^\[\]]+)\](?:\[\])?")


def _invalid(field: str, message: str, hint: str = "invalid") -> BadRequest:
    return BadRequest(message, [FieldError(field, hint)])


def _values(form: dict) -> dict[str, list[str]]:
    """Attribute code -> the values given (``attribute[code]`` and ``attribute[code][]``)."""
    given: dict[str, list[str]] = {}
    for name, value in form.items():
        match = _ATTRIBUTE.fullmatch(name)
        if match:
            given.setdefault(match.group(1), []).extend(
                value if isinstance(value, list) else [value])
    return given


def _checked(entry: ServiceAttribute, values: list[str]):
    """The stored answer of one attribute (a value, or a list for a multivaluelist)."""
    field = f"attribute[{entry.code}]"
    keys = {value.key for value in entry.values}
    if entry.datatype == "multivaluelist":
        if any(value not in keys for value in values):
            raise _invalid(field, f"{field} takes the keys {', '.join(sorted(keys))}.")
        return values
    if len(values) > 1:
        raise _invalid(field, f"{field} takes one value.")
    [value] = values
    if entry.datatype == "singlevaluelist" and value not in keys:
        raise _invalid(field, f"{field} is one of {', '.join(sorted(keys))}.")
    if entry.datatype == "number":
        try:
            float(value)
        except ValueError:
            raise _invalid(field, f"{field} is a number.") from None
    if entry.datatype == "datetime":
        try:
            return timestamps.to_storage(timestamps.parse_input(value))
        except ValueError:
            raise _invalid(field, f"{field} is a date and time (ISO 8601).") from None
    return value


def _answers(topic, form: dict) -> dict:
    """The service's attributes answered by ``form``, each checked by its definition."""
    given = _values(form)
    defined = {entry.code: entry for entry in topic.attributes}
    unknown = sorted(set(given) - set(defined))
    if unknown:
        raise _invalid(f"attribute[{unknown[0]}]", f"The service has no attribute "
                       f"{unknown[0]}; its definition lists those it has.")
    answers = {}
    for entry in sorted(topic.attributes, key=lambda entry: entry.order):
        values = [value for value in given.get(entry.code, []) if value != ""]
        if not entry.variable:  # information shown to the reporter: nothing to answer
            continue
        if not values:
            if entry.required:
                raise _invalid(f"attribute[{entry.code}]", f"attribute[{entry.code}] is "
                               f"required: {entry.description}", "required")
            continue
        answers[entry.code] = _checked(entry, values)
    return answers


def _coordinate(form: dict, name: str, bound: int) -> float | None:
    text = form.get(name)
    if text in (None, ""):
        return None
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not -bound <= value <= bound:
        raise _invalid(name, f"{name} is a WGS84 coordinate, from -{bound} to {bound}.")
    return value


def _location(form: dict, account: str) -> dict:
    """lat and long, the address and the property (address_id, one of ``account``'s): one
    of them at least."""
    lat, long = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    if (lat is None) != (long is None):
        missing = "long" if long is None else "lat"
        raise _invalid(missing, "lat and long are given together.", "required")
    address, property_id = form.get("address_string") or None, form.get("address_id") or None
    if lat is None and address is None and property_id is None:
        raise _invalid("lat", "A location is required: lat and long, address_string or "
                       "address_id.", "required")
    if property_id is not None:
        if not relationships.holds(account, property_id):
            raise _invalid("address_id", "address_id names no property that this api_key "
                           "reports for; give lat and long or address_string instead.")
        address = address or _address_text(properties.get_property(property_id).address)
    return {"lat": lat, "long": long, "address": address, "property": property_id}


def _address_text(address) -> str | None:
    """A property's address as one line, most specific part first, as the standard asks."""
    fields = dict(address.as_dict() if hasattr(address, "as_dict") else address or {})
    country = fields.get("country-name")
    parts = [fields.get(name) for name in ("street-address", "extended-address", "locality",
                                           "region", "postal-code")]
    parts.append(country.get("code") if isinstance(country, dict) else country)
    return ", ".join(str(part) for part in parts if part) or None


def _summary(description: str | None, service_name: str) -> str:
    first_line = (description or "").strip().splitlines()[0:1]
    text = first_line[0].strip() if first_line else ""
    return (text or service_name)[:SUMMARY_LENGTH]


def raise_report(principal: Principal, form: dict, idempotency=None) -> SupportRequest:
    """The support request that the report ``form`` raises (400s name the field at fault),
    written with ``idempotency``'s claim when the client sent an Idempotency-Key."""
    topic, sub_topic = services.topic_of(form["service_code"])  # 404, as the standard has it
    answers = _answers(topic, form)
    account = principal.account  # the key's (keys.principal_of)
    where = _location(form, account)
    email = form.get("email") or None
    names = [form.get("first_name"), form.get("last_name")]
    creator = " ".join(name for name in names if name) or None
    report = {"lat": where["lat"], "long": where["long"], "address": where["address"],
              "media_url": form.get("media_url") or None, "phone": form.get("phone") or None,
              "first_name": names[0] or None, "last_name": names[1] or None,
              "device_id": form.get("device_id") or None,
              "account_id": form.get("account_id") or None,
              "client": principal.client_id, "attributes": answers}
    return support_requests.raise_request(
        account, topic.identifier, _summary(form.get("description"), sub_topic or
                                            topic.identifier),
        sub_topic=sub_topic, description=form.get("description") or None, email=email,
        creator=creator, property_identifier=where["property"], report=report, origin=ORIGIN,
        idempotency=idempotency, published=bool(topic.public))
