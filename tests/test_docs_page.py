"""/docs shows every spec, one at a time chosen in Swagger UI's top bar, in a real browser."""
import threading

import pytest
import requests

import app as app_module
from chalicelib.core import spec
from local.run import local_server
from local.stack import free_port

from .browser import chromium, needs_browser, screenshot


@pytest.fixture(scope="module")
def base():
    """The app on chalice's local server, which names itself as make run does."""
    import os

    from chalicelib.core.config import settings
    port = free_port()
    found = f"http://127.0.0.1:{port}"
    os.environ["SERVICEDESK_PUBLIC_BASE_URL"] = found
    settings.reload()
    server = local_server(app_module.app, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield found
    server.server.shutdown()
    del os.environ["SERVICEDESK_PUBLIC_BASE_URL"]
    settings.reload()


def test_the_docs_page_is_public_and_carries_its_renderer_and_the_specs(base):
    for path in ("/docs", "/docs/"):
        page = requests.get(f"{base}{path}", timeout=30)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        assert "<script>" not in page.text  # no inline script: its policy allows none
        assert "script-src" not in page.headers["Content-Security-Policy"]  # default 'self'
        assert f'src="{base}/docs/assets/docs.js"' in page.text  # absolute: any path works
    for asset, marker in (("swagger-ui-bundle.js", "SwaggerUIBundle"),
                          ("swagger-ui-standalone-preset.js", "SwaggerUIStandalonePreset"),
                          ("docs.js", "urls.primaryName")):
        answer = requests.get(f"{base}/docs/assets/{asset}", timeout=30)
        assert answer.status_code == 200 and marker in answer.text
    specs = requests.get(f"{base}/docs/specs/support_requests.json", timeout=30)
    assert specs.json()["info"]["title"].startswith("servicedesk")
    missing = requests.get(f"{base}/docs/specs/nothing.json", timeout=30)
    assert missing.status_code == 404 and "There is no spec named nothing.json." in missing.text
    assert requests.get(f"{base}/docs/specs/..%2Fapp.py", timeout=30).status_code == 400


def test_no_spec_speaks_of_what_a_user_cannot_see():
    from chalicelib.docs.routes import SPECS
    for path in SPECS.glob("*.json"):
        text = path.read_text().lower()
        for word in ("seed", "shared design", "design card", "beyond the seed"):
            assert word not in text, (path.name, word)


def _operation_ids(driver) -> set[str]:
    from selenium.webdriver.common.by import By
    return {element.text for element in driver.find_elements(
        By.CSS_SELECTOR, ".opblock-summary-operation-id")}


@needs_browser
def test_each_spec_is_chosen_in_the_top_bar_and_shows_every_operation(base, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    by_spec: dict[str, set[str]] = {}
    for operation in spec.operations().values():
        by_spec.setdefault(operation.document["info"]["title"], set()).add(
            operation.operation_id)
    driver = chromium(tmp_path / "profile")
    try:
        driver.get(f"{base}/docs/")  # with the slash too
        chooser = WebDriverWait(driver, 30).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".topbar select"))
        names = [option.text for option in Select(chooser).options]
        assert len(names) == len(by_spec) and names[0] == "LEAP Support Requests web service"
        for title, operations in by_spec.items():
            Select(driver.find_element(By.CSS_SELECTOR, ".topbar select")).select_by_visible_text(
                title.removeprefix("servicedesk - "))
            WebDriverWait(driver, 30).until(
                lambda d, wanted=operations: wanted <= _operation_ids(d))
            assert _operation_ids(driver) == operations, title
        screenshot(driver, "docs")
        driver.get(f"{base}/docs?spec=cases.json")
        WebDriverWait(driver, 30).until(lambda d: "create_ticket" in _operation_ids(d))
    finally:
        driver.quit()
