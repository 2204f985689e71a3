"""Every log line is JSON with the request id and the client id; metrics in EMF."""
import json
import logging

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
            raise RuntimeError("SES unavailable")
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
