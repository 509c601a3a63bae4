"""What one source's run shares, for documents (runner.py) and official statistics (statistics/) alike:
its summary and error, its polite session, the live ↔ fetched URL mapping, the state file of what it has
seen, and landing a run's records before its state."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from carbonpeak_core.landing import write_json, write_jsonl
from carbonpeak_core.settings import Settings
from scrapers.http import PoliteSession
from scrapers.registry import SourceConfig

log = logging.getLogger(__name__)


class ScrapeError(Exception):
    """A scrape that failed; the message names the source and the URL(s), once each."""

    outcome = "failed"

    def __init__(
        self,
        source_key: str,
        url: str,
        reason: str,
        *,
        summary: ScrapeSummary | None = None,
        failed_urls: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"[{source_key}] {url}: {reason}" if url else f"[{source_key}] {reason}")
        self.source_key = source_key
        self.url = url
        self.reason = reason
        self.summary = summary
        self.failed_urls = failed_urls


class ScrapeDeferred(ScrapeError):
    """A source that ran out of time, or whose site asked for a wait above the cap: what was fetched before landed,
    the rest waits for the next run. One clear outcome, not a failure of the site's pages."""

    outcome = "deferred"


@dataclass
class ScrapeSummary:
    source_key: str
    outcome: str = "ok"  # ok | failed | deferred (out of time, or the site asked for too long a wait)
    listed_total: int = 0  # list entries the list pages showed, before the keyword filter
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
    # Per list page (live URL): entries it showed (`listed_total`) and how many the keyword filter kept (`matched`).
    list_pages: list[dict[str, Any]] = field(default_factory=list)


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


class StateFileError(ValueError):
    """A state file that cannot be read; names the file and what to do."""


def load_state(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"documents": {}}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state, dict) or not isinstance(state.setdefault("documents", {}), dict):
            raise ValueError("not a JSON object with a documents object")
    except (ValueError, UnicodeDecodeError) as exc:
        raise StateFileError(
            f"state file {path} is damaged ({exc}): restore it from a backup, or move it aside to make the next run "
            "request every page again (documents already landed are kept; unchanged ones are not landed twice)"
        ) from exc
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
    write_json(path, dict(state), indent=1, sort_keys=True)


def allowed_origins(source: SourceConfig, settings: Settings) -> set[str]:
    """The session's allow-list: the source's host and extra hosts; a host served from elsewhere (the offline mirror,
    CARBONPEAK_BASE_URLS) as that base URL's host:port, so a redirect to another port on it is refused."""
    out = set()
    for host, live in ((source.host, source.base_url), *((h, f"https://{h}") for h in source.extra_hosts)):
        parts = urlsplit(settings.base_urls.get(host) or live)
        out.add(f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname).lower())
    return out


def make_session(source: SourceConfig, settings: Settings, deadline: float | None = None) -> PoliteSession:
    """The source's polite session; `deadline` (time.monotonic()) is when the source must stop (its own budget and
    the run's, whichever comes first)."""
    rate = settings.rate_limit
    if rate > 0 and source.rate_limit is not None:
        rate = min(rate, source.rate_limit)
    return PoliteSession(
        user_agent=settings.effective_user_agent,
        allowed_hosts=allowed_origins(source, settings),
        timeout=settings.timeout,
        rate_limit=rate,
        max_retries=settings.max_retries,
        max_body_bytes=settings.max_body_bytes,
        request_deadline=settings.request_deadline,
        deadline=deadline,
        max_wait=settings.max_wait,
        proxy=settings.proxy,
    )


def source_deadline(settings: Settings, run_deadline: float | None = None) -> float:
    """When a source starting now must stop: its own budget, or the run's deadline if that comes first."""
    own = time.monotonic() + settings.source_budget
    return own if run_deadline is None else min(own, run_deadline)


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
