"""The run lock (carbonpeak/runlock.py) under the scrape stage's threads: sources scraped at once each take it
shared, and it stays held — by the kernel, for other processes — until the last of them finishes."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from carbonpeak.runlock import lock_path, run_lock
from carbonpeak_core.settings import Settings

# Another process asks for the lock exclusively, without waiting: exit 0 if it got it, 1 if it is held.
_PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(1)
"""


def _free_for_another_process(settings: Settings) -> bool:
    return subprocess.run([sys.executable, "-c", _PROBE, str(lock_path(settings))]).returncode == 0


def test_threads_share_the_lock_and_the_last_one_out_releases_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    held_after_first_left: list[bool] = []

    def first() -> None:  # takes the lock, lets the second in, leaves while the second still holds it
        try:
            with run_lock(settings, run_id="r", what="scrape of a", shared=True):
                first_in.set()
                second_in.wait(10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            first_out.set()

    def second() -> None:
        first_in.wait(10)
        try:
            with run_lock(settings, run_id="r", what="scrape of b", shared=True):
                second_in.set()
                first_out.wait(10)
                held_after_first_left.append(not _free_for_another_process(settings))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert held_after_first_left == [True]  # the first thread's exit did not release the second one's lock
    assert _free_for_another_process(settings)  # and the last one out did


def test_a_second_process_is_refused_while_a_run_holds_the_lock(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with run_lock(settings, run_id="r1", what="run"):
        assert not _free_for_another_process(settings)
        code = ("import sys; from pathlib import Path; from carbonpeak.runlock import run_lock, RunLocked\n"
                "from carbonpeak_core.settings import Settings\n"
                "try:\n    with run_lock(Settings(data_dir=Path(sys.argv[1])), run_id='r2', what='run'): pass\n"
                "except RunLocked as exc:\n    print(exc); sys.exit(3)\n")
        proc = subprocess.run([sys.executable, "-c", code, str(settings.data_dir)], capture_output=True, text=True)
        assert proc.returncode == 3 and "run r1" in proc.stdout, proc.stdout + proc.stderr
    assert _free_for_another_process(settings)
