"""The 北极星 (bjx) news family against the offline mirror: seed 000 is served at its real URL on
guangfu.bjx.com.cn; the column is paged until a 404; the article lands placed where its title says."""

from __future__ import annotations

import pytest

from carbonpeak_core.landing import iter_documents
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.site import corpus_text
from scrapers.families.bjx import region_of_title
from scrapers.runner import ScrapeError, scrape_source

HOST = "guangfu.bjx.com.cn"
ARTICLE = "/news/20230525/1308953.shtml"
SEED = "000_c024b4ef5c96c6e7.txt"


def articles_downloaded(mirror: Mirror) -> int:
    return sum(1 for r in mirror.requests(HOST, status=200) if r.path.startswith("/news/"))


def test_the_column_is_paged_until_a_404(mirror: Mirror, mirror_settings: Settings) -> None:
    summary = scrape_source("bjx_guangfu", mirror_settings, "run1")
    assert [(r.path, r.status) for r in mirror.requests(HOST) if r.path.startswith("/zc/")] == [
        ("/zc/", 200), ("/zc/2/", 200), ("/zc/3/", 404)]
    # page 1 holds two list-only entries without a keyword; the article is on page 2
    assert (summary.listed, summary.new, summary.failed) == (1, 1, 0)
    assert articles_downloaded(mirror) == 1


def test_the_article_lands_as_itself_placed_where_its_title_says(mirror: Mirror, mirror_settings: Settings) -> None:
    scrape_source("bjx_guangfu", mirror_settings, "run1")
    (record,) = iter_documents(mirror_settings.landing_dir)
    # the corpus file's first two lines are this page's title and URL; the article is the rest, verbatim
    title_line, url_line, *article = corpus_text(SEED).split("\n")
    assert (record.title, record.url) == (title_line.removeprefix("标题："), url_line.removeprefix("链接："))
    assert record.body_text == "\n".join(article)
    assert (record.document_id, record.family, record.publish_date) == ("bjx_guangfu:1308953", "bjx", "2023-05-25")
    assert record.region_code == "330400"  # 浙江嘉兴：… → 嘉兴市, not the news site's 全国
    assert record.site_name == "北极星太阳能光伏网" and record.issuer == "北极星太阳能光伏网"


def test_a_redesigned_column_page_names_source_url_and_selector(mirror: Mirror, mirror_settings: Settings) -> None:
    mirror.set_page(HOST, "/zc/", b"<html><body><div class='news-list'><ul></ul></div></body></html>")
    with pytest.raises(ScrapeError) as info:
        scrape_source("bjx_guangfu", mirror_settings, "run1")
    message = str(info.value)
    assert "[bjx_guangfu]" in message and mirror.base_urls[HOST] + "/zc/" in message
    assert "div.cc-list-content ul li" in message and "matched 0" in message
    assert articles_downloaded(mirror) == 0


def test_an_article_continued_on_more_pages_is_a_recorded_failure(mirror: Mirror, mirror_settings: Settings) -> None:
    page = mirror.sites[HOST].files[ARTICLE].body.decode("utf-8")
    paged = page.replace("</div></div>\n</div></div></div>",
                         '</div><div class="cc-paging"><a href="1308953-2.shtml">2</a></div></div>\n</div></div></div>')
    assert paged != page
    mirror.set_page(HOST, ARTICLE, paged.encode("utf-8"))
    with pytest.raises(ScrapeError) as info:
        scrape_source("bjx_guangfu", mirror_settings, "run1")
    message = str(info.value)
    assert "https://guangfu.bjx.com.cn" + ARTICLE in message and "split into numbered pages (2 in" in message
    assert info.value.summary is not None and info.value.summary.failed == 1


def test_two_article_bodies_fail_closed(mirror: Mirror, mirror_settings: Settings) -> None:
    page = mirror.sites[HOST].files[ARTICLE].body
    mirror.set_page(HOST, ARTICLE, page.replace(b'<div class="cc-article">',
                                                b'<div class="cc-article"></div><div class="cc-article">'))
    with pytest.raises(ScrapeError, match=r"#article_cont \.cc-article.*matched 2"):
        scrape_source("bjx_guangfu", mirror_settings, "run1")


def test_a_second_run_requests_no_article_again(mirror: Mirror, mirror_settings: Settings) -> None:
    scrape_source("bjx_guangfu", mirror_settings, "run1")
    mirror.clear_log()
    summary = scrape_source("bjx_guangfu", mirror_settings, "run2")
    assert (summary.new, summary.changed, summary.unchanged, summary.landing_file) == (0, 0, 1, None)
    assert [r.path for r in mirror.requests(HOST) if r.path.startswith("/news/")] == []  # the list said enough
    # once the recheck period is over, one conditional GET finds the article unchanged
    scrape_source("bjx_guangfu", mirror_settings.with_(recheck_days=0), "run3")
    assert articles_downloaded(mirror) == 0 and mirror.requests(HOST, status=304)


@pytest.mark.parametrize(
    ("title", "region"),
    [
        ("浙江嘉兴：到2025年光伏装机达到470万千瓦", "330400"),
        ("江苏：到2025年光伏装机达到3500万千瓦", "320000"),
        ("上海徐汇：碳达峰实施方案发布", "310104"),
        ("光伏装机再创新高", None),  # no place line
        ("重磅：国家能源局发布新规", None),  # a label, not a place
    ],
)
def test_region_of_title(title: str, region: str | None) -> None:
    assert region_of_title(title) == region
