"""The Hanweb 大汉 family as the mirror serves it: column pages, the jpage `dataproxy.jsp` XML list API and
`downfile.jsp` downloads (302 to `/attach/0/<name>`, 200 with an HTML page for an unknown name)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mirror.attachments import CONTENT_TYPES, AttachmentFile, split_attachments
from mirror.site import (
    SITE_LAST_MODIFIED,
    Answer,
    Endpoint,
    Request,
    SiteBuild,
    StaticFile,
    body_html,
    encode_page,
    esc,
    hanweb_li,
    hanweb_records_xml,
    meta_block,
    site_files,
    template,
)

HANWEB_DOWNFILE = "/module/download/downfile.jsp"
HANWEB_ATTACH = "/attach/0/"


def hanweb_download_link(path: str) -> str:
    """The downfile.jsp link of a file served at /attach/0/<name>."""
    if not path.startswith(HANWEB_ATTACH):
        raise ValueError(f"mirror: Hanweb files are served under {HANWEB_ATTACH}, not {path}")
    return f"{HANWEB_DOWNFILE}?classid=0&filename={path[len(HANWEB_ATTACH):]}"


def _hanweb_file_li(entry: dict[str, Any]) -> str:
    day = entry.get("date") or ""
    href = hanweb_download_link(entry["path"])
    return (f'<li><a href="{esc(href)}" title="{esc(entry["title"])}" target="_blank">{esc(entry["title"])}</a>'
            + (f'<span class="bt-data-time">{esc(day)}</span>' if day else "") + "</li>")


def _hanweb_downfile(build: SiteBuild) -> Endpoint:
    """downfile.jsp: 302 to the file; for a name it does not know, 200 with an HTML page (the live quirk that
    makes the scraper sniff the bytes instead of trusting the status)."""

    def answer(request: Request) -> Answer:
        path = HANWEB_ATTACH + request.query.get("filename", "")
        if path in build.files:
            return Answer(302, "text/html", b"", {"Location": path})
        page = "<html><head><title>下载</title></head><body><p>文件不存在！</p></body></html>"
        return Answer(200, "text/html;charset=UTF-8", page.encode("utf-8"))

    return answer


def _hanweb_attachments(attachments: list[AttachmentFile]) -> str:
    """Hanweb puts the download links at the end of the article body, inside #zoom."""
    return "\n".join(f'<p>附件：<a href="{esc(hanweb_download_link(att.path))}" target="_blank">'
                     f"{esc(att.name)}.{att.format}</a></p>" for att in attachments)


def build_hanweb(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    docs = sorted(docs, key=lambda d: d["pub_date"], reverse=True)
    # Newest first; a file whose date is not known (none is invented) goes last.
    dated = [(d["pub_date"][:10], hanweb_li(d)) for d in docs]
    dated += [(f.get("date") or "", _hanweb_file_li(f)) for f in site_files(build, site)]
    build.records = [li for _, li in sorted(dated, key=lambda item: item[0], reverse=True)]
    build.endpoints[HANWEB_DOWNFILE] = _hanweb_downfile(build)
    perpage = int(site.get("perpage", 15))
    column_path = f"/col/col{site['column_id']}/index.html"
    page = template("hanweb_column.html").substitute(
        column_name=esc(site["column_name"]),
        site_name=esc(site["site_name"]),
        meta=meta_block(site, None, live_base + column_path),
        column_id=site["column_id"],
        unitid=site["unitid"],
        webid=site["webid"],
        webname=esc(site["webname"]),
        webname_q=quote(site["webname"]),
        records=hanweb_records_xml(build.records[:perpage]),
        perpage=perpage,
        # Some live columns state the count only here, some not at all (sites.toml: jpage_total = false).
        total_line=f"    totalRecord: {len(build.records)},\n" if site.get("jpage_total", True) else "",
        proxy_url=("/module/web/jpage/morecolumndataproxy.jsp" if site.get("list_api") == "morecolumndataproxy"
                   else "/module/web/jpage/dataproxy.jsp"),
        group_size=int(site.get("group_size", 3)),
    )
    body, ctype = encode_page(site, page)
    build.files[column_path] = StaticFile(body, ctype, SITE_LAST_MODIFIED)
    for doc in docs:
        text, attachments = split_attachments(doc)
        page = template("hanweb_article.html").substitute(
            title=esc(doc["title"]),
            column_name=esc(site["column_name"]),
            site_name=esc(site["site_name"]),
            meta=meta_block(site, doc, live_base + doc["path"]),
            column_id=site["column_id"],
            issuer=esc(doc["issuer"]),
            doc_number=esc(doc["doc_number"]),
            written_date=esc(doc["written_date"]),
            pub_day=esc(doc["pub_date"][:10]),
            body="\n".join(filter(None, (body_html(text), _hanweb_attachments(attachments)))),
        )
        body, ctype = encode_page(site, page)
        build.files[doc["path"]] = StaticFile(body, ctype, doc["last_modified"])
        for att in attachments:
            build.files[att.path] = StaticFile(att.body, CONTENT_TYPES[att.format], doc["last_modified"])
