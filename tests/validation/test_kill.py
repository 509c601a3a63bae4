"""A run killed at any moment leaves the published warehouse intact and readable; the next run succeeds.

The runs are real processes (`carbonpeak build`, a publish, an extract) killed with SIGKILL, dbt's own child
process included, at the moments where a half-written file could exist: while dbt writes the build file, while
the validated marts are being written next to the published file, and while the targets file is written. The
next run marks the killed step abandoned in the run log and removes what it left. While a run (here its build)
is going, a second `carbonpeak run` exits at once, having done nothing.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from carbonpeak import pipeline, runlog
from carbonpeak.cli import EXIT_LOCKED
from carbonpeak_core.settings import Settings
from mirror import running_mirror

# Under pytest-xdist the tests of this module share one worker, so its module fixture is built once.
pytestmark = pytest.mark.xdist_group("kill")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(path: Path) -> tuple[int, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        docs = con.execute("select count(*) from dim_documents").fetchone()
        targets = con.execute("select count(*) from fct_targets").fetchone()
    assert docs is not None and targets is not None
    return int(docs[0]), int(targets[0])


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("kill")
    with running_mirror() as mirror:
        settings = Settings(data_dir=root / "data", warehouse_path=root / "warehouse" / "carbonpeak.duckdb",
                            base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1)
        report = pipeline.run_all(settings)
        assert report.ok, report.summary()
    yield settings


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "CARBONPEAK_DATA_DIR": str(settings.data_dir),
            "CARBONPEAK_WAREHOUSE": str(settings.warehouse_path)}


def _wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, "the process ended before the moment to kill it"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the whole group: dbt runs as a child process
    proc.wait(timeout=30)


def _abandoned(settings: Settings, kind: str, name: str) -> list[runlog.RunEvent]:
    return [e for e in runlog.events(settings) if (e.kind, e.name, e.status) == (kind, name, "abandoned")]


def test_killed_during_build(published: Settings) -> None:
    before, rows = sha256(published.warehouse_path), counts(published.warehouse_path)
    published.build_path.unlink()
    proc = subprocess.Popen([sys.executable, "-m", "carbonpeak", "build"], env=_env(published),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _wait_for(published.build_path, proc)  # dbt has opened the build file and is writing it

    # A second run meanwhile exits at once, saying who holds the data directory, and does nothing.
    runs_before = sorted((published.landing_dir / "runs").iterdir())
    started = time.monotonic()
    second = subprocess.run([sys.executable, "-m", "carbonpeak", "run"], env=_env(published), capture_output=True,
                            text=True, timeout=120)
    assert second.returncode == EXIT_LOCKED, second.stderr[-3000:]
    assert time.monotonic() - started < 30
    assert "another carbonpeak run is going" in second.stderr and f"pid {proc.pid}" in second.stderr
    assert sorted((published.landing_dir / "runs").iterdir()) == runs_before
    assert proc.poll() is None, "the build should still be running"
    _kill(proc)

    assert sha256(published.warehouse_path) == before
    assert counts(published.warehouse_path) == rows  # intact and readable
    [killed] = [e for e in runlog.events(published) if (e.kind, e.name, e.status) == ("stage", "build", "running")]

    report = pipeline.run_all(published, sources=[], force=True)  # a rebuild (`carbonpeak rebuild`)
    assert report.ok and report.published, report.summary()
    assert counts(published.warehouse_path) == rows
    # The killed build is "abandoned" in the run log, and in the warehouse built after it.
    [marked] = _abandoned(published, "stage", "build")
    assert marked.run_id == killed.run_id and f"marked abandoned by run {report.run_id}" in str(marked.error)
    with duckdb.connect(str(published.warehouse_path), read_only=True) as con:
        assert con.execute("select build_status from fct_pipeline_runs where run_id = ?",
                           [killed.run_id]).fetchall() == [("abandoned",)]


PAUSED_PUBLISH = """
import sys, time
from carbonpeak import pipeline, warehouse
from carbonpeak_core.settings import Settings

export = warehouse.export_published

def export_then_hang(src, dst):
    export(src, dst)
    open(sys.argv[1], "w").close()  # tell the test the new file is on disk, the rename not yet done
    time.sleep(600)

warehouse.export_published = export_then_hang
pipeline.publish(Settings.from_env())
"""


def test_killed_during_publish(published: Settings, tmp_path: Path) -> None:
    before, rows = sha256(published.warehouse_path), counts(published.warehouse_path)
    marker = tmp_path / "copied"
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_PUBLISH, str(marker)], env=_env(published),
                            start_new_session=True)
    _wait_for(marker, proc)
    _kill(proc)

    leftovers = list(published.warehouse_path.parent.glob(".carbonpeak.duckdb.*.tmp"))
    assert leftovers, "the killed publish should have left its temporary copy"
    assert sha256(published.warehouse_path) == before
    assert counts(published.warehouse_path) == rows

    # Nothing landed since the last publish, which the killed one did not replace: the next run has nothing to
    # publish, and removes the half-done file.
    report = pipeline.run_all(published, sources=[])
    assert report.ok and report.no_change and not report.published, report.summary()
    assert sha256(published.warehouse_path) == before
    assert not list(published.warehouse_path.parent.glob(".carbonpeak.duckdb.*.tmp"))
    assert str(leftovers[0]) in report.stages["begin"]["debris"]
    assert _abandoned(published, "stage", "publish")


PAUSED_EXTRACT = """
import json, sys, time, types
from carbonpeak import pipeline
from carbonpeak_core import landing
from carbonpeak_core.settings import Settings

def dumps(obj, **kwargs):
    if "target_id" in obj:  # the targets file is open under its temporary name, its first line being written
        open(sys.argv[1], "w").close()
        time.sleep(600)
    return json.dumps(obj, **kwargs)

landing.json = types.SimpleNamespace(dumps=dumps, loads=json.loads)
pipeline.extract(Settings.from_env())
"""


def test_killed_during_extract(published: Settings, tmp_path: Path) -> None:
    before = sha256(published.warehouse_path)
    targets = published.landing_dir / "targets" / "targets.jsonl"
    targets_before = targets.read_bytes()
    marker = tmp_path / "writing"
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_EXTRACT, str(marker)], env=_env(published),
                            start_new_session=True)
    _wait_for(marker, proc)
    _kill(proc)
    [debris] = list(targets.parent.glob(".targets.jsonl.*.tmp"))
    assert targets.read_bytes() == targets_before  # written whole or not at all

    report = pipeline.run_all(published, sources=[])
    assert report.ok and report.no_change, report.summary()
    assert not debris.exists() and str(debris) in report.stages["begin"]["debris"]
    assert _abandoned(published, "stage", "extract")
    assert sha256(published.warehouse_path) == before
