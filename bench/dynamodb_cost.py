"""DynamoDB calls and items read per request, at two table sizes."""
import os
import socket
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = (100, 10_000)
TOPICS = ("Parking", "Alarm", "Air Conditioning")
STATES = ("NEW", "IN_PROGRESS", "PROBLEM", "SUCCESSFUL", "CANCELLED")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fill(count: int) -> None:
    """Write ``count`` requests straight into the table, as raise_request would shape them."""
    from chalicelib.core import timestamps
    from chalicelib.support_requests.models import SupportRequest
    start = time.time() - count
    with SupportRequest.batch_write() as batch:
        for n in range(count):
            when = timestamps.to_storage(timestamps.from_epoch(start + n))
            request = SupportRequest(
                str(20000000 + n), version=1, state=STATES[n % 5], topic=TOPICS[n % 3],
                summary=f"request {n}", email="joe.banks@example.net", creator="Joseph Banks",
                community="original", account="01234574", creation_time=when,
                last_update_time=when, unacked_since=when if n % 2 else None, changed_version=1)
            request.refresh_feeds()
            batch.save(request)


def _endpoints(identifier: str) -> list[tuple[str, str, str, str]]:
    xml = "application/xml"
    form = "application/x-www-form-urlencoded"
    base = "/api/v1/requests"
    return [
        ("GET", f"{base}/{identifier}", "", ""),
        ("GET", f"{base}/extid/BENCH-1", "", ""),
        ("GET", f"{base}?limit=100", "", ""),
        ("GET", f"{base}?limit=10&offset=50", "", ""),
        ("GET", f"{base}?acked=false&limit=100", "", ""),
        ("GET", f"{base}?last-update-from=2000-01-01T00:00:00Z&limit=100", "", ""),
        ("GET", f"{base}/by-topic/Parking?limit=100", "", ""),
        ("GET", f"{base}/by-topic/Parking/in-state/NEW?limit=100", "", ""),
        ("GET", f"{base}/by-topic/Parking/in-state/NEW?acked=true&limit=10&offset=20", "", ""),
        ("POST", base, xml, '<support-request><account identifier="01234574"/>'
                            '<topic identifier="Parking"/><summary>bench</summary>'
                            '</support-request>'),
        ("POST", f"{base}/{identifier}/updates", xml,
         "<support-request-update><comment>bench</comment></support-request-update>"),
        ("POST", f"{base}/extid/BENCH-1/updates", xml,
         "<support-request-update><comment>bench</comment></support-request-update>"),
        ("POST", f"{base}/{identifier}/extid", form, "extid=BENCH-2"),
        ("POST", f"{base}/acked", xml,
         f"<acknowledgements><acknowledgement>{identifier}</acknowledgement></acknowledgements>"),
        ("POST", f"{base}/external/acked", xml,
         "<acknowledgements><acknowledgement>BENCH-2</acknowledgement></acknowledgements>"),
        ("POST", "/oauth2/token", form, "grant_type=client_credentials"),
    ]


def _limits(path: str) -> int | None:
    """offset + limit + 1: the most items a page may read."""
    if "?" not in path or "limit" not in path:
        return None
    query = dict(part.split("=") for part in path.split("?")[1].split("&"))
    return int(query.get("offset", 0)) + int(query["limit"]) + 1


def main() -> None:
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_DEFAULT_REGION="us-east-1")
    sys.path.insert(0, ROOT)
    import requests as http

    from local import aws
    server, endpoint = aws.start_moto(port=_free_port())
    from chalicelib.core.config import settings
    settings.reload()
    from chalice.test import Client

    import app as app_module
    from chalicelib.tables import create_all_tables
    from local import demo

    from .counting import install
    meter = install()
    results: dict[str, dict[int, tuple[int, int, int]]] = {}
    for size in SIZES:
        http.post(f"{endpoint}/moto-api/reset", timeout=60)
        create_all_tables()
        demo.seed()
        started = time.perf_counter()
        _fill(size)
        print(f"  filled {size} requests in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        with Client(app_module.app, project_dir=ROOT) as client:
            auth = {"Authorization": "Basic ZGVtbzpkZW1vLXNlY3JldA=="}  # demo:demo-secret
            client.http.post("/api/v1/requests/20000000/extid", body="extid=BENCH-1",
                             headers={**auth, "Content-Type": "application/x-www-form-urlencoded"})
            for method, path, content_type, body in _endpoints("20000000"):
                headers = dict(auth, **({"Content-Type": content_type} if content_type else {}))
                meter.reset()
                answer = client.http.request(method, path, headers=headers, body=body)
                assert answer.status_code < 300, (path, answer.status_code, answer.body[:300])
                results.setdefault(f"{method} {path}", {})[size] = (
                    len(meter.calls), meter.items_read, meter.items_queried)
    server.stop()
    print("\n## DynamoDB per request: calls / items read (of which by the page's Query)")
    print("   Authentication is 1 call and 1 item of each; a topic list also reads its topic.")
    print(f"  {'endpoint':74} {'100 requests':>14} {'10,000 requests':>16} {'bound':>6}")
    for name, by_size in results.items():
        cells = [f"{c} / {r} ({q})" if q else f"{c} / {r}"
                 for c, r, q in (by_size[s] for s in SIZES)]
        bound = _limits(name.split(" ", 1)[1])
        print(f"  {name[:74]:74} {cells[0]:>14} {cells[1]:>16} {bound or '':>6}")
        for size in SIZES:
            assert bound is None or by_size[size][2] <= bound, f"{name}: page over its bound"
