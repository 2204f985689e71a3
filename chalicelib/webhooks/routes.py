"""``/webhooks/v1``: one route per operation of ``openapi/webhooks.yaml``."""
import json
import uuid

from chalice import Blueprint, Response

from ..core import cursors, timestamps
from ..core.errors import NotFound
from ..core.http import call_of, paged, reply, route
from ..events import catalogue, envelopes, queue
from ..events.matching import readable_by
from ..events.models import RETENTION, DeliveryAttempt, Event
from . import endpoints, feed

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
BASE = "/webhooks/v1"
RECOVER_AT_MOST = 1000


def _call():
    return call_of(blueprint.current_request)


def _paged(call, data: list, cursor: str | None) -> Response:
    return paged(call, {"data": data, "next_cursor": cursor}, cursor)


@route(blueprint, "/endpoints", "POST")
def create_webhook_endpoint():
    call = _call()
    endpoint, secret = endpoints.create(call.principal, call.body)
    return Response(body={**endpoints.shown(endpoint), "secret": secret}, status_code=201,
                    headers={"Location": f"{call.base_url}{BASE}/endpoints/"
                                         f"{endpoint.endpoint_id}"})


@route(blueprint, "/endpoints", "GET")
def list_webhook_endpoints():
    call = _call()
    limit = call.params.get("limit", 50)
    after = cursors.decode(call.params.get("cursor"), {})
    condition = endpoints.WebhookEndpoint.created_key > after if after else None
    found = list(endpoints.WebhookEndpoint.by_client.query(
        call.principal.client_id, condition, limit=limit + 1))
    more = len(found) > limit
    found = found[:limit]
    return _paged(call, [endpoints.shown(e) for e in found],
                  cursors.encode(found[-1].created_key, {}) if more else None)


@route(blueprint, "/endpoints/{id}", "GET")
def get_webhook_endpoint(id):  # noqa: A002
    return reply(endpoints.shown(endpoints.find(_call().principal, id)))


@route(blueprint, "/endpoints/{id}", "PATCH")
def update_webhook_endpoint(id):  # noqa: A002
    call = _call()
    return reply(endpoints.shown(endpoints.change(call.principal, id, call.body)))


@route(blueprint, "/endpoints/{id}", "DELETE")
def delete_webhook_endpoint(id):  # noqa: A002
    endpoints.delete(_call().principal, id)
    return Response(body=None, status_code=204)


def _attempt(entry: DeliveryAttempt) -> dict:
    return {"message_id": entry.message_id, "attempt": entry.attempt, "status": entry.status,
            "due": entry.due, "at": entry.at, "http_status": entry.http_status,
            "duration_ms": entry.duration_ms, "response": entry.response}


@route(blueprint, "/endpoints/{id}/test", "POST")
def test_webhook_endpoint(id):  # noqa: A002
    """Queued like any message (only the delivery function may read the secrets)."""
    endpoint = endpoints.find(_call().principal, id)
    event = _test_event(endpoint.endpoint_id)
    event.save()
    queue.enqueue_event(endpoint, event)
    return Response(body={"message_id": event.message_id}, status_code=202)


def _test_event(endpoint_id: str) -> Event:
    """A ``webhook.test`` message: delivered and logged like any, kept out of the feed."""
    when = timestamps.storage_now()
    message_id = "msg_" + uuid.uuid4().hex
    body = {"type": catalogue.TEST_TYPE, "timestamp": when,
            "data": {"api": "webhooks", "endpoint": endpoint_id}}
    return Event(message_id, type=catalogue.TEST_TYPE, timestamp=when,
                 body=json.dumps(body, separators=(",", ":")), api="webhooks",
                 scope="webhooks", account="-", actor="system", position=when,
                 day=when[:10], expires_at=RETENTION)


@route(blueprint, "/endpoints/{id}/secret/rotate", "POST")
def rotate_webhook_secret(id):  # noqa: A002
    return reply({"secret": endpoints.rotate(_call().principal, id)})


@route(blueprint, "/endpoints/{id}/attempts", "GET")
def list_webhook_attempts(id):  # noqa: A002
    call = _call()
    endpoint = endpoints.find(call.principal, id)
    limit, status = call.params.get("limit", 50), call.params.get("status")
    query = {"status": status}
    after = cursors.decode(call.params.get("cursor"), query)
    condition = DeliveryAttempt.attempt_key > after if after else None
    found, position, budget = [], None, feed.READ_BUDGET * limit
    for entry in DeliveryAttempt.query(endpoint.endpoint_id, condition, limit=budget,
                                       consistent_read=True):
        budget -= 1
        if status is None or entry.status == status:
            found.append(entry)
        if len(found) == limit or budget == 0:
            position = entry.attempt_key
            break
    return _paged(call, [_attempt(e) for e in found],
                  position and cursors.encode(position, query))


@route(blueprint, "/endpoints/{id}/messages/{message_id}/redeliver", "POST")
def redeliver_webhook_message(id, message_id):  # noqa: A002
    call = _call()
    endpoint = endpoints.find(call.principal, id)
    try:  # a message of an envelope (a TMF621 hub's) is sent again with its event's others
        event = Event.get(envelopes.event_id_of(message_id), consistent_read=True)
    except Event.DoesNotExist:
        event = None
    if event is None or not readable_by(event, set(endpoint.scopes), endpoint.account):
        raise NotFound(f"No message {message_id} for this endpoint.")
    queue.enqueue_event(endpoint, event)
    return Response(body={"message_id": message_id}, status_code=202)


@route(blueprint, "/endpoints/{id}/recover", "POST")
def recover_webhook_messages(id):  # noqa: A002
    call = _call()
    endpoint = endpoints.find(call.principal, id)
    since = timestamps.to_storage(timestamps.parse_input(call.body["since"]))
    until = (timestamps.to_storage(timestamps.parse_input(call.body["until"]))
             if call.body.get("until") else None)
    types = set(endpoint.event_types) if endpoint.event_types else None
    found, position = feed.events(set(endpoint.scopes), endpoint.account, since, None, types,
                                  until=until, limit=RECOVER_AT_MOST)
    wanted = [e for e in found if not (endpoint.exclude_own_changes
                                       and e.actor == endpoint.client_id)]
    for event in wanted:
        queue.enqueue_event(endpoint, event)
    return Response(body={"queued": len(wanted), "more": position is not None,
                          "next_since": position and position.split("#")[0]},
                    status_code=202)


@route(blueprint, "/event-types", "GET")
def list_webhook_event_types():
    return reply({"data": list(catalogue.entries())})


@route(blueprint, "/events", "GET")
def list_webhook_events():
    call = _call()
    data, cursor = feed.page(call.principal, call.params)
    return _paged(call, data, cursor)
