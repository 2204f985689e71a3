"""What follows a change to a customer account: its history entry; when the login id (the
e-mail address) changed, an e-mail to the old and the new address; and when the name or the
login changed, the copies its service requests keep."""
from html import escape

from ..service_requests import account_copies
from ..streams import history, notifications
from ..streams.batch import image_value

__all__ = ["handle_account_record", "KIND"]

KIND = "customer-account"


def handle_account_record(record: dict) -> None:
    """Idempotent: a replayed record writes no second entry and sends no second e-mail."""
    dynamodb = record["dynamodb"]
    old, new = dynamodb.get("OldImage"), dynamodb.get("NewImage")
    history.record_change(KIND, record)
    if not (old and new):
        return
    identifier = image_value(new, "identifier")
    if _full_name(old) != _full_name(new) or image_value(old, "email") != image_value(
            new, "email"):
        account_copies.refresh(identifier, _full_name(new), image_value(new, "email"))
    before, after = image_value(old, "email"), image_value(new, "email")
    if before == after:
        return
    version = image_value(new, "version")
    name = " ".join(image_value(new, part) or "" for part in ("given_name", "family_name"))
    for address, which in ((before, "old"), (after, "new")):
        notifications.send_once(f"{KIND}#{identifier}", f"login-v{version}-{which}",
                                login_change_email(address, name.strip(), before, after),
                                identifier)


def _full_name(image: dict) -> str:
    """As ``Account.full_name`` writes it."""
    parts = (image_value(image, part) for part in ("given_name", "additional_names",
                                                    "family_name"))
    return " ".join(part for part in parts if part)


def login_change_email(to: str, name: str, before: str, after: str) -> notifications.Email:
    subject = "Your login id has changed"
    text = (f"Dear {name},\n\nthe login id of your account changed from {before} to {after}. "
            "If you did not ask for this, please contact us at once.\n")
    html = (f"<html><body><p>Dear {escape(name)},</p><p>the login id of your account changed "
            f"from {escape(before)} to {escape(after)}. If you did not ask for this, please "
            "contact us at once.</p></body></html>")
    return notifications.Email(to, subject, text, html)
