"""/docs in a real headless browser: Debian's Chromium, driven by Selenium through Debian's
chromedriver, against the real service on the smoke model. The page lists the operations, "Try
it out" gets a real answer, and the browser asks no host but the service (the page works on a
machine without internet: service/docs_page.py).

Chromium and chromedriver are system packages: `make test` installs them (its test-deps)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from rabat.labels import LABELS
from tests.service.conftest import ServerFactory

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# The paths whose operations (every method the schema gives them) the page must list.
LISTED = ("/classify", "/classify/batch", "/v1alpha1/comments:analyze", "/v1/moderations")
TRY_BODY = {"text": "have a nice day"}
API_KEY = "docs-test-" + "k" * 30  # keys are at least 16 characters
TIMEOUT_S = 90  # a cold browser rendering 1.5 MB of JS on a busy 2-core machine
# What a page may load besides the service's own URLs: inline data and in-page objects.
LOCAL_SCHEMES = ("data:", "blob:")

T = TypeVar("T")
# what a wait retries on: an element not drawn yet, or drawn again since it was found
REDRAWN = (NoSuchElementException, StaleElementReferenceException)


class DocsPage:
    """The browser on the service's /docs, and every URL it has requested so far."""

    def __init__(self, driver: webdriver.Chrome, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url
        self.requested: list[str] = []

    def requests(self) -> list[str]:
        """Every URL the page asked for: the performance log's Network.requestWillBeSent
        events (each read of the log drains it, so they are kept here)."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])
        return self.requested

    def foreign(self) -> list[str]:
        """The requested URLs that are neither the service's nor local to the page."""
        own = (self.base_url + "/", *LOCAL_SCHEMES)
        return [url for url in self.requests() if not url.startswith(own)]

    def wait(self, condition: Callable[[webdriver.Chrome], T | None], what: str) -> T:
        """`condition`'s first truthy value within TIMEOUT_S; on a timeout, a failure that
        names `what` and any request to another host (a CDN's asset that did not load)."""
        waiting = WebDriverWait(self.driver, TIMEOUT_S, ignored_exceptions=REDRAWN)
        try:
            value = waiting.until(condition)
        except TimeoutException:
            value = None  # failed below, outside the handler: the timeout's stack says nothing
        if value is not None:
            return value
        pytest.fail(
            f"no {what} within {TIMEOUT_S} s; requests to other hosts: {self.foreign()}",
            pytrace=False,
        )

    def operation(self, method: str, path: str) -> WebElement:
        """The operation block of `method path` (Swagger UI keeps the raw path in data-path)."""
        xpath = (
            f"//div[contains(concat(' ', @class, ' '), ' opblock-{method.lower()} ')]"
            f"[.//*[contains(@class, 'opblock-summary-path') and @data-path='{path}']]"
        )
        return self.wait(
            lambda d: d.find_element(By.XPATH, xpath), f"operation {method} {path} shown"
        )


def browser_options() -> webdriver.ChromeOptions:
    """Headless Chromium with its own background traffic off and the performance log on."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-proxy-server",
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return options


@pytest.fixture(scope="module")
def docs(base_url: str) -> Iterator[DocsPage]:
    """The service's /docs open in a headless Chromium (the driver given explicitly, so that
    Selenium Manager never looks for, or downloads, a browser)."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found: `make test` installs Chromium and "
            "chromedriver (its test-deps target, as root: apt-get install chromium "
            "chromium-driver)",
            pytrace=False,
        )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=browser_options())
    try:
        page = DocsPage(driver, base_url)
        driver.get(f"{base_url}/docs")
        yield page
    finally:
        driver.quit()


def shown_operations(driver: webdriver.Chrome) -> set[tuple[str, str]]:
    """(method, path) of every operation block on the page."""
    shown = set()
    for block in driver.find_elements(By.CSS_SELECTOR, ".opblock"):
        method = block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text
        path = block.find_element(By.CSS_SELECTOR, ".opblock-summary-path")
        shown.add((method.strip().upper(), path.get_attribute("data-path") or ""))
    return shown


def test_the_page_lists_the_operations(docs: DocsPage, client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(LISTED) <= set(paths), f"not in the schema: {set(LISTED) - set(paths)}"
    expected = {(method.upper(), path) for path in LISTED for method in paths[path]}
    assert ("POST", "/classify") in expected and ("POST", "/classify/batch") in expected
    docs.wait(lambda d: expected <= shown_operations(d), f"operations {sorted(expected)} listed")


def test_try_it_out_classifies_a_text(docs: DocsPage) -> None:
    block = docs.operation("POST", "/classify")
    if "is-open" not in (block.get_attribute("class") or ""):
        block.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    docs.wait(
        lambda _: block.find_element(By.CSS_SELECTOR, ".try-out__btn"), "Try it out button"
    ).click()
    body = docs.wait(
        lambda _: block.find_element(By.CSS_SELECTOR, "textarea.body-param__text"),
        "request body editor",
    )
    body.send_keys(Keys.CONTROL, "a")
    body.send_keys(Keys.DELETE)
    body.send_keys(json.dumps(TRY_BODY))
    block.find_element(By.CSS_SELECTOR, "button.execute").click()
    status, text = docs.wait(lambda _: live_response(block), "live response")
    assert status == "200", text
    answer = json.loads(text)
    assert answer["label"] in LABELS, answer


def live_response(block: WebElement) -> tuple[str, str] | None:
    """(status, body) of the live response under the operation, None until it is shown."""
    rows = block.find_elements(By.CSS_SELECTOR, ".live-responses-table .response")
    bodies = block.find_elements(
        By.CSS_SELECTOR, ".live-responses-table .response-col_description pre"
    )
    if not rows or not bodies or not bodies[0].text.strip():
        return None
    status = rows[0].find_element(By.CSS_SELECTOR, ".response-col_status").text.strip()
    return status, bodies[0].text


def test_the_browser_asks_no_other_host(docs: DocsPage) -> None:
    """Every request the page made, here and in the tests above (it runs after them): the
    service's own URLs only, the assets among them."""
    docs.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock"), "operation rendered")
    requested = docs.requests()
    assert f"{docs.base_url}/docs/assets/swagger-ui-bundle.js" in requested, requested
    assert f"{docs.base_url}/openapi.json" in requested, requested
    assert docs.foreign() == []


def test_the_docs_need_no_key_and_link_only_the_service(make_server: ServerFactory) -> None:
    """With API keys on, the page, its assets, the schema and the OAuth2 redirect page still
    answer without one; the page links only the service's own assets. ReDoc is off."""
    with (
        make_server(api_keys=[API_KEY]) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        assert http.get("/model").status_code == 401  # the keys are on
        page = http.get("/docs")
        assert page.status_code == 200
        assert "http://" not in page.text and "https://" not in page.text, page.text
        linked = re.findall(r'(?:href|src)="([^"]+)"', page.text)
        assert len(linked) == 3 and all(link.startswith("/docs/assets/") for link in linked)
        for path in (*linked, "/openapi.json", "/docs/oauth2-redirect"):
            assert http.get(path).status_code == 200, path
        assert http.get("/redoc").status_code == 404
