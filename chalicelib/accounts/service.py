"""What other packages may ask of accounts."""
from ..core.errors import BadRequest, FieldError, NotFound
from .models import Account

__all__ = ["is_luhn_valid", "get_active_account", "create_account"]


def is_luhn_valid(identifier: str) -> bool:
    """Customer identifiers are numbers whose last digit is a Luhn check digit."""
    if not identifier.isdigit() or len(identifier) < 2:
        return False
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(identifier)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def get_active_account(identifier: str, xpath: str = "identifier") -> Account:
    """The active account ``identifier``: 400 when malformed, 404 when unknown or inactive."""
    if not is_luhn_valid(identifier):
        raise BadRequest(f"Invalid customer identifier {identifier}.",
                         [FieldError(xpath, "invalid")])
    try:
        account = Account.get(identifier, consistent_read=True)
    except Account.DoesNotExist:
        account = None
    if account is None or account.status != "ACTIVE":
        raise NotFound(f"The customer account {identifier} does not exist.")
    return account


def create_account(identifier: str, given_name: str, family_name: str, email: str,
                   community: str) -> Account:
    """Store an account (used by the local runner's demo data until the Customers API)."""
    account = Account(identifier, given_name=given_name, family_name=family_name, email=email,
                      community=community)
    account.save(condition=Account.identifier.does_not_exist())
    return account
