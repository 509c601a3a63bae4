"""TRS WCM sites (many ministries and city sites; e.g. the 海宁市人民政府 entry in sources.toml).

What the site looks like:
  list      <column_path>index.html, index_1.html, … index_{N-1}.html; N is in the page's script, written
            `createPageHTML(N, cur, "index", "html")` or, by later WCM versions,
            `createPageHTML('page_div', N, cur, 'index', 'html', rows)`, or `var countPage = N`; some columns state
            it nowhere; items are `<li><a href="./YYYYMM/t…html">`
  article   <column_path>YYYYMM/tYYYYMMDD_<docid>.html, body in `.TRS_Editor` / `.TRS_UEDITOR`
  charset   often GBK declared as gb2312 in a meta tag with no charset in the HTTP header
  附件       `<a href="./P0….pdf" oldsrc="P0….pdf">` in the body or in `table.enclosure` below it; a list
            item may link straight to such a file (`./YYYYMM/P0….pdf`, a PDF-only document)
Paging: N where a page states it; where none does, pages are read until one adds no new entry or answers 404
(`max_pages` bounds both). What breaks: list markup differs per site (`item_selector` in the registry).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from scrapers.families.common import Fetch, Fetched, ListEntry, ParsedDetail, paged, parse_detail_common
from scrapers.parsing import parse_date, select, soup_of, text_of
from scrapers.registry import SourceConfig

DEFAULT_ITEMS = "ul.list li"
DEFAULT_BODY = ".TRS_Editor, .TRS_UEDITOR, .trs_paper_default"
DEFAULT_ATTACHMENTS = "a[oldsrc], table.enclosure a[href]"
_PAGES = re.compile(r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,")
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
_DOC = re.compile(r"/t(\d{8})_(\d+)\.s?html?$")


def list_url(source: SourceConfig, base_url: str, page: int) -> str:
    path = "/" + str(source.param("column_path")).strip("/") + "/"
    return f"{base_url}{path}{'index.html' if page == 0 else f'index_{page}.html'}"


def parse_list_page(text: str, url: str, source: SourceConfig, *, first: bool = True
                    ) -> tuple[int | None, list[ListEntry]]:
    """(page count the page states, or None; entries) from one list page. The first page must list something."""
    soup = soup_of(text)
    items = select(soup, str(source.param("item_selector", DEFAULT_ITEMS)), min_items=1 if first else 0,
                   source=source.key, url=url)
    entries: list[ListEntry] = []
    for item in items:
        link = select(item, "a[href]", min_items=1, source=source.key, url=url)[0]
        title = str(link.get("title") or "") or text_of(link)
        entries.append(ListEntry(url=urljoin(url, str(link["href"])), title=title, date=parse_date(text_of(item)),
                                 list_page=url))
    pages = _PAGES.search(text) or _COUNT_PAGE.search(text)
    return (int(pages.group(1)) if pages else None), entries


def discover(fetch: Fetch, source: SourceConfig, base_url: str) -> list[ListEntry]:
    max_pages = int(source.param("max_pages", 50))
    count: list[int | None] = []  # what page 1 states

    def page_urls() -> Iterator[str]:
        for page in range(max_pages):
            if count and count[0] is not None and page >= count[0]:
                return
            yield list_url(source, base_url, page)

    def parse(response: Fetched, page: int) -> list[ListEntry]:
        stated, found = parse_list_page(response.text, response.url, source, first=page == 1)
        if page == 1:
            count.append(stated)
        return found

    return paged(fetch, page_urls(), parse, set())


def parse_detail(text: str, url: str, source: SourceConfig) -> ParsedDetail:
    return parse_detail_common(text, url, source, str(source.param("body_selector", DEFAULT_BODY)),
                               DEFAULT_ATTACHMENTS)


def article_key(url: str) -> str:
    """t20230515_2435122.html → "2435122" (the WCM document id); a file listed on its own, P0….pdf → "P0…"."""
    match = _DOC.search(url.split("?")[0])
    if match:
        return match.group(2)
    return url.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
