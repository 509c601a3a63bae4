"""What one source's run shares, for documents (runner.py) and official statistics (statistics/) alike:
its summary and error, its polite session, the live ↔ fetched URL mapping, the state file of what it has
seen, and landing a run's records before its state."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from carbonpeak_core.landing import write_jsonl
from carbonpeak_core.settings import Settings
from scrapers.http import PoliteSession
from scrapers.registry import SourceConfig

log = logging.getLogger(__name__)


class ScrapeError(Exception):
    """A scrape that failed; the message names the source and the URL(s)."""

    def __init__(
        self,
        source_key: str,
        url: str,
        reason: str,
        *,
        summary: ScrapeSummary | None = None,
        failed_urls: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"[{source_key}] {url}: {reason}")
        self.source_key = source_key
        self.url = url
        self.reason = reason
        self.summary = summary
        self.failed_urls = failed_urls


@dataclass
class ScrapeSummary:
    source_key: str
    listed: int = 0  # list entries in scope (after the keyword filter)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0  # detail pages
    attachments: int = 0  # attachments read into the document versions landed (a PDF-only document's file too)
    attachments_failed: int = 0  # not downloaded, or unreadable
    needs_ocr: int = 0  # files with no text layer (scanned) in the document versions landed
    requests: int = 0  # HTTP exchanges, robots.txt and retries included
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    # Files that could not be read or need OCR: "[source] <file URL> (attachment of <page>): <reason>: <what to
    # do>". They fail nothing, so they are not errors; the run log keeps them.
    warnings: list[str] = field(default_factory=list)
    landing_file: str | None = None  # relative to Settings.landing_dir, when rows were written


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def effective_base_url(source: SourceConfig, settings: Settings) -> str:
    return settings.base_urls.get(source.host, source.base_url).rstrip("/")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Urls:
    """Live URL ↔ fetched URL: records and state keep the live URL even when the mirror serves it.
    `extra` maps further live bases (a source's extra_hosts, e.g. the detail host of a search API)."""

    def __init__(self, live_base: str, effective_base: str, extra: Mapping[str, str] | None = None) -> None:
        self.live = live_base.rstrip("/")
        self.effective = effective_base.rstrip("/")
        self.pairs = [(self.live, self.effective)] + [
            (live.rstrip("/"), eff.rstrip("/")) for live, eff in (extra or {}).items()
        ]

    def to_live(self, url: str) -> str:
        for live, effective in self.pairs:
            if url.startswith(effective + "/"):
                return live + url[len(effective) :]
        return url

    def to_effective(self, url: str) -> str:
        for live, effective in self.pairs:
            for prefix in (live, live.replace("https://", "http://", 1)):
                if url.startswith(prefix + "/"):
                    return effective + url[len(prefix) :]
        return url


def load_state(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"documents": {}}
    state = json.loads(path.read_text(encoding="utf-8"))
    state.setdefault("documents", {})
    return state


def land_and_remember(settings: Settings, dataset: str, key: str, run_id: str, records: list[Any],
                      summary: ScrapeSummary, state: dict[str, Any], state_path: Path) -> None:
    """Write the run's new records to landing/<dataset>/<key>/<run_id>.jsonl, then the state: in that
    order, so a crash in between makes the next run fetch again rather than forget a document."""
    if records:
        out = settings.landing_dir / dataset / key / f"{run_id}.jsonl"
        write_jsonl(out, records)
        summary.landing_file = out.relative_to(settings.landing_dir).as_posix()
    state["source_key"] = key
    state["last_run_id"] = run_id
    save_state(state_path, state)


def save_state(path: Path, state: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state, fh, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_session(source: SourceConfig, settings: Settings) -> PoliteSession:
    effective = effective_base_url(source, settings)
    rate = settings.rate_limit
    if rate > 0 and source.rate_limit is not None:
        rate = min(rate, source.rate_limit)
    return PoliteSession(
        user_agent=settings.effective_user_agent,
        allowed_hosts={host_of(effective), *source.extra_hosts},
        timeout=settings.timeout,
        rate_limit=rate,
        max_retries=settings.max_retries,
        max_body_bytes=settings.max_body_bytes,
    )


def listed_unchanged(known: Mapping[str, Any] | None, listed: tuple[str, str | None],
                     recheck_days: float) -> bool:
    """A known page whose list entry shows the (title, date) it had when the page was last checked, less
    than `recheck_days` ago, is not requested at all: sites show a revision on the list (a new date or
    title), and the periodic conditional GET catches one they do not. A page never checked this way (state
    from before) is always requested."""
    if not known or recheck_days <= 0 or not known.get("checked_at"):
        return False
    if (known.get("list_title"), known.get("list_date")) != listed:
        return False
    return datetime.now(UTC) - datetime.fromisoformat(str(known["checked_at"])) < timedelta(days=recheck_days)


def mark_checked(known: dict[str, Any], listed: tuple[str, str | None]) -> None:
    """Remember what the list showed of a page just requested, for `listed_unchanged` next run."""
    known.update(list_title=listed[0], list_date=listed[1], checked_at=now())
