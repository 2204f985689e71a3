"""The embedded AWS stand-in (moto in server mode) and the environment that points at it."""
import logging
import os
import socket
import threading
import warnings

DEFAULT_PORT = 4566


def use_test_credentials() -> None:
    """moto accepts any credentials; real AWS needs real ones, so only fill in the blanks."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        os.environ.setdefault(name, value)


def configured_endpoint() -> str | None:
    return os.environ.get("SERVICEDESK_AWS_ENDPOINT") or os.environ.get("AWS_ENDPOINT_URL")


#: Calls that change nothing a snapshot keeps (``local.persistence``): reads, and the polls of
#: streams and queues.
_READS = ("Get", "BatchGet", "Query", "Scan", "Describe", "List", "ReceiveMessage")


class _OneCallAtATime:
    """A WSGI wrapper that lets one AWS call run at a time.

    moto checks a write's condition and applies the write in separate steps, without a lock;
    DynamoDB does both atomically. Serialising calls restores that guarantee, so that optimistic
    locking and uniqueness claims behave here as they do on AWS. It also answers the stand-in's
    own paths (``/servicedesk/...``: ``CONTROL``) and notes whether a call may have changed
    anything (``changed``), for the snapshots of ``make run``.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.changed = False

    def __call__(self, environ, start_response):
        from .sqs_standin import new_call
        with self.lock:
            new_call()
            control = CONTROL.get(environ.get("PATH_INFO", ""))
            if control is not None:
                return _json(start_response, control(environ))
            target = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
            action = target or _form_action(environ)
            if environ.get("REQUEST_METHOD") != "GET" and not action.startswith(_READS):
                self.changed = True
            return list(self.app(environ, start_response))


def _form_action(environ) -> str:
    """The action of a query-protocol call (SQS, SES): in its query string or form."""
    from urllib.parse import parse_qs
    found = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    return found[0] if found else ""


def _json(start_response, data) -> list[bytes]:
    import json
    body = json.dumps(data).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


def _sent_texts(environ) -> list[dict]:
    from .dynamodb_standin import sent_texts
    return [{"phone_number": phone, "message": message} for phone, message in sent_texts()]


def _sent_emails(environ) -> list[dict]:
    from .dynamodb_standin import sent_emails
    return [{"to": message.destinations.get("ToAddresses", []), "subject": message.subject,
             "body": message.body} for message in sent_emails()]


def _restore(environ) -> dict:
    """Put the data folder's snapshot into the stand-in (``local.persistence``); from then
    on (not before: the stack's new, empty tables would be saved over it) it saves its own."""
    from . import persistence
    kept = persistence.load(persistence.data_dir())
    found = persistence.restore(kept) if kept else {"items": 0, "files": 0, "messages": 0}
    persistence.RESTORED.set()
    return found


#: Where the stand-in lists the text messages (SMS) it has sent (moto keeps texts, but shows
#: them nowhere), and the e-mails, oldest first, each as to, subject and body (moto's
#: /moto-api/data.json lists them too, under ses.Message, among everything else).
SENT_TEXTS_PATH = "/servicedesk/sent-texts.json"
SENT_EMAILS_PATH = "/servicedesk/sent-emails.json"
#: The stand-in's own paths -> what each answers (JSON).
CONTROL = {SENT_TEXTS_PATH: _sent_texts, SENT_EMAILS_PATH: _sent_emails,
           "/servicedesk/restore": _restore}


class PortInUse(Exception):
    """A port that the local stack needs is taken by another program."""


def check_port_free(host: str, port: int, what: str) -> None:
    """Raise PortInUse, naming ``what`` and how to move it, if ``host:port`` cannot be bound."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(f"{what}: port {port} on {host} is in use ({error.strerror}).") \
                from None


class _NotSkippedResources(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "No Moto CloudFormation support" not in record.getMessage()


def quiet_moto() -> None:
    """moto logs and warns about each resource type its CloudFormation skips (alarms, the API
    stage: ``local.cloudformation``), once per resource, and werkzeug a line per call: all
    expected, so say nothing."""
    warnings.filterwarnings("ignore", message="Tried to parse ", category=UserWarning)
    logging.getLogger("moto").addFilter(_NotSkippedResources())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def start_moto(host: str = "127.0.0.1", port: int = DEFAULT_PORT):
    """Start moto's server in this process; return (server, endpoint URL).

    moto is patched first (``local.dynamodb_standin``) so that transactions and streams behave
    as DynamoDB's at any size.
    """
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from . import dynamodb_answers, dynamodb_standin, sqs_standin
    dynamodb_standin.apply()
    dynamodb_answers.apply()
    sqs_standin.apply()
    quiet_moto()
    check_port_free(host, port, "the AWS stand-in (set SERVICEDESK_AWS_PORT)")
    class AtomicMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = _OneCallAtATime(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True,
                                       request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    server = AtomicMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    server.calls = server._server.app
    endpoint = f"http://{host}:{port}"
    os.environ["SERVICEDESK_AWS_ENDPOINT"] = endpoint
    return server, endpoint


def stream_arn(table_name: str) -> str:
    import boto3
    client = boto3.client("dynamodb", endpoint_url=configured_endpoint())
    return client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]


def streams_client():
    import boto3
    return boto3.client("dynamodbstreams", endpoint_url=configured_endpoint())


def lambda_client():
    import boto3
    return boto3.client("lambda", endpoint_url=configured_endpoint())


def sqs_client():
    import boto3
    return boto3.client("sqs", endpoint_url=configured_endpoint())


def verify_sender(address: str) -> None:
    import boto3
    boto3.client("ses", endpoint_url=configured_endpoint()).verify_email_identity(
        EmailAddress=address)


def ensure_bucket(name: str) -> None:
    """Create bucket ``name`` unless it exists (an endpoint without the template's stack)."""
    import boto3
    s3 = boto3.client("s3", endpoint_url=configured_endpoint())
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=name)
