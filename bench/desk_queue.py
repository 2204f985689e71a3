"""The desk's queue: DynamoDB calls and items read by a page of work items, with 100 and
with 10,000 work items stored (moto server, in this process: the counts are exact), for the
queue's usual views; and, on the stack as ``make run`` starts it, the delay from a change of a
record (a state change through the LEAP API) to its work item showing it.

    python -m bench.desk_queue
"""
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = (100, 10_000)
PAGE = 50
#: The views a desk opens, as queries; the goal is the items a page may read: its entries
#: and one more, their work items, and the caller (a checked filter: ten times the page).
ONE_PAGE = 2 * (PAGE + 1) + 1
VIEWS = [("every item, most urgent first", f"?limit={PAGE}", ONE_PAGE),
         ("one state, newest first", f"?state=new&sort=created&limit={PAGE}", ONE_PAGE),
         ("one customer's", f"?account=01234574&limit={PAGE}", ONE_PAGE),
         ("unassigned", f"?unassigned=true&limit={PAGE}", ONE_PAGE),
         ("a state and a kind (checked)", f"?state=new&kind=ticket&limit={PAGE}",
          2 * 10 * PAGE + 1),
         ("counts per state and group", "COUNTS", "one Query per counter")]


def _fill(size: int) -> None:
    """``size`` work items of the three kinds, every fifth assigned, a tenth another state."""
    from chalicelib.desk.models import WorkItem
    from chalicelib.desk.projection import keys, project
    kinds = ("support-request", "service-request", "ticket")
    for n in range(size):
        kind = kinds[n % 3]
        created = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T09:{n % 60:02d}:00.000Z"
        item = WorkItem(f"{kind}-{30000000 + n}", kind=kind, record=str(30000000 + n),
                        source_version=1, title=f"Work {n}",
                        state="new" if n % 10 else "open", native_state="X",
                        priority=1 + n % 4, account="01234574" if n % 50 == 0 else
                        f"{n:08d}", topic="Parking", assignee="Sam" if n % 5 == 0 else None,
                        group="Facilities" if n % 7 == 0 else None, created=created,
                        updated=created, path=f"/x/{n}")
        item.entries = keys(item)
        project(item)


def queue_reads() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_METRICS_DISABLED="true")
    sys.path.insert(0, ROOT)
    import requests as http

    from local import aws
    _, endpoint = aws.start_moto(port=_free_port())
    from chalicelib.core.config import settings
    settings.reload()
    from chalice.test import Client

    import app as app_module
    from chalicelib.tables import create_all_tables
    from local import demo

    from .counting import install
    meter = install()
    results = {}
    for size in SIZES:
        http.post(f"{endpoint}/moto-api/reset", timeout=60)
        create_all_tables()
        demo.seed()
        started = time.perf_counter()
        _fill(size)
        print(f"  (filled {size} work items in {time.perf_counter() - started:.0f} s)",
              flush=True)
        with Client(app_module.app, project_dir=ROOT) as client:
            auth = {"Authorization": "Basic ZGVtby1kZXNrOmRlbW8tZGVzay1zZWNyZXQ="}
            for label, query, _ in VIEWS:
                path = "/desk/v1/counts" if query == "COUNTS" else f"/desk/v1/work-items{query}"
                meter.reset()
                answer = client.http.get(path, headers=auth)
                assert answer.status_code == 200, answer.body[:300]
                results.setdefault(label, {})[size] = (len(meter.calls), meter.items_read)
    print(f"\nThe desk's queue: a page of {PAGE} work items (calls, items read), at "
          f"{SIZES[0]} and {SIZES[1]:,} work items; goal: what a page reads stays the same")
    for label, _, goal in VIEWS:
        small, large = results[label][SIZES[0]], results[label][SIZES[-1]]
        goal = goal if isinstance(goal, str) else f"at most {goal} items"
        print(f"  {label:34} {small[0]} calls, {small[1]:>4} items | {large[0]} calls, "
              f"{large[1]:>4} items   (goal: {goal})")


def _free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def change_to_work_item(samples: int = 50) -> None:
    """On the stack as make run starts it: from a state change's answer to the work item
    that shows it."""
    import requests

    from local.stack import DEMO, LocalStack
    desk = ("demo-desk", "demo-desk-secret")
    xml = {"Content-Type": "application/xml"}
    delays = []
    with LocalStack() as stack:
        for n in range(samples):
            raised = requests.post(f"{stack.base}/api/v1/requests", auth=DEMO, headers=xml,
                                   timeout=30, data=(
                                       '<support-request><account identifier="01234574"/>'
                                       f'<topic identifier="Alarm"/><summary>Delay {n}'
                                       '</summary></support-request>'))
            identifier = raised.headers["Location"].rsplit("/", 1)[1]
            time.sleep(0.3)
            requests.post(f"{stack.base}/api/v1/requests/{identifier}/updates", auth=DEMO,
                          headers=xml, timeout=30,
                          data="<support-request-update><state>IN_PROGRESS</state>"
                               "</support-request-update>")
            started = time.perf_counter()
            while time.perf_counter() - started < 30:
                shown = requests.get(f"{stack.base}/desk/v1/work-items/support-request-"
                                     f"{identifier}", auth=desk, timeout=30)
                if shown.ok and shown.json()["state"] == "open":
                    break
                time.sleep(0.02)
            delays.append((time.perf_counter() - started) * 1000)
    delays.sort()
    print(f"\nA record's change to its work item, on the stack as make run starts it: median "
          f"{statistics.median(delays):.0f} ms, p99 {delays[int(len(delays) * 0.99) - 1]:.0f} "
          f"ms, most {delays[-1]:.0f} ms ({len(delays)} state changes; goal: within a second)")


if __name__ == "__main__":
    queue_reads()
    change_to_work_item()
