"""The building blocks of a mirrored site: the rendered files and endpoints (`SiteBuild`), the gov meta-tag
block, page encoding, the corpus texts and `sites.toml`. Family renderers (hanweb.py, trs.py, govcn.py…)
use them; build.py runs them.

Deterministic: the same inputs give the same bytes, so ETags (a hash of the bytes) are stable
across runs and a second scrape sees 304s. Last-Modified is fixed per document in sites.toml.
Each detail page carries the full gov meta-tag set and the corpus text verbatim, one HTML-escaped
`<p>` per line, so the scraped body text reproduces the corpus line by line. A page may instead show a
few lines of its own (`page_lines`, copied verbatim from the document) and carry the document itself as
an attachment; a `[[sites.<key>.files]]` entry is a file the column lists on its own (a PDF-only entry).
"""

from __future__ import annotations

import hashlib
import html
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

from mirror.attachments import CONTENT_TYPES, corpus_pdf

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


def template(name: str) -> Template:
    return Template((TEMPLATES_DIR / name).read_text(encoding="utf-8"))


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def body_html(text: str) -> str:
    """One `<p>` per corpus line, escaped; whitespace inside a line is the author's and is kept."""
    return "\n".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))


def meta_block(site: dict[str, Any], doc: dict[str, Any] | None, url: str) -> str:
    tags = [
        "<!--站点类-->",
        f'<meta name="SiteName" content="{esc(site["site_name"])}">',
        f'<meta name="SiteDomain" content="{esc(site["host"])}">',
        f'<meta name="SiteIDCode" content="{esc(site["site_id_code"])}">',
        "<!--栏目类-->",
        f'<meta name="ColumnName" content="{esc(site["column_name"])}">',
        f'<meta name="ColumnType" content="{esc(site["column_type"])}">',
    ]
    if doc is not None:
        tags += [
            "<!--内容类-->",
            f'<meta name="ArticleTitle" content="{esc(doc["title"])}">',
            f'<meta name="PubDate" content="{esc(doc["pub_date"])}">',
            f'<meta name="ContentSource" content="{esc(doc["issuer"])}">',
            f'<meta name="Keywords" content="{esc(doc["keywords"])}">',
            '<meta name="Author" content="">',
            f'<meta name="Description" content="{esc(doc["description"])}">',
            f'<meta name="Url" content="{esc(url)}">',
        ]
    return "\n".join(tags)


def encode_page(site: dict[str, Any], page: str) -> tuple[bytes, str]:
    charset = site.get("charset", "utf-8")
    content_type = "text/html"
    # Some TRS sites send no charset in the header at all; the page's meta tag is all there is.
    if site.get("header_charset", True):
        content_type += f"; charset={charset}"
    return page.encode(charset), content_type


def hanweb_li(doc: dict[str, Any]) -> str:
    day = doc["pub_date"][:10]
    return (
        f'<li><a href="{esc(doc["path"])}" title="{esc(doc["title"])}" target="_blank">{esc(doc["title"])}</a>'
        f'<span class="bt-data-time">{esc(day)}</span></li>'
    )


def hanweb_records_xml(records: list[str]) -> str:
    return "\n".join(f"<record><![CDATA[\n{li}\n]]></record>" for li in records)


def hanweb_dataproxy(site: SiteBuild, start: int, end: int) -> bytes:
    """The XML dataproxy.jsp answers for records start..end (1-based, inclusive). A site whose sites.toml entry
    says `totalrecord = false` leaves the count out of the XML, as some live Hanweb columns do."""
    cfg = site.config
    chosen = site.records[max(start, 1) - 1 : max(end, 0)]
    perpage = int(cfg.get("perpage", 15))
    total = len(site.records)
    xml = template("hanweb_dataproxy.xml").substitute(
        webid=cfg["webid"],
        column_id=cfg["column_id"],
        unitid=cfg["unitid"],
        webname_q=quote(cfg["webname"]),
        records=hanweb_records_xml(chosen),
        total=total,
        total_pages=(total + perpage - 1) // perpage,
    )
    if not cfg.get("totalrecord", True):
        xml = re.sub(r"<totalrecord>\d+</totalrecord>\n<totalpage>\d+</totalpage>\n", "", xml)
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


def site_documents(site: dict[str, Any], texts: dict[str, str]) -> list[dict[str, Any]]:
    docs = [dict(d) for d in site.get("documents", [])]
    for doc in docs:
        doc["text"] = document_text(doc, texts)
    return docs


def site_files(build: SiteBuild, site: dict[str, Any]) -> list[dict[str, Any]]:
    """The site's PDF-only list entries, each file served at its path."""
    entries = [dict(f) for f in site.get("files", [])]
    for entry in entries:
        build.files[entry["path"]] = StaticFile(corpus_pdf(entry["pdf"]), CONTENT_TYPES["pdf"],
                                                entry.get("last_modified", SITE_LAST_MODIFIED))
    return entries
