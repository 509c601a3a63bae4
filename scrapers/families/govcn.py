"""The gov.cn policy library (国务院政策文件库): a JSON search API on sousuo.www.gov.cn, pages on www.gov.cn.

What the site looks like:
  list      GET {base}/search-gov/data?t=zhengcelibrary&q=…&searchfield=title&sort=pubtime&p={page}&n={size}
            &type=gwyzcwjk → `searchVO.catMap.{gongwen,bumenfile,otherfile,gongbao,zhongyangfile}.listVO[]`
            with {title, url, pcode (发文字号), puborg, pubtimeStr "YYYY.MM.DD", summary}; `searchVO.totalCount`
            counts the hits; p is 1-based and pages every category alike
  article   www.gov.cn/zhengce/content/YYYY-MM/DD/content_<id>.htm (and /zhengce/YYYY-MM/DD/…): body in
            `#UCAP-CONTENT` or `div.TRS_UEDITOR`; meta `firstpublishedtime` (YYYY-MM-DD-HH:MM:SS), the gov meta
            set where present, and the 政务公开 table (发文机关/发文字号/成文日期/发布日期)
What breaks: the search rejects default User-Agents on the live site (ours names the project, as it must);
the newer "Athena" API (sousuoht.www.gov.cn) may replace this one. Detail pages are on www.gov.cn, which the
source lists in extra_hosts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urljoin

from scrapers.families.common import Fetch, ListEntry, ParsedDetail, parse_detail_common
from scrapers.parsing import SelectorError, parse_date, soup_of
from scrapers.registry import SourceConfig

DEFAULT_BODY = "#UCAP-CONTENT, div.TRS_UEDITOR"
CATEGORIES = ("gongwen", "bumenfile", "otherfile", "gongbao", "zhongyangfile")
_CONTENT = re.compile(r"content_(\d+)\.s?html?$")
_TAG = re.compile(r"<[^>]+>")


def search_url(source: SourceConfig, base_url: str, page: int) -> str:
    query = {
        "t": source.param("t", "zhengcelibrary"),
        "q": source.param("query"),
        "searchfield": source.param("searchfield", "title"),
        "sort": source.param("sort", "pubtime"),
        "sortType": "1",
        "timetype": "timeqb",
        "mintime": "",
        "maxtime": "",
        "puborg": "",
        "pcodeYear": "",
        "pcodeNum": "",
        "filetype": "",
        "p": str(page),
        "n": str(source.param("page_size", 20)),
        "type": source.param("type", "gwyzcwjk"),
    }
    return f"{base_url}/{str(source.param('search_path')).lstrip('/')}?{urlencode(query)}"


def parse_search(text: str, url: str, source: SourceConfig) -> tuple[int | None, list[ListEntry]]:
    """(totalCount, or None when the answer does not state it; entries of every category) from one search answer.
    Raises SelectorError on a changed shape (no searchVO / catMap), so a silent API change fails the run."""
    try:
        data = json.loads(text)
        vo = data["searchVO"]
        cat_map: Mapping[str, Any] = vo["catMap"]
        stated = vo.get("totalCount")
        total = int(stated) if stated not in (None, "") else None
    except (ValueError, KeyError, TypeError) as exc:
        raise SelectorError(source.key, url, "searchVO.catMap", 0, "a JSON searchVO with catMap") from exc
    entries: list[ListEntry] = []
    for category in CATEGORIES:
        for item in (cat_map.get(category) or {}).get("listVO") or []:
            link = str(item.get("url") or "")
            if not link:
                continue
            title = _TAG.sub("", str(item.get("title") or "")).strip()
            entries.append(ListEntry(url=urljoin(url, link), title=title, date=parse_date(item.get("pubtimeStr")),
                                     list_page=url))
    return total, entries


def discover(fetch: Fetch, source: SourceConfig, base_url: str) -> list[ListEntry]:
    """Page through the search until a page adds nothing new (empty, or a search that ignores `p` and answers page 1
    again) or p × n reaches totalCount where the answer states one."""
    size = int(source.param("page_size", 20))
    max_pages = int(source.param("max_pages", 50))
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for page in range(1, max_pages + 1):
        response = fetch("GET", search_url(source, base_url, page), None)
        total, found = parse_search(response.text, response.url, source)
        new = [e for e in found if e.url not in seen]
        seen.update(e.url for e in new)
        entries.extend(new)
        if not new or (total is not None and page * size >= total):
            break
    return entries


def parse_detail(text: str, url: str, source: SourceConfig) -> ParsedDetail:
    parsed = parse_detail_common(text, url, source, str(source.param("body_selector", DEFAULT_BODY)))
    if parsed.publish_date:
        return parsed
    soup = soup_of(text)
    tag = soup.find("meta", attrs={"name": re.compile("^firstpublishedtime$", re.I)})
    content = tag.get("content") if tag is not None else None
    published = parse_date(content if isinstance(content, str) else None)
    return ParsedDetail(**{**parsed.__dict__, "publish_date": published})


def article_key(url: str) -> str:
    """…/content_5644984.htm → "5644984" (the gov.cn content id)."""
    match = _CONTENT.search(url.split("?")[0])
    if match:
        return match.group(1)
    return url.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
