"""National Energy Administration (www.nea.gov.cn): the list JSON of a column and its release pages.

The column page carries `ul#showData0[data="…:{ID}"]`; the list is `ds_{ID}.json` beside it
({datasource: [{showTitle, publishUrl, publishTime, summary, sourceText, …}]}); each release page
states its figures in prose (截至2023年12月底…太阳能发电装机容量约6.1亿千瓦…). A figure is read from the
paragraph that states it, which becomes the quote; the year is the paragraph's 截至YYYY年, else the
title's YYYY年. Pages may be in traditional characters: matching runs on a simplified copy, the quote
keeps the page's own text. The source URL is the page's 来源 link when it names one (the release as
first published), else the page itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from urllib.parse import urljoin

import opencc

from scrapers.parsing import clean_text, parse_date, soup_of
from scrapers.registry import SourceConfig
from scrapers.statistics.core import Client, Fetched, Observation, StatisticsError, Task, release_page

_NUMBER = r"约?(?:达到?|为)?约?(\d+(?:\.\d+)?)\s*(亿千瓦|万千瓦)"
# canonical indicator -> pattern over the simplified paragraph (title condition, pattern)
PATTERNS: dict[str, list[tuple[str | None, re.Pattern[str]]]] = {
    "太阳能发电装机容量": [(None, re.compile(r"太阳能发电装机(?:容量)?" + _NUMBER))],
    "光伏发电装机容量": [
        (None, re.compile(r"光伏发电装机(?:容量)?" + _NUMBER)),
        ("光伏", re.compile(r"累计并网容量" + _NUMBER)),  # a 光伏 release: 截至…底累计并网容量39204万千瓦
    ],
    "风电装机容量": [(None, re.compile(r"(?<!太阳能)风电装机(?:容量)?" + _NUMBER))],
}
_YEAR_END = re.compile(r"截至\s*(\d{4})\s*年")
_YEAR = re.compile(r"(\d{4})\s*年")


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return _t2s().convert(text)


# -- pure parsing -------------------------------------------------------------------------------


def datasource_id(column_html: str, url: str) -> str:
    ul = soup_of(column_html).select("ul#showData0")
    data = ul[0].get("data") if len(ul) == 1 else None
    if not isinstance(data, str) or not data.split(":")[-1].strip():
        raise StatisticsError(url, f'no ul#showData0[data="…:ID"] on the column page ({len(ul)} found)')
    return data.split(":")[-1].strip()


def parse_list(answer: object, url: str) -> list[tuple[str, str, str | None]]:
    """(absolute publish URL, title, YYYY-MM-DD or None) per release, as the list JSON orders them."""
    items = answer.get("datasource") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise StatisticsError(url, "the list JSON has no datasource[]")
    releases = []
    for item in items:
        if not isinstance(item, dict) or not item.get("publishUrl"):
            raise StatisticsError(url, f"a datasource entry has no publishUrl: {str(item)[:120]}")
        title = soup_of(str(item.get("showTitle", ""))).get_text().strip()
        releases.append((urljoin(url, str(item["publishUrl"])), title, parse_date(item.get("publishTime"))))
    return releases


def parse_release(
    html: str, url: str, *, list_title: str, list_date: str | None, indicators: Iterable[str] | None = None
) -> list[Observation]:
    """Every configured capacity figure the release page states, one per (indicator, year)."""
    page = release_page(html, url, list_title=list_title, list_date=list_date, body=".article-content, td.detail")
    title, published, source_url = page.title, page.published, page.source_url
    wanted = set(indicators) if indicators is not None else set(PATTERNS)
    title_s = simplified(title)
    found: dict[tuple[str, int], Observation] = {}
    for p in page.body.find_all("p"):
        quote = clean_text(p).strip()
        text = simplified(quote)
        year_match = _YEAR_END.search(text) or _YEAR.search(title_s)
        for indicator, patterns in PATTERNS.items():
            if indicator not in wanted:
                continue
            for needs, pattern in patterns:
                match = pattern.search(text) if needs is None or needs in title_s else None
                if match is None or year_match is None:
                    continue
                year = int(year_match.group(1))
                found.setdefault((indicator, year), Observation(
                    region_code="100000", region_name="全国", indicator=indicator, year=year,
                    value=float(match.group(1)), unit=match.group(2), measure="level", quote=quote,
                    source_title=title, source_url=source_url, published=published,
                ))
                break
    return list(found.values())


# -- the run ------------------------------------------------------------------------------------


def discover(client: Client, source: SourceConfig) -> list[Task]:
    column = client.url("/" + str(source.param("column_path")).strip("/") + "/")
    page = client.get(column)
    list_url = urljoin(column, f"ds_{datasource_id(page.text, page.url)}.json")
    listing = client.get(list_url)
    releases = parse_list(listing.json(), listing.url)[: int(source.param("max_items", 200))]
    indicators = source.param("indicators")
    tasks = []
    for live_url, title, day in releases:
        fetch_url = client.url(live_url)
        if not fetch_url.startswith(client.urls.effective + "/"):
            continue  # off-site link
        tasks.append(Task(live_url, _runner(client, fetch_url, title, day, indicators), listed=(title, day)))
    return tasks


def _runner(
    client: Client, url: str, title: str, day: str | None, indicators: list[str] | None
) -> Callable[[], tuple[Fetched, list[Observation]]]:
    def run() -> tuple[Fetched, list[Observation]]:
        fetched = client.get(url)
        if not fetched.modified:
            return fetched, []
        return fetched, parse_release(fetched.text, fetched.url, list_title=title, list_date=day,
                                      indicators=indicators)

    return run
