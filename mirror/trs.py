"""The TRS WCM family as the mirror serves it: `index_N.html` lists (GBK without a charset header where the
site says so), `tYYYYMMDD_ID.html` detail pages, annexes in `table.enclosure` with `oldsrc` links."""

from __future__ import annotations

from typing import Any

from mirror.attachments import CONTENT_TYPES, AttachmentFile, split_attachments
from mirror.site import (
    SITE_LAST_MODIFIED,
    SiteBuild,
    StaticFile,
    body_html,
    encode_page,
    esc,
    meta_block,
    site_files,
    template,
)


def build_trs(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    column = "/" + site["column_path"].strip("/") + "/"
    items: list[tuple[str, str, str]] = [
        (e["date"], e["title"], e["path"]) for e in site.get("list_only", [])
    ]
    items += [(d["pub_date"][:10], d["title"], d["path"]) for d in docs]
    items += [(f.get("date") or "", f["title"], f["path"]) for f in site_files(build, site)]
    items.sort(key=lambda i: i[0], reverse=True)  # newest first; undated entries sink to the end
    perpage = int(site.get("perpage", 20))
    count = max(1, (len(items) + perpage - 1) // perpage)
    for n in range(count):
        chunk = items[n * perpage : (n + 1) * perpage]
        lis = []
        for day, title, path in chunk:
            href = "./" + path[len(column) :] if path.startswith(column) else path
            date_span = f"<span>{esc(day)}</span>" if day else ""
            lis.append(
                f'<li><a href="{esc(href)}" title="{esc(title)}" target="_blank">{esc(title)}</a>'
                f"{date_span}</li>"
            )
        name = "index.html" if n == 0 else f"index_{n}.html"
        page = template("trs_list.html").substitute(
            declared_charset=site.get("declared_charset", site.get("charset", "utf-8")),
            column_name=esc(site["column_name"]),
            site_name=esc(site["site_name"]),
            meta=meta_block(site, None, live_base + column + name),
            items="\n".join(lis),
            current=n,
            count=count,
        )
        body, ctype = encode_page(site, page)
        build.files[column + name] = StaticFile(body, ctype, SITE_LAST_MODIFIED)
    for doc in docs:
        text, attachments = split_attachments(doc)
        page = template("trs_detail.html").substitute(
            declared_charset=site.get("declared_charset", site.get("charset", "utf-8")),
            title=esc(doc["title"]),
            column_name=esc(site["column_name"]),
            site_name=esc(site["site_name"]),
            meta=meta_block(site, doc, live_base + doc["path"]),
            issuer=esc(doc["issuer"]),
            pub_day=esc(doc["pub_date"][:10]),
            body=body_html(text),
            attachments=trs_enclosure(doc["path"], attachments),
        )
        body, ctype = encode_page(site, page)
        build.files[doc["path"]] = StaticFile(body, ctype, doc["last_modified"])
        for att in attachments:
            build.files[att.path] = StaticFile(att.body, CONTENT_TYPES[att.format], doc["last_modified"])


def trs_enclosure(page_path: str, attachments: list[AttachmentFile]) -> str:
    """TRS's attachment block below the body: relative links, `oldsrc` naming the uploaded file."""
    if not attachments:
        return ""
    folder = page_path.rsplit("/", 1)[0] + "/"
    rows = ['<table class="enclosure">', "<tr><td>附件：</td></tr>"]
    for att in attachments:
        href = "./" + att.path[len(folder):] if att.path.startswith(folder) else att.path
        rows.append(f'<tr><td><a href="{esc(href)}" oldsrc="{esc(href.rsplit("/", 1)[-1])}" target="_blank">'
                    f"{esc(att.name)}.{att.format}</a></td></tr>")
    rows.append("</table>")
    return "\n".join(rows)
