"""Demo data for the local runner: an API client, topics, a customer account and a usable
service request configuration."""
import os

from chalicelib.accounts import catalog
from chalicelib.accounts import service as accounts
from chalicelib.accounts.models import Account
from chalicelib.core import auth
from chalicelib.open311 import keys
from chalicelib.service_requests import configuration
from chalicelib.support_requests import service as support_requests

DEMO_ACCOUNT = {"owner": {"email": "joe.banks@example.net", "password": "Demo-Password-2026",
                          "name": {"given-name": "Joseph", "family-name": "Banks"}},
                "communities": ["original"]}
TOPICS = {"Parking": ["Stolen Spot"], "Alarm": [], "Air Conditioning": []}
ADDITIONAL_FIELDS = {"crm-identifier": "CRM System Identifier", "shoe-size": "Shoe Size"}


#: Service requests: a type that tells its customers of status changes and one that does not,
#: each with a status for every life cycle state (two while pending).
SERVICE_REQUEST_TYPES = {"Fault": {"alternative_code": "FLT", "emails_customers": True,
                                   "texts_customers": True},
                         "Enquiry": {"alternative_code": "ENQ", "emails_customers": False,
                                     "texts_customers": False}}
SERVICE_REQUEST_STATUSES = [("Open", "PENDING"), ("On Hold", "PENDING"),
                            ("Responded", "RESPONDED"),
                            ("Temporary Resolved", "TEMPORARY RESOLVED"),
                            ("Final Resolved", "FINAL RESOLVED"), ("Completed", "COMPLETED"),
                            ("Cancel", "CANCELLED")]
SERVICE_REQUEST_SETTINGS = [
    ("category", "Heating", {"code": "HEAT"}), ("category", "Plumbing", {"code": "PLMB"}),
    ("response_category", "Acknowledged", {"code": "ACK", "requires_acceptance": False}),
    ("response_category", "Site Visit Proposed", {"code": "VISIT",
                                                  "requires_acceptance": True}),
    ("temporary_resolution_category", "Workaround", {"code": "WORK"}),
    ("final_resolution_category", "Fixed", {"code": "FIXED", "requires_acceptance": True}),
    ("final_resolution_category", "Closed Without Fix", {"code": "CLOSED",
                                                         "requires_acceptance": False}),
    ("cancellation_reason", "Cancellation Reason C", {}), ("cancellation_reason", "Duplicate", {}),
    ("privacy_level", "Public", {}), ("privacy_level", "Private", {}),
    ("group", "Facilities", {"alternative_code": "FAC"}),
    ("user", "jsmith", {"description": "Jane Smith"}),
    ("user", "adoe", {"description": "Alex Doe"}),
]


def seed_service_request_configuration() -> None:
    for kind, name, fields in SERVICE_REQUEST_SETTINGS:
        configuration.add(kind, name, **fields)
    reason = configuration.resolve("cancellation_reason", {"name": "Cancellation Reason C"},
                                   "demo")
    for type_name, fields in SERVICE_REQUEST_TYPES.items():
        request_type = configuration.add("type", type_name, **fields)
        statuses = {name: configuration.add("status", name, life_cycle_state=state,
                                            type_id=request_type.id)
                    for name, state in SERVICE_REQUEST_STATUSES}
        configuration.add("type", type_name, **fields,
                          cancellation_status_id=statuses["Cancel"].id,
                          cancellation_reason_id=reason.id)


DEMO_CUSTOMER = "01234574"
#: The demo customer's Open311 key (a resident app's): it raises reports for that account.
DEMO_OPEN311_KEY = ("demo-resident-app", "demo-open311-secret")
#: The topics whose Open311 reports are public (the desk's opt-in).
PUBLIC_TOPICS = ("Parking",)
#: The desk's demo client: the Case Management API's operator (every account's tickets).
DESK_CREDENTIALS = ("demo-desk", "demo-desk-secret")


def demo_credentials() -> tuple[str, str]:
    return (os.environ.get("SERVICEDESK_DEMO_CLIENT_ID", "demo"),
            os.environ.get("SERVICEDESK_DEMO_CLIENT_SECRET", "demo-secret"))


def seed() -> tuple[str, str]:
    """Create (or refresh) the demo data; return the demo client's credentials. The demo
    client has every scope but the desk's, and acts for the demo customer."""
    client_id, secret = demo_credentials()
    customer_scopes = [scope for scope in auth.SCOPES if scope not in ("cases-operator", "desk")]
    # replace: seeding tables that already hold the demo clients puts them back as documented
    auth.create_client("Demo client", customer_scopes, client_id=client_id, secret=secret,
                       account=DEMO_CUSTOMER, replace=True)
    auth.create_client("Demo desk", list(auth.SCOPES),
                       client_id=DESK_CREDENTIALS[0],
                       secret=DESK_CREDENTIALS[1], replace=True)
    for identifier, sub_topics in TOPICS.items():
        support_requests.add_topic(identifier, sub_topics=sub_topics,
                                   public=identifier in PUBLIC_TOPICS)
    catalog.add_community("original", "Original")
    seed_service_request_configuration()
    for key, label in ADDITIONAL_FIELDS.items():
        catalog.add_additional_field(key, label)
    try:
        Account.get(DEMO_CUSTOMER)
    except Account.DoesNotExist:
        accounts.create_account(DEMO_ACCOUNT, identifier=DEMO_CUSTOMER)
    keys.issue("Demo resident app", DEMO_CUSTOMER, DEMO_OPEN311_KEY[0],
               secret=DEMO_OPEN311_KEY[1], replace=True)
    return client_id, secret


def demo_open311_key() -> str:
    return keys.SEPARATOR.join(DEMO_OPEN311_KEY)
