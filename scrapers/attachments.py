"""Attachments of a detail page (附件): which links are files, and PDF/DOCX bytes → text. Pure, no network.

Sites link their annexes in a few ways:
  TRS WCM    `<a href="./P0202304….pdf" oldsrc="P0202304….pdf">` (oldsrc = the file as uploaded; images carry
             oldsrc too, only `<a>` is an attachment), often inside `table.enclosure` below the body (NDRC)
  Hanweb     `/module/download/downfile.jsp?classid=0&filename=<hex>.pdf`, which answers 302 to /attach/…;
             for a missing file it answers 200 with an HTML page, so the bytes are sniffed, not trusted
  gov.cn     plain links in the body to …/files/….pdf
`find_links` returns the page's file links; the runner downloads the allow-listed ones (same host, a type
in CONVERTERS) through the source's PoliteSession and `to_text` turns them into text.

Text layout: paragraphs one per line; a table (Word table, or a ruled table in a PDF) one cell per line,
each cell prefixed by a tab, a blank line after each row — the layout of the corpus's own annex tables,
which the extractor's town-by-town table rules read. PDF lines wrapped at the right margin are joined
back into their paragraph (a line is continued when it reaches the right margin and the next line is
not indented).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from carbonpeak.landing import AttachmentRecord
from scrapers.http import BodyTooLarge, FetchError, HostNotAllowed, RobotsDisallowed
from scrapers.parsing import text_of
from scrapers.registry import SourceConfig

# File types a link may point at (by extension). Only CONVERTERS' keys are downloaded and read.
FILE_TYPES = frozenset(
    "pdf doc docx wps wpt xls xlsx et ppt pptx dps ofd rtf txt csv zip rar 7z".split()
)
# Query parameters that carry the file name in download scripts (Hanweb downfile.jsp and kin).
_NAME_PARAMS = ("filename", "fileName", "file", "fileurl", "fileUrl", "name", "path")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # per attachment; a source may set params.max_attachment_bytes
MAX_DOCX_XML_BYTES = 64 * 1024 * 1024  # word/document.xml uncompressed: a zip bomb stops here
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class ConversionError(ValueError):
    """Bytes that are not the file they claim to be, or that could not be read."""


@dataclass(frozen=True)
class AttachmentLink:
    name: str  # the link text (or title, or the file name)
    url: str  # absolute, resolved against the page URL
    type: str | None  # pdf, docx, doc, xls… from the file name; None when the link does not say


def file_type(url: str, *names: str | None) -> str | None:
    """The file extension of `url` (its path, or a file-name query parameter), else of the first name."""
    parts = urlsplit(url)
    candidates = [unquote(parts.path)]
    candidates += [unquote(v) for k, v in parse_qsl(parts.query) if k in _NAME_PARAMS]
    candidates += [n for n in names if n]
    for candidate in candidates:
        suffix = PurePosixPath(candidate.strip().split("?")[0]).suffix.lower().lstrip(".")
        if suffix in FILE_TYPES:
            return suffix
    return None


def find_links(soup: BeautifulSoup, page_url: str, *, body: Tag | None, selector: str | None) -> list[AttachmentLink]:
    """The page's attachment links, in page order, each URL once: file links inside `body`, and every
    link `selector` matches (a family's attachment markup, e.g. TRS `a[oldsrc], table.enclosure a[href]`).
    A body link that is not a file (another page) is not an attachment; a `selector` link is one even
    when its type is unknown (it is then recorded, not downloaded)."""
    explicit = {id(a) for a in soup.select(selector)} if selector else set()
    anchors: list[Tag] = list(body.find_all("a")) if body is not None else []
    in_body = {id(a) for a in anchors}
    anchors += [a for a in soup.find_all("a") if id(a) in explicit and id(a) not in in_body]
    seen: set[str] = set()
    out: list[AttachmentLink] = []
    for a in anchors:
        href = str(a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(page_url, href)
        text = text_of(a)
        kind = file_type(url, str(a.get("oldsrc") or ""), text)
        if kind is None and id(a) not in explicit:
            continue
        if url in seen:
            continue
        seen.add(url)
        name = text or str(a.get("title") or "") or PurePosixPath(urlsplit(url).path).name
        out.append(AttachmentLink(name=name, url=url, type=kind))
    return out


def sniff(content: bytes) -> str:
    """What the bytes are, whatever the link or the Content-Type said."""
    head = content[:1024]
    if b"%PDF-" in head:  # readers accept junk before the header, so some servers send it
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "zip"
        return "docx" if "word/document.xml" in names else "xlsx" if "xl/workbook.xml" in names else "zip"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole (doc/xls/wps)"
    if b"<html" in head.lower():
        return "html"
    return "unknown"


def to_text(content: bytes, kind: str) -> str:
    """Text of an attachment of type `kind` (a CONVERTERS key); ConversionError when the bytes are something
    else (e.g. the HTML error page a download script sends with status 200 for a missing file)."""
    actual = sniff(content)
    if actual != kind:
        raise ConversionError(f"expected a {kind} file, got {actual} ({len(content)} bytes)")
    text = CONVERTERS[kind](content)
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


# -- PDF ------------------------------------------------------------------------------------------


def _cell_lines(rows: Iterable[Iterable[str | None]]) -> list[str]:
    lines: list[str] = []
    for row in rows:
        lines += ["\t" + (cell or "") for cell in row if cell is not None]  # None: covered by a merged cell
        lines.append("")
    return lines


def pdf_text(content: bytes) -> str:
    """Text of a PDF's text layer (pdfplumber): ruled tables cell by cell, other lines in reading order,
    wrapped paragraph lines joined. A scanned PDF has no text layer and gives ""."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    lines: list[str] = []
    continues = False  # the last text line reached the right margin: the next one may continue it
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            for page in pdf.pages:
                tables = page.find_tables()
                rest = page
                for table in tables:
                    x0, top, x1, bottom = table.bbox  # a table drawn past the page edge is clipped to it
                    rest = rest.outside_bbox((max(x0, 0), max(top, 0), min(x1, page.width), min(bottom, page.height)))
                text_lines = [line for line in rest.extract_text_lines() if line["text"].strip()]
                left = min((line["x0"] for line in text_lines), default=0.0)
                right = float(page.width) - left  # margins are symmetric on printed documents
                items: list[tuple[float, Any]] = [(float(t.bbox[1]), t) for t in tables]
                items += [(float(line["top"]), line) for line in text_lines]
                for _, item in sorted(items, key=lambda i: i[0]):
                    if not isinstance(item, dict):
                        lines += _cell_lines(item.extract())
                        continues = False
                        continue
                    size = float(item["bottom"]) - float(item["top"]) or 10.0
                    text = item["text"]
                    if continues and lines and float(item["x0"]) < left + size / 2:
                        lines[-1] += text
                    else:
                        lines.append(text)
                    continues = float(item["x1"]) >= right - 1.5 * size
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise ConversionError(f"unreadable PDF: {type(exc).__name__}: {exc}") from exc
    return "\n".join(lines)


# -- DOCX -----------------------------------------------------------------------------------------


def _runs_text(paragraph: Any) -> str:
    out: list[str] = []
    for run in paragraph.iter(_W + "r"):
        for el in run:
            if el.tag == _W + "t":
                out.append(el.text or "")
            elif el.tag == _W + "tab":
                out.append("\t")
            elif el.tag in (_W + "br", _W + "cr"):
                out.append("\n")
            elif el.tag == _W + "noBreakHyphen":
                out.append("-")
    return "".join(out)  # w:delText (tracked deletions) and w:instrText (field codes) are not text


def _blocks(parent: Any, lines: list[str]) -> None:
    for child in parent:
        if child.tag == _W + "p":
            lines += _runs_text(child).split("\n")
        elif child.tag == _W + "tbl":
            rows = []
            for tr in child.iter(_W + "tr"):
                if tr.getparent() is not child:
                    continue  # a nested table's row: read inside its cell
                cells = []
                for tc in tr.iter(_W + "tc"):
                    if tc.getparent() is tr:
                        cell: list[str] = []
                        _blocks(tc, cell)
                        cells.append("\n".join(cell))
                rows.append(cells)
            lines += _cell_lines(rows)
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins"):
            _blocks(child, lines)


def docx_text(content: bytes) -> str:
    """Text of a Word 2007+ file (word/document.xml, read with zipfile and lxml: no Word library needed).
    Body paragraphs and tables in document order; headers, footers and comments are left out."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCX_XML_BYTES:
                raise ConversionError(f"word/document.xml expands to {info.file_size} bytes")
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ConversionError(f"not a Word document: {exc}") from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ConversionError(f"unreadable word/document.xml: {exc}") from exc
    body = root.find(_W + "body")
    lines: list[str] = []
    if body is not None:
        _blocks(body, lines)
    return "\n".join(lines)


# type -> converter; the types a source downloads by default (params.attachment_types may narrow it).
CONVERTERS: dict[str, Callable[[bytes], str]] = {"pdf": pdf_text, "docx": docx_text}


# -- appending attachments to a page ----------------------------------------------------------------


class AttachmentSkipped(Exception):
    """An attachment that is recorded but not read; `status` says why (AttachmentRecord.status)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class AttachmentFailure:
    url: str
    reason: str
    transient: bool  # worth fetching again next run (5xx, 429, timeouts), unlike a 404 or an unreadable file


def check_policy(source: SourceConfig, link: AttachmentLink) -> None:
    """Raise AttachmentSkipped unless the attachment is on the source's own hosts and of a type read."""
    host = (urlsplit(link.url).hostname or "").lower()
    if host not in {source.host, *source.extra_hosts}:
        raise AttachmentSkipped("other_host", f"on {host}, not a host of this source: recorded, not followed")
    wanted = source.param("attachment_types") or list(CONVERTERS)
    readable = [t for t in wanted if t in CONVERTERS]
    if link.type not in readable:
        raise AttachmentSkipped("not_read", f"{link.type or 'unknown type'}: only {', '.join(readable)} files are read")


def _transient(exc: Exception) -> bool:
    if not isinstance(exc, FetchError) or isinstance(exc, BodyTooLarge | HostNotAllowed | RobotsDisallowed):
        return False
    return exc.status is None or exc.status >= 500 or exc.status == 429


# read(link) -> (bytes, raw_path) of an attachment the policy lets through: the runner fetches (conditional
# GET) and saves the bytes; a re-parse loads the saved ones.
Reader = Callable[[AttachmentLink], tuple[bytes, str]]


def append_attachments(
    source: SourceConfig, body: str, links: Iterable[AttachmentLink], read: Reader
) -> tuple[str, tuple[AttachmentRecord, ...], list[AttachmentFailure]]:
    """The page's body with the text of each attachment `check_policy` lets through appended after a blank
    line, the records of every attachment (with the offsets of its text), and the ones that failed."""
    text = body
    records: list[AttachmentRecord] = []
    failures: list[AttachmentFailure] = []
    for link in links:
        base = AttachmentRecord(name=link.name, url=link.url, type=link.type, status="failed")
        try:
            check_policy(source, link)
            content, raw_path = read(link)
            base = replace(base, content_hash=hashlib.sha256(content).hexdigest(), raw_path=raw_path)
            part = to_text(content, str(link.type))
            if not part.strip():
                raise ConversionError("no text layer (a scanned PDF?): nothing to read without OCR")
        except AttachmentSkipped as skip:
            records.append(replace(base, status=skip.status, error=str(skip)))
            continue
        except (FetchError, ConversionError) as exc:
            records.append(replace(base, error=str(exc)))
            failures.append(AttachmentFailure(link.url, str(exc), _transient(exc)))
            continue
        separator = "\n\n" if text else ""
        start = len(text) + len(separator)
        text = text + separator + part
        records.append(replace(base, status="read", text_start=start, text_end=len(text)))
    return text, tuple(records), failures
