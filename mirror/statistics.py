"""Mirror renderers for the two statistics families: `nbs` (data.stats.gov.cn) and `nea` (www.nea.gov.cn).

Every figure either site serves is a row of `data/official_statistics.csv` (a byte-for-byte copy of the
research team's file of published figures, each with its quote and source URL); nothing is derived.
Which rows a site can plausibly publish is decided here (`served_rows`): NBS the national energy totals
and shares, electricity use, GDP, intensity changes, forest cover and the capacity figures of its own
statistical bulletin, and in its 分省年度数据 tree the provincial intensity changes, GDP and forest cover;
NEA the other national capacity figures (太阳能/光伏/风电 装机); the communiqué column every provincial and
city row, as its source states it. Where one
site would hold two rows for the same cell (a second source for the same figure), it serves the row
whose title names the agency, else the first one.

nbs: the new UUID API under /dg/website/publicrelease/web/external/ — `new/queryIndexTreeAsync`,
`new/queryIndicatorsByCid` and `POST stream/esData`, JSON shaped as in AKShare's port ({success, data}).
Ids are uuid5 hex of the catalogue path, so they are stable across runs. The GET endpoints send an ETag
and answer 304 to If-None-Match. Each served value carries a `provenance` object (quote, title, URL,
published date and the compiler's note) that the live API does not have: it keeps each figure tied to
the citation it was verified against.

nea: the column page /sjzz/ghs/ with `ul#showData0[data="datasource:{ID}"]`, the list JSON
/sjzz/ghs/ds_{ID}.json ({datasource:[{showTitle, publishUrl, publishTime, summary, sourceText, …}]})
and one detail page per release (per source URL of its rows) whose `div.article-content` holds each
row's quote verbatim as one paragraph, with a 来源 line linking the page the quote was read from.
Quotes are served without the compiler's trailing 【注：…】 note, which is not part of the quote.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from carbonpeak_core.paths import REGIONS_CSV
from mirror.site import SITE_LAST_MODIFIED, Answer, Request, SiteBuild, StaticFile

STATISTICS_CSV = Path(__file__).resolve().parent / "data" / "official_statistics.csv"
NBS_API = "/dg/website/publicrelease/web/external"
NATIONAL_DA = "000000000000"
_NOTE = re.compile(r"\s*【注：(.*)】\s*$", re.S)

# NBS annual catalogue (code 3): catalogue path → [(display name, canonical indicator, measure, unit)].
# The unit is the indicator's default du_name; each value carries the unit its row states.
NBS_ROOT_NAME = "年度数据"
NBS_CATALOGUE: dict[tuple[str, ...], list[tuple[str, str, str, str]]] = {
    ("能源", "能源消费总量及构成"): [
        ("能源消费总量", "能源消费总量", "level", "亿吨标准煤"),
        ("煤炭消费量占能源消费总量的比重", "煤炭消费占能源消费总量比重", "level", "%"),
        ("清洁能源消费量占能源消费总量的比重", "清洁能源消费占能源消费总量比重", "level", "%"),
        ("非化石能源消费量占能源消费总量的比重", "非化石能源占能源消费总量比重", "level", "%"),
        ("非化石能源消费比重比上年提高", "非化石能源占能源消费总量比重", "yoy_change", "百分点"),
    ],
    ("能源", "能源利用效率"): [("万元国内生产总值能耗比上年增长", "单位GDP能耗", "yoy_change", "%")],
    ("能源", "电力消费"): [
        ("全社会用电量", "全社会用电量", "level", "亿千瓦时"),
        ("全社会用电量比上年增长", "全社会用电量增速", "yoy_change", "%"),
    ],
    ("能源", "发电装机容量"): [
        ("太阳能发电装机容量", "太阳能发电装机容量", "level", "万千瓦"),
        ("风电装机容量", "风电装机容量", "level", "万千瓦"),
    ],
    ("国民经济核算", "国内生产总值"): [("国内生产总值", "地区生产总值", "level", "亿元")],
    ("资源和环境", "森林资源"): [("森林覆盖率", "森林覆盖率", "level", "%")],
}
# 分省年度数据 (tree code 6): the provincial series of the same API, one cell per province (da = its 12-digit
# 统计用区划代码). The mirror serves the provincial rows of the file for these statistics.
NBS_PROVINCIAL_ROOT_NAME = "分省年度数据"
NBS_PROVINCIAL_CATALOGUE: dict[tuple[str, ...], list[tuple[str, str, str, str]]] = {
    ("能源", "能源利用效率"): [("万元地区生产总值能耗上升或下降", "单位GDP能耗", "yoy_change", "%")],
    ("国民经济核算", "地区生产总值"): [("地区生产总值", "地区生产总值", "level", "亿元")],
    ("资源和环境", "森林资源"): [("森林覆盖率", "森林覆盖率", "level", "%")],
}
CAPACITY = {"太阳能发电装机容量", "光伏发电装机容量", "风电装机容量"}
AGENCY = {"nbs": ("国家统计局", "國家統計局"), "nea": ("国家能源局", "國家能源局"),
          "nbs_provinces": ("国家统计局", "國家統計局")}


# -- the rows ------------------------------------------------------------------------------------


@cache
def statistics_rows() -> tuple[dict[str, str], ...]:
    with STATISTICS_CSV.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def split_quote(quote: str) -> tuple[str, str | None]:
    """(the quote as the source has it, the compiler's 【注：…】 note or None)."""
    match = _NOTE.search(quote)
    if match is None:
        return quote.strip(), None
    return quote[: match.start()].strip(), match.group(1).strip()


def _nbs_measures() -> set[tuple[str, str]]:
    return {(ind, measure) for specs in NBS_CATALOGUE.values() for _, ind, measure, _ in specs}


@cache
def province_codes() -> dict[str, str]:
    """Province name → GB/T 2260 code (the seed the warehouse loads)."""
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        return {r["region_name"]: r["region_code"] for r in csv.DictReader(fh) if r["region_level"] == "province"}


def _family_of(row: dict[str, str]) -> str | None:
    if row["region"] != "全国":
        measures = {(ind, m) for specs in NBS_PROVINCIAL_CATALOGUE.values() for _, ind, m, _ in specs}
        if row["region"] in province_codes() and (row["indicator"], row["measure"]) in measures:
            return "nbs_provinces"  # also on the communiqué column, as its sources state it
        return None  # city and county figures come from communiqués and reports, not from NBS or NEA
    names_nbs = any(a in row["source_title"] for a in AGENCY["nbs"])
    if row["indicator"] in CAPACITY:
        return "nbs" if names_nbs else "nea"  # NBS bulletins state 并网 capacity too
    if (row["indicator"], row["measure"]) in _nbs_measures():
        return "nbs"
    return None  # e.g. 新能源汽车保有量 (公安部)


@cache
def served_rows(family: str) -> tuple[dict[str, str], ...]:
    """The CSV rows `family` serves: one per (region, indicator, year, measure), agency-named titles first."""
    chosen: dict[tuple[str, str, str, str], dict[str, str]] = {}
    for row in statistics_rows():
        if _family_of(row) != family:
            continue
        cell = (row["region"], row["indicator"], row["year"], row["measure"])
        named = any(a in row["source_title"] for a in AGENCY[family])
        current = chosen.get(cell)
        if current is None or (named and not any(a in current["source_title"] for a in AGENCY[family])):
            chosen[cell] = row
    order = {id(r): i for i, r in enumerate(statistics_rows())}
    return tuple(sorted(chosen.values(), key=lambda r: order[id(r)]))


# -- shared helpers -----------------------------------------------------------------------------


def _json_answer(payload: Any) -> Answer:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Answer(200, "application/json;charset=UTF-8", body)


def _cached_get(endpoint: Callable[[Request], Answer]) -> Callable[[Request], Answer]:
    """An ETag on every 200, and 304 when the client already has those bytes."""

    def answer(request: Request) -> Answer:
        result = endpoint(request)
        if result.status != 200 or request.method not in ("GET", "HEAD"):
            return result
        etag = '"' + hashlib.sha256(result.body).hexdigest()[:20] + '"'
        if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
            return Answer(304, result.content_type, b"", {"ETag": etag})
        return Answer(result.status, result.content_type, result.body, {**result.headers, "ETag": etag})

    return answer


def nbs_id(*parts: str) -> str:
    """A stable UUID (32 hex digits, like the live ids) for a catalogue node or an indicator."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "data.stats.gov.cn/" + "/".join(parts)).hex


# -- nbs -----------------------------------------------------------------------------------------


def _nbs_tree(root_name: str, catalogue: dict[tuple[str, ...], list[tuple[str, str, str, str]]],
              nodes: dict[str, list[dict[str, Any]]], indicators: dict[str, list[dict[str, Any]]],
              ) -> tuple[str, dict[tuple[str, str], dict[str, Any]]]:
    """Add one tree (root, catalogue nodes, indicator lists); returns its root id and (indicator, measure) →
    indicator entry."""
    root_id = nbs_id(root_name)
    nodes[""] = [{"_id": root_id, "name": root_name, "pid": "", "isLeaf": False, "treeinfo_level": 2,
                  "type": "catalog"}]
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for path, specs in catalogue.items():
        parent = root_id
        for depth in range(1, len(path) + 1):
            node_id = nbs_id(root_name, *path[:depth])
            siblings = nodes.setdefault(parent, [])
            if not any(n["_id"] == node_id for n in siblings):
                siblings.append({"_id": node_id, "name": path[depth - 1], "pid": parent,
                                 "isLeaf": depth == len(path), "treeinfo_level": depth + 2, "type": "catalog"})
            parent = node_id
        cid = parent
        for showname, indicator, measure, unit in specs:
            entry = {"_id": nbs_id(root_name, *path, showname), "i_showname": showname, "catalogid": cid,
                     "du_name": unit, "dp": 1, "i_mark": "", "i_annotation": ""}
            indicators.setdefault(cid, []).append(entry)
            by_name[(indicator, measure)] = entry
    return root_id, by_name


def _build_nbs(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    indicators: dict[str, list[dict[str, Any]]] = {}  # cid -> indicator list (ids differ between trees)
    trees: dict[str, dict[str, list[dict[str, Any]]]] = {}  # tree code -> pid -> child nodes
    roots: dict[str, str] = {}  # root id -> tree code
    values: dict[tuple[str, str, str], dict[str, Any]] = {}  # (indicator id, year, da) -> value cell
    layout = ((str(site.get("tree_code", "3")), NBS_ROOT_NAME, NBS_CATALOGUE, "nbs"),
              (str(site.get("provincial_tree_code", "6")), NBS_PROVINCIAL_ROOT_NAME, NBS_PROVINCIAL_CATALOGUE,
               "nbs_provinces"))
    for code, root_name, catalogue, family in layout:
        nodes: dict[str, list[dict[str, Any]]] = {}
        root_id, by_name = _nbs_tree(root_name, catalogue, nodes, indicators)
        trees[code], roots[root_id] = nodes, code
        for row in served_rows(family):
            entry = by_name[(row["indicator"], row["measure"])]
            quote, note = split_quote(row["quote"])
            da = NATIONAL_DA if family == "nbs" else province_codes()[row["region"]] + "000000"
            values[(entry["_id"], row["year"], da)] = {
                "_id": entry["_id"], "i_showname": entry["i_showname"], "value": row["value"],
                "du_name": row["unit"], "da": da, "da_name": row["region"],
                "provenance": {"quote": quote, "source_title": row["source_title"], "source_url": row["source_url"],
                               "published": row["published"], "note": note},
            }

    def tree(request: Request) -> Answer:
        nodes = trees.get(request.query.get("code", ""))
        if nodes is None:
            return _json_answer({"success": True, "data": []})
        return _json_answer({"success": True, "data": nodes.get(request.query.get("pid", ""), [])})

    def indicator_list(request: Request) -> Answer:
        found = indicators.get(request.query.get("cid", ""), [])
        name = request.query.get("name", "")
        found = [i for i in found if name in i["i_showname"]]
        return _json_answer({"success": True, "data": {"list": found, "total": len(found)}})

    def es_data(request: Request) -> Answer:
        if request.method != "POST":
            return Answer(405, "text/plain", b"method not allowed")
        try:
            query = json.loads(request.body.decode("utf-8"))
            first, last = (int(p[:4]) for p in query["dts"][0].split("-"))
            wanted = set(query["indicatorIds"])
            regions = [d["value"] for d in query.get("das", [])]
            cid, root = query["cid"], query["rootId"]
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return _json_answer({"success": False, "message": "参数错误", "data": None})
        known = [i for i in indicators.get(cid, []) if i["_id"] in wanted] if root in roots else []
        data = []
        for year in range(last, first - 1, -1):
            cells = []
            for entry in known:
                for region in regions:
                    cell = values.get((entry["_id"], str(year), region))
                    cells.append(cell or {"_id": entry["_id"], "i_showname": entry["i_showname"], "value": "",
                                          "du_name": entry["du_name"], "da": region, "da_name": ""})
            data.append({"code": f"{year}YY", "name": f"{year}年", "values": cells})
        return _json_answer({"success": True, "data": data})

    build.endpoints[f"{NBS_API}/new/queryIndexTreeAsync"] = _cached_get(tree)
    build.endpoints[f"{NBS_API}/new/queryIndicatorsByCid"] = _cached_get(indicator_list)
    build.endpoints[f"{NBS_API}/stream/esData"] = es_data


# -- nea -----------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def nea_releases() -> list[dict[str, Any]]:
    """One release per source URL of the NEA rows: title, date, URL and its distinct quotes, in CSV order."""
    releases: dict[str, dict[str, Any]] = {}
    for row in served_rows("nea"):
        release = releases.setdefault(row["source_url"], {
            "title": row["source_title"], "published": row["published"], "source_url": row["source_url"],
            "quotes": [],
            "path": "/sjzz/ghs/" + hashlib.sha256(row["source_url"].encode()).hexdigest()[:24] + "/c.html",
        })
        quote, _ = split_quote(row["quote"])
        if quote not in release["quotes"]:
            release["quotes"].append(quote)
    return sorted(releases.values(), key=lambda r: r["published"] or "", reverse=True)


def _build_nea(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    column = "/" + site["column_path"].strip("/") + "/"
    ds_id = site["datasource_id"]
    releases = nea_releases()
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="SiteName" content="{_e(site["site_name"])}">'
        f'<meta name="ColumnName" content="{_e(site["column_name"])}">'
        f'<title>{_e(site["column_name"])}-{_e(site["site_name"])}</title></head><body>'
        f'<div class="list"><ul id="showData0" data="datasource:{_e(ds_id)}"></ul></div>'
        '<script src="/js/list.js"></script></body></html>'
    )
    build.files[column + "index.html"] = StaticFile(page.encode("utf-8"), "text/html; charset=utf-8",
                                                      SITE_LAST_MODIFIED)
    datasource = []
    for release in releases:
        datasource.append({
            "showTitle": release["title"], "publishUrl": release["path"],
            "publishTime": f"{release['published']} 00:00:00" if release["published"] else "",
            "summary": release["quotes"][0][:60], "sourceText": release["title"], "author": "", "editor": "",
            "responsibleEditor": "", "keywords": "装机容量",
        })
        build.files[release["path"]] = _release_page(site, release, release["quotes"])
    body = json.dumps({"categoryName": site["column_name"], "categoryDesc": "", "datasource": datasource},
                      ensure_ascii=False).encode("utf-8")
    build.files[f"{column}ds_{ds_id}.json"] = StaticFile(body, "application/json", SITE_LAST_MODIFIED)


def _release_page(site: dict[str, Any], release: dict[str, Any], paragraphs: list[str]) -> StaticFile:
    """A release page as NEA's and the statistics bureaus' sites render one: gov meta tags, the 来源 link to the
    release as first published, one paragraph per quote."""
    pub = f'<meta name="PubDate" content="{_e(release["published"])}">' if release["published"] else ""
    body = "\n".join(f"<p>{html.escape(q, quote=False)}</p>" for q in paragraphs)
    detail = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="ArticleTitle" content="{_e(release["title"])}">{pub}'
        f'<meta name="ColumnName" content="{_e(site["column_name"])}">'
        f"<title>{_e(release['title'])}-{_e(site['site_name'])}</title></head><body>"
        f'<h1 class="article-title">{_e(release["title"])}</h1>'
        f'<div class="article-info">来源：<a class="source" href="{_e(release["source_url"])}">'
        f'{_e(release["title"])}</a></div>\n<div class="article-content">\n{body}\n</div></body></html>'
    )
    return StaticFile(detail.encode("utf-8"), "text/html; charset=utf-8", SITE_LAST_MODIFIED)


# -- communique ------------------------------------------------------------------------------------
# The provincial and city rows: statistical communiqués, the NBS/NDRC/NEA provincial intensity bulletin and
# the reports that quote them. One release page per source URL, each quote one paragraph, as the source
# states it. A quote that is a table row (the compiler's note names its columns: 表列：A | B | C for the
# bulletin's flattened rows, 表头：X | Y | Z for a ` | ` table) is set under one header paragraph of those
# columns; the header words are the compiler's note, the row is the source's.
_COLUMNS = re.compile(r"表列：([^】；]*?\|[^】；]*?)(?:；|$)")
_HEAD = re.compile(r"表头：([^】；]*?\|[^】；]*?)(?:；|$)")


def communique_releases() -> list[dict[str, Any]]:
    releases: dict[str, dict[str, Any]] = {}
    for row in statistics_rows():
        if row["region"] == "全国":
            continue
        release = releases.setdefault(row["source_url"], {
            "title": row["source_title"], "published": row["published"], "source_url": row["source_url"],
            "paragraphs": [], "header": None,
            "path": "/sj/tjgb/dfgb/" + hashlib.sha256(row["source_url"].encode()).hexdigest()[:24] + ".html",
        })
        quote, note = split_quote(row["quote"])
        columns = _COLUMNS.search(note or "")
        head = _HEAD.search(note or "")
        if columns and release["header"] is None:
            release["header"] = "地区 " + " ".join(c.strip() for c in columns.group(1).split("|"))
        elif head and release["header"] is None:
            release["header"] = " | ".join(["指标", "单位", *(c.strip() for c in head.group(1).split("|"))])
        if quote not in release["paragraphs"]:
            release["paragraphs"].append(quote)
    return sorted(releases.values(), key=lambda r: r["published"] or "", reverse=True)


def _build_communique(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    column = "/" + site["column_path"].strip("/") + "/"
    items = []
    for release in communique_releases():
        header = [release["header"]] if release["header"] else []
        build.files[release["path"]] = _release_page(site, release, [*header, *release["paragraphs"]])
        date = f'<span class="date">{_e(release["published"])}</span>' if release["published"] else ""
        items.append(f'<li><a href="{_e(release["path"])}">{_e(release["title"])}</a>{date}</li>')
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="SiteName" content="{_e(site["site_name"])}">'
        f'<meta name="ColumnName" content="{_e(site["column_name"])}">'
        f'<title>{_e(site["column_name"])}-{_e(site["site_name"])}</title></head><body>'
        f'<ul class="list">{"".join(items)}</ul></body></html>'
    )
    build.files[column + "index.html"] = StaticFile(page.encode("utf-8"), "text/html; charset=utf-8",
                                                      SITE_LAST_MODIFIED)


STATISTICS_RENDERERS = {"nbs": _build_nbs, "nea": _build_nea, "communique": _build_communique}
