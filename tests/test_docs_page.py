"""/docs renders every operation of every spec in a real browser (headless Chromium)."""
import os
import shutil
import subprocess
import threading

import pytest
import requests

import app as app_module
from chalicelib.core import spec
from local.run import local_server
from local.stack import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: CI sets it: there a missing browser is a failure, not a reason to skip.
REQUIRED = os.environ.get("SERVICEDESK_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="module")
def base():
    server = local_server(app_module.app, "127.0.0.1", free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server.server_address[1]}"
    server.server.shutdown()


def rendered(url: str, profile) -> str:
    """The page's DOM after its scripts ran, as Chromium renders it."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=30000",
         "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True).stdout


def test_the_docs_page_is_public_and_carries_its_renderer_and_the_specs(base):
    page = requests.get(f"{base}/docs", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    script = requests.get(f"{base}/docs/assets/swagger-ui-bundle.js", timeout=30)
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    specs = requests.get(f"{base}/docs/specs/support_requests.json", timeout=30)
    assert specs.json()["info"]["title"].startswith("servicedesk")
    missing = requests.get(f"{base}/docs/specs/nothing.json", timeout=30)
    assert missing.status_code == 404 and "There is no spec named nothing.json." in missing.text
    assert requests.get(f"{base}/docs/specs/..%2Fapp.py", timeout=30).status_code == 400


@pytest.mark.skipif(CHROMIUM is None and not REQUIRED, reason="no Chromium on this machine")
def test_every_operation_of_every_spec_appears_on_the_rendered_page(base, tmp_path):
    dom = rendered(f"{base}/docs", tmp_path / "profile")
    operation_ids = {operation.operation_id for operation in spec.operations().values()}
    missing = sorted(o for o in operation_ids if f">{o}<" not in dom)
    assert missing == [], f"not on the page: {missing}"
    assert dom.count('class="opblock-summary-path"') >= len(operation_ids) - 1
