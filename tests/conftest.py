"""Test set-up: moto in server mode (real HTTP, as the local runner uses), the tables created
once per session and put back to the demo data before every test, chalice's test client, and
the same stream poller as ``make run``.

The environment is set before ``app`` is imported: chalice's test client does not apply
``.chalice/config.json`` to modules that are already imported.
"""
import logging
import os
import socket
import sys

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


for _name in ("SERVICEDESK_AWS_ENDPOINT", "AWS_ENDPOINT_URL", "SERVICEDESK_PUBLIC_BASE_URL"):
    os.environ.pop(_name, None)
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                  AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1",
                  # no webhook target's name is ever looked up beyond this machine
                  SERVICEDESK_WEBHOOKS_LOOPBACK_ONLY="true")
logging.getLogger("werkzeug").setLevel(logging.ERROR)

from local import aws  # noqa: E402

_MOTO, ENDPOINT = aws.start_moto(port=_free_port())

from chalicelib.core import kept  # noqa: E402
from chalicelib.core.config import settings  # noqa: E402

settings.reload()

import app as app_module  # noqa: E402
from local import cloudformation, demo, dynamodb_standin  # noqa: E402
from local.stream_poller import StreamPoller, bindings_from_mappings  # noqa: E402

from .support import Api  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    _MOTO.stop()


@pytest.fixture(scope="session")
def stack_outputs(tmp_path_factory):
    """The deployable template, packaged and created once in the stand-in (tables, streams,
    the stream failures queue, the event source mappings)."""
    outputs = cloudformation.create_stack(ENDPOINT, tmp_path_factory.mktemp("package"))
    os.environ["SERVICEDESK_ATTACHMENTS_BUCKET"] = outputs["AttachmentsBucket"]
    os.environ["SERVICEDESK_STREAM_FAILURES_QUEUE_URL"] = outputs["StreamFailuresQueueUrl"]
    os.environ["SERVICEDESK_WEBHOOK_QUEUE_URL"] = outputs["WebhookDeliveryQueueUrl"]
    os.environ["SERVICEDESK_WEBHOOK_KEY_ID"] = outputs["WebhookSecretsKeyId"]
    settings.reload()
    return outputs


@pytest.fixture(scope="session")
def demo_items(stack_outputs):
    """The tables, created once, holding only the demo client, topics and account."""
    aws.verify_sender(settings.mail_from)
    demo.seed()
    return dynamodb_standin.snapshot_items()


@pytest.fixture(autouse=True)
def fresh_aws(demo_items):
    """Every test starts from the demo data, with empty streams and no e-mail sent."""
    dynamodb_standin.restore_items(demo_items)
    kept.forget_all()  # configuration a warm instance kept from the test before
    yield


@pytest.fixture
def api():
    from chalice.test import Client
    with Client(app_module.app, project_dir=ROOT) as client:
        yield Api(client.http, demo.demo_credentials())


class Streams:
    """Runs the app's stream handlers over what the tables' streams hold, as make run does."""

    def __init__(self, max_attempts: int | None = None, **options) -> None:
        bindings = bindings_from_mappings(aws.lambda_client(), app_module,
                                          latest_arn=aws.stream_arn)
        for binding in bindings:  # fewer attempts than the mapping's, to keep tests short
            binding.max_attempts = max_attempts or binding.max_attempts
        self.poller = StreamPoller(aws.streams_client(), bindings, backoff_seconds=0,
                                   sqs_client=aws.sqs_client(), **options)

    def binding(self, handler_name: str):
        return next(b for b in self.poller.bindings
                    if b.handler is getattr(app_module, handler_name))

    def drain(self) -> int:
        return self.poller.drain()


@pytest.fixture
def streams():
    return Streams()


def failure_queue_messages(stack_outputs: dict) -> list[dict]:
    """What the stream failures queue of the stand-in's stack holds now."""
    return aws.sqs_client().receive_message(QueueUrl=stack_outputs["StreamFailuresQueueUrl"],
                                            MaxNumberOfMessages=10).get("Messages", [])


def sent_emails() -> list[dict]:
    data = requests.get(f"{ENDPOINT}/moto-api/data.json", timeout=30).json()
    return data.get("ses", {}).get("Message", [])


@pytest.fixture(scope="session")
def running_stack():
    """The stack as ``make run`` starts it, in a child process: for the tests that speak to
    it over real HTTP, byte for byte (it is started once, on first use)."""
    from local.stack import LocalStack
    with LocalStack() as stack:
        yield stack


@pytest.fixture
def receiver():
    """A webhook receiver on loopback that answers 204."""
    from local.webhook_receiver import Receiver
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def loopback(monkeypatch):
    """make run's allowance of loopback targets, and retries without waits."""
    monkeypatch.setenv("SERVICEDESK_WEBHOOKS_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("SERVICEDESK_WEBHOOK_RETRY_SCHEDULE", "0,0,0")
    settings.reload()
    yield
    monkeypatch.delenv("SERVICEDESK_WEBHOOKS_ALLOW_LOOPBACK")
    monkeypatch.delenv("SERVICEDESK_WEBHOOK_RETRY_SCHEDULE")
    settings.reload()
