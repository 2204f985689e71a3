"""AWS calls that the stream handlers make per change, by kind of change: every call of every
service (DynamoDB, SQS, SES, SNS, KMS) that the handlers make while they handle the records of
one change, with no webhook endpoint and with three, on the deployable template created in an
in-process stand-in (the streams' own reads are not counted: Lambda makes those)."""
import itertools
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_CUSTOMERS = itertools.count()


class _AllCalls:
    """Every AWS call but the streams' reads, by service and operation."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()

    def install(self) -> None:
        import botocore.client
        original = botocore.client.BaseClient._make_api_call

        def counted(client, operation, params):
            service = client.meta.service_model.service_name
            if service != "dynamodbstreams":
                self.calls[f"{service}:{operation}"] += 1
            return original(client, operation, params)
        botocore.client.BaseClient._make_api_call = counted


def _changes(api):
    """(kind of change, the call that makes it), in an order where each finds what it needs."""
    from tests.cases_client import customer, desk
    state = {}

    def raise_request():
        state["request"] = api.raise_request("Bench")

    def ticket():
        state["ticket"] = customer(api).new_ticket()

    def crm():
        from tests.test_crm_authentication import login
        from tests.test_crm_service_requests import create
        state["token"] = login(api).data["data"]["token"]
        state["sr"] = create(api, state["token"]).data["data"]["number"]

    def respond():
        from tests.test_crm_life_cycle import respond as call
        call(api, state["token"], state["sr"])

    def create_customer():
        from tests.test_customers import create
        return create(api, email=f"bench{next(_CUSTOMERS)}@example.net")
    return [
        ("support request raised", raise_request),
        ("support request: state change with a comment", lambda: api.update(
            state["request"], "<state>IN_PROGRESS</state><comment>On it</comment>")),
        ("support request: comment", lambda: api.update(state["request"],
                                                        "<comment>More</comment>")),
        ("ticket created", ticket),
        ("ticket: note", lambda: customer(api).note(state["ticket"], "Still dark")),
        ("ticket: the desk's move with a note", lambda: desk(api).move(
            state["ticket"], "IN_PROGRESS", text="On our way")),
        ("service request created", crm),
        ("service request responded", respond),
        ("customer created", create_customer),
    ]


def main() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_METRICS_DISABLED="true",
                      SERVICEDESK_WEBHOOKS_ALLOW_LOOPBACK="true",
                      SERVICEDESK_NOTIFICATIONS_PER_ACCOUNT_HOUR="0")
    sys.path.insert(0, ROOT)
    from bench.dynamodb_cost import _free_port, log_to_file
    log_to_file()
    from local import aws
    server, endpoint = aws.start_moto(port=_free_port())
    from chalicelib.core.config import settings
    settings.reload()
    from local import cloudformation
    with tempfile.TemporaryDirectory() as out:
        outputs = cloudformation.create_stack(endpoint, Path(out))
    os.environ.update(SERVICEDESK_WEBHOOK_QUEUE_URL=outputs["WebhookDeliveryQueueUrl"],
                      SERVICEDESK_WEBHOOK_KEY_ID=outputs["WebhookSecretsKeyId"],
                      SERVICEDESK_STREAM_FAILURES_QUEUE_URL=outputs["StreamFailuresQueueUrl"])
    settings.reload()
    aws.verify_sender(settings.mail_from)
    from chalice.test import Client

    import app as app_module
    from local import demo
    from local.stream_poller import StreamPoller, bindings_from_mappings
    from local.webhook_receiver import Receiver
    from tests.support import Api
    demo.seed()
    poller = StreamPoller(aws.streams_client(), bindings_from_mappings(
        aws.lambda_client(), app_module, latest_arn=aws.stream_arn), backoff_seconds=0)
    meter = _AllCalls()
    meter.install()
    print("\n## Stream handlers: AWS calls per change (history, e-mail, events, fan-out)")
    receivers = [Receiver() for _ in range(3)]
    with Client(app_module.app, project_dir=ROOT) as client:
        api = Api(client.http, demo.demo_credentials())
        poller.drain()
        rows = {}
        for endpoints in (0, 3):
            if endpoints:
                from tests.test_webhooks import desk_basic
                for receiver in receivers:
                    api.request("POST", "/webhooks/v1/endpoints", f'{{"url": "{receiver.url}"}}',
                                headers={"Content-Type": "application/json",
                                         "Authorization": desk_basic()})
            for kind, act in _changes(api):
                poller.drain()
                answer = act()
                assert getattr(answer, "status", 200) < 300, (kind, answer)
                meter.calls.clear()
                poller.drain()
                rows.setdefault(kind, {})[endpoints] = Counter(meter.calls)
    for receiver in receivers:
        receiver.close()
    print(f"  {'change':48} {'no endpoint':>12} {'3 endpoints':>12}")
    for kind, counts in rows.items():
        print(f"  {kind:48} {sum(counts[0].values()):>12} {sum(counts[3].values()):>12}")
    print("  of which, for a state change with a comment and 3 endpoints:")
    for call, count in sorted(rows["support request: state change with a comment"][3].items()):
        print(f"    {call:46} {count:>3}")
    server.stop()


if __name__ == "__main__":  # its own interpreter: the models point at this stand-in
    main()
