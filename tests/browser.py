"""A real browser for the tests that need one: Debian's Chromium (``/usr/bin/chromium``)
driven through its chromedriver by selenium, headless, with the flags that keep it from
reaching anything beyond this machine. Screenshots go to ``build/screenshots/``, for a
reviewer to look at."""
import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
#: CI sets it: there a missing browser is a failure, not a reason to skip.
REQUIRED = os.environ.get("SERVICEDESK_REQUIRE_BROWSER") == "1"
needs_browser = pytest.mark.skipif(
    (CHROMIUM is None or CHROMEDRIVER is None) and not REQUIRED,
    reason="no Chromium and chromedriver on this machine (apt: chromium chromium-driver)")


def chromium(profile: pathlib.Path, width: int = 1280, height: int = 900):
    """A headless Chromium (selenium's webdriver), its profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def screenshot(driver, name: str) -> pathlib.Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def accessibility_violations(driver, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the page as it stands, of the given impacts."""
    from axe_selenium_python import Axe
    axe = Axe(driver)
    axe.inject()
    found = axe.run()
    return [v for v in found["violations"] if v.get("impact") in impacts]
