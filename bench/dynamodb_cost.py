"""DynamoDB calls and items read per request, at two table sizes."""
import logging
import os
import re
import socket
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = (100, 10_000)
#: What the stand-in and the fills log (requests served, rows filled): a file, so that the
#: console shows the figures alone.
LOG_FILE = os.path.join(ROOT, "build", "bench.log")
log = logging.getLogger("bench")


def log_to_file() -> None:
    os.makedirs(os.path.dirname(LOG_FILE), exist_ok=True)
    handler = logging.FileHandler(LOG_FILE)
    for name in ("werkzeug", "bench"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(logging.INFO)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _query(path: str) -> dict[str, str]:
    path = path.split(" ")[0]  # "... (desk)" names who asked
    return dict(part.split("=", 1) for part in path.split("?")[1].split("&")) if "?" in path \
        else {}


def _page_size(path: str) -> int | None:
    query = _query(path)
    size = query.get("limit") or query.get("number_of_results")
    return int(size) if size else None


def _combined(path: str) -> bool:
    """Two filters, one of them checked on the other's index (pages.BUDGET bounds it)."""
    query = _query(path)
    return sum(name.endswith("_identifier") for name in query) > 1 or (
        "customerReferenceId" in query and "status" in query)


def _goal(path: str) -> str:
    """The most items a page's Query may read: limit + 1, or the budget of a combination."""
    size = _page_size(path)
    if size is None or "/configuration/" in path:
        return ""
    depth = int(_query(path).get("offset", 0))
    return f"<= {10 * (depth + size)}" if _combined(path) else f"<= {depth + size + 1}"


#: The CRM-style API's methods at their floor: DynamoDB calls per request (token included).
CALL_GOALS = {"/service_requests/show": 2, "/service_requests/create": 4,
              "/service_requests/update": 3, "/service_requests/respond": 3,
              "/service_requests/final_resolve": 3, "/service_requests/complete": 3}


def _at_depth(path: str, depth: int) -> str:
    """``path`` asking for the page that starts ``depth`` items in, by offset."""
    base, _, query = path.split(" ")[0].partition("?")
    kept = [part for part in query.split("&") if not part.startswith("offset=")]
    return f"{base}?{'&'.join(kept + [f'offset={depth}'])}"


def _next(answer) -> str | None:
    link = answer.headers.get("link") or answer.headers.get("Link")
    found = link and re.fullmatch(r"<http://localhost([^>]+)>; rel=\"next\"", link)
    return found.group(1) if found else None


#: How deep the deep page is: 9,000 items, or for a list shorter than that (a filter's share
#: of the 10,000 rows) the first of these depths that it still reaches.
DEPTHS = (9_000, 1_800, 900, 180, 90)


def _deep_pages(client, meter, method: str, path: str, headers: dict) -> tuple[str, str]:
    """(items read by the deep page by offset, and by cursor), each "items@depth"."""
    size = _page_size(path)
    if method != "GET" or size is None or "/configuration/" in path:
        return "", ""
    token = re.search(r"token=[^&]*", path)

    def get(url):
        meter.reset()
        answer = client.http.request("GET", url, headers=headers)
        assert answer.status_code == 200, (url, answer.body[:300])
        return answer, meter.items_queried
    for depth in (depth for depth in DEPTHS if depth >= size):
        before, _ = get(_at_depth(path, depth - size))
        following = _next(before)
        if following is not None:
            _, by_offset = get(_at_depth(path, depth))
            _, by_cursor = get(following + (f"&{token.group(0)}" if token else ""))
            return f"{by_offset}@{depth}", f"{by_cursor}@{depth}"
    return "-", "-"


def main() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_METRICS_DISABLED="true",
                      SERVICEDESK_CONFIGURATION_CACHE_SECONDS="3600")
    sys.path.insert(0, ROOT)
    log_to_file()
    import requests as http

    from local import aws
    server, endpoint = aws.start_moto(port=_free_port())
    from chalicelib.core.config import settings
    settings.reload()
    from chalice.test import Client

    import app as app_module
    from chalicelib.core import kept
    from chalicelib.tables import create_all_tables
    from local import demo

    from . import cost_scenarios as scenario
    from .counting import install
    meter = install()
    _legend()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    scenarios = [("support requests", scenario.fill_support_requests,
                  scenario.support_request_endpoints("20000000"),
                  ("/api/v1/requests/20000000/extid", "extid=BENCH-1")),
                 ("customers, properties, relationships", scenario.fill_customers,
                  scenario.customer_endpoints(),
                  (f"/api/v1/customers/{scenario.account_id(0)}/extid", "extid=BENCH-C")),
                 ("service requests (CRM style)", scenario.fill_service_requests,
                  scenario.service_request_endpoints, ("/api/v1/customers/01234574/extid",
                                                       "extid=BENCH-SR")),
                 ("tickets (Case Management)", scenario.fill_cases, scenario.case_endpoints,
                  ("/api/v1/customers/01234574/extid", "extid=BENCH-CASE"))]
    only = os.environ.get("SERVICEDESK_BENCH_SCENARIO")  # e.g. "tickets": that one alone
    for label, fill, endpoints, (extid_path, extid_form) in scenarios:
        if only and only not in label:
            continue
        results: dict[str, dict] = {}
        for size in SIZES:
            http.post(f"{endpoint}/moto-api/reset", timeout=60)
            kept.forget_all()
            create_all_tables()
            demo.seed()
            started = time.perf_counter()
            fill(size)
            log.info("filled %d %s in %.1f s", size, label, time.perf_counter() - started)
            with Client(app_module.app, project_dir=ROOT) as client:
                auth = {"Authorization": "Basic ZGVtbzpkZW1vLXNlY3JldA=="}  # demo:demo-secret
                client.http.post(extid_path, body=extid_form, headers={**auth, **form})
                for method, path, content_type, body, *own in (
                        endpoints() if callable(endpoints) else endpoints):
                    headers = dict(auth, **({"Content-Type": content_type} if content_type
                                            else {}))
                    headers.update(own[0] if own else {})  # a bearer token, say
                    meter.reset()
                    answer = client.http.request(method, path.split(" ")[0], headers=headers,
                                                 body=body)
                    refused = (b'"status": {"code": "' in answer.body  # the CRM envelope
                               and b'"code": "OK"' not in answer.body)
                    assert answer.status_code < 300 and not refused, (
                        path, answer.status_code, answer.body[:300])
                    counted = (len(meter.calls), meter.items_read, meter.items_queried)
                    shown = re.sub(r"token=[^&]*", "token=T", path)  # a new token each size
                    entry = results.setdefault(f"{method} {shown}", {"path": path})
                    entry[size] = counted
                    if size == SIZES[-1]:
                        entry["deep"] = _deep_pages(client, meter, method, path.split(" ")[0],
                                                    headers)
        _report(label, results)  # each API's table as soon as it is measured
    server.stop()


def _legend() -> None:
    print("\n## DynamoDB per request: calls / items read (of which by the page's Query)")
    print("   Rows: 100 / 10,000 support requests, or customers (each with a property and a")
    print("   relationship), or service requests, or tickets. Authentication is 1 call and 1")
    print("   item. Offset, cursor: the items that a deep page reads at 10,000 rows, by offset")
    print("   and by the cursor of the page before it, @ its depth (9,000, or less for a list")
    print("   shorter than that). Goal: the most a page's Query may read (limit + 1; ten times")
    print("   a page for a filter checked on another's index), or a CRM method's calls.")


def _report(label: str, results: dict) -> None:
    print(f"\n  {label}", flush=True)
    print(f"  {'endpoint':66} {'100 rows':>13} {'10,000 rows':>14} {'offset':>10} "
          f"{'cursor':>10} {'goal':>10}")
    for name, entry in results.items():
        cells = [f"{c} / {r} ({q})" if q else f"{c} / {r}"
                 for c, r, q in (entry[s] for s in SIZES)]
        by_offset, by_cursor = entry.get("deep", ("", ""))
        goal = _goal(entry["path"])
        calls_goal = next((f"{n} calls" for method, n in CALL_GOALS.items()
                           if entry["path"].split("?")[0].endswith(method)), "")
        print(f"  {name[:66]:66} {cells[0]:>13} {cells[1]:>14} {by_offset:>10} {by_cursor:>10} "
              f"{goal or calls_goal:>10}", flush=True)
        if goal:
            limit = int(goal.split()[-1])
            for size in SIZES:
                assert entry[size][2] <= limit, f"{name}: page over its goal"
            assert by_cursor in ("", "-") or int(by_cursor.split("@")[0]) <= (
                limit if _combined(entry["path"]) else _page_size(entry["path"]) + 1), \
                f"{name}: a cursor page over its goal"
