"""scrape_source: one source, one run — discover, fetch what changed, land new document versions.

Both the CLI and the Airflow task call this. Steps: list pages (always fetched) → keyword filter
→ each detail page with a conditional GET from the saved validators → raw bytes saved → pure
parse → a `DocumentRecord` for every new or changed version → `landing/documents/<key>/<run_id>.jsonl`
→ incremental state in `state/<key>.json`. A list-page failure stops the run at once; a
detail-page failure is recorded, the rest still land, and the run raises at the end.
Attachments: a new or changed page's PDF/DOCX attachments on the source's own hosts are fetched with the
same session (conditional GET from their saved validators), saved raw, and their text is appended to the
page's (scrapers/attachments.py), each file read in a child process with a memory and a time limit. A file
that cannot be read (corrupt, encrypted, a decompression bomb, over the size cap) is recorded on the document
with the reason and fails nothing else: the page lands, the source succeeds, the run log counts it and says
why (`warnings`), and it is not fetched again while the page is unchanged. A scanned file (no text layer) is
recorded as needs_ocr, counted, and nothing is read from it. A download that failed is the site's problem:
it is recorded on the document and fails the run like a failed page; a transient one (5xx, 429, timeout)
makes the next run fetch the page and retry it.
PDF-only documents: a list entry that links straight to a PDF or Word file (common on TRS and Hanweb columns)
is a document whose text is the file's: title and date from the list entry, URL the file's, the bytes saved
raw before they are read, the file itself recorded as the document's one attachment (`file_document`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from carbonpeak_core.landing import DocumentRecord
from carbonpeak_core.settings import Settings
from scrapers.attachments import (
    DEFAULT_MAX_BYTES,
    AttachmentFailure,
    AttachmentLink,
    Converter,
    Reader,
    append_attachments,
    file_type,
    readable_types,
    unreadable_reason,
)
from scrapers.families.common import ListEntry, family_module, matches_keywords
from scrapers.http import (
    BodyTooLarge,
    FetchError,
    GarbledPage,
    HostNotAllowed,
    PoliteSession,
    RequestDeadline,
    Response,
    RobotsDisallowed,
    SourceDeferred,
    Validators,
)
from scrapers.parsing import SelectorError, html_is_complete, region_from_site_id
from scrapers.rawstore import RawStore, sha256_hex
from scrapers.registry import STATISTICS_FAMILIES, SourceConfig, load_sources
from scrapers.runstate import (
    ScrapeDeferred,
    ScrapeError,
    ScrapeSummary,
    StateFileError,
    Urls,
    effective_base_url,
    host_of,
    land_and_remember,
    listed_unchanged,
    load_state,
    make_session,
    mark_checked,
    now,
    source_deadline,
)
from scrapers.textlayer.isolate import convert_isolated

log = logging.getLogger(__name__)


def scrape_source(
    key: str,
    settings: Settings,
    run_id: str,
    *,
    sources: Mapping[str, SourceConfig] | None = None,
    session: PoliteSession | None = None,
    deadline: float | None = None,
) -> ScrapeSummary:
    """Scrape one registered source. Returns the summary; raises ScrapeError (with `.summary`), ScrapeDeferred when
    the source's time budget (`deadline`, a time.monotonic() value, else CARBONPEAK_SOURCE_BUDGET from now) runs
    out or the site asks for a wait above CARBONPEAK_MAX_WAIT: the pages fetched by then land, the rest waits."""
    registry = sources if sources is not None else load_sources(settings.sources_file)
    if key not in registry:
        raise ScrapeError(key, str(settings.sources_file), f"no source {key!r} in the registry")
    source = registry[key]
    if source.family in STATISTICS_FAMILIES:  # official figures, not documents: scrapers/statistics/
        from scrapers.statistics import scrape_statistics

        return scrape_statistics(source, settings, run_id, session=session, deadline=deadline)
    family = family_module(source.family)
    extra = {f"https://{h}": settings.base_urls[h] for h in source.extra_hosts if h in settings.base_urls}
    urls = Urls(source.base_url, effective_base_url(source, settings), extra)
    raw = RawStore(settings.raw_dir, key)
    state_path = settings.state_dir / f"{key}.json"
    summary = ScrapeSummary(source_key=key)
    try:
        state = load_state(state_path)
    except StateFileError as exc:
        summary.outcome = "failed"
        raise ScrapeError(key, "", str(exc), summary=summary) from exc
    known: dict[str, dict[str, Any]] = state["documents"]
    own_session = session is None
    http = session or make_session(source, settings, source_deadline(settings, deadline))

    def where(url: str) -> str:
        """The live URL, with the URL actually fetched (the offline mirror's) as a detail when it differs."""
        live = urls.to_live(url)
        return live if live == url else f"{live} (fetched from {url})"

    convert_file = settings_converter(settings)
    file_types = readable_types(source)

    def fetch(method: str, url: str, form: Mapping[str, str] | None) -> Response:
        response = http.request(method, url, data=form)
        raw.save(response, canonical_url=urls.to_live(response.url))
        _check_complete(response)
        return response

    try:
        # -- list pages: any failure stops the run ---------------------------------------------
        list_url = urls.effective
        try:
            entries: list[ListEntry] = family.discover(fetch, source, urls.effective)
        except SourceDeferred as exc:
            summary.outcome = "deferred"
            raise ScrapeDeferred(key, where(exc.url), f"list pages not finished: {exc.reason}",
                                 summary=summary) from exc
        except SelectorError as exc:
            summary.outcome = "failed"
            raise ScrapeError(key, where(exc.url), f"list page: {exc.what}: {advice(exc)}", summary=summary) from exc
        except FetchError as exc:  # the summary's request and byte counts are filled in on the way out
            summary.outcome = "failed"
            raise ScrapeError(key, where(exc.url), f"list page failed: {exc.reason}: {advice(exc)}",
                              summary=summary) from exc
        seen: set[str] = set()
        in_scope: list[ListEntry] = []
        pages: dict[str, dict[str, Any]] = {}
        for entry in entries:
            page = pages.setdefault(urls.to_live(entry.list_page or list_url),
                                    {"url": urls.to_live(entry.list_page or list_url), "listed_total": 0, "matched": 0})
            page["listed_total"] += 1
            fetch_url = urls.to_effective(entry.url)
            if host_of(fetch_url) != host_of(list_url) and host_of(fetch_url) not in source.extra_hosts:
                log.info("[%s] skipping off-site link %s", key, entry.url)
                continue
            if not matches_keywords(entry.title, source.keywords):
                continue
            page["matched"] += 1
            if fetch_url in seen:
                continue
            seen.add(fetch_url)
            in_scope.append(ListEntry(url=fetch_url, title=entry.title, date=entry.date))
        summary.listed_total = len(entries)
        summary.listed = len(in_scope)
        summary.list_pages = list(pages.values())
        for page in summary.list_pages:
            log.info("[%s] list page %s: %d entries, %d match the keywords", key, page["url"], page["listed_total"],
                     page["matched"])

        # -- detail pages: failures are recorded, the rest carry on ----------------------------
        records: list[DocumentRecord] = []
        failed: list[str] = []
        deferred: SourceDeferred | None = None
        done = 0
        for entry in in_scope:
            live_url = urls.to_live(entry.url)
            previous = known.get(live_url)
            if (getattr(family, "LIST_SHOWS_REVISIONS", True) and not (previous or {}).get("retry_attachments")
                    and listed_unchanged(previous, (entry.title, entry.date), settings.recheck_days)):
                summary.unchanged += 1  # not even a conditional GET: the list says nothing changed
                continue
            kind = file_type(entry.url)
            try:
                if kind in file_types:  # the list links straight to the file: it is the document
                    landed, broken = _scrape_file(http, raw, family, source, entry, live_url, previous, run_id,
                                                  known, kind, convert_file)
                else:
                    landed, broken = _scrape_detail(http, raw, family, source, entry, live_url, previous, run_id,
                                                    known, urls, convert_file)
            except SourceDeferred as exc:  # out of time: what was fetched lands, the rest waits for the next run
                deferred = exc
                break
            except (FetchError, SelectorError, ValueError) as exc:
                summary.failed += 1
                failed.append(live_url)
                reason = exc.what if isinstance(exc, SelectorError) else exc.reason if isinstance(exc, FetchError) \
                    else str(exc)
                detail = where(entry.url)
                summary.errors.append(f"{detail}: {reason}: {advice(exc)}")
                log.warning("[%s] %s: %s", key, detail, reason)
                continue
            finally:
                done += 1
            if live_url in known:
                mark_checked(known[live_url], (entry.title, entry.date))
            for attachment in broken:
                summary.attachments_failed += 1
                where = "" if attachment.url == live_url else f" (attachment of {live_url})"
                if attachment.unreadable:  # the file's fault: recorded, reported, and nothing else fails
                    summary.warnings.append(f"[{key}] {attachment.url}{where}: {attachment.reason}")
                else:
                    failed.append(attachment.url)
                    summary.errors.append(f"{live_url} attachment {attachment.url}: {attachment.reason}")
                log.warning("[%s] %s%s: %s", key, attachment.url, where, attachment.reason)
            if not landed and not any(b.url == live_url for b in broken):  # (an unreadable PDF-only document)
                summary.unchanged += 1
            for record, is_change in landed:
                if is_change:
                    summary.changed += 1
                else:
                    summary.new += 1
                summary.attachments += sum(1 for a in record.attachments if a.status == "read")
                for scanned in (a for a in record.attachments if a.needs_ocr):
                    summary.needs_ocr += 1
                    where = "" if scanned.url == live_url else f" (attachment of {live_url})"
                    summary.warnings.append(f"[{key}] {scanned.url}{where}: {scanned.error}")
                    log.warning("[%s] %s%s: %s", key, scanned.url, where, scanned.error)
                records.append(record)

        land_and_remember(settings, "documents", key, run_id, records, summary, state, state_path)
    finally:
        summary.requests = http.requests_made
        summary.bytes = http.bytes_received
        if own_session:
            http.close()

    if deferred is not None:
        summary.outcome = "deferred"
        left = len(in_scope) - done + 1
        raise ScrapeDeferred(key, where(deferred.url), f"{deferred.reason} ({len(records)} document version(s) "
                             f"landed, {left} of {len(in_scope)} listed page(s) left for the next run)",
                             summary=summary)
    if failed:
        summary.outcome = "failed"
        counts = [f"{summary.failed} of {summary.listed} detail page(s)"] if summary.failed else []
        counts += [f"{summary.attachments_failed} attachment(s)"] if summary.attachments_failed else []
        raise ScrapeError(
            key,
            "",
            "; ".join(summary.errors) + f" ({' and '.join(counts)} failed; the rest landed)",
            summary=summary,
            failed_urls=tuple(failed),
        )
    return summary


def advice(exc: BaseException) -> str:
    """What to do about a failed request or page, in a few words."""
    if isinstance(exc, SelectorError):
        return ("the page layout has changed: compare the raw page saved in data/raw with the selector and fix the "
                "source's params in scrapers/sources.toml (or the family's parser)")
    if isinstance(exc, GarbledPage):
        return "nothing was landed from it"
    if isinstance(exc, RequestDeadline):
        return "the next run tries again; raise CARBONPEAK_REQUEST_DEADLINE only if the site is slow but honest"
    if isinstance(exc, HostNotAllowed):
        return "add the host to the source's extra_hosts in scrapers/sources.toml only if it belongs to the site"
    if isinstance(exc, RobotsDisallowed):
        return "robots.txt forbids it: ask the site's operators, never work around it"
    if isinstance(exc, BodyTooLarge):
        return "raise CARBONPEAK_MAX_BODY_BYTES if the file is genuine"
    if isinstance(exc, FetchError):
        if exc.status in (404, 410):
            return "the page is gone or has moved: check the source's ids in scrapers/sources.toml on the live site"
        if exc.status in (401, 403):
            return ("the site refuses the request (a WAF, or a mainland-only site): run from a mainland egress; never "
                    "rotate proxies or User-Agents")
        return "the site is down, slow or blocking; the next run tries again"
    return "see the raw page saved in data/raw"


def _check_complete(response: Response) -> None:
    """A page cut off before </html> (a server that died mid-render, sent with a matching Content-Length)
    would otherwise parse into a partial document."""
    if "html" in (response.content_type or "") and not html_is_complete(response.text):
        raise FetchError(response.url, "truncated HTML: the page ends before </html>", status=response.status)


def settings_converter(settings: Settings) -> Converter:
    """convert(bytes, kind) in a child process with the Settings' memory and time limits."""
    return functools.partial(convert_isolated, memory_mb=settings.convert_memory_mb,
                             timeout_s=settings.convert_timeout)


def _scrape_detail(
    http: PoliteSession,
    raw: RawStore,
    family: Any,
    source: SourceConfig,
    entry: ListEntry,
    live_url: str,
    previous: Mapping[str, Any] | None,
    run_id: str,
    known: dict[str, dict[str, Any]],
    urls: Urls,
    convert_file: Converter,
) -> tuple[list[tuple[DocumentRecord, bool]], list[AttachmentFailure]]:
    """Fetch and parse one detail page: the (record, is a new version of a known document) pairs to land,
    none when nothing changed, and the attachments that failed. A family with `parse_parts` (a compilation)
    yields several documents from one file; only the new or changed ones land. Updates `known` in place."""
    retry = bool(previous and previous.get("retry_attachments"))
    validators = None
    if previous and not retry and (previous.get("etag") or previous.get("last_modified")):
        validators = Validators(etag=previous.get("etag"), last_modified=previous.get("last_modified"))
    response = http.get(entry.url, validators=validators)
    if response.not_modified:
        return [], []
    _check_complete(response)
    fetched_at = now()
    raw_path = raw.save(response, canonical_url=live_url, fetched_at=fetched_at)
    content_hash = sha256_hex(response.content)
    document_id = document_id_for(family, source, live_url)
    entry_state: dict[str, Any] = {
        "document_id": document_id,
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
        "content_hash": content_hash,
        "raw_path": raw_path,
        "fetched_at": fetched_at,
    }
    if previous and previous.get("content_hash") == content_hash and not retry:
        known[live_url] = {**previous, **entry_state}
        return [], []
    if hasattr(family, "parse_parts"):
        parts = parse_parts_documents(
            family, source, response.text, live_url, content_hash=content_hash, raw_path=raw_path,
            fetched_at=fetched_at, run_id=run_id,
        )
        before: dict[str, str] = dict((previous or {}).get("parts") or {})
        known[live_url] = {**entry_state, "parts": {r.document_id: r.version_hash for r in parts}}
        return [(r, r.document_id in before) for r in parts if before.get(r.document_id) != r.version_hash], []
    saved: dict[str, dict[str, Any]] = {}
    read = _attachment_fetcher(http, raw, source, urls, dict((previous or {}).get("attachments") or {}), saved)
    broken: list[AttachmentFailure] = []
    record = parse_document(
        family,
        source,
        response.text,
        live_url,
        list_title=entry.title,
        list_date=entry.date,
        content_hash=content_hash,
        raw_path=raw_path,
        fetched_at=fetched_at,
        run_id=run_id,
        read_attachment=read,
        attachment_failures=broken,
        convert_file=convert_file,
    )
    known[live_url] = {**entry_state, "version_hash": record.version_hash, "attachments": saved}
    if any(failure.transient for failure in broken):  # next run: fetch the page again, retry the attachment
        known[live_url].update(etag=None, last_modified=None, retry_attachments=True)
    if previous and previous.get("version_hash") == record.version_hash:
        return [], broken  # page chrome changed, the document did not
    return [(record, bool(previous and previous.get("version_hash")))], broken


def _scrape_file(
    http: PoliteSession,
    raw: RawStore,
    family: Any,
    source: SourceConfig,
    entry: ListEntry,
    live_url: str,
    previous: Mapping[str, Any] | None,
    run_id: str,
    known: dict[str, dict[str, Any]],
    kind: str,
    convert_file: Converter,
) -> tuple[list[tuple[DocumentRecord, bool]], list[AttachmentFailure]]:
    """Fetch and read one list entry that is a file (a PDF-only document), like `_scrape_detail` a page: a
    conditional GET, the bytes saved raw before they are read, a new version only when the text changed. A
    file that cannot be read lands nothing and fails nothing: its failure is returned (and remembered in the
    state, so the same bytes are not read again); a scanned file lands with needs_ocr and no text."""
    validators = None
    if previous and (previous.get("etag") or previous.get("last_modified")):
        validators = Validators(etag=previous.get("etag"), last_modified=previous.get("last_modified"))
    cap = int(source.param("max_attachment_bytes", DEFAULT_MAX_BYTES))
    try:
        response = http.get(entry.url, validators=validators, max_bytes=cap)
    except BodyTooLarge as exc:  # the file's fault, not the site's: it fails alone
        reason = unreadable_reason(exc)
        known[live_url] = {**(previous or {}), "document_id": document_id_for(family, source, live_url),
                           "file": kind, "file_error": reason}
        return [], [AttachmentFailure(live_url, reason, transient=False, unreadable=True)]
    if response.not_modified:
        return [], []
    fetched_at = now()
    raw_path = raw.save(response, canonical_url=live_url, fetched_at=fetched_at)
    content_hash = sha256_hex(response.content)
    entry_state: dict[str, Any] = {
        "document_id": document_id_for(family, source, live_url),
        "file": kind,
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
        "content_hash": content_hash,
        "raw_path": raw_path,
        "fetched_at": fetched_at,
    }
    if previous and previous.get("content_hash") == content_hash:
        known[live_url] = {**previous, **entry_state}
        return [], []
    record, broken = file_document(
        family, source, response.content, live_url, name=entry.title, kind=kind, list_date=entry.date,
        content_hash=content_hash, raw_path=raw_path, fetched_at=fetched_at, run_id=run_id, convert_file=convert_file,
    )
    if record is None:  # the version landed before (if any) stays the document's latest
        kept = {"version_hash": previous["version_hash"]} if previous and previous.get("version_hash") else {}
        known[live_url] = {**entry_state, **kept, "file_error": broken[0].reason}
        return [], broken
    known[live_url] = {**entry_state, "version_hash": record.version_hash}
    if previous and previous.get("version_hash") == record.version_hash:
        return [], broken
    return [(record, bool(previous and previous.get("version_hash")))], broken


def file_document(
    family: Any,
    source: SourceConfig,
    content: bytes,
    live_url: str,
    *,
    name: str,
    kind: str,
    list_date: str | None,
    content_hash: str,
    raw_path: str,
    fetched_at: str,
    run_id: str,
    convert_file: Converter,
) -> tuple[DocumentRecord | None, list[AttachmentFailure]]:
    """The DocumentRecord of a document published as a file only (the live scrape and `scrapers.reparse`
    share this): body_text is the file's text, the file is its one attachment (at [0, end), named by the list
    entry's title), title and date come from the list entry, the region from the source. None, with the
    failure, when the file cannot be read; a scanned file gives an empty body_text and needs_ocr."""
    link = AttachmentLink(name=name, url=live_url, type=kind)
    body, attachments, broken = append_attachments(source, "", [link], lambda _: (content, raw_path), convert_file)
    (attachment,) = attachments
    if attachment.status not in ("read", "needs_ocr"):
        return None, broken
    return DocumentRecord(
        document_id=document_id_for(family, source, live_url),
        version_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        source_key=source.key,
        family=source.family,
        url=live_url,
        title=name,
        issuer=None,
        doc_number=None,
        publish_date=list_date,
        region_code=source.region_code,
        site_id_code=None,
        site_name=None,
        column_name=None,
        body_text=body,
        content_hash=content_hash,
        raw_path=raw_path,
        fetched_at=fetched_at,
        run_id=run_id,
        attachments=attachments,
        needs_ocr=attachment.needs_ocr,
    ), broken


def _attachment_fetcher(http: PoliteSession, raw: RawStore, source: SourceConfig, urls: Urls,
                        before: Mapping[str, Mapping[str, Any]], saved: dict[str, dict[str, Any]]) -> Reader:
    """read(link) for `append_attachments`: a conditional GET from the attachment's saved validators (a 304
    reads the saved bytes), the bytes saved raw, what was fetched remembered in `saved` (the page's state)."""
    cap = int(source.param("max_attachment_bytes", DEFAULT_MAX_BYTES))

    def read(link: AttachmentLink) -> tuple[bytes, str]:
        known = before.get(link.url) or {}
        validators = None
        if known.get("raw_path") and (raw.raw_dir / str(known["raw_path"])).exists():
            validators = Validators(etag=known.get("etag"), last_modified=known.get("last_modified"))
        response = http.get(urls.to_effective(link.url), validators=validators, max_bytes=cap)
        if response.not_modified:
            saved[link.url] = dict(known)
            return raw.load(str(known["raw_path"]))[0], str(known["raw_path"])
        fetched_at = now()
        raw_path = raw.save(response, canonical_url=link.url, fetched_at=fetched_at)
        saved[link.url] = {"etag": response.headers.get("etag"), "last_modified": response.headers.get("last-modified"),
                           "content_hash": sha256_hex(response.content), "raw_path": raw_path, "fetched_at": fetched_at}
        return response.content, raw_path

    return read


def document_id_for(family: Any, source: SourceConfig, live_url: str) -> str:
    """The stable id of a document: `<source_key>:<article key in its live URL>`."""
    return f"{source.key}:{family.article_key(live_url)}"


def parse_document(
    family: Any,
    source: SourceConfig,
    text: str,
    live_url: str,
    *,
    list_title: str,
    list_date: str | None,
    content_hash: str,
    raw_path: str,
    fetched_at: str,
    run_id: str,
    read_attachment: Reader | None = None,
    attachment_failures: list[AttachmentFailure] | None = None,
    convert_file: Converter = convert_isolated,
) -> DocumentRecord:
    """Parse one decoded detail page into its DocumentRecord (the live scrape and `scrapers.reparse` share
    this), with the text of its attachments appended when `read_attachment` is given; the attachments that
    failed are added to `attachment_failures`. `list_title`/`list_date` fill a title or date the page itself
    does not give. Raises SelectorError when the page no longer parses, ValueError when it has no text (a
    page whose only content is a scanned attachment lands empty, flagged needs_ocr)."""
    parsed = family.parse_detail(text, live_url, source)
    body, attachments = parsed.body_text, ()
    if read_attachment is not None and parsed.attachments:
        body, attachments, broken = append_attachments(source, body, parsed.attachments, read_attachment,
                                                       convert_file)
        if attachment_failures is not None:
            attachment_failures.extend(broken)
    needs_ocr = any(a.needs_ocr for a in attachments)
    if not body.strip() and not needs_ocr:
        raise ValueError("empty body text" + (" and no readable attachment" if parsed.attachments else ""))
    return DocumentRecord(
        document_id=document_id_for(family, source, live_url),
        version_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        source_key=source.key,
        family=source.family,
        url=live_url,
        title=parsed.title or list_title,
        issuer=parsed.issuer,
        doc_number=parsed.doc_number,
        publish_date=parsed.publish_date or list_date,
        region_code=parsed.region_code or region_from_site_id(parsed.site_id_code) or source.region_code,
        site_id_code=parsed.site_id_code,
        site_name=parsed.site_name,
        column_name=parsed.column_name,
        body_text=body,
        content_hash=content_hash,
        raw_path=raw_path,
        fetched_at=fetched_at,
        run_id=run_id,
        attachments=attachments,
        needs_ocr=needs_ocr,
        canonical_url=parsed.canonical_url,
        written_date=parsed.written_date,
        issuers=parsed.issuers,
        validity=parsed.validity,
    )


def parse_parts_documents(
    family: Any,
    source: SourceConfig,
    text: str,
    live_url: str,
    *,
    content_hash: str,
    raw_path: str,
    fetched_at: str,
    run_id: str,
) -> list[DocumentRecord]:
    """One DocumentRecord per part of a multi-document file (`family.parse_parts`, e.g. a compilation):
    each with its own URL, id, region, compilation id and page range; all share the file's raw bytes."""
    records = []
    for part in family.parse_parts(text, live_url, source):
        parsed = part.detail
        if not parsed.body_text.strip():
            raise ValueError(f"empty body text in part {part.key}")
        records.append(DocumentRecord(
            document_id=f"{source.key}:{part.key}",
            version_hash=hashlib.sha256(parsed.body_text.encode("utf-8")).hexdigest(),
            source_key=source.key,
            family=source.family,
            url=part.url,
            title=parsed.title,
            issuer=parsed.issuer,
            doc_number=parsed.doc_number,
            publish_date=parsed.publish_date,
            region_code=part.region_code or source.region_code,
            site_id_code=parsed.site_id_code,
            site_name=parsed.site_name,
            column_name=parsed.column_name,
            body_text=parsed.body_text,
            content_hash=content_hash,
            raw_path=raw_path,
            fetched_at=fetched_at,
            run_id=run_id,
            compilation_id=part.compilation_id,
            page_range=part.page_range,
            canonical_url=parsed.canonical_url,
            written_date=parsed.written_date,
            issuers=parsed.issuers,
            validity=parsed.validity,
        ))
    return records
