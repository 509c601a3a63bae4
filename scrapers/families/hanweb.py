"""Hanweb 大汉 JCMS sites (most Zhejiang/Jiangsu government sites, e.g. fgw.jiaxing.gov.cn).

What the site looks like:
  column page   /col/col<column_id>/index.html   holds `<div id="<unitid>">` with the first page of
                records in a `<script type="text/xml"><datastore>…` and a `jpage({perPage: …})` call
  list API      POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=
                form col/appid/webid/path/columnid/sourceContentType/unitid/webname/permissiontype,
                answers XML `<datastore><recordset><record><![CDATA[<li>…</li>]]></record>…`
                `<totalrecord>N</totalrecord>` — on some sites; others leave the count out of the XML and put it
                only in the column page's jpage call (`totalRecord:5`), and some give it nowhere
                or POST /module/web/jpage/morecolumndataproxy.jsp?page=N&columnid=&unitid= (the "more" list of
                columns that aggregate others: one jpage page per request, the same XML); the column page's
                `proxyUrl:` says which, `params.list_api` overrides it
  counting      `<totalrecord>`, else the column page's `totalRecord`, else none: groups are asked for until one
                comes back empty or repeats entries already seen (sites that ignore the range answer the
                first group again)
  article       /art/YYYY/M/D/art_<column_id>_<article_id>.html, body in `#zoom`
  附件           /module/download/downfile.jsp?classid=0&filename=<hex>.pdf (302 to /attach/…); a column may
                list such a link as an entry of its own (a PDF-only document)
What breaks: the unit div id changes when a column is rebuilt; records without an <a>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, urljoin, urlsplit

from scrapers.families.common import Fetch, ListEntry, ParsedDetail, parse_detail_common
from scrapers.parsing import SelectorError, parse_date, select, soup_of, text_of
from scrapers.registry import SourceConfig

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
MORE_PROXY = "/module/web/jpage/morecolumndataproxy.jsp"
LIST_APIS = {"dataproxy": DATAPROXY, "morecolumndataproxy": MORE_PROXY}
DEFAULT_BODY = "#zoom"
DEFAULT_ATTACHMENTS = "a[href*='/module/download/downfile.jsp']"
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_PERPAGE = re.compile(r"perPage\s*:\s*['\"]?(\d+)")
_GROUP = re.compile(r"groupSize\s*:\s*['\"]?(\d+)")
_COLUMN_TOTAL = re.compile(r"totalRecord\s*:\s*['\"]?(\d+)")
_PROXY_URL = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_ART = re.compile(r"/art_(\d+)_(\d+)\.html?$")


def column_url(source: SourceConfig, base_url: str) -> str:
    return f"{base_url}/col/col{source.param('column_id')}/index.html"


def dataproxy_form(source: SourceConfig) -> dict[str, str]:
    return {
        "col": "1",
        "appid": str(source.param("appid", "1")),
        "webid": str(source.param("webid")),
        "path": "/",
        "columnid": str(source.param("column_id")),
        "sourceContentType": "1",
        "unitid": str(source.param("unitid")),
        "webname": str(source.param("webname", source.name)),
        "permissiontype": "0",
    }


@dataclass(frozen=True)
class ColumnPage:
    perpage: int
    group_size: int  # jpage pages per dataproxy request
    total: int | None  # the jpage call's totalRecord, when the page states it
    list_api: str  # path of the list API the column's jpage call uses


def parse_column_page(text: str, url: str, source: SourceConfig) -> ColumnPage:
    """What the column page's jpage call says; the unit div must be there."""
    soup = soup_of(text)
    select(soup, f"div[id='{source.param('unitid')}']", expect=1, source=source.key, url=url)
    perpage = _PERPAGE.search(text)
    group = _GROUP.search(text)
    total = _COLUMN_TOTAL.search(text)
    proxy = _PROXY_URL.search(text)
    configured = source.param("list_api")
    if configured is not None:
        if str(configured) not in LIST_APIS:
            raise ValueError(f"[{source.key}] params.list_api {configured!r} in the source registry is not one of "
                             f"{sorted(LIST_APIS)}")
        api = LIST_APIS[str(configured)]
    elif proxy and urlsplit(proxy.group(1)).path.endswith(MORE_PROXY.rsplit("/", 1)[1]):
        api = MORE_PROXY
    else:
        api = DATAPROXY
    return ColumnPage(
        perpage=int(perpage.group(1)) if perpage else int(source.param("perpage", 15)),
        group_size=int(group.group(1)) if group else int(source.param("group_size", 3)),
        total=int(total.group(1)) if total else None,
        list_api=api,
    )


def parse_dataproxy(text: str, url: str, source: SourceConfig) -> tuple[int | None, list[ListEntry]]:
    """(totalrecord if the answer states it, entries) from one dataproxy.jsp / morecolumndataproxy.jsp answer."""
    total = set(_TOTAL.findall(text))
    if len(total) > 1:
        raise SelectorError(source.key, url, "datastore > totalrecord", len(total), "at most 1 value")
    entries: list[ListEntry] = []
    for record in _RECORD.findall(text):
        soup = soup_of(record)
        link = select(soup, "a[href]", min_items=1, source=source.key, url=url)[0]
        title = str(link.get("title") or "") or text_of(link)
        entries.append(ListEntry(url=urljoin(url, str(link["href"])), title=title, date=parse_date(text_of(soup)),
                                 list_page=url))
    return (int(total.pop()) if total else None), entries


def discover(fetch: Fetch, source: SourceConfig, base_url: str) -> list[ListEntry]:
    """Every list entry of the column. The count comes from the list API's `<totalrecord>`, else from the column
    page's jpage `totalRecord`; without either, groups are asked for until one adds no entry not seen before."""
    column = fetch("GET", column_url(source, base_url), None)
    page = parse_column_page(column.text, column.url, source)
    more = page.list_api == MORE_PROXY
    step = page.perpage if more else max(1, page.perpage * max(1, page.group_size))
    max_records = int(source.param("max_records", 2000))
    form = dataproxy_form(source)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    total = page.total
    asked = 0
    while asked < max_records:
        if more:
            url = (f"{base_url}{MORE_PROXY}?page={asked // step + 1}&columnid={source.param('column_id')}"
                   f"&unitid={source.param('unitid')}")
        else:
            url = f"{base_url}{DATAPROXY}?startrecord={asked + 1}&endrecord={asked + step}&perpage={page.perpage}"
        response = fetch("POST", url, form)
        stated, found = parse_dataproxy(response.text, response.url, source)
        total = stated if stated is not None else total
        new = [e for e in found if e.url not in seen]
        if not new:  # past the end, or a site that ignores the range and answers the first group again
            break
        seen.update(e.url for e in new)
        entries.extend(new)
        asked += step
        if total is not None and asked >= total:
            break
    return entries


def parse_detail(text: str, url: str, source: SourceConfig) -> ParsedDetail:
    return parse_detail_common(text, url, source, str(source.param("body_selector", DEFAULT_BODY)),
                               DEFAULT_ATTACHMENTS)


def article_key(url: str) -> str:
    """art_<column>_<id>.html → "<id>": the id is site-wide; the same article can sit in two columns. A file
    listed on its own (a PDF-only entry, downfile.jsp?classid=0&filename=<hex>.pdf) → "<hex>"."""
    match = _ART.search(url.split("?")[0])
    if match:
        return match.group(2)
    filename = dict(parse_qsl(urlsplit(url).query)).get("filename")
    if filename:
        return PurePosixPath(filename).stem
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1].split(".")[0]
