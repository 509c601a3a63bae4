"""Hanweb 大汉 JCMS sites (most Zhejiang/Jiangsu government sites, e.g. fgw.jiaxing.gov.cn).

What the site looks like:
  column page   /col/col<column_id>/index.html   holds `<div id="<unitid>">` with the first page of
                records in a `<script type="text/xml"><datastore>…` and a `jpage({perPage: …})` call
  list API      POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=
                form col/appid/webid/path/columnid/sourceContentType/unitid/webname/permissiontype,
                answers XML `<datastore><recordset><record><![CDATA[<li>…</li>]]></record>…`
                `<totalrecord>N</totalrecord>`
  article       /art/YYYY/M/D/art_<column_id>_<article_id>.html, body in `#zoom`
  附件           /module/download/downfile.jsp?classid=0&filename=<hex>.pdf (302 to /attach/…); a column may
                list such a link as an entry of its own (a PDF-only document)
What breaks: the unit div id changes when a column is rebuilt; records without an <a>.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, urljoin, urlsplit

from scrapers.families.common import Fetch, ListEntry, ParsedDetail, parse_detail_common
from scrapers.parsing import SelectorError, parse_date, select, soup_of, text_of
from scrapers.registry import SourceConfig

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
DEFAULT_BODY = "#zoom"
DEFAULT_ATTACHMENTS = "a[href*='/module/download/downfile.jsp']"
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_PERPAGE = re.compile(r"perPage\s*:\s*['\"]?(\d+)")
_GROUP = re.compile(r"groupSize\s*:\s*['\"]?(\d+)")
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


def parse_column_page(text: str, url: str, source: SourceConfig) -> tuple[int, int]:
    """(perpage, pages per request) from the column page; the unit div must be there."""
    soup = soup_of(text)
    select(soup, f"div[id='{source.param('unitid')}']", expect=1, source=source.key, url=url)
    perpage = _PERPAGE.search(text)
    group = _GROUP.search(text)
    return (
        int(perpage.group(1)) if perpage else int(source.param("perpage", 15)),
        int(group.group(1)) if group else int(source.param("group_size", 3)),
    )


def parse_dataproxy(text: str, url: str, source: SourceConfig) -> tuple[int, list[ListEntry]]:
    """(totalrecord, entries) from one dataproxy.jsp answer."""
    total = _TOTAL.findall(text)
    if len(total) != 1:
        raise SelectorError(source.key, url, "datastore > totalrecord", len(total), "exactly 1")
    entries: list[ListEntry] = []
    for record in _RECORD.findall(text):
        soup = soup_of(record)
        link = select(soup, "a[href]", min_items=1, source=source.key, url=url)[0]
        title = str(link.get("title") or "") or text_of(link)
        entries.append(
            ListEntry(url=urljoin(url, str(link["href"])), title=title, date=parse_date(text_of(soup)))
        )
    return int(total[0]), entries


def discover(fetch: Fetch, source: SourceConfig, base_url: str) -> list[ListEntry]:
    column = fetch("GET", column_url(source, base_url), None)
    perpage, group = parse_column_page(column.text, column.url, source)
    step = max(1, perpage * max(1, group))
    max_records = int(source.param("max_records", 2000))
    form = dataproxy_form(source)
    entries: list[ListEntry] = []
    start = 1
    while True:
        end = start + step - 1
        url = f"{base_url}{DATAPROXY}?startrecord={start}&endrecord={end}&perpage={perpage}"
        response = fetch("POST", url, form)
        total, page = parse_dataproxy(response.text, response.url, source)
        entries.extend(page)
        start = end + 1
        if not page or start > min(total, max_records):
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
