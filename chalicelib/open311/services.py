"""The desk's topics and sub-topics as Open311 services, and their service definitions.

A topic is the service ``<topic>``; each of its sub-topics the service ``<topic>:<sub-topic>``,
whose ``group`` is the topic. Their questions (Open311's attributes) are the topic's, added by
an operator (``ops.admin add-topic-attribute``); a service without any answers ``metadata:
false``. The topics are read through their catalog index (one Query) and kept per warm
instance, as configuration is (``core.kept``).
"""
from ..core import kept
from ..core.errors import BadRequest, FieldError, NotFound
from ..support_requests.models import CATALOG, AttributeValue, ServiceAttribute, Topic
from ..support_requests.report_index import SERVICE_SEPARATOR, service_code

__all__ = ["services", "definition", "add_attribute", "topic_of", "DATATYPES"]

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@kept.for_a_while
def _topics() -> list[Topic]:
    return list(Topic.by_catalog.query(CATALOG))


def _service(topic: Topic, sub_topic: str | None = None) -> dict:
    return {"service_code": service_code(topic.identifier, sub_topic),
            "service_name": sub_topic or topic.identifier,
            "description": topic.description, "metadata": bool(topic.attributes),
            "type": "realtime", "keywords": ", ".join(
                [topic.identifier] + [s.identifier for s in topic.sub_topics]),
            "group": topic.identifier}


def services() -> list[dict]:
    found = []
    for topic in _topics():
        found.append(_service(topic))
        found += [_service(topic, sub.identifier) for sub in topic.sub_topics]
    return found


def topic_of(code: str) -> tuple[Topic, str | None]:
    """(the topic, the sub-topic or None) that the service code ``code`` names, or 404."""
    name, _, sub_topic = code.partition(SERVICE_SEPARATOR)
    topic = next((t for t in _topics() if t.identifier == name), None)
    if topic is None or (sub_topic and sub_topic not in {s.identifier for s in topic.sub_topics}):
        raise NotFound(f"No service {code}.", [FieldError("service_code", "invalid")])
    return topic, sub_topic or None


def _attribute(entry: ServiceAttribute) -> dict:
    return {"variable": entry.variable, "code": entry.code, "datatype": entry.datatype,
            "required": entry.required, "datatype_description": entry.datatype_description,
            "order": int(entry.order), "description": entry.description,
            "values": [{"key": value.key, "name": value.name} for value in entry.values]}


def definition(code: str) -> dict:
    topic, _ = topic_of(code)
    return {"service_code": code,
            "attributes": [_attribute(entry) for entry in
                           sorted(topic.attributes, key=lambda entry: entry.order)]}


def add_attribute(topic_id: str, code: str, datatype: str, description: str,
                  required: bool = False, values: tuple[tuple[str, str], ...] = (),
                  variable: bool = True, datatype_description: str | None = None) -> Topic:
    """Add (or replace, by ``code``) a question of a topic's reports."""
    if datatype not in DATATYPES:
        raise BadRequest(f"datatype is one of {', '.join(DATATYPES)}.",
                         [FieldError("datatype", "invalid")])
    if datatype.endswith("valuelist") != bool(values):
        raise BadRequest("A list's datatype has values, and only it.",
                         [FieldError("values", "invalid")])
    try:
        topic = Topic.get(topic_id, consistent_read=True)
    except Topic.DoesNotExist:
        raise NotFound(f"No topic {topic_id}.", [FieldError("topic", "invalid")]) from None
    others = [entry for entry in topic.attributes if entry.code != code]
    order = next((entry.order for entry in topic.attributes if entry.code == code),
                 max([entry.order for entry in others] or [0]) + 1)
    topic.attributes = sorted([*others, ServiceAttribute(
        code=code, datatype=datatype, required=required, variable=variable, order=order,
        description=description, datatype_description=datatype_description,
        values=[AttributeValue(key=key, name=name) for key, name in values])],
        key=lambda entry: entry.order)
    topic.save()
    kept.forget_all()
    return topic
