"""Count DynamoDB calls and items read, by wrapping botocore's one door to AWS."""
import botocore.client

_original = botocore.client.BaseClient._make_api_call


class Meter:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.items_read = 0
        self.items_queried = 0  # the part of items_read that Queries read (list pages)

    def reset(self) -> None:
        self.calls, self.items_read, self.items_queried = [], 0, 0

    def record(self, operation: str, params: dict, answer: dict) -> None:
        self.calls.append(operation)
        if operation in ("Query", "Scan"):
            scanned = answer.get("ScannedCount", answer.get("Count", 0))
            self.items_read += scanned
            self.items_queried += scanned  # a list's page (configuration is kept: not read)
        elif operation == "GetItem":
            self.items_read += 1 if answer.get("Item") else 0
        elif operation == "BatchGetItem":
            self.items_read += sum(len(v) for v in answer.get("Responses", {}).values())


METER = Meter()


def install() -> Meter:
    def counted(self, operation, params):
        answer = _original(self, operation, params)
        if self.meta.service_model.service_name == "dynamodb":
            METER.record(operation, params, answer)
        return answer
    botocore.client.BaseClient._make_api_call = counted
    return METER
