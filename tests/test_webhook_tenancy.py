"""One tenancy rule for every way an event leaves the service (the feed, endpoints, hubs,
redeliver, recover), asked of the client as it is now: an unbound client reads no ticket, and
a disabled, deleted, re-bound or re-scoped client's endpoints narrow at once. Every receiver
listens on loopback."""
import json

from chalicelib.accounts import service as accounts
from chalicelib.core import auth
from local.webhook_receiver import Receiver
from ops import admin

from .cases_client import OTHER_ACCOUNT, CaseClient, desk, other_customer
from .conftest import Streams
from .support import basic
from .test_webhooks import JSON, deliver_all, subscribe, verified
from .tmf_client import tmf_customer


def unbound_client(scopes=("cases", "webhooks", "requests")) -> tuple[str, str, dict]:
    """A client bound to no account: (its id, its secret, its Basic header)."""
    client_id, secret = auth.create_client("Unbound integration", list(scopes))
    return client_id, secret, basic(client_id, secret)


def types(receiver: Receiver) -> list[str]:
    return [json.loads(body)["type"] for _, body in receiver.received]


def test_a_cases_client_bound_to_no_account_reads_no_ticket_on_any_path(api, loopback,
                                                                       receiver):
    client_id, secret, unbound = unbound_client()
    endpoint = subscribe(api, receiver.url, auth=unbound,
                         event_types=["ticket.created", "support_request.created"])
    other_customer(api).new_ticket()  # another account's ticket, with contacts and notes
    api.raise_request("A support request: every account's are this client's to read")
    deliver_all()
    # the ticket APIs refuse it, and so do the feed, the endpoint and a hub
    tickets = CaseClient(api, client_id, secret)
    listed = tickets.list()
    assert listed.status == 403 and listed.data[0]["errorCode"] == "EQ-4030002"
    feed = api.get("/webhooks/v1/events?limit=100", auth=unbound).data["data"]
    assert [m["type"] for m in feed if m["type"].startswith("ticket")] == []
    assert "support_request.created" in [m["type"] for m in feed]
    assert [m["type"] for m in verified(receiver, endpoint["secret"])] == [
        "support_request.created"]
    hub = api.request("POST", "/tmf-api/troubleTicket/v5/hub", json.dumps(
        {"@type": "Hub", "callback": receiver.url}), headers=JSON, auth={
        "Authorization": f"Bearer {tickets.token}"})
    assert hub.status == 403 and hub.data["@type"] == "Error"
    assert api.get("/webhooks/v1/endpoints", auth=unbound).data["data"] == [
        {k: v for k, v in endpoint.items() if k != "secret"}]


def test_a_disabled_or_deleted_clients_endpoint_receives_nothing_more(api, loopback,
                                                                    receiver):
    client_id, _, unbound = unbound_client(("requests", "webhooks"))
    subscribe(api, receiver.url, auth=unbound, event_types=["support_request.created"])
    api.raise_request("Before")
    deliver_all()
    assert len(receiver.received) == 1
    # queued while it was enabled, attempted after: the attempt asks again, and sends nothing
    api.raise_request("Queued, then the client is disabled")
    Streams().drain()
    assert admin.main(["disable-client", client_id]) == 0
    deliver_all()
    api.raise_request("While disabled")
    deliver_all()
    assert len(receiver.received) == 1
    assert admin.main(["enable-client", client_id]) == 0
    api.raise_request("Enabled again")
    deliver_all()
    assert len(receiver.received) == 2
    assert admin.main(["delete-client", client_id]) == 0
    api.raise_request("Deleted")
    deliver_all()
    assert len(receiver.received) == 2


def test_fewer_scopes_or_another_account_narrow_an_endpoint_at_once(api, loopback, receiver):
    client_id, _, unbound = unbound_client(("requests", "webhooks"))
    subscribe(api, receiver.url, auth=unbound, event_types=["support_request.created"])
    auth.create_client("Unbound integration", ["webhooks"], client_id=client_id,
                       replace=True)  # its requests scope taken away
    api.raise_request("Not for it any more")
    deliver_all()
    assert receiver.received == []
    other = accounts.create_account(OTHER_ACCOUNT).identifier  # a second account
    auth.create_client("Unbound integration", ["requests", "webhooks"], client_id=client_id,
                       replace=True)
    assert admin.main(["bind-account", client_id, "01234574"]) == 0
    api.raise_request("The demo customer's")
    ours = api.raise_request("Another account's", account=other)
    deliver_all()
    got = [json.loads(body)["data"] for _, body in receiver.received]
    assert [(m["account"], m["id"] == ours) for m in got] == [("01234574", False)]


def test_a_hub_of_a_disabled_client_receives_nothing(api, loopback, receiver):
    tmf = tmf_customer(api)
    answer = tmf.call("POST", "/hub", {"@type": "Hub", "callback": receiver.url})
    assert answer.status == 201
    number = tmf.new_ticket()
    deliver_all()
    before = len(receiver.received)
    assert before >= 1
    assert admin.main(["disable-client", "demo"]) == 0
    desk(api).move(number, "IN_PROGRESS")
    deliver_all()
    assert len(receiver.received) == before


def test_the_operator_lists_disables_and_deletes_endpoints(api, loopback, receiver, capsys):
    endpoint = subscribe(api, receiver.url, event_types=["support_request.created"],
                         exclude_own_changes=False)
    assert admin.main(["list-endpoints", "demo"]) == 0
    listed = capsys.readouterr().out
    assert endpoint["id"] in listed and "enabled" in listed and receiver.url in listed
    assert admin.main(["disable-endpoint", endpoint["id"]]) == 0
    api.raise_request("Disabled by the operator")
    deliver_all()
    assert receiver.received == []
    shown = api.get(f"/webhooks/v1/endpoints/{endpoint['id']}").data
    assert shown["status"] == "disabled" and "operator" in shown["disabled_reason"]
    assert admin.main(["delete-endpoint", endpoint["id"]]) == 0
    assert api.get(f"/webhooks/v1/endpoints/{endpoint['id']}").status == 404
    capsys.readouterr()
    assert admin.main(["list-endpoints"]) == 0
    assert endpoint["id"] not in capsys.readouterr().out


def test_another_clients_test_message_cannot_be_redelivered_to_yours(api, loopback, receiver):
    _, _, unbound = unbound_client(("requests", "webhooks"))
    theirs = subscribe(api, receiver.url, auth=unbound)
    sent = api.request("POST", f"/webhooks/v1/endpoints/{theirs['id']}/test", auth=unbound)
    deliver_all()
    mine = subscribe(api, receiver.url)
    stolen = api.request("POST", f"/webhooks/v1/endpoints/{mine['id']}/messages/"
                                 f"{sent.data['message_id']}/redeliver")
    assert stolen.status == 404
    again = api.request("POST", f"/webhooks/v1/endpoints/{theirs['id']}/messages/"
                                f"{sent.data['message_id']}/redeliver", auth=unbound)
    assert again.status == 202
    deliver_all()
    assert [h["webhook-id"] for h, _ in receiver.received] == [sent.data["message_id"]] * 2


def test_a_subscription_receives_only_changes_made_after_it(api, loopback, receiver):
    tmf = tmf_customer(api)
    number = tmf.new_ticket()
    desk(api).move(number, "IN_PROGRESS")  # the stream has not been read yet
    answer = tmf.call("POST", "/hub", {"@type": "Hub", "callback": receiver.url})
    assert answer.status == 201
    deliver_all()
    assert receiver.received == []
    desk(api).move(number, "RESOLVED", text="Fixed.")
    deliver_all()
    assert {json.loads(body)["event"]["troubleTicket"]["status"]
            for _, body in receiver.received} == {"resolved"}


def test_endpoint_and_hub_creates_take_an_idempotency_key(api, loopback, receiver):
    headers = {**JSON, "Idempotency-Key": "hook-1"}
    body = json.dumps({"url": receiver.url})
    first = api.request("POST", "/webhooks/v1/endpoints", body, headers=headers)
    again = api.request("POST", "/webhooks/v1/endpoints", body, headers=headers)
    assert first.status == again.status == 201 and first.data["id"] == again.data["id"]
    assert "secret" in first.data and "secret" not in again.data
    assert again.headers["idempotent-replayed"] == "true"
    other = api.request("POST", "/webhooks/v1/endpoints", json.dumps(
        {"url": receiver.url, "description": "another"}), headers=headers)
    assert other.status == 409
    assert len(api.get("/webhooks/v1/endpoints").data["data"]) == 1
    tmf = tmf_customer(api)
    hub = {"@type": "Hub", "callback": receiver.url}
    made = tmf.call("POST", "/hub", hub, headers={"Idempotency-Key": "hub-1"})
    replayed = tmf.call("POST", "/hub", hub, headers={"Idempotency-Key": "hub-1"})
    assert made.data["id"] == replayed.data["id"] and "secret" not in replayed.data


def test_a_client_holds_twenty_endpoints_even_when_creating_at_once(api, loopback, receiver):
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.core.errors import BadRequest
    from chalicelib.webhooks import endpoints
    principal = auth.Principal("demo", "Demo client", {"webhooks", "requests"}, "basic",
                               "01234574")

    def create(_):
        try:
            endpoints.create(principal, {"url": receiver.url})
            return True
        except BadRequest:
            return False
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(create, range(30)))
    assert sum(made) == endpoints.MAX_PER_CLIENT
    listed = api.get("/webhooks/v1/endpoints?limit=100").data["data"]
    assert len(listed) == endpoints.MAX_PER_CLIENT
    assert api.request("DELETE", f"/webhooks/v1/endpoints/{listed[0]['id']}").status == 204
    assert create(0) and not create(0)


def test_the_endpoints_lists_cursor_is_for_that_list_only(api, loopback, receiver):
    for _ in range(2):
        subscribe(api, receiver.url)
    page = api.get("/webhooks/v1/endpoints?limit=1")
    cursor = page.data["next_cursor"]
    assert cursor and api.get(f"/webhooks/v1/endpoints?limit=1&cursor={cursor}").status == 200
    elsewhere = api.get(f"/webhooks/v1/events?cursor={cursor}")
    assert elsewhere.status == 400 and elsewhere.data["error"]["field"] == "cursor"
