"""Every type of the events catalogue fires, on exactly the action its description names: each
write operation of every API is driven here and the events it produced are compared with
what this table says it makes. An operation that no table names fails the suite, so a new
action cannot come without its events."""
from urllib.parse import urlencode

import pytest

from chalicelib.core import spec
from chalicelib.events import catalogue
from local import demo

from .cases_client import customer, desk
from .conftest import Streams
from .test_customers import BASE as CUSTOMERS
from .test_customers import SEED_UPDATE, created, put_xml
from .test_property_relationships import BASE as RELATIONSHIPS
from .test_property_relationships import PROPERTIES, associate, end, new_property
from .test_webhooks import desk_basic
from .tmf_client import MERGE, tmf_customer, tmf_desk

#: Operations that change no record that events follow: tokens, files (a ticket or note that
#: cites one is the change), and the webhooks' and hubs' own management.
NO_EVENTS = {"issue_crm_token", "release_crm_token", "issue_crm_token_with_web_api_key",
             "issue_access_token", "refresh_case_api_token", "issue_case_api_token",
             "upload_attachment", "create_attachment_upload", "createHub", "hubDelete",
             "create_webhook_endpoint", "delete_webhook_endpoint", "update_webhook_endpoint",
             "redeliver_webhook_message", "recover_webhook_messages", "rotate_webhook_secret",
             "test_webhook_endpoint",
             # the desk's people are no record that events follow
             "create_desk_agent", "update_desk_agent", "create_desk_group",
             "sign_in_desk_agent", "sign_out_desk_agent", "create_routing_rule",
             "update_routing_rule", "delete_routing_rule", "test_routing_rules"}

#: operation -> [(what the call does, the event types it makes)], driven in this order.
EVENTS = {
    "raise_support_request": [("raise", {"support_request.created"})],
    "post_support_request_update": [
        ("move", {"support_request.state_changed"}),
        ("comment", {"support_request.commented"}),
        ("assign", {"support_request.assigned", "work_item.assigned"}),
        ("move with a comment", {"support_request.state_changed", "support_request.commented"})],
    "set_support_request_extid": [("extid", {"support_request.updated"})],
    "post_support_request_update_by_extid": [("comment", {"support_request.commented"})],
    "acknowledge_support_requests": [("ack", {"support_request.acknowledged"})],
    "acknowledge_support_requests_by_extid": [("ack", {"support_request.acknowledged"})],
    "post_requests_json": [("report", {"support_request.created"})],
    "post_requests_xml": [("report", {"support_request.created"})],
    "create_customer": [("create", {"customer.created"})],
    "update_customer": [("update", {"customer.updated"})],
    "change_customer_login": [("login", {"customer.login_changed"})],
    "add_customer_comment": [("comment", {"customer.commented"})],
    "set_customer_extid": [("extid", {"customer.updated"})],
    "update_customer_by_extid": [("update", {"customer.updated"})],
    "change_customer_login_by_extid": [("login", {"customer.login_changed"})],
    "add_customer_comment_by_extid": [("comment", {"customer.commented"})],
    "acknowledge_customers": [("ack", {"customer.acknowledged"})],
    "acknowledge_customers_by_extid": [("ack", {"customer.acknowledged"})],
    "create_property": [("create", {"property.created"})],
    "set_property_extid": [("extid", {"property.updated"})],
    "acknowledge_properties": [("ack", {"property.acknowledged"})],
    "acknowledge_properties_by_extid": [("ack", {"property.acknowledged"})],
    # the account lists its relationships: it changes too
    "associate_property": [("associate", {"property_relationship.created",
                                          "customer.updated"})],
    "end_property_relationship": [("end", {"property_relationship.ended"})],
    "set_property_relationship_extid": [("extid", {"property_relationship.updated"})],
    "acknowledge_property_relationships": [("ack", {"property_relationship.acknowledged"})],
    "acknowledge_property_relationships_by_extid": [
        ("ack", {"property_relationship.acknowledged"})],
    "create_service_request": [("create", {"service_request.created"})],
    "update_service_request": [("notes", {"service_request.updated"}),
                               ("status", {"service_request.status_changed"})],
    "respond_to_service_request": [("respond", {"service_request.responded",
                                                "service_request.status_changed"})],
    "accept_service_request_response": [("accept", {"service_request.accepted"})],
    "temporary_resolve_service_request": [
        ("temporary_resolve", {"service_request.temporarily_resolved",
                               "service_request.status_changed"})],
    "accept_service_request_temporary_resolution": [("accept", {"service_request.accepted"})],
    "final_resolve_service_request": [("final_resolve", {"service_request.resolved",
                                                         "service_request.status_changed"})],
    "accept_service_request_final_resolution": [("accept", {"service_request.accepted"})],
    "complete_service_request": [("complete", {"service_request.status_changed"})],
    "cancel_service_request": [("cancel", {"service_request.status_changed"})],
    "create_ticket": [("create", {"ticket.created"})],
    "add_ticket_note": [("note", {"ticket.note_added"})],
    "change_ticket_status": [("move", {"ticket.status_changed"}),
                             ("move with a note", {"ticket.status_changed",
                                                   "ticket.note_added"})],
    "cancel_ticket": [("cancel", {"ticket.cancelled", "ticket.status_changed",
                                  "ticket.note_added"})],
    "createTroubleTicket": [("create", {"ticket.created"})],
    # the desk acts through the records: their own events
    "raise_work_item": [("raise", {"support_request.created"})],
    "assign_work_item": [("assign", {"support_request.assigned",  # a NEW one moves
                                     "support_request.state_changed", "work_item.assigned"})],
    "comment_work_item": [("public comment", {"support_request.commented"}),
                          ("ticket note", {"ticket.note_added"})],
    "patchTroubleTicket": [("status", {"ticket.status_changed"}),
                           ("note", {"ticket.note_added"}),
                           ("kept field", {"ticket.updated"})],
}

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def test_every_write_operation_of_every_api_is_in_the_table():
    operations = {op.operation_id for (_, method), op in spec.operations().items()
                  if method in WRITES}
    assert operations - NO_EVENTS - set(EVENTS) == set()
    assert set(EVENTS) | NO_EVENTS <= operations  # nothing named that no longer exists


def test_every_catalogued_type_is_made_by_some_action_and_no_other_is():
    made = {kind for calls in EVENTS.values() for _, kinds in calls for kind in kinds}
    catalogued = catalogue.names() - {catalogue.TEST_TYPE}
    assert made == catalogued


class Feed:
    """The events the streams made since the last look, as the desk reads them."""

    def __init__(self, api) -> None:
        self.api, self.seen = api, set()

    def new(self) -> list[dict]:
        Streams().drain()
        found, cursor = [], None
        while True:
            page = self.api.get("/webhooks/v1/events?limit=100" + (
                f"&cursor={cursor}" if cursor else ""), auth={"Authorization": desk_basic()})
            found += [m for m in page.data["data"] if m["id"] not in self.seen]
            cursor = page.data["next_cursor"]
            if not cursor:
                break
        self.seen |= {m["id"] for m in found}
        return found


@pytest.fixture
def feed(api):
    found = Feed(api)
    found.new()  # the demo data's own events
    return found


def _crm(api):
    from .test_crm_authentication import login
    from .test_crm_life_cycle import act, final_resolve, respond
    from .test_crm_service_requests import call, create
    token = login(api).data["data"]["token"]

    def new():
        return create(api, token).data["data"]["number"]

    def accept(method, number):
        return act(api, token, method, number,
                   accepted_by_identifier={"id": demo.DEMO_CUSTOMER})
    first, second = new(), new()
    return {
        "create_service_request": {"create": new},
        "update_service_request": {
            "notes": lambda: call(api, "update", token, {
                "service_request_identifier": {"number": first}, "notes": "Flat 5"}),
            "status": lambda: call(api, "update", token, {
                "service_request_identifier": {"number": first},
                "status_identifier": {"name": "On Hold"}})},
        "respond_to_service_request": {"respond": lambda: respond(
            api, token, first, "Site Visit Proposed")},
        "accept_service_request_response": {"accept": lambda: accept("response_accept",
                                                                       first)},
        "temporary_resolve_service_request": {"temporary_resolve": lambda: act(
            api, token, "temporary_resolve", first,
            status_identifier={"name": "Temporary Resolved"},
            temporary_resolution={"category_identifier": {"name": "Workaround"},
                                  "temporary_resolved_by_identifier": {"username": "adoe"},
                                  "description": "A heater for now"})},
        "accept_service_request_temporary_resolution": {"accept": lambda: accept(
            "temporary_resolution_accept", first)},
        "final_resolve_service_request": {"final_resolve": lambda: final_resolve(
            api, token, first, "Fixed")},
        "accept_service_request_final_resolution": {"accept": lambda: accept(
            "final_resolution_accept", first)},
        "complete_service_request": {"complete": lambda: act(
            api, token, "complete", first, status_identifier={"name": "Completed"})},
        "cancel_service_request": {"cancel": lambda: act(api, token, "cancel", second)},
    }


def _ack(api, path: str, reference: str):
    return api.post_xml(path, f"<acknowledgements><acknowledgement>{reference}"
                              "</acknowledgement></acknowledgements>")


def _leap(api, feed):
    state = {}

    def raise_():
        state["request"] = api.raise_request("The lift is stuck")
        return state["request"]
    request = lambda: state["request"]  # noqa: E731
    customer_id = created(api, email="events@example.net")
    property_id, second_property = new_property(api), new_property(api, "Unit 2")
    relationship = {"second": associate(api, second_property).data["identifier"]}

    def associate_():
        relationship["id"] = associate(api, property_id).data["identifier"]
    comment = "<customer-update><comment>Called back.</comment></customer-update>"
    form = {"api_key": demo.demo_open311_key(), "service_code": "Parking",
            "address_string": "Bay 4"}
    open311 = {suffix: lambda suffix=suffix: api.request(
        "POST", f"/open311/v2/requests.{suffix}", urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"}, auth=None)
        for suffix in ("json", "xml")}
    return {
        "raise_support_request": {"raise": raise_},
        "post_support_request_update": {
            "move": lambda: api.update(request(), "<state>IN_PROGRESS</state>"),
            "comment": lambda: api.update(request(), "<comment>On our way</comment>"),
            "assign": lambda: api.update(request(), "<assignee>Sam</assignee>"),
            "move with a comment": lambda: api.update(
                request(), "<state>PROBLEM</state><comment>No parts</comment>")},
        "set_support_request_extid": {"extid": lambda: api.post_form(
            f"/api/v1/requests/{request()}/extid", "extid=EV-1")},
        "post_support_request_update_by_extid": {"comment": lambda: api.post_xml(
            "/api/v1/requests/extid/EV-1/updates", "<support-request-update><comment>Parts "
            "ordered</comment></support-request-update>")},
        "acknowledge_support_requests": {"ack": lambda: _ack(api, "/api/v1/requests/acked",
                                                             request())},
        "acknowledge_support_requests_by_extid": {"ack": lambda: (
            api.update(request(), "<comment>again</comment>"), feed.new(),
            _ack(api, "/api/v1/requests/external/acked", "EV-1"))},
        "post_requests_json": {"report": open311["json"]},
        "post_requests_xml": {"report": open311["xml"]},
        "create_customer": {"create": lambda: created(api, email="fresh@example.net")},
        "update_customer": {"update": lambda: put_xml(api, f"{CUSTOMERS}/{customer_id}",
                                                      SEED_UPDATE)},
        "change_customer_login": {"login": lambda: put_xml(
            api, f"{CUSTOMERS}/{customer_id}/change-login",
            "<change-login><login-id>events2@example.net</login-id></change-login>")},
        "add_customer_comment": {"comment": lambda: api.post_xml(
            f"{CUSTOMERS}/{customer_id}/comments", comment)},
        "set_customer_extid": {"extid": lambda: api.post_form(
            f"{CUSTOMERS}/{customer_id}/extid", "extid=EVC-1")},
        "update_customer_by_extid": {"update": lambda: put_xml(
            api, f"{CUSTOMERS}/extid/EVC-1", SEED_UPDATE.replace("(704)", "(705)"))},
        "change_customer_login_by_extid": {"login": lambda: put_xml(
            api, f"{CUSTOMERS}/extid/EVC-1/change-login",
            "<change-login><login-id>events3@example.net</login-id></change-login>")},
        "add_customer_comment_by_extid": {"comment": lambda: api.post_xml(
            f"{CUSTOMERS}/extid/EVC-1/comments", comment)},
        "acknowledge_customers": {"ack": lambda: _ack(api, f"{CUSTOMERS}/acked",
                                                      customer_id)},
        "acknowledge_customers_by_extid": {"ack": lambda: (
            api.post_xml(f"{CUSTOMERS}/{customer_id}/comments", comment), feed.new(),
            _ack(api, f"{CUSTOMERS}/external/acked", "EVC-1"))},
        "create_property": {"create": lambda: new_property(api, "Unit 9")},
        "set_property_extid": {"extid": lambda: api.post_form(
            f"{PROPERTIES}/{property_id}/extid", "extid=EVP-1")},
        "acknowledge_properties": {"ack": lambda: _ack(api, f"{PROPERTIES}/acked",
                                                       property_id)},
        "acknowledge_properties_by_extid": {"ack": lambda: (
            api.post_form(f"{PROPERTIES}/{second_property}/extid", "extid=EVP-2"),
            feed.new(), _ack(api, f"{PROPERTIES}/external/acked", "EVP-2"))},
        "associate_property": {"associate": associate_},
        "set_property_relationship_extid": {"extid": lambda: api.post_form(
            f"{RELATIONSHIPS}/{relationship['id']}/extid", "extid=EVR-1")},
        "end_property_relationship": {"end": lambda: end(api, relationship["id"],
                                                         "2030-01-01")},
        "acknowledge_property_relationships": {"ack": lambda: _ack(
            api, f"{RELATIONSHIPS}/acked", relationship["id"])},
        "acknowledge_property_relationships_by_extid": {"ack": lambda: (
            api.post_form(f"{RELATIONSHIPS}/{relationship['second']}/extid", "extid=EVR-2"),
            feed.new(), _ack(api, f"{RELATIONSHIPS}/external/acked", "EVR-2"))},
    }


def _tickets(api):
    tickets, operator = customer(api), desk(api)
    tmf, tmf_operator = tmf_customer(api), tmf_desk(api)
    state = {}

    def create():
        state["ticket"] = tickets.new_ticket()
    ticket = lambda: state["ticket"]  # noqa: E731

    def tmf_create():
        state["tmf"] = tmf.new_ticket()
    return {
        "create_ticket": {"create": create},
        "add_ticket_note": {"note": lambda: tickets.note(ticket(), "Still dark")},
        "change_ticket_status": {
            "move": lambda: operator.move(ticket(), "IN_PROGRESS"),
            "move with a note": lambda: operator.move(ticket(), "ACTION_REQUIRED",
                                                      text="Which cage?")},
        "cancel_ticket": {"cancel": lambda: tickets.cancel(ticket(), "Power is back")},
        "createTroubleTicket": {"create": tmf_create},
        "patchTroubleTicket": {
            "status": lambda: tmf_operator.patch(state["tmf"], {"status": "inProgress"}),
            "note": lambda: tmf.patch(state["tmf"], {"note": [{"text": "Thanks"}]},
                                      MERGE),
            "kept field": lambda: tmf.patch(state["tmf"], {"name": "Cage 12, north"},
                                            MERGE)},
    }


def _desk(api):
    import json

    from .test_desk_people import JSON, agent
    request, ticket = api.raise_request("The gate is stuck"), customer(api).new_ticket()
    sam = agent(api)
    headers = {"Authorization": desk_basic()}

    def act(item: str, what: str, body: dict):
        return api.request("POST", f"/desk/v1/work-items/{item}/{what}", json.dumps(body),
                           headers=JSON, auth=headers)
    return {
        "raise_work_item": {"raise": lambda: api.request(
            "POST", "/desk/v1/work-items", json.dumps({
                "kind": "support-request", "account": "01234574", "topic": "Alarm",
                "title": "Phoned in: the alarm rings"}), headers=JSON, auth=headers)},
        "assign_work_item": {"assign": lambda: act(f"support-request-{request}",
                                                   "assignment", {"agent": sam["id"]})},
        "comment_work_item": {
            "public comment": lambda: act(f"support-request-{request}", "comments",
                                          {"text": "A locksmith is on the way"}),
            "ticket note": lambda: act(f"ticket-{ticket}", "comments",
                                       {"text": "Breaker replaced"})}}


def test_each_action_makes_the_events_its_catalogue_entry_says(api, feed):
    actions = {**_leap(api, feed), **_crm(api), **_tickets(api), **_desk(api)}
    feed.new()  # what setting up made
    wrong = []
    for operation, calls in EVENTS.items():
        for what, expected in calls:
            answer = actions[operation][what]()
            if isinstance(answer, tuple):
                answer = answer[-1]
            status = getattr(answer, "status", 200)
            assert status < 400, (operation, what, answer)
            envelope = getattr(answer, "data", None)
            if isinstance(envelope, dict) and isinstance(envelope.get("status"), dict):
                assert envelope["status"]["code"] == "OK", (operation, what, envelope)
            made = {message["type"] for message in feed.new()}
            if made != expected:
                wrong.append((operation, what, sorted(made), sorted(expected)))
    assert wrong == [], "\n".join(map(str, wrong))
