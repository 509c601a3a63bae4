"""reparse_source: land a source's saved detail pages again, parsed by the current family code, offline.

When a family's `parse_detail` is fixed (a title, issuer or date it used to miss), the saved raw pages
already hold everything needed: the state file `state/<key>.json` names each document's live URL and
the `raw_path` of its latest bytes, and the raw store's sidecar has the response headers. Each page is
decoded with the live path's charset rule (`Response.text`), parsed, its attachments read again from
their saved bytes, and turned into the same `DocumentRecord` the runner builds
(`scrapers.runner.parse_document`) — same document_id, version_hash of the body text, content_hash of
the bytes, the original fetch time — stamped with this run's id, and
written to `landing/documents/<key>/<run_id>.jsonl`. For a (document_id, version_hash) already landed
the latest run wins, so corrected metadata reaches the warehouse; a changed body is a new version.

No HTTP session is created here: a re-parse cannot touch the network. The state file is not changed.
A document published as a file only (a PDF-only list entry) is read again from its saved bytes
(`scrapers.runner.file_document`); one whose latest file could not be read at scrape time is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carbonpeak_core.landing import DocumentRecord, iter_documents, write_jsonl
from carbonpeak_core.settings import Settings
from scrapers.attachments import AttachmentLink, AttachmentSkipped, Converter, Reader
from scrapers.families.common import family_module
from scrapers.http import Response
from scrapers.rawstore import RawStore, sha256_hex
from scrapers.registry import STATISTICS_FAMILIES, SourceConfig, load_sources
from scrapers.runner import (
    ScrapeError,
    document_id_for,
    file_document,
    parse_document,
    parse_parts_documents,
    settings_converter,
)
from scrapers.runstate import load_state

log = logging.getLogger(__name__)


@dataclass
class ReparseSummary:
    source_key: str
    pages: int = 0  # saved detail pages the state file names
    documents: int = 0  # records landed
    changed_versions: int = 0  # landed records whose version_hash differs from the state's
    failed: int = 0
    errors: list[str] = field(default_factory=list)  # "<url> (raw <raw_path>): <reason>"
    landing_file: str | None = None  # relative to Settings.landing_dir, when rows were written
    skipped: str | None = None  # why a source has nothing to re-parse


def _landed_fallbacks(settings: Settings, key: str) -> dict[str, DocumentRecord]:
    """The latest landed record of each of the source's documents (by run id): the title and date the
    live run took from the list page when the page itself gave none, which a re-parse cannot see."""
    latest: dict[str, DocumentRecord] = {}
    for record in iter_documents(settings.landing_dir):
        if record.source_key != key:
            continue
        held = latest.get(record.document_id)
        if held is None or record.run_id >= held.run_id:
            latest[record.document_id] = record
    return latest


def _saved_response(raw: RawStore, raw_path: str) -> tuple[Response, dict[str, Any]]:
    """The saved bytes as the Response the live run parsed (its `text` applies the same charset rule),
    and the sidecar."""
    content, meta = raw.load(raw_path)
    headers = meta.get("headers")
    response = Response(
        url=str(meta.get("url") or ""),
        status=int(str(meta.get("status") or 200)),
        headers={str(k).lower(): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {},
        content=content,
    )
    return response, meta


def _reparse_page(
    raw: RawStore,
    family: Any,
    source: SourceConfig,
    live_url: str,
    entry: Mapping[str, Any],
    fallback: DocumentRecord | None,
    run_id: str,
    convert_file: Converter,
) -> DocumentRecord:
    raw_path = entry.get("raw_path")
    if not raw_path:
        raise ValueError("the state names no raw_path for this document")
    response, sidecar = _saved_response(raw, str(raw_path))
    content_hash = sha256_hex(response.content)
    expected = entry.get("content_hash")
    if expected and content_hash != expected:
        raise ValueError(f"saved bytes do not match their content hash {expected[:12]}… (corrupted?)")
    fetched_at = entry.get("fetched_at") or sidecar.get("fetched_at")  # when these bytes were fetched
    if entry.get("file"):  # a PDF-only document: the saved bytes are the file
        record, broken = file_document(
            family, source, response.content, live_url,
            name=fallback.title if fallback else str(entry.get("list_title") or ""), kind=str(entry["file"]),
            list_date=fallback.publish_date if fallback else entry.get("list_date"), content_hash=content_hash,
            raw_path=str(raw_path), fetched_at=str(fetched_at), run_id=run_id, convert_file=convert_file,
        )
        if record is None:
            raise ValueError(broken[0].reason)
        return record
    return parse_document(
        family,
        source,
        response.text,
        live_url,
        list_title=fallback.title if fallback else "",
        list_date=fallback.publish_date if fallback else None,
        content_hash=content_hash,
        raw_path=str(raw_path),
        fetched_at=str(fetched_at),
        run_id=run_id,
        read_attachment=_saved_attachment(raw, entry),
        convert_file=convert_file,
    )


def _saved_attachment(raw: RawStore, entry: Mapping[str, Any]) -> Reader:
    """read(link) from the bytes the scrape saved; an attachment it could not fetch stays unread."""
    saved: Mapping[str, Mapping[str, Any]] = entry.get("attachments") or {}

    def read(link: AttachmentLink) -> tuple[bytes, str]:
        raw_path = (saved.get(link.url) or {}).get("raw_path")
        if not raw_path:
            raise AttachmentSkipped("failed", "not fetched when the page was scraped; no saved copy to re-read")
        return raw.load(str(raw_path))[0], str(raw_path)

    return read


def _reparse_parts(raw: RawStore, family: Any, source: SourceConfig, live_url: str, entry: Mapping[str, Any],
                   run_id: str) -> list[DocumentRecord]:
    raw_path = entry.get("raw_path")
    if not raw_path:
        raise ValueError("the state names no raw_path for this file")
    response, sidecar = _saved_response(raw, str(raw_path))
    content_hash = sha256_hex(response.content)
    if entry.get("content_hash") and content_hash != entry["content_hash"]:
        raise ValueError(f"saved bytes do not match their content hash {entry['content_hash'][:12]}… (corrupted?)")
    fetched_at = str(entry.get("fetched_at") or sidecar.get("fetched_at"))
    return parse_parts_documents(family, source, response.text, live_url, content_hash=content_hash,
                                 raw_path=str(raw_path), fetched_at=fetched_at, run_id=run_id)


def reparse_source(
    key: str,
    settings: Settings,
    run_id: str,
    *,
    sources: Mapping[str, SourceConfig] | None = None,
) -> ReparseSummary:
    """Re-parse every saved detail page of one source and land the records under `run_id`.

    A page that fails (missing or corrupted raw file, no longer parses) is recorded and the rest still
    land; then ScrapeError is raised (with `.summary`), naming the source, URLs and raw paths.
    """
    registry = sources if sources is not None else load_sources(settings.sources_file)
    if key not in registry:
        raise ScrapeError(key, str(settings.sources_file), f"no source {key!r} in the registry")
    source = registry[key]
    if source.family in STATISTICS_FAMILIES:
        return ReparseSummary(source_key=key, skipped="official statistics are re-fetched, not re-parsed")
    family = family_module(source.family)
    out = settings.landing_dir / "documents" / key / f"{run_id}.jsonl"
    if out.exists():
        raise ScrapeError(key, str(out), f"run {run_id} already landed documents for this source; use a new run id")
    raw = RawStore(settings.raw_dir, key)
    known: dict[str, dict[str, Any]] = load_state(settings.state_dir / f"{key}.json")["documents"]
    fallbacks = _landed_fallbacks(settings, key)
    convert_file = settings_converter(settings)
    summary = ReparseSummary(source_key=key, pages=len(known))
    records: list[DocumentRecord] = []
    failed: list[str] = []
    for live_url in sorted(known):
        entry = known[live_url]
        document_id = entry.get("document_id") or document_id_for(family, source, live_url)
        if entry.get("file_error"):
            continue  # a PDF-only document whose latest file could not be read: nothing new to land from it
        try:
            if hasattr(family, "parse_parts"):  # one saved file holding many documents (a compilation)
                parts = _reparse_parts(raw, family, source, live_url, entry, run_id)
                records.extend(parts)
                known_parts = entry.get("parts") or {}
                summary.changed_versions += sum(1 for r in parts if known_parts.get(r.document_id) != r.version_hash)
                continue
            record = _reparse_page(raw, family, source, live_url, entry, fallbacks.get(document_id), run_id,
                                   convert_file)
        except Exception as exc:  # any parser failure is one page's failure; the others still land
            summary.failed += 1
            failed.append(live_url)
            summary.errors.append(f"{live_url} (raw {entry.get('raw_path')}): {type(exc).__name__}: {exc}")
            log.warning("[%s] re-parse of %s failed: %s", key, live_url, exc)
            continue
        records.append(record)
        if record.version_hash != entry.get("version_hash"):
            summary.changed_versions += 1

    if records:
        summary.documents = write_jsonl(out, records)
        summary.landing_file = out.relative_to(settings.landing_dir).as_posix()
    if failed:
        raise ScrapeError(
            key,
            ", ".join(failed),
            f"{len(failed)} of {summary.pages} saved page(s) failed to re-parse: " + "; ".join(summary.errors),
            summary=summary,  # type: ignore[arg-type]
            failed_urls=tuple(failed),
        )
    return summary
