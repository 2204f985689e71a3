"""``/api/v1/requests``: one route per operation of ``openapi/support_requests.yaml``.

Routes only translate: the pipeline (core.http) has authenticated the caller and validated the
input against the spec before a view runs, and encodes the plain data a view returns.
"""
from chalice import Blueprint

from ..core import feeds
from ..core.http import call_of, reply
from . import representation, service

__all__ = ["blueprint"]

blueprint = Blueprint(__name__)
XML = ["application/xml", "text/xml"]
FORM = ["application/x-www-form-urlencoded"]


def _call():
    return call_of(blueprint.current_request)


def _feed(call, **scope) -> feeds.Feed:
    params = call.params
    return feeds.Feed(scope=scope, acked=params.get("acked"),
                      updated_from=params.get("last-update-from"),
                      updated_to=params.get("last-update-to"),
                      offset=params["offset"], limit=params["limit"])


def _page(call, **scope):
    items = service.list_requests(_feed(call, **scope))
    return reply({"support-request": [representation.summary(item, call.base_url)
                                      for item in items]})


def _raise(call):
    body = call.body
    optional = {name: body.get(element, {}).get("identifier")
                for name, element in (("sub_topic", "sub-topic"),
                                      ("property_identifier", "property"),
                                      ("purchased_product_offer", "purchased-product-offer"))}
    request = service.raise_request(
        body["account"]["identifier"], body["topic"]["identifier"], body["summary"],
        description=body.get("description"), email=body.get("email"),
        creator=body.get("creator"), extid=body.get("extid"), **optional)
    return reply(representation.ref(request, call.base_url), 201)


def _update(call, identifier=None, extid=None):
    body = call.body
    request = service.post_update(body.get("updater") or call.principal.name, identifier, extid,
                                  state=body.get("state"), comment=body.get("comment"),
                                  assignee=body.get("assignee"))
    return reply(representation.full(request, call.base_url), 201)


def _acknowledge(call, by_extid: bool):
    body = call.body
    with_updates = body.get("acknowledgeUpdates", body.get("acknowlegdeUpdates", True))
    service.acknowledge([(item["reference"], item.get("version"))
                         for item in body["acknowledgement"]], with_updates, by_extid)
    return reply(None, 204)


@blueprint.route("/requests", methods=["POST"], content_types=XML)
def raise_support_request():
    return _raise(_call())


@blueprint.route("/requests", methods=["GET"])
def list_support_requests():
    return _page(_call())


@blueprint.route("/requests/{identifier}", methods=["GET"])
def get_support_request(identifier):
    call = _call()
    return reply(representation.full(service.get_request(identifier), call.base_url))


@blueprint.route("/requests/extid/{extid}", methods=["GET"])
def get_support_request_by_extid(extid):
    call = _call()
    return reply(representation.full(service.get_request(extid=extid), call.base_url))


@blueprint.route("/requests/{identifier}/extid", methods=["POST"], content_types=FORM)
def set_support_request_extid(identifier):
    call = _call()
    request = service.set_extid(identifier, call.body["extid"])
    return reply(representation.ref(request, call.base_url))


@blueprint.route("/requests/acked", methods=["POST"], content_types=XML)
def acknowledge_support_requests():
    return _acknowledge(_call(), by_extid=False)


@blueprint.route("/requests/external/acked", methods=["POST"], content_types=XML)
def acknowledge_support_requests_by_extid():
    return _acknowledge(_call(), by_extid=True)


@blueprint.route("/requests/by-topic/{topic}", methods=["GET"])
def list_support_requests_by_topic(topic):
    return _page(_call(), topic=topic)


@blueprint.route("/requests/by-topic/{topic}/in-state/{state}", methods=["GET"])
def list_support_requests_by_topic_and_state(topic, state):
    return _page(_call(), topic=topic, state=state)


@blueprint.route("/requests/{identifier}/updates", methods=["POST"], content_types=XML)
def post_support_request_update(identifier):
    return _update(_call(), identifier=identifier)


@blueprint.route("/requests/extid/{extid}/updates", methods=["POST"], content_types=XML)
def post_support_request_update_by_extid(extid):
    return _update(_call(), extid=extid)
