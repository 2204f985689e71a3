"""The rules of customer accounts, over plain values."""
from datetime import date

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from ..core import db, feeds, pages, timestamps, tracking, unique_keys
from ..core.config import settings
from ..core.countries import is_country_code
from ..core.errors import ApiError, BadRequest, Conflict, FieldError, Forbidden, NotFound
from ..core.idempotency import Idempotency
from . import catalog, passwords
from .models import Account, AccountFieldEntry, Comment, Phone

__all__ = ["is_luhn_valid", "with_check_digit", "get_active_account", "get_account",
           "create_account", "update_account", "change_login", "set_extid", "acknowledge",
           "list_accounts", "find_by_additional_field", "find_by_email", "add_comment",
           "LABEL", "EXTID_KIND", "link_relationship"]

LABEL = "customer account"
EXTID_KIND = "customer-extid"
EMAIL_KIND = "customer-email"
ACTIVE_COUNTER = "counter#active-customer-accounts"


def is_luhn_valid(identifier: str) -> bool:
    """Customer identifiers are numbers whose last digit is a Luhn check digit."""
    if not (2 <= len(identifier) <= 64 and identifier.isascii() and identifier.isdigit()):
        return False  # ASCII digits only: str.isdigit alone takes in every script's digits
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(identifier)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def with_check_digit(number: int) -> str:
    for digit in "0123456789":
        if is_luhn_valid(f"{number}{digit}"):
            return f"{number}{digit}"
    raise AssertionError("a Luhn check digit always exists")


def get_active_account(identifier: str, xpath: str = "identifier") -> Account:
    """The active account ``identifier``: 400 when malformed, 404 when unknown or inactive."""
    if not is_luhn_valid(identifier):
        raise BadRequest(f"Invalid customer identifier {identifier}.",
                         [FieldError(xpath, "invalid")])
    account = tracking.get_tracked(Account, identifier, LABEL)
    if account.status != "ACTIVE":
        raise NotFound(f"The {LABEL} {identifier} is not active.")
    return account


def find_by_name(full_name: str) -> list[str]:
    """The identifiers of (at most two) accounts whose full name is ``full_name``, any case."""
    return [a.identifier for a in Account.by_name.query(full_name.lower(), limit=2)]


def get_account(identifier: str | None = None, extid: str | None = None) -> Account:
    if extid is not None:
        account = tracking.find_by_extid(Account, EXTID_KIND, extid, LABEL)
        if account.status != "ACTIVE":
            raise NotFound(f"The {LABEL} with external identifier {extid} is not active.")
        return account
    return get_active_account(identifier)


def _email_key(community: str, email: str) -> str:
    return unique_keys.claim_key(EMAIL_KIND, f"{community}#{email.lower()}")


def _check_details(details: dict, root: str, errors: list[FieldError]) -> None:
    """The rules a schema cannot say: real dates, real countries, configured values."""
    owner = details.get("owner", {})
    if "bday" in owner:
        try:
            if date.fromisoformat(owner["bday"]) >= date.today():
                raise ValueError("not in the past")
        except ValueError:
            errors.append(FieldError(f"/{root}/owner/bday", "invalid"))
    countries = [("owner/nationality", owner.get("nationality")),
                 ("owner/residential-address/country-name",
                  owner.get("residential-address", {}).get("country-name")),
                 ("billing-address/country-name",
                  details.get("billing-address", {}).get("country-name"))]
    for path, country in countries:
        if country and not is_country_code(country["code"]):
            errors.append(FieldError(f"/{root}/{path}/@code", "invalid"))
    for position, community in enumerate(details.get("communities", []), start=1):
        if not catalog.is_community(community):
            errors.append(FieldError(f"/{root}/communities/community[{position}]", "invalid"))
    fields = details.get("additional-fields", [])
    labels = catalog.additional_field_labels(field["key"] for field in fields)
    for position, field in enumerate(fields, start=1):
        if field["key"] not in labels:
            errors.append(FieldError(f"/{root}/additional-fields/field[{position}]", "unknown"))


def _apply_details(account: Account, details: dict) -> None:
    owner = details["owner"]
    name = owner["name"]
    account.given_name, account.family_name = name["given-name"], name["family-name"]
    account.additional_names = name.get("additional-names")
    account.name_key = account.full_name.lower()
    account.honorific_prefixes = name.get("honorific-prefixes")
    account.bday, account.gender = owner.get("bday"), owner.get("gender")
    account.nationality = owner.get("nationality", {}).get("code")
    account.phones = [Phone(type=tel.get("type"), number=tel.get("number") or None)
                      for tel in owner.get("tel", [])]
    account.residential_address = owner.get("residential-address")
    account.billing_address = details.get("billing-address")
    account.additional_fields = {field["key"]: field.get("value", "")
                                 for field in details.get("additional-fields", [])} or None


def create_account(details: dict, identifier: str | None = None,
                   idempotency: Idempotency | None = None) -> Account:
    """Create an account from a valid ``<account>`` document's data; 400 / 403 on refusal.
    Written with ``idempotency``'s claim when there is one (``core.idempotency``)."""
    owner = details["owner"]
    errors: list[FieldError] = []
    if not passwords.is_strong(owner["password"], owner["email"]):
        errors.append(FieldError("/account/owner/password", "invalid"))
    _check_details(details, "account", errors)
    if errors:
        weak = any(error.xpath.endswith("/password") for error in errors)
        raise BadRequest("The account is not valid." + (f" {passwords.RULE}" if weak else ""),
                         errors)
    community = details["communities"][0]
    when = timestamps.storage_now()
    account = Account(
        identifier or with_check_digit(unique_keys.next_number("customer-account", 1000000)),
        email=owner["email"], community=community, creation_time=when, last_update_time=when,
        password_hash=passwords.hash_password(owner["password"]))
    _apply_details(account, details)
    tracking.mark_changed(account, when)
    account.refresh_feeds()
    key = unique_keys.UniqueKey
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            tracking.add_to(transaction, account, Account.identifier.does_not_exist())
            transaction.save(key(_email_key(community, account.email), owner=account.identifier),
                             condition=key.key.does_not_exist())
            if idempotency:
                transaction.save(idempotency.claim(account.identifier),
                                 condition=key.key.does_not_exist())
            if settings.account_limit:
                transaction.update(key(ACTIVE_COUNTER), actions=[key.value.add(1)],
                                   condition=key.value.does_not_exist()
                                   | (key.value < settings.account_limit))
    except TransactWriteError:
        if unique_keys.owner_of(EMAIL_KIND, f"{community}#{account.email.lower()}"):
            raise BadRequest("The e-mail address is already registered in this community.",
                             [FieldError("/account/owner/email", "taken")]) from None
        if settings.account_limit:
            raise Forbidden("Account limit reached.", reason="account_limit") from None
        raise
    return account


def update_account(details: dict, identifier: str | None = None,
                   extid: str | None = None) -> Account:
    """Replace the owner's details, addresses and additional fields; 409 names what is wrong."""
    errors: list[FieldError] = []
    _check_details(details, "account", errors)

    def apply(account, when):
        problems = list(errors)
        if details.get("communities", [account.community]) != [account.community]:
            problems.append(FieldError("/account/communities/community[1]", "invalid"))
        if problems:
            raise Conflict("The account is not valid.", problems)
        _apply_details(account, details)
    return tracking.change(lambda: get_account(identifier, extid), apply)


def change_login(new_email: str, identifier: str | None = None,
                 extid: str | None = None) -> Account:
    """The login id is the e-mail: claim the new one in the community, release the old one."""
    def apply(account, when):
        holder = unique_keys.owner_of(EMAIL_KIND, f"{account.community}#{new_email.lower()}")
        if holder not in (None, account.identifier):  # the claim below is what enforces it
            raise BadRequest("The login id is already in use in this community.",
                             [FieldError("/change-login/login-id", "taken")])
        key = unique_keys.UniqueKey
        old_key = _email_key(account.community, account.email)
        new_key = _email_key(account.community, new_email)
        account.email = new_email
        if old_key == new_key:  # a change of case only keeps the claim
            return None
        return {"claims": [key(new_key, owner=account.identifier)],
                "releases": [(key(old_key), key.owner == account.identifier)]}
    return tracking.change(lambda: get_account(identifier, extid), apply)


def set_extid(identifier: str, extid: str) -> Account:
    get_active_account(identifier)
    return tracking.set_extid(Account, EXTID_KIND, identifier, extid, LABEL)


def acknowledge(references: list[tuple[str, int | None]], by_extid: bool) -> None:
    if not by_extid:
        for reference, _ in references:
            if not is_luhn_valid(reference):
                raise NotFound(f"The {LABEL} {reference} does not exist.")
    tracking.acknowledge(Account, LABEL, references, False, EXTID_KIND if by_extid else None)


def add_comment(text: str, author: str, identifier: str | None = None,
                extid: str | None = None) -> Account:
    def apply(account, when):
        account.comments = list(account.comments or []) + [
            Comment(author=author, time=when, text=text)]
    return tracking.change(lambda: get_account(identifier, extid), apply)


def list_accounts(feed: feeds.Feed) -> pages.Page:
    return feeds.read_page(Account, feed)


def find_by_additional_field(key: str, value: str, asked: pages.Asked) -> pages.Page:
    """The accounts whose additional field ``key`` is ``value``, by identifier."""
    if not catalog.additional_field_labels([key]):
        raise BadRequest(f"Invalid additional field name {key}.", [FieldError("field", "invalid")])
    asked.query = {"list": "by-additional-field", "field": key, "value": value}
    page = pages.read(AccountFieldEntry, f"{key}#{value}", asked)
    return pages.Page([entry.account() for entry in page.items], page.next_cursor)


def find_by_email(community: str, email: str) -> list[Account]:
    owner = unique_keys.owner_of(EMAIL_KIND, f"{community}#{email.lower()}")
    if owner is None:
        return []
    try:
        return [get_active_account(owner)]
    except ApiError:
        return []


def link_relationship(account: Account, relationship_identifier: str) -> Account:
    """List a new property relationship on the account (the caller saves both together)."""
    account.relationships = list(account.relationships or []) + [relationship_identifier]
    return account
