"""The run log: one event per source scraped and per stage run, landed for dbt like any other data.

Layout below `Settings.landing_dir`: `runs/<run_id>/<kind>__<name>.json`, one JSON line each. An event
is written as "running" when its step starts and rewritten with the outcome when it ends, so a step
that was killed stays visible as "running" and the current build can see its own run. dbt turns the
events into fct_source_runs, fct_pipeline_runs and dim_sources; the freshness check reads them
directly, because tonight's events are not in the warehouse until tonight's load is published.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from carbonpeak import console
from carbonpeak_core.landing import read_jsonl, write_jsonl
from carbonpeak_core.settings import Settings

_RUN_ID: ContextVar[str | None] = ContextVar("carbonpeak_run_id", default=None)

SOURCE_COUNTERS = ("listed", "new", "changed", "unchanged", "failed", "requests", "bytes")


@dataclass
class RunEvent:
    run_id: str
    kind: str  # "source" (one scrape) or "stage" (extract, build, validate, publish, digest…)
    name: str  # the source key or the stage name
    # running, success, failed, deferred (a source out of time: the next run carries on), abandoned (left
    # running by a run that was killed)
    status: str
    started_at: str
    finished_at: str | None = None
    seconds: float | None = None
    error: str | None = None
    listed: int | None = None
    new: int | None = None
    changed: int | None = None
    unchanged: int | None = None
    failed: int | None = None
    requests: int | None = None
    bytes: int | None = None
    details: str | None = None  # JSON of the stage's own figures


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _path(settings: Settings, event: RunEvent) -> Path:
    return settings.landing_dir / "runs" / event.run_id / f"{event.kind}__{event.name}.json"


@dataclass
class Step:
    """What a logged step reports back: its figures (a scrape summary, a stage's result)."""

    stats: dict[str, Any] = field(default_factory=dict)


@contextmanager
def logged(settings: Settings, run_id: str, kind: str, name: str) -> Iterator[Step]:
    event = RunEvent(run_id=run_id, kind=kind, name=name, status="running", started_at=_now())
    write_jsonl(_path(settings, event), [event])
    _RUN_ID.set(run_id)
    console.step(settings, run_id, kind, name, "running")
    started = time.monotonic()
    step = Step()
    failure: BaseException | None = None
    try:
        yield step
        event.status = "success"
    except BaseException as exc:
        failure = exc
        deferred = getattr(exc, "outcome", None) == "deferred"
        event.status, event.error = "deferred" if deferred else "failed", f"{type(exc).__name__}: {exc}"[:4000]
        summary = getattr(exc, "summary", None)  # a ScrapeError carries what was done before it failed
        if summary is not None and not step.stats:
            step.stats = asdict(summary)
        raise
    finally:
        event.finished_at = _now()
        event.seconds = round(time.monotonic() - started, 3)
        for counter in SOURCE_COUNTERS:
            if isinstance(step.stats.get(counter), int):
                setattr(event, counter, step.stats[counter])
        others = {k: v for k, v in step.stats.items() if k not in SOURCE_COUNTERS}
        event.details = json.dumps(others, ensure_ascii=False, default=str) if others else None
        write_jsonl(_path(settings, event), [event])
        console.step(settings, run_id, kind, name, event.status, seconds=event.seconds, stats=step.stats,
                     error=failure)


def current_run_id() -> str | None:
    """The run id of the step last started in this context (the pipeline's run id, which names its Data Docs run)."""
    return _RUN_ID.get()


def mark_abandoned(settings: Settings, run_id: str) -> list[RunEvent]:
    """Every step another run left "running" was killed with it (a run starts only while holding the run lock,
    so no other run is going): rewrite it as "abandoned", saying which run found it. Returns those steps."""
    abandoned = []
    for event in events(settings):
        if event.status == "running" and event.run_id != run_id:
            event.status = "abandoned"
            event.error = (f"the run was killed (or its machine stopped) before this step ended; marked abandoned by "
                           f"run {run_id} at {_now()}")
            write_jsonl(_path(settings, event), [event])
            abandoned.append(event)
    return abandoned


def events(settings: Settings) -> list[RunEvent]:
    names = set(RunEvent.__dataclass_fields__)
    out = []
    for path in sorted((settings.landing_dir / "runs").glob("*/*.json")):
        for row in read_jsonl(path):
            out.append(RunEvent(**{k: v for k, v in row.items() if k in names}))
    return out


@dataclass(frozen=True)
class Staleness:
    source_key: str
    last_new_at: str | None  # when the source last brought a new or changed document
    first_run_at: str
    days: float


def stale_sources(settings: Settings, sources: list[str], days: float, now: datetime | None = None) -> list[Staleness]:
    """Registered sources that have brought no new or changed document for `days` days.

    A source is judged only once it has been watched for that long (its first logged scrape is older
    than the window), so a newly added site is not reported on its first nights.
    """
    now = now or datetime.now(UTC)
    window = timedelta(days=days)
    first: dict[str, datetime] = {}
    last_new: dict[str, datetime] = {}
    for event in events(settings):
        if event.kind != "source":
            continue
        at = datetime.fromisoformat(event.started_at)
        first[event.name] = min(first.get(event.name, at), at)
        if (event.new or 0) + (event.changed or 0) > 0:
            last_new[event.name] = max(last_new.get(event.name, at), at)
    stale = []
    for key in sources:
        if key not in first or now - first[key] < window:
            continue
        last = last_new.get(key)
        if last is None or now - last >= window:
            since = last or first[key]
            stale.append(Staleness(key, last.isoformat() if last else None, first[key].isoformat(),
                                   round((now - since).total_seconds() / 86400, 1)))
    return stale
