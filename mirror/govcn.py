"""Mirror of the gov.cn policy library: the legacy JSON search on sousuo.www.gov.cn and the pages on www.gov.cn.

Two sites in sites.toml share this family. The `pages` site (www.gov.cn) renders one detail page per
document at its real path: meta tags (firstpublishedtime, the gov meta set), the 政务公开 table
(发文机关/发文字号/成文日期/发布日期) and the body in `#UCAP-CONTENT > div.TRS_UEDITOR`, the text being an
exact slice of a corpus file (`line`, `start`, `end` as in the hand-cut slices). The `search` site
(sousuo.www.gov.cn) answers `GET /search-gov/data` from the pages site's documents: title match on `q`
(or title + text when `searchfield` names content), newest first, paged by `p` (1-based) and `n` in every
category of `searchVO.catMap`, `searchVO.totalCount` = all hits.
"""

from __future__ import annotations

import html
import json
from typing import Any

from mirror.site import (
    SITE_LAST_MODIFIED,
    Answer,
    Request,
    SiteBuild,
    StaticFile,
    document_text,
    load_sites,
)

SEARCH_PATH = "/search-gov/data"
CATEGORIES = ("gongwen", "bumenfile", "otherfile", "gongbao", "zhongyangfile")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _page(site: dict[str, Any], doc: dict[str, Any], live_base: str, body: str) -> str:
    day = doc["pub_date"][:10]
    written = doc.get("written_date", "")
    first = doc["pub_date"].replace(" ", "-")
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{_e(doc["title"])}_{_e(site["column_name"])}_{_e(site["site_name"])}</title>
<!--站点类-->
<meta name="SiteName" content="{_e(site["site_name"])}">
<meta name="SiteDomain" content="{_e(site["host"])}">
<meta name="SiteIDCode" content="{_e(site["site_id_code"])}">
<!--栏目类-->
<meta name="ColumnName" content="{_e(site["column_name"])}">
<meta name="ColumnType" content="{_e(site["column_type"])}">
<!--内容类-->
<meta name="ArticleTitle" content="{_e(doc["title"])}">
<meta name="firstpublishedtime" content="{_e(first)}">
<meta name="keywords" content="{_e(doc.get("keywords", ""))}">
<meta name="description" content="{_e(doc.get("summary", ""))}">
<meta name="url" content="{_e(live_base + doc["path"])}">
</head>
<body>
<div class="policyLibraryOverview_header">
<table>
<tr><td>索 引 号：</td><td>{_e(doc.get("index_no", ""))}</td><td>主题分类：</td><td>{_e(doc.get("topic", ""))}</td></tr>
<tr><td>发文机关：</td><td>{_e(doc["issuer"])}</td><td>成文日期：</td><td>{_e(written)}</td></tr>
<tr><td>标　　题：</td><td colspan="3">{_e(doc["title"])}</td></tr>
<tr><td>发文字号：</td><td>{_e(doc.get("doc_number", ""))}</td><td>发布日期：</td><td>{_e(day)}</td></tr>
</table>
</div>
<div class="pages_content" id="UCAP-CONTENT">
<div class="TRS_UEDITOR">
{"".join(f"<p>{html.escape(line, quote=False)}</p>" for line in body.split(chr(10)))}
</div>
</div>
</body>
</html>
"""


def _matches(doc: dict[str, Any], query: str, searchfield: str) -> bool:
    if not query:
        return True
    haystack = doc["title"]
    if "content" in searchfield or "summary" in searchfield:
        haystack += doc.get("summary", "") + document_text(doc)
    return all(word in haystack for word in query.split())


def search_answer(docs: list[dict[str, Any]], detail_base: str, request: Request) -> Answer:
    """The legacy search JSON for one request."""
    q = request.query
    try:
        page = max(int(q.get("p", "1") or 1), 1)
        size = max(min(int(q.get("n", "20") or 20), 100), 1)
    except ValueError:
        return Answer(400, "application/json;charset=UTF-8", b'{"code":400,"msg":"bad request"}')
    hits = [d for d in docs if _matches(d, q.get("q", ""), q.get("searchfield", "title"))]
    hits.sort(key=lambda d: d["pub_date"], reverse=True)
    cat_map: dict[str, Any] = {}
    for category in CATEGORIES:
        in_cat = [d for d in hits if d.get("category", "gongwen") == category]
        chosen = in_cat[(page - 1) * size : page * size]
        cat_map[category] = {
            "totalCount": len(in_cat),
            "listVO": [
                {
                    "title": d["title"],
                    "url": detail_base + d["path"],
                    "pcode": d.get("doc_number", ""),
                    "puborg": d["issuer"],
                    "pubtimeStr": d["pub_date"][:10].replace("-", "."),
                    "summary": d.get("summary", ""),
                }
                for d in chosen
            ],
        }
    body = {
        "code": 200,
        "msg": "成功",
        "searchVO": {"totalCount": len(hits), "catMap": cat_map},
        "paramsVO": {k: q.get(k, "") for k in ("t", "q", "searchfield", "sort", "p", "n", "type")},
    }
    return Answer(200, "application/json;charset=UTF-8", json.dumps(body, ensure_ascii=False).encode("utf-8"))


def build_govcn(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    if site.get("role") == "search":
        pages_site = load_sites()[site["documents_site"]]
        listed = [dict(d) for d in pages_site.get("documents", [])]
        detail_base = site.get("detail_base", f"http://{pages_site['host']}")
        build.endpoints[SEARCH_PATH] = lambda request: search_answer(listed, detail_base, request)
        build.files["/"] = StaticFile(b"<html><body>search</body></html>", "text/html; charset=utf-8",
                                      SITE_LAST_MODIFIED)
        return
    for doc in docs:
        page = _page(site, doc, live_base, doc["text"])
        build.files[doc["path"]] = StaticFile(page.encode("utf-8"), "text/html; charset=utf-8", doc["last_modified"])
