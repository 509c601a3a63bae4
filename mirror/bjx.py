"""Mirror of a 北极星 (bjx.com.cn) news site: column list pages and article pages, UTF-8.

Per site (sites.toml, family "bjx"): each column is `/{column}/`, `/{column}/2/` … with `perpage` items in
`div.cc-list-content ul li` (absolute links, a date `span`), newest first, synthetic `list_only` entries
included (titles only, no keyword, no page: they push the real article onto page 2), and past the last
page a 404. Each document is an article page at its real path: the `.cc-headline` bar (h1, time, 来源,
关键词) and the text in `#article_cont .cc-article`, one `<p>` per line (build.body_html).
"""

from __future__ import annotations

import html
from typing import Any

from mirror.site import SITE_LAST_MODIFIED, SiteBuild, StaticFile, body_html

HTML = "text/html; charset=utf-8"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _list_page(site: dict[str, Any], column: dict[str, Any], items: list[tuple[str, str, str]], page: int,
               pages: int) -> str:
    lis = "\n".join(
        f'<li><a href="{_e(url)}" title="{_e(title)}" target="_blank">{_e(title)}</a><span>{_e(day)}</span></li>'
        for day, title, url in items
    )
    paging = " ".join(
        f'<a href="/{column["path"]}/{"" if n == 1 else f"{n}/"}">{n}</a>' for n in range(1, pages + 1)
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{_e(column["name"])}-{_e(site["site_name"])}</title>
</head>
<body>
<div class="cc-crumbs"><div class="box2"><em><a href="https://{_e(site["host"])}/">{_e(site["site_name"])}</a></em><em>{_e(column["name"])}</em></div></div>
<div class="cc-layout-3"><div class="box"><div class="center">
<div class="cc-list-content">
<ul>
{lis}
</ul>
</div>
<div class="cc-paging">{paging}</div>
</div></div></div>
</body>
</html>
"""


def _article(site: dict[str, Any], doc: dict[str, Any]) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{_e(doc["title"])}-{_e(site["site_name"])}</title>
<meta name="Keywords" content="{_e(doc.get("keywords", ""))}">
</head>
<body>
<div class="cc-headline"><div class="box">
<h1>{_e(doc["title"])}</h1>
<p><span>{_e(doc["pub_time"])}</span><span>来源：{_e(doc.get("credit", ""))}</span>\
<span id="key_word">关键词：{_e(doc.get("keywords", ""))}</span></p>
</div></div>
<div class="cc-layout-3"><div class="box"><div class="center js-detail-center">
<div id="article_cont"><div class="cc-article">
{body_html(doc["text"])}
</div></div>
</div></div></div>
</body>
</html>
"""


def build_bjx(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    perpage = int(site.get("perpage", 20))
    for column in site.get("columns", []):
        items = [(e["date"], e["title"], live_base + e["path"]) for e in site.get("list_only", [])
                 if e["column"] == column["path"]]
        items += [(d["pub_time"][:10], d["title"], live_base + d["path"])
                  for d in docs if d["column"] == column["path"]]
        items.sort(key=lambda item: item[0], reverse=True)
        pages = max(1, (len(items) + perpage - 1) // perpage)
        for n in range(1, pages + 1):
            page = _list_page(site, column, items[(n - 1) * perpage : n * perpage], n, pages)
            path = f"/{column['path']}/" if n == 1 else f"/{column['path']}/{n}/"
            build.files[path] = StaticFile(page.encode("utf-8"), HTML, SITE_LAST_MODIFIED)
    for doc in docs:
        build.files[doc["path"]] = StaticFile(_article(site, doc).encode("utf-8"), HTML, doc["last_modified"])
