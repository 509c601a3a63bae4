"""Attachments (附件) of a detail page: which links are files, and reading them into the page's text. No network.

Sites link their annexes in a few ways:
  TRS WCM    `<a href="./P0202304….pdf" oldsrc="P0202304….pdf">` (oldsrc = the file as uploaded; images carry
             oldsrc too, only `<a>` is an attachment), often inside `table.enclosure` below the body (NDRC)
  Hanweb     `/module/download/downfile.jsp?classid=0&filename=<hex>.pdf`, which answers 302 to /attach/…;
             for a missing file it answers 200 with an HTML page, so the bytes are sniffed, not trusted
  gov.cn     plain links in the body to …/files/….pdf
`find_links` returns the page's file links; the runner downloads the allow-listed ones (same host, a type
in CONVERTERS) through the source's PoliteSession and `append_attachments` reads them.

Bytes become text in scrapers.textlayer (PDF with pypdfium2, cleaned to reading text; DOCX), each file in a
child process with a memory and a time limit (scrapers.textlayer.isolate). A file that cannot be read —
corrupt, encrypted, a decompression bomb, over the size cap — fails that attachment only: it is recorded with
the reason and what to do, and the page lands without its text. A scanned file (no text layer) is recorded
as needs_ocr; nothing is read from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from carbonpeak_core.landing import AttachmentRecord
from scrapers.http import BodyTooLarge, FetchError, HostNotAllowed, RobotsDisallowed
from scrapers.parsing import text_of
from scrapers.registry import SourceConfig
from scrapers.textlayer import CONVERTERS, ConversionError, FileText
from scrapers.textlayer.isolate import ResourceLimitError, convert_isolated

# File types a link may point at (by extension). Only CONVERTERS' keys are downloaded and read.
FILE_TYPES = frozenset(
    "pdf doc docx wps wpt xls xlsx et ppt pptx dps ofd rtf txt csv zip rar 7z".split()
)
# Query parameters that carry the file name in download scripts (Hanweb downfile.jsp and kin).
_NAME_PARAMS = ("filename", "fileName", "file", "fileurl", "fileUrl", "name", "path")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # per attachment; a source may set params.max_attachment_bytes


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


# -- appending attachments to a page ----------------------------------------------------------------


class AttachmentSkipped(Exception):
    """An attachment that is recorded but not read; `status` says why (AttachmentRecord.status)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class AttachmentFailure:
    url: str
    reason: str  # what went wrong, and what to do about it
    transient: bool  # worth fetching again next run (5xx, 429, timeouts), unlike a 404 or an unreadable file
    # The file itself is bad (corrupt, encrypted, a bomb, too big): it fails alone and does not fail the run,
    # unlike a download that failed (the site's problem, which the run reports as it reports a failed page).
    unreadable: bool = False


def readable_types(source: SourceConfig) -> list[str]:
    """The file types the source downloads and reads: params.attachment_types, else every CONVERTERS type."""
    wanted = source.param("attachment_types") or list(CONVERTERS)
    return [t for t in wanted if t in CONVERTERS]


def check_policy(source: SourceConfig, link: AttachmentLink) -> None:
    """Raise AttachmentSkipped unless the attachment is on the source's own hosts and of a type read."""
    host = (urlsplit(link.url).hostname or "").lower()
    if host not in {source.host, *source.extra_hosts}:
        raise AttachmentSkipped("other_host", f"on {host}, not a host of this source: recorded, not followed")
    readable = readable_types(source)
    if link.type not in readable:
        raise AttachmentSkipped("not_read", f"{link.type or 'unknown type'}: only {', '.join(readable)} files are read")


def _transient(exc: Exception) -> bool:
    if not isinstance(exc, FetchError) or isinstance(exc, BodyTooLarge | HostNotAllowed | RobotsDisallowed):
        return False
    return exc.status is None or exc.status >= 500 or exc.status == 429


# read(link) -> (bytes, raw_path) of an attachment the policy lets through: the runner fetches (conditional
# GET) and saves the bytes; a re-parse loads the saved ones.
Reader = Callable[[AttachmentLink], tuple[bytes, str]]
# convert(bytes, kind) -> FileText: scrapers.textlayer.isolate.convert_isolated with the Settings' limits.
Converter = Callable[[bytes, str], FileText]


def unreadable_reason(exc: Exception) -> str:
    """Why a file could not be read, and what to do about it (for the attachment record and the run log)."""
    reason = str(exc)
    if isinstance(exc, BodyTooLarge):
        return f"{reason}: raise params.max_attachment_bytes of this source if the file is genuine"
    if isinstance(exc, ResourceLimitError):
        return reason  # names the setting to raise
    if "expands to" in reason:  # the DOCX reader's own cap on word/document.xml (scrapers/textlayer/docx.py)
        return f"{reason}, more than a Word document's text needs: a decompression bomb, not read"
    if "encrypted" in reason or "password" in reason.lower():
        return f"{reason}: only a copy without a password can be read; ask the publisher, or add the text by hand"
    return (f"{reason}: the file as served is damaged or not what its link says; its bytes are kept in the raw "
            "store, and it is fetched again only when its page (or, published on its own, the file) changes")


def needs_ocr_reason(result: FileText) -> str:
    pages = f"{result.pages} page(s)" if result.pages else "its pages"
    return (f"no text layer on {pages} (a scanned file): nothing was read from it; its text needs OCR, which "
            "carbonpeak does not do (the bytes are kept in the raw store)")


def append_attachments(
    source: SourceConfig, body: str, links: Iterable[AttachmentLink], read: Reader,
    convert_file: Converter = convert_isolated,
) -> tuple[str, tuple[AttachmentRecord, ...], list[AttachmentFailure]]:
    """The page's body with the text of each attachment `check_policy` lets through appended after a blank
    line, the records of every attachment (with the offsets of its text), and the ones that failed. A scanned
    file is recorded as needs_ocr (not a failure); a file that cannot be read fails alone (`unreadable`)."""
    text = body
    records: list[AttachmentRecord] = []
    failures: list[AttachmentFailure] = []
    for link in links:
        base = AttachmentRecord(name=link.name, url=link.url, type=link.type, status="failed")
        try:
            check_policy(source, link)
            content, raw_path = read(link)
            base = replace(base, content_hash=hashlib.sha256(content).hexdigest(), raw_path=raw_path)
            result = convert_file(content, str(link.type))
            if result.needs_ocr:
                records.append(replace(base, status="needs_ocr", needs_ocr=True, error=needs_ocr_reason(result)))
                continue
            part = result.text
            if not part.strip():
                raise ConversionError("the file holds no text")
        except AttachmentSkipped as skip:
            records.append(replace(base, status=skip.status, error=str(skip)))
            continue
        except (BodyTooLarge, ConversionError) as exc:
            reason = unreadable_reason(exc)
            records.append(replace(base, error=reason))
            failures.append(AttachmentFailure(link.url, reason, transient=False, unreadable=True))
            continue
        except FetchError as exc:
            records.append(replace(base, error=str(exc)))
            failures.append(AttachmentFailure(link.url, str(exc), _transient(exc)))
            continue
        separator = "\n\n" if text else ""
        start = len(text) + len(separator)
        text = text + separator + part
        records.append(replace(base, status="read", text_start=start, text_end=len(text)))
    return text, tuple(records), failures
