"""What every CMS family module shares: list entries and parsed pages (the records a family returns), paged
list walking, the keyword filter, the 政务公开 info table and the common detail-page parse."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Protocol
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from scrapers.attachments import AttachmentLink, find_links
from scrapers.http import FetchError
from scrapers.parsing import (
    clean_text,
    gov_meta,
    parse_date,
    select,
    soup_of,
    text_of,
)
from scrapers.registry import SourceConfig

FAMILIES = ("hanweb", "trs", "compilation", "govcn", "gkmlpt", "bjx")


class Fetched(Protocol):
    """What a family sees of a response: the runner's fetch already saved the raw bytes."""

    url: str

    @property
    def text(self) -> str: ...


# fetch(method, url, form) -> response; the runner saves every body before returning it.
Fetch = Callable[[str, str, Mapping[str, str] | None], Fetched]


@dataclass(frozen=True)
class ListEntry:
    url: str  # absolute, as found on the list page (resolved against the page URL)
    title: str
    date: str | None  # YYYY-MM-DD when the list shows one
    list_page: str | None = None  # the list page (or list API answer) that showed it, for the run log's counts


@dataclass(frozen=True)
class ParsedDetail:
    title: str
    issuer: str | None
    doc_number: str | None
    publish_date: str | None
    site_id_code: str | None
    site_name: str | None
    column_name: str | None
    body_text: str
    meta: Mapping[str, str]
    # The jurisdiction the page is about when the page itself says so (a news repost's place line);
    # None lets the runner use the SiteIDCode, then the source's own region.
    region_code: str | None = None
    # The page's attachment links (附件), in page order; the runner fetches and appends the readable ones.
    attachments: tuple[AttachmentLink, ...] = ()
    # The `Url` meta tag: where the document itself lives (a page republished from another body's site names
    # the original). Stored, never followed.
    canonical_url: str | None = None
    written_date: str | None = None  # 成文日期 (YYYY-MM-DD), when the 政务公开 table shows it
    issuers: tuple[str, ...] = ()  # every issuing body of a joint document (中共中央 国务院 → two)
    validity: str | None = None  # 有效性 (有效, 失效, 废止…), when the page shows it


def family_module(name: str) -> ModuleType:
    if name not in FAMILIES:
        raise ValueError(f"unknown CMS family {name!r}")
    return import_module(f"scrapers.families.{name}")


def paged(fetch: Fetch, page_urls: Iterable[str], parse: Callable[[Fetched, int], list[ListEntry]],
          seen: set[str]) -> list[ListEntry]:
    """The new entries of consecutive list pages (page 1 first). The end is confirmed, never assumed: a page
    that adds no entry not in `seen` (past the end, or a site that ignores the page number), or a 404 for a
    page after the first (past the end, or a site that puts everything on page 1). `seen` is updated."""
    entries: list[ListEntry] = []
    for page, url in enumerate(page_urls, start=1):
        try:
            response = fetch("GET", url, None)
        except FetchError as exc:
            if exc.status == 404 and page > 1:
                break
            raise
        new = [dataclasses.replace(e, list_page=url) for e in parse(response, page) if e.url not in seen]
        if not new:
            break
        seen.update(e.url for e in new)
        entries.extend(new)
    return entries


def matches_keywords(title: str, keywords: tuple[str, ...]) -> bool:
    """A list entry is in scope when its title contains any keyword (no keywords: everything)."""
    return not keywords or any(k in title for k in keywords)


# 政务公开 info table labels (索引号/发布机构/发文字号/成文日期/发布日期) and their synonyms.
INFO_LABELS = {
    "索引号": "index_no",
    "发布机构": "issuer",
    "发文机关": "issuer",
    "发文单位": "issuer",
    "发布单位": "issuer",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "成文日期": "written_date",
    "有效性": "validity",
    "时效性": "validity",
    "效力状态": "validity",
    "发布日期": "publish_date",
    "公开日期": "publish_date",
    "主题分类": "topic",
    "公开方式": "open_mode",
    "名称": "title",  # gkmlpt's 名称 row
}


_ISSUER_SEPARATORS = re.compile(r"[\s\u3000、，,；;/]+")


def split_issuers(value: str | None) -> tuple[str, ...]:
    """Every issuing body of a joint document: 发文机关 lists them separated by spaces or 、 (中共中央 国务院;
    国家发展改革委、国家能源局)."""
    return tuple(part for part in _ISSUER_SEPARATORS.split(value or "") if part)


def canonical_url(value: str | None) -> str | None:
    """The `Url` meta tag when it is an absolute http(s) URL (sites leave it empty, relative or a placeholder)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.hostname else None


def _label(text: str) -> str:
    return re.sub(r"[\s:：]", "", text)


def info_table(soup: BeautifulSoup | Tag) -> dict[str, str]:
    """Label/value pairs of the 政务公开 info table. Two layouts: a cell with a known label, then its value
    cell (Hanweb, TRS, gov.cn); or label and value in one cell, the value in a `<span>` (Guangdong gkmlpt's
    `div.classify` table, `<td><label>发布机构：</label><span>…</span></td>`)."""
    out: dict[str, str] = {}
    for cell in soup.find_all(["td", "th"]):
        whole = text_of(cell)
        span = cell.find("span")
        if isinstance(span, Tag):
            value = text_of(span)
            field = INFO_LABELS.get(_label(whole[: len(whole) - len(value)])) if whole.endswith(value) else None
            if field:  # one-cell layout; an empty span is an empty value, never the next cell's
                if value and field not in out:
                    out[field] = value
                continue
        field = INFO_LABELS.get(_label(whole))
        if not field or field in out:
            continue
        sibling = cell.find_next_sibling(["td", "th"])
        if isinstance(sibling, Tag) and text_of(sibling):
            out[field] = text_of(sibling)
    return out


# Searched line by line in the visible text, so an empty "来源：" never grabs the next paragraph; in a table
# row an empty value is followed by the next label ("发布机构：\t成文日期："), which is not a value either.
_PUBLISHED = re.compile(
    r"(?:发布时间|发布日期|发文日期|时间)[ \t]*[:：][ \t]*"
    r"(\d{4}[ \t]*[-./年][ \t]*\d{1,2}[ \t]*[-./月][ \t]*\d{1,2})"
)
_SOURCE = re.compile(r"(?:信息来源|来源|发布机构)[ \t]*[:：][ \t]*([^\s|｜:：]+)(?=[\s|｜]|$)")


def _page_title(soup: BeautifulSoup) -> str:
    h1 = soup.find("h1")
    if isinstance(h1, Tag) and text_of(h1):
        return text_of(h1)
    title = soup.find("title")
    # <title> is usually "文章标题_栏目_站点"; the article title is the first part.
    return re.split(r"\s*[_|｜]\s*", text_of(title))[0] if isinstance(title, Tag) else ""


def parse_detail_common(text: str, url: str, source: SourceConfig, body_selector: str,
                        attachment_selector: str | None = None) -> ParsedDetail:
    """Meta tags first, then HTML heuristics. The body must match `body_selector` at least once.
    Attachments: file links in the body plus whatever `attachment_selector` (or params.attachment_selector)
    matches; any number, including none."""
    soup = soup_of(text)
    body = select(soup, body_selector, min_items=1, source=source.key, url=url)[0]
    attachment_selector = str(source.param("attachment_selector", attachment_selector or "")) or None
    meta = gov_meta(soup)
    info = info_table(soup)
    visible = clean_text(soup.body) if soup.body else ""
    title = meta.get("ArticleTitle") or _page_title(soup)
    published = parse_date(meta.get("PubDate")) or parse_date(info.get("publish_date"))
    if not published:
        match = _PUBLISHED.search(visible)
        published = parse_date(match.group(1)) if match else None
    issuer = meta.get("ContentSource") or info.get("issuer")
    if not issuer:
        match = _SOURCE.search(visible)
        issuer = match.group(1) if match else None
    return ParsedDetail(
        canonical_url=canonical_url(meta.get("Url")),
        written_date=parse_date(info.get("written_date")),
        issuers=split_issuers(info.get("issuer") or issuer),
        validity=info.get("validity") or None,
        title=title,
        issuer=issuer or None,
        doc_number=info.get("doc_number") or None,
        publish_date=published,
        site_id_code=meta.get("SiteIDCode") or None,
        site_name=meta.get("SiteName") or None,
        column_name=meta.get("ColumnName") or None,
        body_text=clean_text(body),
        meta=meta,
        attachments=tuple(find_links(soup, url, body=body, selector=attachment_selector)),
    )
