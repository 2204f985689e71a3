"""``make run``: the whole service on this machine, in one process.

moto in server mode stands in for AWS (DynamoDB, DynamoDB Streams, SES) unless
SERVICEDESK_AWS_ENDPOINT or AWS_ENDPOINT_URL names another endpoint; the tables, the SES sender
and demo data are created; a poller feeds the streams to the app's handlers; Chalice's local
server answers HTTP. Ctrl-C stops it all.
"""
import importlib
import logging
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

from . import aws, discovery, persistence, standin
from .queue_poller import QueuePoller
from .stream_poller import StreamPoller, bindings_from_mappings, bindings_of

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: Query parameters that carry a credential, whose values no log line may show.
SECRET_IN_QUERY = re.compile(r"([?&](?:token|access_token|api_key|client_secret)=)[^&\s\"]*",
                             re.IGNORECASE)
EXAMPLE = ('<support-request><account identifier="01234574"/><topic identifier="Parking"/>'
           '<summary>My parking spot has been taken.</summary></support-request>')


def local_server(app, host: str, port: int):
    """Chalice's local server, one request at a time.

    Chalice keeps the request being served on the app object, as Lambda runs one request per
    process; the local server is threaded, so concurrent requests would see each other's.
    """
    from chalice.config import Config
    from chalice.local import (
        ChaliceRequestHandler,
        ForbiddenError,
        LocalDevServer,
        ThreadedHTTPServer,
        create_local_server,
    )

    from chalicelib.core.http import unrouted

    class OneAtATime(ChaliceRequestHandler):
        lock = threading.Lock()

        def _generic_handle(self) -> None:
            # chalice splits ";..." off the path (urlparse's "params"); API Gateway does not,
            # so "/requests/1;x=1" must reach the route as identifier "1;x=1" (then refused).
            # API Gateway merges repeated slashes (".../v2//authentication/token", as Java
            # clients join a base URL and a method); chalice would find no route.
            path, query = (self.path.split("?", 1) + [None])[:2]
            path = re.sub("/{2,}", "/", path).replace(";", "%3B")
            self.path = path + (f"?{query}" if query is not None else "")
            with self.lock:
                super()._generic_handle()

        # chalice binds its do_<METHOD> names to its own _generic_handle: bind them to ours
        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = \
            _generic_handle

        def _send_unrouted(self) -> None:
            answer = unrouted(self.path, self.command)
            self._send_http_response(answer.status_code, answer.headers, answer.body.encode())

        def _send_error_response(self, error) -> None:
            if not isinstance(error, ForbiddenError):
                return super()._send_error_response(error)
            # No route matched: API Gateway says 403 "Missing Authentication Token"; we say
            # 404 (or 405) in the API's format (a gateway response does the same when deployed).
            self._send_unrouted()

        def log_message(self, format: str, *args) -> None:
            # The CRM API's tokens travel in the query string (the vendor's design): the
            # console prints every request line, so it prints them masked.
            super().log_message(format, *(SECRET_IN_QUERY.sub(r"\1***", arg)
                                          if isinstance(arg, str) else arg for arg in args))

        def send_error(self, code: int, message=None, explain=None) -> None:
            if code != 501:  # 501: a method with no do_<METHOD> (TRACE, CONNECT, FOO...)
                return super().send_error(code, message, explain)
            self.close_connection = True
            self._send_unrouted()

    class QueueingServer(ThreadedHTTPServer):
        # Python's default backlog is 5: a burst of clients would see connection resets and
        # could not tell whether their POST was applied. The handler still serves one at a time.
        request_queue_size = 128

    server = create_local_server(app, Config.create(project_dir=str(ROOT)), host, port)
    server.server.server_close()  # it was built to adapt the app; serve with our handler
    return LocalDevServer(server.app_object, Config.create(project_dir=str(ROOT)), host, port,
                          handler_cls=OneAtATime, server_cls=QueueingServer)


def _package_dir() -> tempfile.TemporaryDirectory:
    """Where this process packages the template: a directory of its own under build/local
    (beside make package's build/), since several stacks may start at once (the fuzzer, CI)."""
    parent = ROOT / "build" / "local"
    parent.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=parent)


def _stop_serving(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("werkzeug", "pynamodb", "botocore"):  # a line per call, or a note on start
        logging.getLogger(chatty).setLevel(logging.WARNING)
    aws.use_test_credentials()
    # EMF metric lines are for CloudWatch; on a console they would bury the logs.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    aws_port = int(os.environ.get("SERVICEDESK_AWS_PORT", aws.DEFAULT_PORT))
    try:  # before anything is started or seeded
        aws.check_port_free(host, port, "the service (set PORT)")
        if not aws.configured_endpoint():
            aws.check_port_free("127.0.0.1", aws_port, "the AWS stand-in (set "
                                                       "SERVICEDESK_AWS_PORT)")
    except aws.PortInUse as error:
        print(f"make run: {error}", file=sys.stderr)
        return 2
    moto = None
    if not aws.configured_endpoint():
        try:
            moto, endpoint = _start_standin(aws_port)
        except RuntimeError as error:
            print(f"make run: {error}", file=sys.stderr)
            return 2
        print(f"AWS stand-in (moto) on {endpoint}; sent e-mail: {endpoint}{aws.SENT_EMAILS_PATH}; "
              f"sent texts: {endpoint}{aws.SENT_TEXTS_PATH}")
    # A developer's webhook receiver on this machine (make run only; never on a stage).
    os.environ.setdefault("SERVICEDESK_WEBHOOKS_ALLOW_LOOPBACK", "true")
    # Absolute URLs (refs, Location) name this server, whatever Host a client sends.
    os.environ.setdefault("SERVICEDESK_PUBLIC_BASE_URL", f"http://{host}:{port}")
    sys.path.insert(0, str(ROOT))
    from chalicelib.core.config import settings
    from chalicelib.tables import STREAMED_TABLES, create_all_tables

    from . import cloudformation, demo
    settings.reload()
    failures = "the log (no on-failure destination without the stand-in)"
    if moto is not None:  # the deployable template, created as a stack in the stand-in
        with _package_dir() as package_dir:
            outputs = cloudformation.create_stack(endpoint, pathlib.Path(package_dir),
                                                  mail_from=settings.mail_from)
        failures = f"the stand-in's queue {outputs['StreamFailuresQueueUrl']}"
        os.environ["SERVICEDESK_ATTACHMENTS_BUCKET"] = outputs["AttachmentsBucket"]
        os.environ["SERVICEDESK_STREAM_FAILURES_QUEUE_URL"] = outputs["StreamFailuresQueueUrl"]
        os.environ["SERVICEDESK_WEBHOOK_QUEUE_URL"] = outputs["WebhookDeliveryQueueUrl"]
        os.environ["SERVICEDESK_WEBHOOK_KEY_ID"] = outputs["WebhookSecretsKeyId"]
    else:
        create_all_tables()
        aws.ensure_bucket(settings.attachments_bucket)
    aws.verify_sender(settings.mail_from)
    for logical in STREAMED_TABLES:  # the app declares its handlers with these ARNs
        os.environ[f"SERVICEDESK_{logical.upper()}_STREAM_ARN"] = aws.stream_arn(
            settings.table_name(logical))
    settings.reload()
    restored = _restore(endpoint) if moto is not None else None
    if restored and restored["items"]:
        client_id, secret = demo.demo_credentials()
        print(f"data: {persistence.data_dir()} (restored {restored['items']} records, "
              f"{restored['files']} files, {restored['messages']} queued messages)")
    else:
        client_id, secret = demo.seed()
        print(f"data: {persistence.data_dir()} (empty: the demo data was seeded)"
              if moto is not None else "data: kept by the configured AWS endpoint")

    app_module = importlib.import_module("app")
    bindings = (bindings_from_mappings(aws.lambda_client(), app_module) if moto is not None
                else bindings_of(app_module))
    poller = StreamPoller(aws.streams_client(), bindings, latest_arn=aws.stream_arn,
                          sqs_client=aws.sqs_client())
    poller.start()
    deliveries = None
    if settings.webhook_queue_url:
        from deploy.webhook_resources import DELIVERY_CONCURRENCY
        deliveries = QueuePoller(aws.sqs_client(), settings.webhook_queue_url,
                                 app_module.on_webhook_delivery, batch_size=1,
                                 workers=DELIVERY_CONCURRENCY)
        deliveries.start()

    server = local_server(app_module.app, host, port)
    base = f"http://{host}:{port}"
    print(f"""
servicedesk is running on {base}
  demo API client: {client_id} / {secret} (every scope but the desk's)
  topics: {', '.join(demo.TOPICS)}; demo customer 01234574 (Joseph Banks, community original)
  raise a request:
    curl -u {client_id}:{secret} -H 'Content-Type: application/xml' \\
      -d '{EXAMPLE}' \\
      {base}/api/v1/requests
  then GET the URL in its answer's Location, with the same -u; more in docs/README.md
  Case Management API: a token from {base}/oauth2/v1/token (JSON body), then
    {base}/support/v2/tickets; the demo client acts for customer {demo.DEMO_CUSTOMER},
    the desk's client is {demo.DESK_CREDENTIALS[0]} / {demo.DESK_CREDENTIALS[1]} (every account)
  API documentation: {base}/docs
  operator commands (they find this stack by themselves): .venv/bin/python -m ops.admin --help
  stream records that fail every attempt are described in {failures}
  data: kept in {persistence.data_dir()} across restarts (SERVICEDESK_DATA_DIR moves it)
Ctrl-C stops everything.""", flush=True)
    # A kill stops as Ctrl-C does; and Ctrl-C (SIGINT) stops it even when it was started from
    # a script's background job, whose children inherit SIGINT ignored.
    signal.signal(signal.SIGTERM, _stop_serving)
    signal.signal(signal.SIGINT, _stop_serving)
    running = discovery.announce(base, endpoint if moto is not None else None)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping: the streams catch up, then the stand-in saves its data")
    finally:
        server.server.server_close()
        poller.stop()
        if deliveries is not None:
            deliveries.stop()
        _catch_up(poller)
        running.unlink(missing_ok=True)
        if moto is not None:
            _stop_standin(moto)
    return 0


def _start_standin(port: int):
    """The stand-in as a process of its own (``local.standin``); (process, endpoint)."""
    process = subprocess.Popen([sys.executable, "-m", "local.standin"], cwd=ROOT,
                               env={**os.environ, "SERVICEDESK_AWS_PORT": str(port)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        print(line, end="")
        if line.startswith(standin.READY):
            endpoint = f"http://127.0.0.1:{port}"
            os.environ["SERVICEDESK_AWS_ENDPOINT"] = endpoint
            threading.Thread(target=_echo, args=(process.stdout,), daemon=True).start()
            return process, endpoint
    raise RuntimeError("the AWS stand-in stopped as it started (see above)")


def _echo(stream) -> None:
    for line in stream:
        print(line, end="")


def _restore(endpoint: str) -> dict:
    """Put the data folder's snapshot into the stand-in's new tables."""
    import json
    import urllib.request
    with urllib.request.urlopen(urllib.request.Request(
            f"{endpoint}/servicedesk/restore", method="POST", data=b""), timeout=600) as answer:
        return json.load(answer)


def _catch_up(poller, seconds: float = 10) -> None:
    """Let the stream handlers handle what the last requests wrote, for a few seconds."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and poller.poll_once():
            pass
    except Exception:  # noqa: BLE001 - stopping anyway
        pass


def _stop_standin(process) -> None:
    process.send_signal(signal.SIGINT)  # it saves its snapshot, then ends
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()


if __name__ == "__main__":
    sys.exit(main())
