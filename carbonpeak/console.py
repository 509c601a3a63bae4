"""What a run tells people: a line per source and per stage as they finish (with progress on dbt build), a summary at
the end, and everything else (DEBUG/INFO of carbonpeak, dbt, GX, Airflow) in a log file under the data dir.

The pipeline's steps report through `step` (called by carbonpeak.runlog.logged at each step's start and end) and
`progress`; e-mails are noticed on carbonpeak.notify's log records. Each report is an event, appended to
`<data dir>/logs/events/<run_id>.jsonl` and handed to the listeners of this process. `carbonpeak run` listens in
process; `carbonpeak dag-test` (make run) reads the events file that the Airflow tasks append to, so the same lines
and summary come out of both, and Airflow's own output goes to the log file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from carbonpeak_core.settings import Settings

log = logging.getLogger(__name__)

Event = dict[str, Any]
KEEP_EVENT_FILES = 50  # events files of older runs are removed (the run log in landing/ keeps every run)
KEEP_LOG_FILES = 50

_listeners: list[Callable[[Event], None]] = []
_current: dict[str, Any] = {}  # the settings and run id of the step running in this process
_lock = threading.Lock()


# --- events ---------------------------------------------------------------------------------------


def events_file(settings: Settings, run_id: str) -> Path:
    return settings.logs_dir / "events" / f"{run_id}.jsonl"


def _compact(value: Any, depth: int = 0) -> Any:
    """A step's figures, small enough for one line: lists become their length (publish's `changes` lists every
    document), nested dicts are kept two levels deep."""
    if isinstance(value, list | tuple | set):
        return len(value)
    if isinstance(value, dict):
        if depth >= 2:
            return len(value)
        return {str(k): _compact(v, depth + 1) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def emit(settings: Settings, event: Event) -> None:
    """Append an event to its run's events file and hand it to this process's listeners. Never raises: a
    console that cannot be told must not fail a run."""
    event = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **event}
    try:
        path = events_file(settings, event["run_id"])
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.exists()
        line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
        with _lock, path.open("a", encoding="utf-8") as fh:
            fh.write(line)  # one write per line: concurrent tasks append whole lines
        if fresh:
            _prune(path.parent, "*.jsonl", KEEP_EVENT_FILES)
    except OSError:
        log.debug("could not write the events file", exc_info=True)
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:
            log.debug("a console listener failed", exc_info=True)


def _prune(folder: Path, pattern: str, keep: int) -> None:
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime)
    for old in files[:-keep]:
        old.unlink(missing_ok=True)


def step(settings: Settings, run_id: str, kind: str, name: str, status: str, *, seconds: float | None = None,
         stats: dict[str, Any] | None = None, error: BaseException | None = None) -> None:
    """A source's scrape or a stage started (status "running") or ended ("success", "failed")."""
    _current.update(settings=settings, run_id=run_id)
    _watch_mail()
    event: Event = {"run_id": run_id, "kind": kind, "name": name, "status": status}
    if seconds is not None:
        event["seconds"] = seconds
    if stats:
        event["figures"] = _compact(stats)
    if error is not None:
        event["error"] = f"{type(error).__name__}: {error}"[:2000]
        if details := getattr(error, "details", None):
            event["details"] = str(details)[:4000]
    emit(settings, event)


def progress(stage: str, text: str, **figures: Any) -> None:
    """Progress inside a long stage (dbt build's nodes), for the step running in this process."""
    if "settings" not in _current:
        return
    emit(_current["settings"], {"run_id": _current["run_id"], "kind": "progress", "name": stage,
                                "status": "progress", "text": text, "figures": figures})


class _MailWatch(logging.Handler):
    """carbonpeak.notify logs every message it sends or cannot send: one event each, for the summary."""

    def emit(self, record: logging.LogRecord) -> None:
        if "settings" not in _current:
            return
        message = record.getMessage()
        if message.startswith("sent e-mail"):
            status = "sent"
        elif "not configured" in message:
            status = "not_configured"
        elif record.levelno >= logging.ERROR:
            status = "failed"
        else:
            return
        subject = re.search(r"\[carbonpeak\][^'\"]*", message)
        emit(_current["settings"], {"run_id": _current["run_id"], "kind": "mail", "name": "e-mail", "status": status,
                                    "text": subject.group(0) if subject else message[:200]})


def _watch_mail() -> None:
    notify_log = logging.getLogger("carbonpeak.notify")
    if not any(isinstance(h, _MailWatch) for h in notify_log.handlers):
        notify_log.addHandler(_MailWatch(level=logging.INFO))
        if notify_log.getEffectiveLevel() > logging.INFO:
            notify_log.setLevel(logging.INFO)


@contextlib.contextmanager
def listening(listener: Callable[[Event], None]) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def tail_events(folder: Path, listener: Callable[[Event], None], stop: threading.Event,
                interval: float = 0.25) -> None:
    """Hand `listener` every event appended to an events file in `folder` that appears after this starts (the
    Airflow tasks of a `dag-test` write them); returns once `stop` is set and the files are read to the end."""
    before = set(folder.glob("*.jsonl")) if folder.exists() else set()
    offsets: dict[Path, int] = {}
    while True:
        done = stop.is_set()
        for path in sorted(folder.glob("*.jsonl")) if folder.exists() else []:
            if path in before:
                continue
            with path.open("rb") as fh:
                fh.seek(offsets.get(path, 0))
                data = fh.read()
            end = data.rfind(b"\n") + 1  # a line still being written waits for the next round
            offsets[path] = offsets.get(path, 0) + end
            for line in data[:end].splitlines():
                with contextlib.suppress(ValueError):
                    listener(json.loads(line))
        if done:
            return
        stop.wait(interval)


# --- dbt with progress ------------------------------------------------------------------------------

_DBT_NODE_DONE = re.compile(r"\b(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP)\b")


def run_dbt(command: list[str], *, cwd: Path, env: dict[str, str], steps: int = 4) -> subprocess.CompletedProcess[str]:
    """Run dbt, reporting `progress` as its nodes finish (at each quarter of them), instead of being silent until it
    exits; returns the completed process with its whole output, as subprocess.run(capture_output=True) would."""
    started = time.monotonic()
    lines: list[str] = []
    reported = 0
    done = 0
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          bufsize=1) as proc:
        err: list[str] = []
        reader = threading.Thread(target=lambda: err.extend(proc.stderr or []), daemon=True)
        reader.start()
        for line in proc.stdout or []:
            lines.append(line)
            match = _DBT_NODE_DONE.search(line)
            if not match:
                continue
            done, total = done + 1, int(match.group(2))
            if total and done * steps // total > reported:
                reported = done * steps // total
                progress("build", f"dbt: {done}/{total} nodes done · {time.monotonic() - started:.0f} s",
                         done=done, total=total)
        proc.wait()
        reader.join()
    return subprocess.CompletedProcess(command, proc.returncode, "".join(lines), "".join(err))


# --- logging ----------------------------------------------------------------------------------------


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.warnings = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.errors += 1
        else:
            self.warnings += 1


@dataclass
class LogSetup:
    path: Path
    counter: _Counter
    handlers: list[logging.Handler] = field(default_factory=list)
    root_level: int = logging.WARNING

    def close(self) -> None:
        """Take this setup's handlers off the root logger again (main() called in process, e.g. by a test)."""
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(self.root_level)


def setup_logging(settings: Settings, command: str, *, level: str = "DEBUG", verbose: bool = False) -> LogSetup:
    """Every log record of this process (and Python warnings) into `<data dir>/logs/<time>-<command>.log`; none on
    the console, which shows the run's events instead (`verbose`: INFO and above on stderr as well)."""
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    path = settings.logs_dir / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{command}.log"
    root = logging.getLogger()
    setup = LogSetup(path, _Counter(), root_level=root.level)
    file_handler = logging.FileHandler(path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    file_handler.setLevel(level.upper())
    setup.handlers += [file_handler, setup.counter]
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.INFO)
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        setup.handlers.append(stream)
    for handler in setup.handlers:
        root.addHandler(handler)
    root.setLevel(min(file_handler.level, logging.INFO if verbose else file_handler.level))
    logging.captureWarnings(True)
    _prune(settings.logs_dir, "*.log", KEEP_LOG_FILES)
    return setup


# --- the console --------------------------------------------------------------------------------------


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _size(n: Any) -> str:
    if not isinstance(n, int):
        return "?"
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.0f} kB" if n >= 1e4 else f"{n / 1e3:.1f} kB"


@dataclass
class Console:
    """Renders events as lines, and the summary of a run from them."""

    out: IO[str] = field(default_factory=lambda: sys.stdout)
    events: list[Event] = field(default_factory=list)
    lines: int = 0

    def print(self, text: str = "") -> None:
        for line in text.split("\n"):
            print(line, file=self.out, flush=True)
            self.lines += 1

    def handle(self, event: Event) -> None:
        self.events.append(event)
        line = self.render(event)
        if line:
            self.print(line)

    def render(self, event: Event) -> str | None:
        kind, name, status = event.get("kind"), event.get("name", ""), event.get("status")
        figures = event.get("figures") or {}
        took = f" · {event['seconds']:.1f} s" if isinstance(event.get("seconds"), int | float) else ""
        if kind == "progress":
            return f"{name:<10} {event.get('text', '')}"
        if kind == "mail":
            return None  # in the summary
        label = f"{'scrape':<10} {name:<26}" if kind == "source" else f"{name:<10}"
        if status == "running":
            return f"{label} …" if name in ("build", "validate") else None
        if status == "deferred":  # out of its time budget: what it fetched landed, the rest waits for the next run
            return f"{label} DEFERRED: {event.get('error', '')}{took}"
        if status == "failed":
            text = f"{label} FAILED: {event.get('error', '')}{took}"
            details = [d for d in str(event.get("details") or "").splitlines() if d.strip()]
            if details:
                more = f"\n{'':<11}… {len(details) - 8} more lines in the log" if len(details) > 8 else ""
                text += "\n" + "\n".join(f"{'':<11}{d.strip()}" for d in details[:8]) + more
            return text
        return f"{label} {self.describe(kind, name, figures)}{took}"

    @staticmethod
    def describe(kind: Any, name: str, f: dict[str, Any]) -> str:
        if kind == "source":
            text = (f"{_n(f.get('new', 0))} new, {_n(f.get('changed', 0))} changed, {_n(f.get('unchanged', 0))} "
                    f"unchanged · {_n(f.get('requests', 0))} requests, {_size(f.get('bytes'))}")
            if f.get("warnings"):
                text += f" · {_n(f['warnings'])} warnings (in the log)"
            return text
        if name == "extract":
            return f"{_n(f.get('documents'))} document versions → {_n(f.get('targets'))} targets"
        if name == "build":
            rows = f.get("rows") or {}
            return (f"done: {_n(rows.get('dim_documents'))} document versions, {_n(rows.get('fct_targets'))} targets, "
                    f"{_n(rows.get('fct_indicator_observations'))} official figures")
        if name == "validate":
            return f"passed: {len(f.get('rows') or {})} suites"
        if name == "publish":
            c = f.get("changes") or {}
            return (f"{_n(c.get('new_documents', 0))} new documents, {_n(c.get('changed_documents', 0))} changed · "
                    f"{_n(c.get('new_targets', 0))} new targets, {_n(c.get('withdrawn_targets', 0))} withdrawn · "
                    f"{_size(f.get('bytes'))}")
        if name == "digest":
            if f.get("sent"):
                return "e-mailed"
            changed = any(f.get(k) for k in ("new_documents", "changed_documents", "reextracted_documents"))
            return "not sent (see e-mail below)" if changed else "nothing new since the last publish: no digest"
        if name == "report":
            return f"{_n(f.get('pages'))} pages"
        if name == "changes" and f.get("summary"):
            return str(f["summary"])
        if name == "freshness":
            stale = f.get("stale_sources") or 0
            return f"{_n(stale)} sources quiet for {f.get('days', '?')} days" + (
                " (alert sent)" if f.get("alert_sent") else "")
        return ", ".join(f"{k} {v}" for k, v in f.items() if not isinstance(v, dict))[:160]

    # -- the summary ---------------------------------------------------------------------------------

    def summary(self, settings: Settings, log_path: Path | None, *, extra_failure: str | None = None,
                counter: _Counter | None = None) -> str:
        last: dict[tuple[str, str], Event] = {}
        for event in self.events:
            if event.get("kind") in ("source", "stage") and event.get("status") != "running":
                last[(event["kind"], event["name"])] = event
        sources = {n: e for (k, n), e in last.items() if k == "source"}
        stages = {n: e for (k, n), e in last.items() if k == "stage"}
        failed_sources = {n: e for n, e in sources.items() if e.get("status") == "failed"}
        deferred_sources = {n: e for n, e in sources.items() if e.get("status") == "deferred"}
        failed_stages = [n for n, e in stages.items() if e.get("status") == "failed"]
        run_ids = sorted({e["run_id"] for e in self.events if e.get("run_id")})
        published = stages.get("publish", {}).get("status") == "success"
        figures = {n: e.get("figures") or {} for n, e in stages.items()}

        if failed_stages:
            outcome = f"FAILED at {', '.join(failed_stages)}" + ("" if published else
                                                                 "; the published warehouse is unchanged")
        elif extra_failure:
            outcome = f"FAILED: {extra_failure}"
        elif failed_sources:
            outcome = f"published, {len(failed_sources)} source(s) failed" if published else "sources failed"
        elif published:
            outcome = "published" + (f", {len(deferred_sources)} source(s) deferred" if deferred_sources else "")
        elif (figures.get("changes") or {}).get("outcome") == "no change":
            outcome = "no change since the last publish: nothing built"
        else:
            outcome = "done"
        lines = ["", f"Run {', '.join(run_ids) or '(none)'}: {outcome}"]
        if sources:
            new = sum((e.get("figures") or {}).get("new", 0) or 0 for e in sources.values())
            changed = sum((e.get("figures") or {}).get("changed", 0) or 0 for e in sources.values())
            lines.append(f"  scraped     {len(sources)} sources: {_n(new)} new and {_n(changed)} changed documents "
                         "or figures")
        if "publish" in figures:
            c = figures["publish"].get("changes") or {}
            lines.append(f"  published   {_n(c.get('new_documents', 0))} new and {_n(c.get('changed_documents', 0))} "
                         f"changed documents; {_n(c.get('new_targets', 0))} new targets, "
                         f"{_n(c.get('withdrawn_targets', 0))} withdrawn")
        rows = (figures.get("build") or {}).get("rows") or {}
        if rows:
            lines.append(f"  targets     {_n(rows.get('fct_targets'))} in {_n(rows.get('dim_documents'))} "
                         "document versions")
        elif "extract" in figures:
            lines.append(f"  targets     {_n(figures['extract'].get('targets'))} extracted")
        for name, event in sorted(failed_sources.items()):
            lines.append(f"  FAILED      {name}: {event.get('error', '')}")
        for name, event in sorted(deferred_sources.items()):
            lines.append(f"  DEFERRED    {name}: {event.get('error', '')}")
        where = settings.warehouse_path if published else f"{settings.warehouse_path} (not replaced by this run)"
        lines.append(f"  warehouse   {where}")
        if "report" in figures and figures["report"].get("index"):
            lines.append(f"  report      {figures['report']['index']}")
        docs = (figures.get("validate") or {}).get("data_docs")
        docs_path = Path(docs) if docs else settings.gx_dir / "gx/uncommitted/data_docs/local_site/index.html"
        if docs or docs_path.exists():
            lines.append(f"  Data Docs   {docs_path}")
        lines.append(f"  e-mail      {self._mail()}")
        if log_path:
            counts = f" ({counter.warnings} warnings, {counter.errors} errors)" if counter else ""
            lines.append(f"  full log    {log_path}{counts}")
        return "\n".join(lines)

    def _mail(self) -> str:
        mails = [e for e in self.events if e.get("kind") == "mail"]
        if not mails:
            return "none sent"
        sent = [e for e in mails if e["status"] == "sent"]
        unsent = [e for e in mails if e["status"] == "not_configured"]
        failed = [e for e in mails if e["status"] == "failed"]
        parts = []
        if sent:
            parts.append(f"{len(sent)} sent ({'; '.join(e.get('text', '') for e in sent[:3])})")
        if unsent:
            parts.append(f"{len(unsent)} not sent: no SMTP server configured "
                         "(CARBONPEAK_SMTP_HOST, CARBONPEAK_MAIL_TO)")
        if failed:
            parts.append(f"{len(failed)} could not be sent (see the log)")
        return "; ".join(parts)
