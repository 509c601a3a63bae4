"""Guangdong gkmlpt (政府信息公开目录管理平台): the disclosure directory on the provincial site and on most
Guangdong city, district and department sites (www.gd.gov.cn, www.gz.gov.cn, *.sz.gov.cn, www.zhanjiang.gov.cn/jrj …).

What the site looks like (hulelan/china-governance crawlers/gkmlpt.py, docs/archive/crawler-scratchpad.md and
docs/references/gkmlpt-survey.md; two public www.gd.gov.cn scrapers paging `api/all/5?page=N&sid=2` and reading
`div.classify td > span`, `div.article-content`; mission-anchors §2.6):
  index     {site}{site_path}/gkmlpt/index: the Vue shell; its script sets `window._CONFIG = {SID: '2',
            TREE: [{id, name, post_count, children, jump_url}, …], …}`. SID is the site's id (2 for
            www.gd.gov.cn; city sites use their telephone area code + a serial, e.g. 200001, 755001)
  list API  GET {site}{site_path}/gkmlpt/api/all/{catId}?page={n}&sid={SID} → JSON
            `{classify: {post_count, …}, articles: [{id, title, url, post_url, publisher, document_number,
            identifier, created_at, display_publish_time (epoch s), attachment, …}], total}`; 100 articles a
            page, page 0 and page 1 are the same page
  article   `url`: {site}{site_path}/gkmlpt/content/{id // 10^6}/{id // 10^3}/post_{id}.html (`mpost_` on
            mobile); `post_url` is the same post in the portal's own column. The page has the gov meta tags
            where the site sets them (Guangdong portals' NFCMS pages do), the `div.classify` table
            (索引号, 分类, 发布机构, 成文日期, 名称, 文号, 发布日期: label and value in one `td`, the
            value in a `span`), `window._CONFIG.DETAIL` (the post as JSON, content included)
            and the body in `div.article-content`
Paging: the end is confirmed, never assumed from `total`: a page that adds no new article (sites that
ignore `page`), or a 404 for page ≥ 2 (sites that put every article on page 1) ends the category.
What breaks: SID or category ids change when a site is re-provisioned (the index page is read every run,
a configured `sid` or a category missing from TREE fails the run); `DETAIL` is not always strict JSON
(a parse failure only drops that fallback).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin

from scrapers.families.common import Fetch, Fetched, ListEntry, ParsedDetail, info_table, paged, parse_detail_common
from scrapers.parsing import SelectorError, parse_date, soup_of
from scrapers.registry import SourceConfig

DEFAULT_BODY = "div.article-content"
_SID = re.compile(r"\bSID\s*:\s*['\"](\w+)['\"]")
_TREE = re.compile(r"\bTREE\s*:\s*")
_DETAIL = re.compile(r"\bDETAIL\s*:\s*")
_POST = re.compile(r"/m?post_(\d+)\.html?$")
_CHINA = timezone(timedelta(hours=8))
log = logging.getLogger(__name__)


def site_base(source: SourceConfig, base_url: str) -> str:
    """The platform's root: the host plus the site path a department sub-site lives under (e.g. /jrj)."""
    path = str(source.param("site_path", "")).strip("/")
    return f"{base_url}/{path}" if path else base_url


def index_url(source: SourceConfig, base_url: str) -> str:
    return f"{site_base(source, base_url)}/gkmlpt/index"


def api_url(source: SourceConfig, base_url: str, category: int, page: int, sid: str) -> str:
    return f"{site_base(source, base_url)}/gkmlpt/api/all/{category}?page={page}&sid={sid}"


def _js_value(text: str, key: re.Pattern[str]) -> Any:
    """The JSON value after `KEY:` in a script, or None when absent or not strict JSON."""
    match = key.search(text)
    if not match:
        return None
    try:
        return json.JSONDecoder().raw_decode(text, match.end())[0]
    except ValueError:
        return None


def _tree_ids(nodes: Any) -> Iterator[int]:
    for node in nodes if isinstance(nodes, list) else []:
        if isinstance(node, dict):
            if isinstance(node.get("id"), int):
                yield node["id"]
            yield from _tree_ids(node.get("children"))


def parse_index(text: str, url: str, source: SourceConfig) -> tuple[str, set[int]]:
    """(SID, category ids of window._CONFIG.TREE) from the index page; both must be there."""
    sids = set(_SID.findall(text))
    if len(sids) != 1:
        raise SelectorError(source.key, url, "window._CONFIG SID: '…'", len(sids), "exactly 1")
    tree = _js_value(text, _TREE)
    if not isinstance(tree, list):
        raise SelectorError(source.key, url, "window._CONFIG TREE: [JSON]", 0, "exactly 1")
    return sids.pop(), set(_tree_ids(tree))


def _day(article: dict[str, Any]) -> str | None:
    """The publication day: `created_at` text, else the epoch seconds of display_publish_time/create_time
    (Beijing time, like everything the platform shows)."""
    day = parse_date(str(article.get("created_at") or ""))
    if day:
        return day
    for name in ("display_publish_time", "create_time"):
        value = article.get(name)
        if isinstance(value, int | float) and value > 0:
            return datetime.fromtimestamp(value, UTC).astimezone(_CHINA).date().isoformat()
    return None


def parse_articles(text: str, url: str, source: SourceConfig) -> tuple[int | None, list[ListEntry]]:
    """(total, entries) from one api/all answer. Raises SelectorError on another shape, so a silent API
    change fails the run instead of listing nothing."""
    try:
        data = json.loads(text)
        articles = data["articles"]
        if not isinstance(articles, list):
            raise TypeError("articles is not a list")
    except (ValueError, KeyError, TypeError) as exc:
        raise SelectorError(source.key, url, "articles", 0, "a JSON object with an articles list") from exc
    total = data.get("total")
    entries = []
    for article in articles:
        link = str(article.get("url") or article.get("post_url") or "") if isinstance(article, dict) else ""
        if not link:
            raise SelectorError(source.key, url, "articles[].url", 0, "a URL in every article")
        entries.append(ListEntry(url=urljoin(url, link), title=str(article.get("title") or "").strip(),
                                 date=_day(article)))
    return (int(total) if isinstance(total, int | float) else None), entries


def discover(fetch: Fetch, source: SourceConfig, base_url: str) -> list[ListEntry]:
    index = fetch("GET", index_url(source, base_url), None)
    sid, categories = parse_index(index.text, index.url, source)
    expected_sid = source.param("sid")
    if expected_sid is not None and str(expected_sid) != sid:
        raise SelectorError(source.key, index.url, f"window._CONFIG SID: '{expected_sid}'", 0,
                            f"exactly 1 (the page says SID '{sid}': the site was re-provisioned)")
    max_pages = int(source.param("max_pages", 50))
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for category in source.param("categories"):
        if int(category) not in categories:
            raise SelectorError(source.key, index.url, f"window._CONFIG.TREE id {category}", 0, "exactly 1")
        pages = [api_url(source, base_url, int(category), page, sid) for page in range(1, max_pages + 1)]
        listed, total = _list_category(fetch, pages, source, seen)
        entries.extend(listed)
        if total is not None and len(listed) < total:
            log.warning("[%s] category %s: %d of the %d articles the API counts were listed (max_pages %d)",
                        source.key, category, len(listed), total, max_pages)
    return entries


def _list_category(fetch: Fetch, pages: list[str], source: SourceConfig,
                   seen: set[str]) -> tuple[list[ListEntry], int | None]:
    """(entries, the `total` page 1 states) of one category."""
    totals: list[int | None] = []

    def articles(response: Fetched, page: int) -> list[ListEntry]:
        total, found = parse_articles(response.text, response.url, source)
        totals.append(total)
        return found

    return paged(fetch, pages, articles, seen), (totals[0] if totals else None)


def parse_detail(text: str, url: str, source: SourceConfig) -> ParsedDetail:
    """Meta tags, then the div.classify table (parse_detail_common reads both), then window._CONFIG.DETAIL."""
    parsed = parse_detail_common(text, url, source, str(source.param("body_selector", DEFAULT_BODY)))
    detail = _js_value(text, _DETAIL)
    detail = detail if isinstance(detail, dict) else {}
    table = info_table(soup_of(text))
    return ParsedDetail(**{
        **parsed.__dict__,
        "title": parsed.meta.get("ArticleTitle") or table.get("title") or str(detail.get("title") or "")
        or parsed.title,
        "issuer": parsed.issuer or str(detail.get("publisher") or "") or None,
        "doc_number": parsed.doc_number or str(detail.get("document_number") or "") or None,
        "publish_date": parsed.publish_date or _day(detail),
    })


def article_key(url: str) -> str:
    """…/post_1659863.html → "1659863" (post ids are unique across the platform, not only per site)."""
    match = _POST.search(url.split("?")[0].split("#")[0])
    if match:
        return match.group(1)
    return url.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
