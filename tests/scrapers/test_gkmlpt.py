"""The Guangdong gkmlpt family against the offline mirror: www.gd.gov.cn pages its list API, the 湛江 site
answers everything on page 1 and 404 after; posts parse meta tags first, then the div.classify table,
then window._CONFIG.DETAIL; drift fails the run naming source, URL and selector."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from carbonpeak_core.landing import iter_documents
from carbonpeak_core.paths import REPO_ROOT
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.site import CORPUS_DIR
from scrapers.compilation_splitter import split_compilation
from scrapers.families import gkmlpt
from scrapers.registry import RegistryError, load_sources
from scrapers.runner import ScrapeError, scrape_source

SOURCES = REPO_ROOT / "scrapers" / "sources.toml"
GD = "www.gd.gov.cn"
ZJ = "www.zhanjiang.gov.cn"
API = "/gkmlpt/api/all/5"
POSTS = {  # live URL -> (compilation index, title, issuer, region)
    "https://www.gd.gov.cn/gkmlpt/content/3/3980/post_3980099.html": (
        21, "中共广东省委广东省人民政府关于完整准确全面贯彻新发展理念推进碳达峰碳中和工作的实施意见",
        "中共广东省委 广东省人民政府", "440000"),
    "https://www.gd.gov.cn/gkmlpt/content/3/3972/post_3972447.html": (
        22, "广东省发展绿色金融支持碳达峰行动的实施方案", "广东省人民政府办公厅", "440000"),
    "https://www.zhanjiang.gov.cn/jrj/gkmlpt/content/1/1659/post_1659863.html": (
        106, "湛江市发展绿色金融支持碳达峰行动实施方案(征求意见稿)", None, "440800"),
}


def posts_downloaded(mirror: Mirror, host: str) -> int:
    return sum(1 for r in mirror.requests(host, status=200) if "/gkmlpt/content/" in r.path)


def test_the_list_api_is_paged_until_a_page_adds_nothing(mirror: Mirror, mirror_settings: Settings) -> None:
    summary = scrape_source("gd_gkmlpt", mirror_settings, "run1")
    assert (summary.listed, summary.new, summary.failed) == (2, 2, 0)
    paths = [r.path for r in mirror.requests(GD) if r.path != "/robots.txt"]
    # the index (SID), then page 1 and page 2 of one post each (the mirror pages by 1), then an empty page 3
    assert paths[:4] == ["/gkmlpt/index", API, API, API]
    assert [r.status for r in mirror.requests(GD) if r.path == API] == [200, 200, 200]
    assert posts_downloaded(mirror, GD) == 2


def test_a_site_answering_everything_on_page_1_and_404_after(mirror: Mirror, mirror_settings: Settings) -> None:
    summary = scrape_source("zhanjiang_jrj", mirror_settings, "run1")
    assert (summary.listed, summary.new, summary.failed) == (1, 1, 0)
    assert [r.status for r in mirror.requests(ZJ) if r.path == "/jrj/gkmlpt/api/all/1027"] == [200, 404]


def test_posts_land_with_metadata_and_the_exact_compiled_text(mirror: Mirror, mirror_settings: Settings) -> None:
    scrape_source("gd_gkmlpt", mirror_settings, "run1")
    scrape_source("zhanjiang_jrj", mirror_settings, "run1")
    compiled = {d.index: d for d in split_compilation((CORPUS_DIR / "003_a895838ed2e4cd84.txt").read_text("utf-8"))}
    records = {r.url: r for r in iter_documents(mirror_settings.landing_dir)}
    assert set(records) == set(POSTS)
    for url, (index, title, issuer, region) in POSTS.items():
        record = records[url]
        assert (record.title, record.issuer, record.region_code) == (title, issuer, region)
        assert record.family == "gkmlpt" and record.document_id.endswith(":" + url.rsplit("_", 1)[1][:-5])
        assert record.body_text == compiled[index].text  # the compilation's exact slice, line for line
        # the same text as the compilation's record of it: one document, two sources
        assert record.version_hash == hashlib.sha256(compiled[index].text.encode()).hexdigest()
        assert record.publish_date is None  # no date is stated in the text; the mirror invents none


def test_post_metadata_comes_from_meta_tags_then_the_table_then_detail(mirror: Mirror) -> None:
    sources = load_sources(SOURCES)
    source = sources["gd_gkmlpt"]
    path = "/gkmlpt/content/3/3972/post_3972447.html"
    url = "https://www.gd.gov.cn" + path
    page = mirror.sites[GD].files[path].body.decode("utf-8")

    served = gkmlpt.parse_detail(page, url, source)
    assert (served.title, served.issuer) == ("广东省发展绿色金融支持碳达峰行动的实施方案", "广东省人民政府办公厅")
    assert served.doc_number is None  # the 文号 span is empty: empty, not the next cell's 发布日期
    # meta tags win over the table
    meta_first = page.replace('name="ContentSource" content="广东省人民政府办公厅"',
                              'name="ContentSource" content="元数据"')
    assert gkmlpt.parse_detail(meta_first, url, source).issuer == "元数据"
    # without meta tags: the div.classify table (label and value in one cell)
    no_meta = page.replace('name="ContentSource"', 'name="x-cs"').replace('name="ArticleTitle"', 'name="x-at"')
    table = no_meta.replace("<span>广东省人民政府办公厅</span>", "<span>表格机构</span>").replace(
        "<label>文号：</label><span></span>", "<label>文号：</label><span>粤办函〔0000〕0号</span>")
    parsed = gkmlpt.parse_detail(table, url, source)
    assert (parsed.issuer, parsed.doc_number) == ("表格机构", "粤办函〔0000〕0号")
    assert parsed.title == "广东省发展绿色金融支持碳达峰行动的实施方案"  # the 名称 row
    # without either: window._CONFIG.DETAIL (JSON, `<` written \\u003C as the platform does)
    detail = no_meta.replace("<span>广东省人民政府办公厅</span>", "<span></span>").replace(
        '"publisher": "广东省人民政府办公厅"', '"publisher": "DETAIL机构"')
    assert gkmlpt.parse_detail(detail, url, source).issuer == "DETAIL机构"



def test_site_id_code_places_the_post_before_the_source_region(mirror: Mirror, mirror_settings: Settings) -> None:
    path = "/gkmlpt/content/3/3972/post_3972447.html"
    page = mirror.sites[GD].files[path].body
    mirror.set_page(GD, path, page.replace(b'name="SiteIDCode" content="4400000001"',
                                           b'name="SiteIDCode" content="4401000009"'))
    scrape_source("gd_gkmlpt", mirror_settings, "run1")
    regions = {r.url.rsplit("/", 1)[1]: r.region_code for r in iter_documents(mirror_settings.landing_dir)}
    assert regions == {"post_3972447.html": "440100", "post_3980099.html": "440000"}


def test_a_redesigned_post_page_names_source_url_and_selector(mirror: Mirror, mirror_settings: Settings) -> None:
    path = "/gkmlpt/content/3/3972/post_3972447.html"
    mirror.set_page(GD, path, "<html><body><div class='zw'>新版</div></body></html>".encode())
    with pytest.raises(ScrapeError) as info:
        scrape_source("gd_gkmlpt", mirror_settings, "run1")
    message = str(info.value)
    assert "[gd_gkmlpt]" in message and "https://www.gd.gov.cn" + path in message
    assert "div.article-content" in message and "matched 0" in message
    assert info.value.summary is not None and (info.value.summary.new, info.value.summary.failed) == (1, 1)


def test_an_index_page_without_sid_fails_before_any_list_request(mirror: Mirror, mirror_settings: Settings) -> None:
    mirror.set_page(GD, "/gkmlpt/index", b"<html><body><div id='app'></div></body></html>")
    with pytest.raises(ScrapeError, match=r"\[gd_gkmlpt\] .*/gkmlpt/index.*window\._CONFIG SID.*matched 0"):
        scrape_source("gd_gkmlpt", mirror_settings, "run1")
    assert [r.path for r in mirror.requests(GD)] == ["/robots.txt", "/gkmlpt/index"]


def test_a_reprovisioned_site_or_a_vanished_category_fails_the_run(mirror: Mirror, mirror_settings: Settings) -> None:
    index = mirror.sites[GD].files["/gkmlpt/index"].body
    mirror.set_page(GD, "/gkmlpt/index", index.replace(b"SID: '2'", b"SID: '7'"))
    with pytest.raises(ScrapeError, match="re-provisioned"):
        scrape_source("gd_gkmlpt", mirror_settings, "run1")
    mirror.reset()
    sources = load_sources(mirror_settings.sources_file)
    moved = replace(sources["gd_gkmlpt"], params=MappingProxyType({**sources["gd_gkmlpt"].params, "categories": [6]}))
    with pytest.raises(ScrapeError, match=r"window\._CONFIG\.TREE id 6"):
        scrape_source("gd_gkmlpt", mirror_settings, "run1", sources={**sources, "gd_gkmlpt": moved})


def test_a_second_run_downloads_no_post_again(mirror: Mirror, mirror_settings: Settings) -> None:
    for key in ("gd_gkmlpt", "zhanjiang_jrj"):
        scrape_source(key, mirror_settings, "run1")
    mirror.clear_log()
    for key, host in (("gd_gkmlpt", GD), ("zhanjiang_jrj", ZJ)):
        summary = scrape_source(key, mirror_settings, "run2")
        assert (summary.new, summary.changed, summary.unchanged) == (0, 0, summary.listed)
        assert [r.path for r in mirror.requests(host) if "/gkmlpt/content/" in r.path] == []
        assert summary.landing_file is None
        # after the recheck period, one conditional GET per post finds it unchanged
        scrape_source(key, mirror_settings.with_(recheck_days=0), "run3")
        assert posts_downloaded(mirror, host) == 0
        assert [r for r in mirror.requests(host, status=304) if "/gkmlpt/content/" in r.path]


def test_categories_must_be_catids(tmp_path: Path) -> None:
    text = SOURCES.read_text(encoding="utf-8").replace("categories = [5]", 'categories = ["5"]')
    bad = tmp_path / "sources.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=r"\[gd_gkmlpt\] params.categories must be a non-empty list of int"):
        load_sources(bad)
