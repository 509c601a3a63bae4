"""List pages that state their size in different ways, or not at all: TRS WCM page counts in each form WCM versions
write, a TRS column with none (read until 404), the gov.cn search without `totalCount` (read until nothing new)."""

from __future__ import annotations

import json
import re

import pytest

from carbonpeak_core.paths import DEFAULT_SOURCES
from carbonpeak_core.settings import Settings
from mirror import Mirror
from scrapers.families import govcn
from scrapers.families.trs import parse_list_page
from scrapers.http import PoliteSession
from scrapers.registry import load_sources
from scrapers.runner import scrape_source
from tests.scrapers.loopback import Scripted, loopback_server

HOST = "www.haining.gov.cn"
ITEMS = '<ul class="list"><li><a href="./202304/t20230410_2435122.html">海宁市碳达峰</a></li></ul>'


@pytest.mark.parametrize(("script", "count"), [
    ('createPageHTML(3, 0, "index", "html");', 3),
    ("createPageHTML('page_div',4, 1,'index','html',52);", 4),
    ("var countPage = 5//共多少页", 5),
    ("", None),
])
def test_the_page_count_is_read_in_each_form_and_none_is_assumed(script: str, count: int | None) -> None:
    source = load_sources(DEFAULT_SOURCES)["haining_gov"]
    html = f"<html><body>{ITEMS}<script>{script}</script></body></html>"
    stated, entries = parse_list_page(html, "https://www.haining.gov.cn/hdjl/yjzj/index.html", source)
    assert stated == count and [e.title for e in entries] == ["海宁市碳达峰"]


def test_a_column_that_states_no_count_is_read_to_its_end(mirror: Mirror, mirror_settings: Settings) -> None:
    for path in ("/hdjl/yjzj/index.html", "/hdjl/yjzj/index_1.html"):
        page = mirror.sites[HOST].files[path]
        text = page.body.decode("gb18030")
        stripped = re.sub(r"createPageHTML\([^)]*\);?|var countPage = \d+;", "", text)
        assert stripped != text
        mirror.set_page(HOST, path, stripped.encode("gb18030"), page.content_type)
    summary = scrape_source("haining_gov", mirror_settings, "run1")
    assert summary.new == 1  # the document sits on index_1.html, which no page announced
    lists = [r for r in mirror.requests(HOST) if "/index" in r.path]
    assert [(r.path, r.status) for r in lists] == [("/hdjl/yjzj/index.html", 200), ("/hdjl/yjzj/index_1.html", 200),
                                                   ("/hdjl/yjzj/index_2.html", 404)]


def _search_answer(urls: list[str], total: int | None) -> bytes:
    vo: dict[str, object] = {"catMap": {"gongwen": {"listVO": [
        {"title": f"关于碳达峰的通知{i}", "url": u, "pubtimeStr": "2021.10.24"} for i, u in enumerate(urls)]}}}
    if total is not None:
        vo["totalCount"] = total
    return json.dumps({"searchVO": vo}, ensure_ascii=False).encode("utf-8")


def test_a_search_answer_without_totalcount_is_paged_until_nothing_new() -> None:
    """gov.cn's search without `totalCount`: page 2 is read (it was not before), page 3 repeats page 2 and ends it."""
    source = load_sources(DEFAULT_SOURCES)["govcn_policy_library"]
    path = "/" + str(source.param("search_path")).lstrip("/")
    first = [f"https://www.gov.cn/zhengce/content/2021-10/24/content_56449{i:02d}.htm" for i in range(20)]
    second = ["https://www.gov.cn/zhengce/content/2021-10/26/content_5644984.htm"]
    with loopback_server() as server:
        server.script["/robots.txt"] = [Scripted(404, b"")]
        server.script[path] = [Scripted(200, _search_answer(first, None)), Scripted(200, _search_answer(second, None))]
        with PoliteSession(user_agent="carbonpeak-test", allowed_hosts=["127.0.0.1"], rate_limit=0) as http:
            entries = govcn.discover(lambda m, u, f: http.request(m, u, data=f), source, server.base_url)
    assert [e.url for e in entries] == first + second
    assert server.count(path) == 3
