"""Every log line is JSON with the request id and the client id; metrics in EMF."""
import json
import logging

from botocore.exceptions import ClientError

from chalicelib.core import observability
from chalicelib.streams import notifications

from .conftest import Streams


class Collected(logging.Handler):
    """The package logger's lines, formatted by its Powertools formatter."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(observability.logger.registered_formatter)
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def emf_lines(text: str) -> list[dict]:
    return [line for line in map(json.loads, filter(None, text.splitlines()))
            if "_aws" in line]


def test_a_request_logs_json_with_its_request_and_client_and_counts_by_api_and_status(
        api, capsys, monkeypatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    collected = Collected()
    package = logging.getLogger(observability.PACKAGE_LOGGER)
    package.addHandler(collected)
    try:
        capsys.readouterr()
        assert api.raise_request() == "10000001"
        logging.getLogger("chalicelib.support_requests.service").warning("a line of ours")
    finally:
        package.removeHandler(collected)
    [line] = collected.lines
    assert line["message"] == "a line of ours" and line["level"] == "WARNING"
    assert line["client_id"] == "demo" and line["service"] == "servicedesk"
    assert line["path"] == "/api/v1/requests" and line["method"] == "POST"
    assert "request_id" in line
    [metric] = emf_lines(capsys.readouterr().out)
    assert metric["Requests"] == [1.0]
    assert (metric["api"], metric["status"]) == ("support_requests", "201")
    assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "servicedesk"


def test_stream_failures_are_counted_by_handler_and_emails_when_ses_accepts_them(
        api, capsys, monkeypatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    api.update(api.raise_request(), "<state>IN_PROGRESS</state>")

    class Down:
        def send_email(self, **message):
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "SES is "
                                         "unavailable"}}, "SendEmail")
    real = notifications.ses_client()
    notifications.use_ses_client(Down())
    try:
        capsys.readouterr()
        Streams(max_attempts=1).drain()
    finally:
        notifications.use_ses_client(real)
    [failure] = emf_lines(capsys.readouterr().out)
    assert failure["StreamRecordFailures"] == [1.0]
    assert failure["handler"] == "on_support_request_change"
    Streams().drain()  # SES back: the record's e-mail is sent on a later try
    [sent] = [m for m in emf_lines(capsys.readouterr().out) if "EmailsSent" in m]
    assert sent["EmailsSent"] == [1.0]


def _audited(api, calls) -> list[dict]:
    """The audit lines that ``calls(api)`` logs."""
    collected = Collected()
    package = logging.getLogger(observability.PACKAGE_LOGGER)
    package.addHandler(collected)
    try:
        calls(api)
    finally:
        package.removeHandler(collected)
    return [line for line in collected.lines if line["message"] == "caller refused"]


def test_every_refused_caller_is_one_warning_line_with_what_it_claimed_and_why(
        api, capsys, monkeypatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    from .support import basic
    scoped = api.post_form("/oauth2/token", "grant_type=client_credentials&scope=requests")
    token = scoped.data["access_token"]

    def refusals(api):
        for _ in range(30):
            assert api.get("/api/v1/requests", auth=basic("demo", "wrong-secret")).status == 401
        assert api.get("/api/v1/requests", auth=basic("nobody", "x")).status == 401
        assert api.get("/api/v1/requests", auth=None).status == 401
        assert api.get("/api/v1/requests", auth={"Authorization": "Bearer not-a-token"}) \
            .status == 401
        assert api.get("/support/v2/tickets", auth={"Authorization": f"Bearer {token}"}) \
            .status == 403
        assert api.request("POST", "/oauth2/v1/token", '{"client_id": "demo", '
                           '"client_secret": "also-wrong"}', auth=None,
                           headers={"Content-Type": "application/json"}).status == 400
    capsys.readouterr()
    lines = _audited(api, refusals)
    reasons = [(line["reason"], line.get("claimed_client_id"), line["status"]) for line in lines]
    assert reasons == [("wrong_secret", "demo", 401)] * 30 + [
        ("unknown_client", "nobody", 401), ("missing_credentials", None, 401),
        ("unknown_token", None, 401), ("missing_scope", "demo", 403),
        ("wrong_secret", "demo", 401)]
    assert all(line["level"] == "WARNING" and line["request_id"] and
               line["source_ip"] == "127.0.0.1" for line in lines)
    logged = json.dumps(lines)
    assert "wrong-secret" not in logged and "not-a-token" not in logged
    assert token not in logged and "also-wrong" not in logged
    counted = [m for m in emf_lines(capsys.readouterr().out) if "AuthFailures" in m]
    assert len(counted) == 35 and counted[0]["reason"] == "wrong_secret"
    assert counted[-3]["reason"] == "unknown_token"
