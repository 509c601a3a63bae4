"""CMS-family adapters: one small module per vendor platform shared by many government sites.

Each family module provides
  discover(fetch, source, base_url) -> list[ListEntry]   fetch list pages (bytes only) and parse them
  parse_detail(text, url, source) -> ParsedDetail         pure: one detail page → one record
  article_key(url) -> str                                 the stable id of an article in its URL
and the shared pieces live here: the records, the keyword filter and the detail heuristics
(gov meta tags first, then h1/<title>, the 政务公开 info table and 发布时间 text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Protocol

from bs4 import BeautifulSoup, Tag

from scrapers.parsing import (
    clean_text,
    gov_meta,
    parse_date,
    select,
    soup_of,
    text_of,
)
from scrapers.registry import SourceConfig

FAMILIES = ("hanweb", "trs", "compilation", "govcn")


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


def family_module(name: str) -> ModuleType:
    if name not in FAMILIES:
        raise ValueError(f"unknown CMS family {name!r}")
    return import_module(f"scrapers.families.{name}")


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
    "发布日期": "publish_date",
    "公开日期": "publish_date",
    "主题分类": "topic",
    "公开方式": "open_mode",
}


def info_table(soup: BeautifulSoup) -> dict[str, str]:
    """Label/value pairs of the 政务公开 info table: a cell with a known label, then its value cell."""
    out: dict[str, str] = {}
    for cell in soup.find_all(["td", "th"]):
        label = re.sub(r"[\s:：]", "", text_of(cell))
        field = INFO_LABELS.get(label)
        if not field or field in out:
            continue
        value = cell.find_next_sibling(["td", "th"])
        if isinstance(value, Tag):
            text = text_of(value)
            if text:
                out[field] = text
    return out


# Searched line by line in the visible text, so an empty "来源：" never grabs the next paragraph.
_PUBLISHED = re.compile(
    r"(?:发布时间|发布日期|发文日期|时间)[ \t]*[:：][ \t]*"
    r"(\d{4}[ \t]*[-./年][ \t]*\d{1,2}[ \t]*[-./月][ \t]*\d{1,2})"
)
_SOURCE = re.compile(r"(?:信息来源|来源|发布机构)[ \t]*[:：][ \t]*([^\s|｜]+)")


def _page_title(soup: BeautifulSoup) -> str:
    h1 = soup.find("h1")
    if isinstance(h1, Tag) and text_of(h1):
        return text_of(h1)
    title = soup.find("title")
    # <title> is usually "文章标题_栏目_站点"; the article title is the first part.
    return re.split(r"\s*[_|｜]\s*", text_of(title))[0] if isinstance(title, Tag) else ""


def parse_detail_common(text: str, url: str, source: SourceConfig, body_selector: str) -> ParsedDetail:
    """Meta tags first, then HTML heuristics. The body must match `body_selector` at least once."""
    soup = soup_of(text)
    body = select(soup, body_selector, min_items=1, source=source.key, url=url)[0]
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
        title=title,
        issuer=issuer or None,
        doc_number=info.get("doc_number") or None,
        publish_date=published,
        site_id_code=meta.get("SiteIDCode") or None,
        site_name=meta.get("SiteName") or None,
        column_name=meta.get("ColumnName") or None,
        body_text=clean_text(body),
        meta=meta,
    )
