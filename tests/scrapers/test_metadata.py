"""Metadata a page shows beyond title and date is kept: the `Url` meta tag (stored as canonical_url, never
followed), 成文日期 (written_date), every issuer of a joint document, 发文字号 and 有效性; from the page to the
landing record and, in the shared city build, to dim_documents; and the run log's per list page counts."""

from __future__ import annotations

import json

import duckdb
import pytest

from carbonpeak_core.landing import iter_documents
from carbonpeak_core.paths import DEFAULT_SOURCES
from carbonpeak_core.settings import Settings
from mirror import Mirror
from scrapers.families.common import parse_detail_common, split_issuers
from scrapers.registry import load_sources
from scrapers.runner import scrape_source
from tests.conftest import CityRuns

JIAXING = "fgw.jiaxing.gov.cn"
ARTICLE = "/art/2023/5/5/art_1229496556_59023456.html"
OPINIONS = "https://www.gov.cn/zhengce/2021-10/24/content_5644613.htm"  # 中发〔2021〕36号, as the compilation gives it


def test_a_joint_document_keeps_every_issuer_its_number_and_written_date(mirror_settings: Settings) -> None:
    scrape_source("govcn_policy_library", mirror_settings, "run1")
    docs = {d.url: d for d in iter_documents(mirror_settings.landing_dir)}
    doc = docs[OPINIONS]
    assert doc.issuers == ("中共中央", "国务院")
    assert (doc.doc_number, doc.written_date, doc.publish_date) == ("中发〔2021〕36号", "2021-09-22", "2021-10-24")


def test_the_url_meta_tag_is_stored_and_never_followed(mirror: Mirror, mirror_settings: Settings) -> None:
    """嘉兴's notice republished with the `Url` of the national page it came from (as a reposting site writes it)."""
    page = mirror.sites[JIAXING].files[ARTICLE]
    live = f"https://{JIAXING}{ARTICLE}"
    assert f'name="Url" content="{live}"'.encode() in page.body
    mirror.set_page(JIAXING, ARTICLE, page.body.replace(live.encode(), OPINIONS.encode()), page.content_type)
    scrape_source("jiaxing_fgw", mirror_settings, "run1")
    docs = {d.url: d for d in iter_documents(mirror_settings.landing_dir)}
    assert docs[live].canonical_url == OPINIONS  # the page's URL stays the one scraped
    assert docs["https://fgw.jiaxing.gov.cn/art/2024/7/16/art_1229496556_59412345.html"].canonical_url.endswith(
        "art_1229496556_59412345.html")
    assert not mirror.requests("www.gov.cn")
    assert docs[live].written_date == "2023-05-05" and docs[live].issuers == ("嘉兴市碳达峰碳中和工作领导小组办公室",)


def test_validity_and_a_relative_url_meta() -> None:
    source = load_sources(DEFAULT_SOURCES)["jiaxing_fgw"]
    html = ('<html><head><meta name="Url" content="/art/x.html"></head><body><table>'
            "<tr><th>发文机关：</th><td>国家发展改革委、国家能源局</td><th>有效性：</th><td>有效</td></tr></table>"
            '<div id="zoom"><p>正文</p></div></body></html>')
    parsed = parse_detail_common(html, "https://fgw.jiaxing.gov.cn/art/x.html", source, "#zoom")
    assert (parsed.validity, parsed.canonical_url) == ("有效", None)
    assert parsed.issuers == ("国家发展改革委", "国家能源局")
    assert split_issuers(None) == () and split_issuers("中共中央　国务院") == ("中共中央", "国务院")


@pytest.mark.xdist_group("city_runs")
def test_the_metadata_and_list_counts_reach_the_warehouse(city_runs: CityRuns) -> None:
    with duckdb.connect(str(city_runs.settings.warehouse_path), read_only=True) as con:
        rows = con.execute("select url, canonical_url, written_date::varchar, issuers from dim_documents "
                           "where source_key = 'jiaxing_fgw' order by written_date").fetchall()
        runs = con.execute("select source_key, documents_listed_total, documents_listed, list_pages "
                           "from fct_source_runs where run_id = ? order by source_key",
                           [city_runs.first.run_id]).fetchall()
    assert [(r[2], r[3]) for r in rows] == [("2023-05-05", ["嘉兴市碳达峰碳中和工作领导小组办公室"]),
                                            ("2024-07-16", ["嘉兴市发展和改革委员会"])]
    assert all(url == canonical for url, canonical, _, _ in rows)
    by_source = {r[0]: r for r in runs}
    # 海宁's list pages show three entries, two of them out of the keyword filter's scope: counted, not dropped
    assert by_source["haining_gov"][1:3] == (3, 1)
    assert by_source["jiaxing_fgw"][1:3] == (2, 2)
    pages = json.loads(by_source["haining_gov"][3])
    assert [(p["url"].rsplit("/", 1)[1], p["listed_total"], p["matched"]) for p in pages] == [
        ("index.html", 2, 0), ("index_1.html", 1, 1)]
