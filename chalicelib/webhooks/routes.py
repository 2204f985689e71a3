"""``/webhooks/v1``: one route per operation of ``openapi/webhooks.yaml``."""
from chalice import Blueprint, Response

from ..core import cursors, idempotency, timestamps
from ..core.http import call_of, paged, reply, route
from ..events import catalogue
from ..events.models import STATE_PREFIX, DeliveryAttempt
from . import endpoints, feed, resend

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
BASE = "/webhooks/v1"
_ENDPOINTS = {"list": "webhook-endpoints"}  # what a cursor of the endpoints' list is for


def _call():
    return call_of(blueprint.current_request)


def _paged(call, data: list, cursor: str | None) -> Response:
    return paged(call, {"data": data, "next_cursor": cursor}, cursor)


@route(blueprint, "/endpoints", "POST")
def create_webhook_endpoint():
    call = _call()
    endpoint, secret = endpoints.create(call.principal, call.body,
                                        key=idempotency.of(call, "webhook-endpoint"))
    shown = endpoints.shown(endpoint)
    return Response(body={**shown, "secret": secret} if secret else shown, status_code=201,
                    headers={"Location": f"{call.base_url}{BASE}/endpoints/"
                                         f"{endpoint.endpoint_id}",
                             **({} if secret else idempotency.REPLAYED)})


@route(blueprint, "/endpoints", "GET")
def list_webhook_endpoints():
    call = _call()
    limit = call.params.get("limit", 50)
    after = cursors.decode(call.params.get("cursor"), _ENDPOINTS)
    condition = endpoints.WebhookEndpoint.created_key > after if after else None
    found = list(endpoints.WebhookEndpoint.by_client.query(
        call.principal.client_id, condition, limit=limit + 1))
    more = len(found) > limit
    found = found[:limit]
    return _paged(call, [endpoints.shown(e) for e in found],
                  cursors.encode(found[-1].created_key, _ENDPOINTS) if more else None)


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
    return Response(body={"message_id": resend.test(endpoint)}, status_code=202)


@route(blueprint, "/endpoints/{id}/secret/rotate", "POST")
def rotate_webhook_secret(id):  # noqa: A002
    call = _call()
    return reply({"secret": endpoints.rotate(call.principal, id, bool(
        (call.body or {}).get("end_previous_now")))})


@route(blueprint, "/endpoints/{id}/attempts", "GET")
def list_webhook_attempts(id):  # noqa: A002
    call = _call()
    endpoint = endpoints.find(call.principal, id)
    limit, status = call.params.get("limit", 50), call.params.get("status")
    query = {"status": status}
    after = cursors.decode(call.params.get("cursor"), query)
    # the messages' states follow the attempts in their partition (STATE_PREFIX); a
    # cursor's own attempt is read again (between is inclusive) and left out
    condition = (DeliveryAttempt.attempt_key.between(after, STATE_PREFIX) if after
                 else DeliveryAttempt.attempt_key < STATE_PREFIX)
    found, position, budget = [], None, feed.READ_BUDGET * limit
    for entry in DeliveryAttempt.query(endpoint.endpoint_id, condition, limit=budget + 1,
                                       consistent_read=True):
        if entry.attempt_key in (after, STATE_PREFIX):
            continue
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
    resend.redeliver(endpoints.find(_call().principal, id), message_id)
    return Response(body={"message_id": message_id}, status_code=202)


@route(blueprint, "/endpoints/{id}/recover", "POST")
def recover_webhook_messages(id):  # noqa: A002
    call = _call()
    endpoint = endpoints.find(call.principal, id)
    since = timestamps.to_storage(timestamps.parse_input(call.body["since"]))
    until = (timestamps.to_storage(timestamps.parse_input(call.body["until"]))
             if call.body.get("until") else None)
    return Response(body=resend.recover(endpoint, since, until), status_code=202)


@route(blueprint, "/event-types", "GET")
def list_webhook_event_types():
    return reply({"data": list(catalogue.entries())})


@route(blueprint, "/events", "GET")
def list_webhook_events():
    call = _call()
    data, cursor = feed.page(call.principal, call.params)
    return _paged(call, data, cursor)
