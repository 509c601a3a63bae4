"""One run at a time over a data directory: the run lock, and the debris a killed run leaves.

The lock is an advisory `flock` on `<data>/run.lock`, so the kernel drops it when its holder dies, however it
dies: there is never a stale lock to remove by hand. A whole `carbonpeak run`, and each stage that writes
(extract, build, validate, publish), holds it exclusively; a scrape holds it shared, so the DAG's parallel
scrape tasks run together but never beside a run or a writing stage. A second holder is refused at once with
who holds it (`RunLocked`), instead of dying later on a DuckDB lock. Within one process the lock is re-entrant:
`run_all` holds it and calls the stages, which take it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from carbonpeak_core.settings import Settings

# lock path -> (file descriptor, how many holders in this process, whether held exclusively)
_held: dict[Path, tuple[int, int, bool]] = {}
_guard = threading.Lock()


class RunLocked(RuntimeError):
    """Another run (or a writing stage) holds the data directory; this one did nothing."""


def lock_path(settings: Settings) -> Path:
    return settings.data_dir / "run.lock"


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "a scrape or another stage"
    return (f"run {info.get('run_id')}, pid {info.get('pid')} on {info.get('host')}, started {info.get('started_at')}"
            f" ({info.get('what')})")


@contextmanager
def run_lock(settings: Settings, *, run_id: str | None, what: str, shared: bool = False) -> Iterator[None]:
    """Hold the run lock of `settings.data_dir` (exclusive, or shared for a scrape); RunLocked at once if another
    process holds it in a mode that conflicts. Thread-safe: the scrape stage runs sources in threads, each
    taking the lock, and the last of them to finish releases it."""
    path = lock_path(settings)
    with _guard:
        if path in _held:  # this process holds it already (run_all calling a stage, or a sibling scrape)
            fd, count, exclusive = _held[path]
            _held[path] = (fd, count + 1, exclusive)
        else:
            _held[path] = (_acquire(settings, path, run_id=run_id, what=what, shared=shared), 1, not shared)
    try:
        yield
    finally:
        with _guard:
            fd, count, exclusive = _held[path]
            if count > 1:
                _held[path] = (fd, count - 1, exclusive)
            else:
                del _held[path]
                if exclusive:
                    os.ftruncate(fd, 0)
                os.close(fd)  # releases the flock


def _acquire(settings: Settings, path: Path, *, run_id: str | None, what: str, shared: bool) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes (PEP 446)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RunLocked(
            f"another carbonpeak run is going on {settings.data_dir} ({_holder(path)}): this {what} exits without "
            f"doing anything. Let that run finish, then start again (the lock {path} is released when its "
            "process ends, however it ends)") from None
    if not shared:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(), "what": what,
                                  "started_at": datetime.now(UTC).isoformat(timespec="seconds")}).encode(), 0)
    return fd


def clean_debris(settings: Settings) -> list[Path]:
    """Remove what killed processes leave: temporary files (`.<name>.*.tmp`, written whole and then renamed, so
    one still there was never finished) under the data directory and beside the published warehouse. Only
    called while holding the run lock exclusively, when no other run can be writing one."""
    removed = []
    warehouse = settings.warehouse_path
    candidates = [*settings.data_dir.rglob(".*.tmp")] if settings.data_dir.exists() else []
    if warehouse.parent.exists():
        candidates += warehouse.parent.glob(f".{warehouse.name}.*.tmp")
    for path in candidates:
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
