"""Demo data for the local runner: an API client, topics and a customer account."""
import os

from chalicelib.accounts import catalog
from chalicelib.accounts import service as accounts
from chalicelib.accounts.models import Account
from chalicelib.core import auth
from chalicelib.support_requests import service as support_requests

DEMO_ACCOUNT = {"owner": {"email": "joe.banks@example.net", "password": "Demo-Password-2026",
                          "name": {"given-name": "Joseph", "family-name": "Banks"}},
                "communities": ["original"]}
TOPICS = {"Parking": ["Stolen Spot"], "Alarm": [], "Air Conditioning": []}
ADDITIONAL_FIELDS = {"crm-identifier": "CRM System Identifier", "shoe-size": "Shoe Size"}


def demo_credentials() -> tuple[str, str]:
    return (os.environ.get("SERVICEDESK_DEMO_CLIENT_ID", "demo"),
            os.environ.get("SERVICEDESK_DEMO_CLIENT_SECRET", "demo-secret"))


def seed() -> tuple[str, str]:
    """Create (or refresh) the demo data; return the demo client's credentials."""
    client_id, secret = demo_credentials()
    auth.create_client("Demo client", auth.SCOPES, client_id=client_id, secret=secret)
    for identifier, sub_topics in TOPICS.items():
        support_requests.add_topic(identifier, sub_topics=sub_topics)
    catalog.add_community("original", "Original")
    for key, label in ADDITIONAL_FIELDS.items():
        catalog.add_additional_field(key, label)
    try:
        Account.get("01234574")
    except Account.DoesNotExist:
        accounts.create_account(DEMO_ACCOUNT, identifier="01234574")
    return client_id, secret
