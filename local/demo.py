"""Demo data for the local runner: an API client, topics and a customer account."""
import os

from chalicelib.accounts.models import Account
from chalicelib.core import auth
from chalicelib.support_requests import service as support_requests

DEMO_ACCOUNT = {"identifier": "01234574", "given_name": "Joseph", "family_name": "Banks",
                "email": "joe.banks@example.net", "community": "original"}
TOPICS = {"Parking": ["Stolen Spot"], "Alarm": [], "Air Conditioning": []}


def demo_credentials() -> tuple[str, str]:
    return (os.environ.get("SERVICEDESK_DEMO_CLIENT_ID", "demo"),
            os.environ.get("SERVICEDESK_DEMO_CLIENT_SECRET", "demo-secret"))


def seed() -> tuple[str, str]:
    """Create (or refresh) the demo data; return the demo client's credentials."""
    client_id, secret = demo_credentials()
    auth.create_client("Demo client", auth.SCOPES, client_id=client_id, secret=secret)
    for identifier, sub_topics in TOPICS.items():
        support_requests.add_topic(identifier, sub_topics=sub_topics)
    Account(**DEMO_ACCOUNT).save()
    return client_id, secret
