"""The landing zone: typed records the scrapers and the extractor write, and dbt reads.

Layout below `Settings.landing_dir` (dbt sources in dbt_project/models/staging/ read these globs):
  documents/<source_key>/<run_id>.jsonl   append-only: one line per new or changed document version
                                          (a re-parse lands saved versions again; the latest landing wins)
  targets/targets.jsonl                   rewritten by every extract run from all document versions
  runs/<run_id>/<kind>__<name>.json       the run log (carbonpeak/runlog.py)

Files are written whole to a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AttachmentRecord:
    """One attachment (附件) a document page links to, and what became of it. The text of a read attachment
    is appended to the page's body_text (after a blank line) at [text_start, text_end). A document published
    as a file only (a list entry linking straight to a PDF) has that file as its one attachment, at [0, end)."""

    name: str  # the link text
    url: str  # live URL
    type: str | None  # file type from the link: pdf, docx, doc, xls… (None: the link does not say)
    # read | other_host (recorded, not followed) | not_read (type not allow-listed) | failed (not fetched, or
    # unreadable: corrupt, encrypted, over a size, memory or time limit) | needs_ocr (no text layer: scanned)
    status: str
    error: str | None = None  # why it was not read, and what to do
    content_hash: str | None = None  # sha256 of the bytes as served
    raw_path: str | None = None  # the saved bytes, relative to Settings.raw_dir
    text_start: int | None = None
    text_end: int | None = None
    needs_ocr: bool = False  # a file with pages but no text layer (scanned): nothing was read from it


@dataclass(frozen=True)
class DocumentRecord:
    """One version of one document, as scraped. `version_hash` changes when the text changes."""

    document_id: str  # "<source_key>:<article key>", stable across versions
    version_hash: str  # sha256 of body_text
    source_key: str
    family: str  # CMS family: hanweb, trs, ...
    url: str
    title: str
    issuer: str | None  # ContentSource meta / 发文机关
    doc_number: str | None  # 发文字号
    publish_date: str | None  # YYYY-MM-DD (PubDate meta)
    region_code: str | None  # 6-digit GB/T 2260 code (SiteIDCode prefix, or the source registry)
    site_id_code: str | None
    site_name: str | None
    column_name: str | None
    body_text: str
    content_hash: str  # sha256 of the raw bytes as served
    raw_path: str  # path of the saved raw response, relative to Settings.raw_dir
    fetched_at: str  # ISO-8601 UTC
    run_id: str
    # A document that came inside a compilation (seed 003 holds ~80) names it and where it sat in it.
    compilation_id: str | None = None
    page_range: str | None = None  # e.g. "156-170", as printed in the compilation
    # The page's attachments; the text of each one read is part of body_text (see AttachmentRecord).
    attachments: tuple[AttachmentRecord, ...] = ()
    # Part of the document is a file without a text layer (a scanned PDF): its text is not in body_text,
    # which is empty for a scanned file published on its own.
    needs_ocr: bool = False
    # The page's `Url` meta tag: where the document itself lives when the page republishes it (stored, never
    # followed); None when the page gives none.
    canonical_url: str | None = None
    written_date: str | None = None  # 成文日期, YYYY-MM-DD
    issuers: tuple[str, ...] = ()  # every issuing body of a joint document, in the page's order
    validity: str | None = None  # 有效性 as the page shows it (有效, 失效, 废止…)


@dataclass(frozen=True)
class StatisticRecord:
    """One official figure: a region's indicator in a year, as a statistics release states it."""

    observation_id: str  # stable: source_key, region, indicator, year, measure
    source_key: str
    region_code: str | None  # 6-digit GB/T 2260 (100000 = 全国)
    region_name: str
    indicator: str  # the statistic's canonical name (e.g. 太阳能发电装机容量)
    year: int
    value: float
    unit: str  # as stated (亿千瓦, 万千瓦, %, …)
    measure: str  # level, or yoy_change (negative = 下降)
    quote: str  # the sentence or table cells the figure was read from
    source_title: str
    source_url: str
    published: str | None  # YYYY-MM-DD
    fetched_at: str
    raw_path: str
    run_id: str


@dataclass(frozen=True)
class TargetRecord:
    """One quantitative target stated in one document version (the extractor's output plus provenance)."""

    target_id: str
    document_id: str
    version_hash: str
    ordinal: int
    region: str | None
    sector: str | None
    indicator: str
    value: float
    unit: str
    direction: str
    comparator: str
    target_year: int | None
    baseline_year: int | None
    hedge: str | None
    quote: str
    quote_start: int
    quote_end: int
    note: str | None
    indicator_code: str
    value_canonical: float | None
    unit_canonical: str | None
    extractor_version: str


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (the directory entry, not just the file, reaches the disk)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, obj: Any, *, indent: int = 2, sort_keys: bool = False) -> None:
    """Write one JSON document (a state file, a build/validation/publish record), atomically and fsynced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, ensure_ascii=False, indent=indent, sort_keys=sort_keys)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl(path: Path, records: Iterable[Any]) -> int:
    """Write dataclass records (or dicts) as JSON lines, atomically. Returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for record in records:
                row = asdict(record) if hasattr(record, "__dataclass_fields__") else record
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


class LandingFileError(ValueError):
    """A landing file that cannot be read: names the file, the line and what to do."""


def _repair_hint(path: Path) -> str:
    kind = path.parent.parent.name if path.parent.parent.name != path.anchor else ""
    if path.parent.name == "targets" or kind == "targets":
        return "run `carbonpeak extract`, which rewrites it from the documents"
    if kind == "documents":
        return (f"restore it from a backup, or move it aside and run `carbonpeak reparse {path.parent.name}` to land "
                "the saved raw pages again")
    if kind == "statistics":
        return (f"restore it from a backup, or move it aside and delete state/{path.parent.name}.json so the next "
                "scrape lands the figures again")
    return "restore it from a backup, or move it aside (it is one run's log)"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON-lines file; LandingFileError names the file and line of a damaged one."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                yield json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise LandingFileError(f"{path}, line {number}, is damaged (cut off or overwritten: {exc}): "
                                       f"{_repair_hint(path)}") from exc


def iter_documents(landing_dir: Path) -> Iterator[DocumentRecord]:
    """Every document version ever landed, once each. When a version was landed again (a re-parse of
    the saved page with a newer parser), the latest landing wins: it carries the corrected metadata."""
    names = {f.name for f in fields(DocumentRecord)}
    latest: dict[tuple[str, str], DocumentRecord] = {}
    files = sorted((landing_dir / "documents").glob("*/*.jsonl"), key=lambda p: (p.stem, p.parent.name))
    for path in files:
        for row in read_jsonl(path):
            row["attachments"] = tuple(AttachmentRecord(**a) for a in row.get("attachments") or ())
            row["issuers"] = tuple(row.get("issuers") or ())
            record = DocumentRecord(**{k: v for k, v in row.items() if k in names})
            latest[(record.document_id, record.version_hash)] = record
    yield from latest.values()


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB chunks (build and published warehouses are megabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
