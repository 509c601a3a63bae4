"""北极星 (bjx.com.cn) energy-trade news sites: guangfu.bjx.com.cn (光伏), fd. (风电), chuneng. (储能),
news.bjx.com.cn … Their articles repost government documents; the record says it is news (dim_documents
document_type 'news', with the title of the document it quotes), and is placed where the article is about.

What the site looks like (DIYgod/RSSHub lib/routes/bjx/types.ts, fd.ts and huanbao.ts; a bjx headline-bar
test fixture recorded from news.bjx.com.cn/html/20260915/1512829.shtml; public crawlers paging
guangfu.bjx.com.cn/zc/{n} and news.bjx.com.cn/zc/{n}/):
  column    https://{site}/{column}/ (yw 要闻, zc 政策, sj 数据, sc 市场 …), then /{column}/2/, /3/ …;
            items `div.cc-list-content ul li` with `a[title][href]` (absolute URLs) and a `span` date;
            `div.box2 em` is the breadcrumb
  article   guangfu: /news/YYYYMMDD/ID.shtml, news.bjx: /html/YYYYMMDD/ID.shtml (the date in the path is not
            read as the publication date); `.cc-headline .box h1` title; `.cc-headline .box p span`: the first
            is "YYYY-MM-DD HH:MM", one reads "来源：…"; body `#article_cont .cc-article`; long articles continue
            on numbered pages linked from `#article_cont .cc-paging`; <title> is "{title}-{site name}"
  region    news titles open with the place: "浙江嘉兴：到2025年光伏装机达到470万千瓦" → 嘉兴市 (330400)
What breaks: a continued article (paging is not followed: such a page is a recorded failure, not a
truncated document); the list markup per channel (`item_selector`); deep columns (`max_pages` bounds a run).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from scrapers.families.common import Fetch, ListEntry, ParsedDetail, paged
from scrapers.families.compilation import region_for_issuer
from scrapers.parsing import clean_text, parse_date, select, soup_of, text_of
from scrapers.registry import SourceConfig

DEFAULT_ITEMS = "div.cc-list-content ul li"
DEFAULT_BODY = "#article_cont .cc-article"
HEADLINE = ".cc-headline .box h1"
_PLACE = re.compile(r"^([^：:|｜\s]{2,12})[：:|｜]")
_ARTICLE = re.compile(r"/(\d+)\.s?html?$")


def list_url(base_url: str, column: str, page: int) -> str:
    column = column.strip("/")
    return f"{base_url}/{column}/" if page == 1 else f"{base_url}/{column}/{page}/"


def parse_list_page(text: str, url: str, source: SourceConfig, *, first: bool) -> list[ListEntry]:
    """The entries of one column page; page 1 must have at least one (later pages may be past the end)."""
    soup = soup_of(text)
    items = select(soup, str(source.param("item_selector", DEFAULT_ITEMS)), min_items=1 if first else 0,
                   source=source.key, url=url)
    entries = []
    for item in items:
        link = select(item, "a[href]", min_items=1, source=source.key, url=url)[0]
        title = str(link.get("title") or "") or text_of(link)
        date = parse_date(" ".join(text_of(span) for span in item.find_all("span")))
        entries.append(ListEntry(url=urljoin(url, str(link["href"])), title=title, date=date))
    return entries


def discover(fetch: Fetch, source: SourceConfig, base_url: str) -> list[ListEntry]:
    """Each column from its first page until a page lists nothing new, answers 404, or `max_pages`."""
    max_pages = int(source.param("max_pages", 3))
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for column in source.param("columns"):
        pages = (list_url(base_url, column, page) for page in range(1, max_pages + 1))
        entries.extend(paged(fetch, pages, lambda r, page: parse_list_page(r.text, r.url, source, first=page == 1),
                             seen))
    return entries


def region_of_title(title: str) -> str | None:
    """GB/T 2260 code of the place a news title opens with ("浙江嘉兴：…" → 330400), or None."""
    match = _PLACE.match(title)
    return region_for_issuer(match.group(1)) if match else None


def parse_detail(text: str, url: str, source: SourceConfig) -> ParsedDetail:
    soup = soup_of(text)
    title = text_of(select(soup, HEADLINE, expect=1, source=source.key, url=url)[0])
    body = select(soup, str(source.param("body_selector", DEFAULT_BODY)), expect=1, source=source.key, url=url)[0]
    pages = [text_of(a) for a in soup.select("#article_cont .cc-paging a") if text_of(a).isdigit()]
    if pages:
        raise ValueError(f"{url}: the article is split into numbered pages ({', '.join(pages)} in "
                         "#article_cont .cc-paging), which the bjx family does not follow")
    spans = [text_of(span) for span in soup.select(".cc-headline .box p span")]
    credit = next((s.split("：", 1)[1].strip() for s in spans if s.startswith("来源：")), "")
    page_title = text_of(soup.title) if soup.title else ""
    site_name = page_title.rsplit("-", 1)[1] if "-" in page_title else source.name
    return ParsedDetail(
        title=title,
        issuer=credit or site_name,
        doc_number=None,
        publish_date=parse_date(spans[0]) if spans else None,
        site_id_code=None,
        site_name=site_name,
        column_name=None,
        body_text=clean_text(body),
        meta={"credit": credit, "keywords": next((s for s in spans if s.startswith("关键词")), "")},
        region_code=region_of_title(title),
    )


def article_key(url: str) -> str:
    """/news/20230525/1308953.shtml → "1308953" (ids increase with time across the bjx sites)."""
    match = _ARTICLE.search(url.split("?")[0])
    if match:
        return match.group(1)
    return url.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
