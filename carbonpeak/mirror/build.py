"""Render the offline mirror: `sites.toml` + `corpus/` → per-host static files and list data.

Deterministic: the same inputs give the same bytes, so ETags (a hash of the bytes) are stable
across runs and a second scrape sees 304s. Last-Modified is fixed per document in sites.toml.
Each detail page carries the full gov meta-tag set and the corpus text verbatim, one HTML-escaped
`<p>` per line, so the scraped body text reproduces the corpus line by line. A page may instead show a
few lines of its own (`page_lines`, copied verbatim from the document) and carry the document itself as
an attachment; a `[[sites.<key>.files]]` entry is a file the column lists on its own (a PDF-only entry).
Hanweb serves every file through `/module/download/downfile.jsp?classid=0&filename=<name>`, which answers
302 to `/attach/0/<name>` (and 200 with an HTML page for a name it does not know, as the real one does).
"""

from __future__ import annotations

import hashlib
import html
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

from carbonpeak.mirror.attachments import CONTENT_TYPES, AttachmentFile, corpus_pdf, split_attachments

HERE = Path(__file__).resolve().parent
SITES_FILE = HERE / "sites.toml"
CORPUS_DIR = HERE / "corpus"
TEMPLATES_DIR = HERE / "templates"
# Pages that are not documents (list pages, robots.txt) carry this fixed Last-Modified.
SITE_LAST_MODIFIED = "Mon, 01 Jul 2024 00:00:00 GMT"


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    content_type: str
    last_modified: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


@dataclass(frozen=True)
class Request:
    """What a dynamic endpoint of a mirrored site sees of one request."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


# A site's API endpoints (search, JSON lists) answer from the request, not from a file.
Endpoint = Callable[[Request], Answer]


@dataclass
class SiteBuild:
    key: str
    host: str
    family: str
    config: dict[str, Any]
    files: dict[str, StaticFile] = field(default_factory=dict)
    # Hanweb only: the `<li>` records dataproxy.jsp pages through, newest first.
    records: list[str] = field(default_factory=list)
    # path -> endpoint, for every method; checked before the static files.
    endpoints: dict[str, Endpoint] = field(default_factory=dict)


def load_sites(path: Path = SITES_FILE) -> dict[str, dict[str, Any]]:
    return dict(tomllib.loads(path.read_text(encoding="utf-8"))["sites"])


def corpus_text(name: str) -> str:
    return (CORPUS_DIR / name).read_bytes().decode("utf-8")


def _template(name: str) -> Template:
    return Template((TEMPLATES_DIR / name).read_text(encoding="utf-8"))


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def body_html(text: str) -> str:
    """One `<p>` per corpus line, escaped; whitespace inside a line is the author's and is kept."""
    return "\n".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))


def meta_block(site: dict[str, Any], doc: dict[str, Any] | None, url: str) -> str:
    tags = [
        "<!--站点类-->",
        f'<meta name="SiteName" content="{_e(site["site_name"])}">',
        f'<meta name="SiteDomain" content="{_e(site["host"])}">',
        f'<meta name="SiteIDCode" content="{_e(site["site_id_code"])}">',
        "<!--栏目类-->",
        f'<meta name="ColumnName" content="{_e(site["column_name"])}">',
        f'<meta name="ColumnType" content="{_e(site["column_type"])}">',
    ]
    if doc is not None:
        tags += [
            "<!--内容类-->",
            f'<meta name="ArticleTitle" content="{_e(doc["title"])}">',
            f'<meta name="PubDate" content="{_e(doc["pub_date"])}">',
            f'<meta name="ContentSource" content="{_e(doc["issuer"])}">',
            f'<meta name="Keywords" content="{_e(doc["keywords"])}">',
            '<meta name="Author" content="">',
            f'<meta name="Description" content="{_e(doc["description"])}">',
            f'<meta name="Url" content="{_e(url)}">',
        ]
    return "\n".join(tags)


def _encode(site: dict[str, Any], page: str) -> tuple[bytes, str]:
    charset = site.get("charset", "utf-8")
    content_type = "text/html"
    # Some TRS sites send no charset in the header at all; the page's meta tag is all there is.
    if site.get("header_charset", True):
        content_type += f"; charset={charset}"
    return page.encode(charset), content_type


def _hanweb_li(doc: dict[str, Any]) -> str:
    day = doc["pub_date"][:10]
    return (
        f'<li><a href="{_e(doc["path"])}" title="{_e(doc["title"])}" target="_blank">{_e(doc["title"])}</a>'
        f'<span class="bt-data-time">{_e(day)}</span></li>'
    )


def hanweb_records_xml(records: list[str]) -> str:
    return "\n".join(f"<record><![CDATA[\n{li}\n]]></record>" for li in records)


def hanweb_dataproxy(site: SiteBuild, start: int, end: int) -> bytes:
    """The XML dataproxy.jsp answers for records start..end (1-based, inclusive)."""
    cfg = site.config
    chosen = site.records[max(start, 1) - 1 : max(end, 0)]
    perpage = int(cfg.get("perpage", 15))
    total = len(site.records)
    xml = _template("hanweb_dataproxy.xml").substitute(
        webid=cfg["webid"],
        column_id=cfg["column_id"],
        unitid=cfg["unitid"],
        webname_q=quote(cfg["webname"]),
        records=hanweb_records_xml(chosen),
        total=total,
        total_pages=(total + perpage - 1) // perpage,
    )
    return xml.encode("utf-8")


def document_text(doc: dict[str, Any], texts: dict[str, str] | None = None) -> str:
    """The text a document entry serves: its whole corpus file; with `start`/`end`, the exact slice
    `text[start:end]` of the file's 1-based line `line` (one document of a compilation); with `from_line`,
    the file from that 1-based line on (a file that opens with a header of its own, e.g. 标题：/链接：)."""
    if "page_lines" in doc:  # a page that shows a few lines and carries the document as an attachment
        return "\n".join(doc["page_lines"])
    texts = texts or {}
    text = texts[doc["corpus"]] if doc["corpus"] in texts else corpus_text(doc["corpus"])
    if "start" in doc:
        line = text.split("\n")[int(doc.get("line", 1)) - 1]
        return line[int(doc["start"]) : int(doc["end"])]
    if "from_line" in doc:
        return "\n".join(text.split("\n")[int(doc["from_line"]) - 1 :])
    return text


def _documents(site: dict[str, Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    docs = [dict(d) for d in site.get("documents", [])]
    for doc in docs:
        doc["text"] = document_text(doc, texts)
    return docs


def build_site(
    key: str,
    site: dict[str, Any],
    *,
    texts: dict[str, str] | None = None,
    last_modified: dict[str, str] | None = None,
) -> SiteBuild:
    """Render one site. `texts`/`last_modified` (keyed by corpus file name) override the corpus, for tests."""
    texts = texts or {}
    last_modified = last_modified or {}
    build = SiteBuild(key=key, host=site["host"], family=site["family"], config=site)
    live_base = f"https://{site['host']}"
    docs = _documents(site, texts)
    for doc in docs:
        doc["last_modified"] = last_modified.get(doc.get("corpus", ""), doc["last_modified"])
    build.files["/robots.txt"] = StaticFile(
        site.get("robots", "").encode("utf-8"), "text/plain", SITE_LAST_MODIFIED
    )
    renderer = RENDERERS.get(site["family"])
    if renderer is None:
        raise ValueError(f"mirror: unknown family {site['family']!r} for site {key}")
    renderer(build, site, docs, live_base)
    return build


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
    return (f'<li><a href="{_e(href)}" title="{_e(entry["title"])}" target="_blank">{_e(entry["title"])}</a>'
            + (f'<span class="bt-data-time">{_e(day)}</span>' if day else "") + "</li>")


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


def _site_files(build: SiteBuild, site: dict[str, Any]) -> list[dict[str, Any]]:
    """The site's PDF-only list entries, each file served at its path."""
    entries = [dict(f) for f in site.get("files", [])]
    for entry in entries:
        build.files[entry["path"]] = StaticFile(corpus_pdf(entry["pdf"]), CONTENT_TYPES["pdf"],
                                                entry.get("last_modified", SITE_LAST_MODIFIED))
    return entries


def _hanweb_attachments(attachments: list[AttachmentFile]) -> str:
    """Hanweb puts the download links at the end of the article body, inside #zoom."""
    return "\n".join(f'<p>附件：<a href="{_e(hanweb_download_link(att.path))}" target="_blank">'
                     f"{_e(att.name)}.{att.format}</a></p>" for att in attachments)


def _build_hanweb(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    docs = sorted(docs, key=lambda d: d["pub_date"], reverse=True)
    # Newest first; a file whose date is not known (none is invented) goes last.
    dated = [(d["pub_date"][:10], _hanweb_li(d)) for d in docs]
    dated += [(f.get("date") or "", _hanweb_file_li(f)) for f in _site_files(build, site)]
    build.records = [li for _, li in sorted(dated, key=lambda item: item[0], reverse=True)]
    build.endpoints[HANWEB_DOWNFILE] = _hanweb_downfile(build)
    perpage = int(site.get("perpage", 15))
    column_path = f"/col/col{site['column_id']}/index.html"
    page = _template("hanweb_column.html").substitute(
        column_name=_e(site["column_name"]),
        site_name=_e(site["site_name"]),
        meta=meta_block(site, None, live_base + column_path),
        column_id=site["column_id"],
        unitid=site["unitid"],
        webid=site["webid"],
        webname=_e(site["webname"]),
        webname_q=quote(site["webname"]),
        records=hanweb_records_xml(build.records[:perpage]),
        perpage=perpage,
        total=len(build.records),
        group_size=int(site.get("group_size", 3)),
    )
    body, ctype = _encode(site, page)
    build.files[column_path] = StaticFile(body, ctype, SITE_LAST_MODIFIED)
    for doc in docs:
        text, attachments = split_attachments(doc)
        page = _template("hanweb_article.html").substitute(
            title=_e(doc["title"]),
            column_name=_e(site["column_name"]),
            site_name=_e(site["site_name"]),
            meta=meta_block(site, doc, live_base + doc["path"]),
            column_id=site["column_id"],
            issuer=_e(doc["issuer"]),
            doc_number=_e(doc["doc_number"]),
            written_date=_e(doc["written_date"]),
            pub_day=_e(doc["pub_date"][:10]),
            body="\n".join(filter(None, (body_html(text), _hanweb_attachments(attachments)))),
        )
        body, ctype = _encode(site, page)
        build.files[doc["path"]] = StaticFile(body, ctype, doc["last_modified"])
        for att in attachments:
            build.files[att.path] = StaticFile(att.body, CONTENT_TYPES[att.format], doc["last_modified"])


def _build_trs(build: SiteBuild, site: dict[str, Any], docs: list[dict[str, Any]], live_base: str) -> None:
    column = "/" + site["column_path"].strip("/") + "/"
    items: list[tuple[str, str, str]] = [
        (e["date"], e["title"], e["path"]) for e in site.get("list_only", [])
    ]
    items += [(d["pub_date"][:10], d["title"], d["path"]) for d in docs]
    items += [(f.get("date") or "", f["title"], f["path"]) for f in _site_files(build, site)]
    items.sort(key=lambda i: i[0], reverse=True)  # newest first; undated entries sink to the end
    perpage = int(site.get("perpage", 20))
    count = max(1, (len(items) + perpage - 1) // perpage)
    for n in range(count):
        chunk = items[n * perpage : (n + 1) * perpage]
        lis = []
        for day, title, path in chunk:
            href = "./" + path[len(column) :] if path.startswith(column) else path
            date_span = f"<span>{_e(day)}</span>" if day else ""
            lis.append(
                f'<li><a href="{_e(href)}" title="{_e(title)}" target="_blank">{_e(title)}</a>'
                f"{date_span}</li>"
            )
        name = "index.html" if n == 0 else f"index_{n}.html"
        page = _template("trs_list.html").substitute(
            declared_charset=site.get("declared_charset", site.get("charset", "utf-8")),
            column_name=_e(site["column_name"]),
            site_name=_e(site["site_name"]),
            meta=meta_block(site, None, live_base + column + name),
            items="\n".join(lis),
            current=n,
            count=count,
        )
        body, ctype = _encode(site, page)
        build.files[column + name] = StaticFile(body, ctype, SITE_LAST_MODIFIED)
    for doc in docs:
        text, attachments = split_attachments(doc)
        page = _template("trs_detail.html").substitute(
            declared_charset=site.get("declared_charset", site.get("charset", "utf-8")),
            title=_e(doc["title"]),
            column_name=_e(site["column_name"]),
            site_name=_e(site["site_name"]),
            meta=meta_block(site, doc, live_base + doc["path"]),
            issuer=_e(doc["issuer"]),
            pub_day=_e(doc["pub_date"][:10]),
            body=body_html(text),
            attachments=trs_enclosure(doc["path"], attachments),
        )
        body, ctype = _encode(site, page)
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
        rows.append(f'<tr><td><a href="{_e(href)}" oldsrc="{_e(href.rsplit("/", 1)[-1])}" target="_blank">'
                    f"{_e(att.name)}.{att.format}</a></td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


# family -> renderer(build, site config, documents with their text, live base URL). A new family's
# mirror lives in its own module and is added here.
Renderer = Callable[[SiteBuild, dict[str, Any], list[dict[str, Any]], str], None]
from carbonpeak.mirror.bjx import build_bjx  # noqa: E402
from carbonpeak.mirror.compilation import build_compilation  # noqa: E402
from carbonpeak.mirror.gkmlpt import build_gkmlpt  # noqa: E402
from carbonpeak.mirror.govcn import build_govcn  # noqa: E402
from carbonpeak.mirror.statistics import STATISTICS_RENDERERS  # noqa: E402 (nbs, nea)

RENDERERS: dict[str, Renderer] = {"hanweb": _build_hanweb, "trs": _build_trs, **STATISTICS_RENDERERS,
                                  "govcn": build_govcn, "compilation": build_compilation,
                                  "gkmlpt": build_gkmlpt, "bjx": build_bjx}
