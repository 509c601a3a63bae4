"""The report in a real browser: headless Chromium (Debian's chromium + chromium-driver, driven by selenium) opens
the index, a province page and an indicator page from file:// with the network closed, logs no console error
and no failed request, and lays out the inline SVG charts with a non-zero size."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import headless_chromium
from tests.report.conftest import PublishedReport

pytestmark = pytest.mark.xdist_group("report")

@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile")) as chrome:
        yield chrome


def _open(browser: object, page: Path) -> tuple[list[dict[str, object]], list[str], list[tuple[float, float]]]:
    """Load a page; its console errors, failed requests and the laid-out size of each SVG."""
    browser.get_log("browser")  # type: ignore[attr-defined]
    browser.get_log("performance")  # type: ignore[attr-defined]
    browser.get(page.as_uri())  # type: ignore[attr-defined]
    sizes = browser.execute_script(  # type: ignore[attr-defined]
        "return [...document.querySelectorAll('svg')].map(s => {const r = s.getBoundingClientRect();"
        " return [r.width, r.height];});")
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]  # type: ignore[attr-defined]
    failed = []
    # Only the page's own requests: under load, a navigation Chromium itself started before the page (and that
    # fails with no network) can end while the page loads.
    own = set()
    for entry in browser.get_log("performance"):  # type: ignore[attr-defined]
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent" and message["params"].get("documentURL") == page.as_uri():
            own.add(message["params"]["requestId"])
        if message["method"] == "Network.loadingFailed" and message["params"]["requestId"] in own:
            failed.append(json.dumps(message["params"]))
        if message["method"] == "Network.responseReceived" and message["params"]["response"].get("status", 200) >= 400:
            failed.append(json.dumps(message["params"]["response"]["url"]))
    return errors, failed, [tuple(s) for s in sizes]


@pytest.mark.parametrize("page", ["index.html", "regions/350000.html", "indicators/solar_capacity.html",
                                  "regions/100000.html"])
def test_pages_render_offline_without_errors(browser: object, published_report: PublishedReport, page: str) -> None:
    path = published_report.site / page
    assert path.is_file(), path
    errors, failed, sizes = _open(browser, path)
    assert errors == [], errors
    assert failed == [], failed
    assert sizes, f"no chart on {page}"
    assert all(w > 0 and h > 0 for w, h in sizes), sizes
    title = browser.title  # type: ignore[attr-defined]
    assert "carbonpeak" in title
