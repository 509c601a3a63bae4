"""The report site's content, from a warehouse the pipeline published over the offline mirror: every region and
indicator with targets has its page linked from the index, a province page shows its targets with quotes and
English names, nothing is loaded from another host, and quotes are escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from carbonpeak.report import build_report
from tests.report.conftest import PublishedReport

pytestmark = pytest.mark.xdist_group("report")


class _Links(HTMLParser):
    """Every URL a page loads or links to: (tag, attribute, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.urls.append((tag, name, value))


def _urls(page: Path) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def _query(published_report: PublishedReport, sql: str) -> set[str]:
    with duckdb.connect(str(published_report.settings.warehouse_path), read_only=True) as con:
        return {row[0] for row in con.execute(sql).fetchall()}


def test_the_index_links_a_page_for_every_region_and_indicator_with_targets(published_report: PublishedReport
                                                                            ) -> None:
    site = published_report.site
    print(f"report build: {published_report.stats['seconds']} s, {published_report.stats['pages']} pages")
    links = {value for _, name, value in _urls(site / "index.html") if name == "href"}
    regions = _query(published_report, "select distinct region_code from fct_targets "
                                       "where is_current and region_code is not null")
    indicators = _query(published_report, "select distinct indicator_code from fct_targets where is_current")
    assert regions and "350000" in regions and "100000" in regions
    assert {f"regions/{c}.html" for c in regions} <= links
    assert {f"indicators/{c}.html" for c in indicators} <= links
    assert {p.stem for p in (site / "regions").glob("*.html")} == regions
    assert {p.stem for p in (site / "indicators").glob("*.html")} == indicators
    # Every relative link of every page leads to a page that exists.
    for page in site.rglob("*.html"):
        for _, _, value in _urls(page):
            if not re.match(r"^[a-z]+:", value):
                assert (page.parent / value).resolve().is_file(), (page, value)


def test_a_province_page_shows_its_targets_quotes_and_english_names(published_report: PublishedReport) -> None:
    page = (published_report.site / "regions" / "350000.html").read_text(encoding="utf-8")
    assert "福建省" in page and "Fujian Province" in page
    with duckdb.connect(str(published_report.settings.warehouse_path), read_only=True) as con:
        targets = con.execute("select quote, source_url, indicator_name_en, region_name_en from fct_targets "
                              "where is_current and region_code = '350000'").fetchall()
    assert targets
    import html

    for quote, url, indicator_en, region_en in targets:
        assert html.escape(quote, quote=True) in page
        assert html.escape(url, quote=True) in page
        assert html.escape(indicator_en, quote=True) in page
        assert region_en == "Fujian Province"
    for zh, en in (("目标年份", "Target year"), ("原文", "Quote"), ("单位", "Unit")):  # headers in both languages
        assert zh in page and en in page
    assert "<svg" in page  # the tile maps on the index, the charts here: inline SVG


def test_the_national_page_charts_progress_against_official_figures(published_report: PublishedReport) -> None:
    page = (published_report.site / "regions" / "100000.html").read_text(encoding="utf-8")
    assert "Progress against official figures" in page
    assert page.count("<svg") >= 1 and "官方数据 official figure" in page


def test_nothing_is_loaded_from_another_host(published_report: PublishedReport) -> None:
    pages = list(published_report.site.rglob("*.html"))
    assert len(pages) == published_report.stats["pages"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text and "@import" not in text and "url(" not in text
        for tag, name, value in _urls(page):
            if tag in ("script", "link", "img", "iframe", "source", "image", "use") or name == "src":
                assert not value.startswith(("http:", "https:", "//")), (page, tag, value)
            if value.startswith(("http:", "https:")):  # only links to source documents, opened by the reader
                assert tag == "a", (page, tag, value)


def test_text_from_documents_is_escaped(published_report: PublishedReport, tmp_path: Path) -> None:
    # A quote with markup in it (as a scraped page might carry) is shown as text, never as markup.
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_bytes(published_report.settings.warehouse_path.read_bytes())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("""update fct_targets set quote = '<script>alert("x")</script>到2025年' || quote,
                       document_title = '"><img src=x onerror=alert(1)>' where region_code = '350000'""")
    build_report(warehouse, tmp_path / "site")
    page = (tmp_path / "site" / "regions" / "350000.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;到2025年" in page
