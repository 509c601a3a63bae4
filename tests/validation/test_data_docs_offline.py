"""The Data Docs of the session's shared city runs (`city_runs`): every page loads its scripts, stylesheets, fonts
and images from the site itself (GX's templates name six CDN hosts and S3), names the data asset it validated and
files each validation under the pipeline's run id; in Debian's Chromium with the network switched off, the pages
run their scripts (jQuery, bootstrap-table), get their icon font and request nothing that fails."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from expectations.data_docs import external_resources
from expectations.registry import SUITES
from tests.browser import headless_chromium
from tests.conftest import CityRuns

pytestmark = pytest.mark.xdist_group("city_runs")


def _site(city_runs: CityRuns) -> Path:
    return city_runs.settings.gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site"


def test_no_page_loads_anything_from_the_internet(city_runs: CityRuns) -> None:
    site = _site(city_runs)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 1 + 2 * len(SUITES)  # the index, a page per suite, a page per suite and run
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert external_resources(html) == [], f"{page.relative_to(site)} loads from the internet"
        assert "integrity=" not in html and "crossorigin=" not in html
        # every relative script, stylesheet and image it names is in the site
        for link in re.findall(r"<(?:script|link|img)\b[^>]*?\b(?:src|href)=\"([^\"#?]+)", html):
            assert (page.parent / link).is_file(), f"{page.relative_to(site)} names {link}, which is not there"
    assert (site / "static" / "vendor" / "jquery" / "jquery.min.js").stat().st_size > 80_000


def test_validation_pages_name_the_asset_and_the_run(city_runs: CityRuns) -> None:
    site = _site(city_runs)
    # the runs that validated: the second night found nothing new, so it neither built nor validated
    runs = {run.run_id for run in (city_runs.first, city_runs.second) if "validate" in run.stages}
    assert city_runs.first.run_id in runs and city_runs.second.no_change
    for model in SUITES:
        folders = {p.name for p in (site / "validations" / model).iterdir()}
        assert folders == runs, f"{model}: validations filed under {folders}, not the pipeline's run ids {runs}"
        for page in (site / "validations" / model).glob("*/*/*.html"):
            html = page.read_text(encoding="utf-8")
            assert f"Data asset: {model}<" in html, f"{page.relative_to(site)} does not name its data asset"
            assert "Data asset: None" not in html and "__none__" not in html
            assert re.search(r"Run Name</div></td><td[^>]*><div[^>]*>" + re.escape(page.parts[-3]), html)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(run in index for run in runs)


# --- in a real browser, offline -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def offline_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with headless_chromium(tmp_path_factory.mktemp("chromium-profile"), offline=True) as chrome:
        yield chrome


STATE = """const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => {
  const icon = document.querySelector('.fas');
  const navbar = document.querySelector('.navbar');
  done({
    jquery: typeof window.jQuery === 'function',
    bootstrapTable: !!(window.jQuery && window.jQuery.fn.bootstrapTable),
    tooltip: !!(window.jQuery && window.jQuery.fn.tooltip),  // bootstrap.js, on Popper
    iconFont: document.fonts.check('900 16px "Font Awesome 6 Free"'),
    iconWidth: icon ? icon.getBoundingClientRect().width : 0,
    navbar: navbar ? getComputedStyle(navbar).display : null,  // bootstrap.css: .navbar is a flex box
  });
});"""


def test_pages_are_styled_and_scripted_with_the_network_off(city_runs: CityRuns, offline_browser: object) -> None:
    site = _site(city_runs)
    pages = [site / "index.html", site / "expectations" / "fct_targets.html",
             next((site / "validations" / "fct_targets").glob("*/*/*.html"))]
    for page in pages:
        offline_browser.get_log("browser")  # type: ignore[attr-defined]
        offline_browser.get_log("performance")  # type: ignore[attr-defined]
        offline_browser.get(page.as_uri())  # type: ignore[attr-defined]
        state = offline_browser.execute_async_script(STATE)  # type: ignore[attr-defined]
        scripted = {k: v for k, v in state.items() if k not in ("iconFont", "iconWidth")}
        assert scripted == {"jquery": True, "bootstrapTable": True, "tooltip": True, "navbar": "flex"}, (page, state)
        if page.parent.name != "expectations":  # the index and validation pages show ✓/✗ icons (a font loads when used)
            assert state["iconFont"] and state["iconWidth"] > 0, (page.name, state)
        errors = [e for e in offline_browser.get_log("browser")  # type: ignore[attr-defined]
                  if e["level"] in ("SEVERE", "ERROR")]
        failed, own = [], set()  # the page's own requests (not a navigation Chromium started before it)
        for entry in offline_browser.get_log("performance"):  # type: ignore[attr-defined]
            message = json.loads(entry["message"])["message"]
            params = message["params"]
            if message["method"] == "Network.requestWillBeSent" and params.get("documentURL") == page.as_uri():
                own.add(params["requestId"])
            if message["method"] == "Network.loadingFailed" and params["requestId"] in own:
                failed.append(params)
        assert errors == [] and failed == [], (page.name, errors, failed)
