"""One POST of a signed message to an endpoint's checked address, within one deadline.

The deadline (``settings.webhook_attempt_seconds``, 15 s) bounds the whole attempt, from the
connection to the last byte of the answer read: a receiver that sends a byte now and then
cannot hold an attempt longer (a socket timeout alone bounds each read, not their sum). At the
deadline the socket is shut down, which ends any read in progress.
"""
import http.client
import socket
import ssl
import threading
import time

from ..core.config import settings
from . import targets

__all__ = ["post", "MAX_ANSWER_BYTES", "USER_AGENT"]

MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "servicedesk-webhooks/1"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, target: targets.Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = self.raw = socket.create_connection((self._address, self.port),
                                                        self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: targets.Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        self.raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.raw, server_hostname=self.host)


def _cut(connection, expired: threading.Event) -> None:
    """End the attempt: shut the socket down (the connection may have handed it to its
    answer already, which reads from it still)."""
    expired.set()
    sock = getattr(connection, "raw", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def post(url: str, body: str, headers: dict) -> tuple[int | None, str, dict, float]:
    """(HTTP status or None, the answer's start or what failed, its headers, seconds taken)."""
    seconds = settings.webhook_attempt_seconds
    started = time.monotonic()
    try:
        target = targets.check(url)
    except targets.RefusedTarget as refused:
        return None, f"refused: {refused}", {}, time.monotonic() - started
    connection = (_PinnedHTTPSConnection if target.scheme == "https"
                  else _PinnedHTTPConnection)(target, seconds)
    expired = threading.Event()
    watchdog = threading.Timer(max(0.0, seconds - (time.monotonic() - started)), _cut,
                               (connection, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body.encode(),
                           headers={"Content-Type": "application/json",
                                    "User-Agent": USER_AGENT, **headers})
        answer = connection.getresponse()
        text = answer.read(MAX_ANSWER_BYTES).decode("utf-8", "replace")
        if expired.is_set():
            raise TimeoutError
        return answer.status, text, dict(answer.getheaders()), time.monotonic() - started
    except (OSError, http.client.HTTPException, ValueError) as error:
        if expired.is_set():
            return (None, f"timed out: no whole answer within the attempt's {seconds:g} s",
                    {}, time.monotonic() - started)
        return None, f"{type(error).__name__}: {error}", {}, time.monotonic() - started
    finally:
        watchdog.cancel()
        connection.close()
