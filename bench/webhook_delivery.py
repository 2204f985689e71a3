"""Webhooks on the embedded stack, as ``make run`` starts it, with receivers on loopback: the
delay from an accepted change to its first delivery (median, p99), and deliveries per second
with 3 endpoints."""
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from local.demo import DESK_CREDENTIALS
from local.stack import DEMO, LocalStack
from local.webhook_receiver import Receiver

from .embedded_stack import raise_request

SAMPLES = 100
BURST = 300


def _subscribe(base: str, receiver: Receiver) -> None:
    answer = requests.post(f"{base}/webhooks/v1/endpoints", auth=DESK_CREDENTIALS, timeout=60,
                           json={"url": receiver.url,
                                 "event_types": ["support_request.created"]})
    assert answer.status_code == 201, answer.text


def _arrival(receiver: Receiver, identifier: str, deadline: float) -> float:
    while time.monotonic() < deadline:
        with receiver.lock:
            for (_, body), at in zip(receiver.received, receiver.arrivals, strict=True):
                if json.loads(body)["data"]["id"] == identifier:
                    return at
        time.sleep(0.005)
    raise AssertionError(f"no delivery of {identifier}")


def main() -> int:
    receivers = [Receiver(), Receiver(), Receiver()]
    with LocalStack() as stack:
        _subscribe(stack.base, receivers[0])
        http = requests.Session()
        http.auth = DEMO
        delays = []
        for n in range(SAMPLES):
            started = time.time()
            identifier = raise_request(http, stack.base, n)
            delays.append(_arrival(receivers[0], identifier, time.monotonic() + 30) - started)
        delays.sort()
        print(f"change to first delivery attempt over {SAMPLES} changes: median "
              f"{statistics.median(delays) * 1000:.0f} ms, p99 "
              f"{delays[int(len(delays) * 0.99) - 1] * 1000:.0f} ms (goal: p99 under 1,000 ms)")
        for receiver in receivers[1:]:
            _subscribe(stack.base, receiver)
        before = sum(len(r.received) for r in receivers)
        started = time.monotonic()

        def client(number: int) -> None:
            session = requests.Session()
            session.auth = DEMO
            for n in range(BURST // 4):
                raise_request(session, stack.base, 100000 * (number + 1) + n)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(client, range(4)))
        expected = before + BURST * 3
        deadline = time.monotonic() + 300
        while sum(len(r.received) for r in receivers) < expected:
            assert time.monotonic() < deadline, "deliveries stopped coming"
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        print(f"{BURST} changes to 3 endpoints: {BURST * 3} deliveries in {elapsed:.1f} s, "
              f"{BURST * 3 / elapsed:.0f} deliveries/s (the changes themselves included; goal: "
              "at least 10/s)")
    for receiver in receivers:
        receiver.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
