"""Mirror of a Guangdong gkmlpt site (信息公开目录管理平台): index page, JSON list API, post pages.

Per site (sites.toml, family "gkmlpt"): `{site_path}/gkmlpt/index` sets `window._CONFIG = {SID, TREE}`;
`GET {site_path}/gkmlpt/api/all/{catId}?page=&sid=` answers `{classify, articles, total}` for each
configured category, `page_size` articles a page (page 0 = page 1, past the end `articles: []`), or, with
`first_page_only`, every article on page 1 and 404 for page ≥ 2; an unknown sid answers 404 (what the live
API does then was not observable offline; failing loudly is the mirror's choice). Each document is a post page
at `{site_path}/gkmlpt/content/{id // 10^6}/{id // 10^3}/post_{id}.html` (the layout of every gkmlpt post URL
seen in public code, e.g. post_1659863 → content/1/1659/, post_10898321 → content/10/10898/) with the gov
meta set, the `div.classify` table, `window._CONFIG.DETAIL` and the text in `div.article-content`; a
document's text is an exact slice of a corpus file (build.document_text).
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from mirror.site import SITE_LAST_MODIFIED, Answer, Request, SiteBuild, StaticFile, body_html, meta_block

_CHINA = timezone(timedelta(hours=8))
JSON = "application/json;charset=UTF-8"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _script_json(value: object) -> str:
    """JSON inside a <script>: the platform writes `<` and `>` as \\u003C/\\u003E, which also keeps a
    `</p>` in the content from ending the script."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E")


def post_path(site: dict[str, Any], post_id: int) -> str:
    return f"{site.get('site_path', '')}/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1000}/post_{post_id}.html"


def _epoch(moment: str) -> int | None:
    """'2021-10-24 19:58' (Beijing time) → epoch seconds; '' (a date not readable offline) → None."""
    if not moment:
        return None
    parsed = datetime.fromisoformat(moment if len(moment) > 10 else moment + " 00:00")
    return int(parsed.replace(tzinfo=_CHINA).timestamp())


def _article(site: dict[str, Any], doc: dict[str, Any], live_base: str, category: dict[str, Any]) -> dict[str, Any]:
    """One `articles[]` record, with the field names the live API uses."""
    published = _epoch(doc.get("pub_date", ""))
    return {
        "id": doc["id"],
        "title": doc["title"],
        "url": live_base + post_path(site, doc["id"]),
        "post_url": doc.get("post_url", ""),
        "publisher": doc.get("publisher", ""),
        "document_number": doc.get("document_number", ""),
        "identifier": doc.get("identifier", ""),
        "keywords": doc.get("keywords", ""),
        "abstract": "",
        "date": _epoch(doc.get("written_date", "")),
        "created_at": f"{doc['pub_date']}:00" if len(doc.get("pub_date", "")) == 16 else None,
        "display_publish_time": published,
        "create_time": published,
        "classify_main_name": category["name"],
        "attachment": [],
        "relation": "[]",
        "is_expired": 0,
        "is_abolished": 0,
    }


def list_answer(site: dict[str, Any], articles: list[dict[str, Any]], category: dict[str, Any],
                request: Request) -> Answer:
    if request.query.get("sid") != str(site["sid"]):
        return Answer(404, "text/html", b"<html><body>404 Not Found</body></html>")
    try:
        page = max(int(request.query.get("page", "1") or 1), 1)  # page 0 is page 1
    except ValueError:
        return Answer(400, JSON, b'{"msg":"bad page"}')
    if site.get("first_page_only"):
        if page > 1:
            return Answer(404, "text/html", b"<html><body>404 Not Found</body></html>")
        chosen = articles
    else:
        size = int(site.get("page_size", 100))
        chosen = articles[(page - 1) * size : page * size]
    body = {
        "classify": {"id": category["id"], "name": category["name"], "post_count": len(articles)},
        "articles": chosen,
        "total": len(articles),
    }
    return Answer(200, JSON, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def _index(site: dict[str, Any]) -> str:
    tree = [{"id": c["id"], "name": c["name"], "post_count": sum(1 for d in site.get("documents", [])
                                                                   if d["category"] == c["id"]), "children": []}
            for c in site.get("categories", [])]
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>政府信息公开_{_e(site["site_name"])}</title>
</head>
<body>
<div id="app"></div>
<script>
window._CONFIG = {{
    SID: '{_e(site["sid"])}',
    TREE: {_script_json(tree)}
}};
</script>
</body>
</html>
"""


def _classify_rows(doc: dict[str, Any], article: dict[str, Any]) -> str:
    """The div.classify rows: label and value in one cell, the value in a span."""
    def cell(label: str, value: object, colspan: str = "") -> str:
        return f"<td{colspan}><label>{label}：</label><span>{_e(value)}</span></td>"

    rows = [
        cell("索引号", doc.get("identifier", "")) + cell("分类", article["classify_main_name"]),
        cell("发布机构", doc.get("publisher", "")) + cell("成文日期", doc.get("written_date", "")),
        cell("名称", doc["title"], ' colspan="2"'),
        cell("文号", doc.get("document_number", "")) + cell("发布日期", doc.get("pub_date", "")[:10]),
    ]
    return "\n".join(f"<tr>{row}</tr>" for row in rows)


def _post(site: dict[str, Any], doc: dict[str, Any], live_base: str, article: dict[str, Any]) -> str:
    meta = meta_block(site, {"title": doc["title"], "pub_date": doc.get("pub_date", ""),
                             "issuer": doc.get("publisher", ""), "keywords": doc.get("keywords", ""),
                             "description": doc["title"]}, live_base + post_path(site, doc["id"]))
    detail = {**article, "content": body_html(doc["text"])}
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{_e(doc["title"])}</title>
{meta}
</head>
<body>
<div class="classify">
<table>
{_classify_rows(doc, article)}
</table>
</div>
<div class="content">
<div class="article-content">
{body_html(doc["text"])}
</div>
</div>
<script>
window._CONFIG = {{
    SID: '{_e(site["sid"])}',
    DETAIL: {_script_json(detail)}
}};
</script>
</body>
</html>
"""


def build_gkmlpt(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    root = site.get("site_path", "")
    build.files[f"{root}/gkmlpt/index"] = StaticFile(_index(site).encode("utf-8"), "text/html; charset=utf-8",
                                                     SITE_LAST_MODIFIED)
    for category in site.get("categories", []):
        in_category = sorted((d for d in docs if d["category"] == category["id"]),
                             key=lambda d: (d.get("pub_date", ""), d["id"]), reverse=True)
        articles = [_article(site, d, live_base, category) for d in in_category]
        build.endpoints[f"{root}/gkmlpt/api/all/{category['id']}"] = (
            lambda request, a=articles, c=category: list_answer(site, a, c, request))
        for doc, article in zip(in_category, articles, strict=True):
            page = _post(site, doc, live_base, article)
            build.files[post_path(site, doc["id"])] = StaticFile(page.encode("utf-8"), "text/html; charset=utf-8",
                                                                 doc["last_modified"])
