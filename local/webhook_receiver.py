"""A webhook receiver on 127.0.0.1, for tests, the soak run and the bench: it keeps every
message it took (headers, body, time of arrival) and answers as told.

``answers``: the statuses of the first POSTs (then 204); ``fail_rate``: the share of the
others answered 500 at random (those are not kept); ``down_for``: seconds before it listens at
all (until then its port refuses connections); ``retry_after``: sent with every answer.
``trickle``: seconds between the bytes of a slow answer's body (a receiver that holds an
attempt open); ``hold``: an event that each answer waits for; ``stall``: (for how many
seconds from its start, how long each answer waits then). ``verify_with(secret)``
checks each message as it arrives with the standardwebhooks package (which refuses a
timestamp older than 5 minutes, so a long run cannot check afterwards).
"""
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Receiver"]


class Receiver:
    def __init__(self, answers=(), fail_rate: float = 0.0, down_for: float = 0.0,
                 retry_after: str | None = None, seed: int = 7, trickle: float = 0.0,
                 hold: threading.Event | None = None,
                 stall: tuple[float, float] | None = None) -> None:
        self.answers, self.fail_rate, self.retry_after = list(answers), fail_rate, retry_after
        self.trickle, self.hold = trickle, hold
        self.stall_until, self.stall_seconds = (time.time() + stall[0], stall[1]) if stall \
            else (0.0, 0.0)
        self.rng = random.Random(seed)
        self.received: list[tuple[dict, str]] = []
        self.unverified: list[tuple[dict, str, str]] = []  # (headers, body, why)
        self.verifier = None
        self.arrivals: list[float] = []  # time.time() of each kept message
        self.lock = threading.Lock()
        with socket.socket() as probe:  # a port of its own, with nobody on it until it is up
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.server: ThreadingHTTPServer | None = None
        if down_for:
            timer = threading.Timer(down_for, self._start)
            timer.daemon = True
            timer.start()
        else:
            self._start()

    def verify_with(self, secret: str) -> None:
        from standardwebhooks.webhooks import Webhook
        self.verifier = Webhook(secret)

    def _check(self, headers: dict, body: str) -> None:
        if self.verifier is None:
            return
        try:
            self.verifier.verify(body, headers)
        except Exception as error:  # noqa: BLE001 - kept, for the test to report
            with self.lock:
                self.unverified.append((headers, body, str(error)))

    def _answer(self) -> int:
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            return 500 if self.rng.random() < self.fail_rate else 204

    def _start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver._check(dict(self.headers), body)
                if receiver.hold is not None:
                    receiver.hold.wait(60)
                if time.time() < receiver.stall_until:  # past the sender's deadline
                    time.sleep(receiver.stall_seconds)
                status = receiver._answer()
                with receiver.lock:
                    if status != 500 or not receiver.fail_rate:
                        receiver.received.append((dict(self.headers), body))
                        receiver.arrivals.append(time.time())
                try:
                    self._answer_with(status)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender's deadline came first: it counts the attempt failed

            def _answer_with(self, status: int) -> None:
                self.send_response(status)
                if receiver.retry_after:
                    self.send_header("Retry-After", receiver.retry_after)
                if receiver.trickle:
                    return self._trickle()
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def _trickle(self) -> None:
                self.send_header("Content-Length", "1000")
                self.end_headers()
                try:
                    for _ in range(1000):
                        self.wfile.write(b".")
                        self.wfile.flush()
                        time.sleep(receiver.trickle)
                except OSError:
                    pass  # the sender gave up

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ids(self) -> set[str]:
        with self.lock:
            return {headers["webhook-id"] for headers, _ in self.received}

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
