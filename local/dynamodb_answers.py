"""One fix to moto's DynamoDB (5.2.5) answers, so that the stand-in spends its time on the
calls rather than on writing them out.

moto writes every answer through a generic serializer that walks the API's model for each
attribute of each item (under the soak's load, 40 % of the stand-in's time went there). The
answers of the data calls are already DynamoDB's JSON, item by item (moto builds them with
``Item.to_json``): they are written with ``json.dumps`` instead, leaving out the members
that are None and writing bytes in base64, as the serializer does. ``tests/test_standin.py``
holds both writers to the same answers, every attribute type included. Applied by
``local.aws.start_moto``.
"""
import base64
import json

from moto.dynamodb.responses import DynamoHandler

__all__ = ["apply", "FAST"]

#: The calls whose answers are written directly.
FAST = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem",
                  "DeleteItem", "BatchWriteItem", "TransactWriteItems", "TransactGetItems"})
_serialized = DynamoHandler.serialized


def _present(value):
    """``value`` as the serializer writes it: without None members, bytes in base64."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {key: _present(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_present(item) for item in value]
    return value


def serialized(self, action_result):
    if self._get_action() not in FAST or isinstance(action_result.result, Exception):
        return _serialized(self, action_result)
    headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
    return 200, headers, json.dumps(_present(action_result.result or {}))


def apply() -> None:
    """Install the fix (idempotent)."""
    DynamoHandler.serialized = serialized
