"""A run killed at any moment leaves the published warehouse intact and readable; the next run succeeds.

The runs are real processes (`carbonpeak build`, a publish) killed with SIGKILL, dbt's own child
process included, at the two moments where a half-written file could exist: while dbt writes the
build file, and while the validated file is being copied next to the published one.
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

from carbonpeak import pipeline
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


def test_killed_during_build(published: Settings) -> None:
    before, rows = sha256(published.warehouse_path), counts(published.warehouse_path)
    published.build_path.unlink()
    proc = subprocess.Popen([sys.executable, "-m", "carbonpeak", "build"], env=_env(published),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _wait_for(published.build_path, proc)  # dbt has opened the build file and is writing it
    _kill(proc)

    assert sha256(published.warehouse_path) == before
    assert counts(published.warehouse_path) == rows  # intact and readable

    report = pipeline.run_all(published, sources=[])
    assert report.ok, report.summary()
    assert counts(published.warehouse_path) == rows


PAUSED_PUBLISH = """
import shutil, sys, time
from carbonpeak import pipeline
from carbonpeak_core.settings import Settings

copy = shutil.copyfile

def copy_then_hang(src, dst):
    copy(src, dst)
    open(sys.argv[1], "w").close()  # tell the test the copy is on disk, the rename not yet done
    time.sleep(600)

pipeline.shutil.copyfile = copy_then_hang
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

    report = pipeline.run_all(published, sources=[])
    assert report.ok and report.published, report.summary()
    assert counts(published.warehouse_path) == rows
    assert not list(published.warehouse_path.parent.glob(".carbonpeak.duckdb.*.tmp"))
