"""The image's import check (docker/check_imports.py): every module a component needs imports from the lock,
and a missing one fails the check, naming it and what to do."""

from __future__ import annotations

import subprocess
import sys

from carbonpeak_core.paths import REPO_ROOT

CHECK = REPO_ROOT / "docker" / "check_imports.py"


def _run(*blocked: str) -> subprocess.CompletedProcess[str]:
    # A module set to None in sys.modules raises ImportError on import, as a module missing from the lock would.
    code = (f"import sys, runpy\nfor m in {list(blocked)!r}: sys.modules[m] = None\n"
            f"runpy.run_path({str(CHECK)!r}, run_name='__main__')")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)


def test_every_module_the_stack_needs_imports_from_the_lock() -> None:
    """asyncpg was missing (issue 14: every `airflow` command on Postgres failed), and celery 5.7 broke the
    Celery provider's executor import."""
    proc = _run()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "all 11 modules import" in proc.stdout


def test_a_missing_module_fails_the_check_and_says_what_to_do() -> None:
    proc = _run("asyncpg")
    assert proc.returncode == 1
    assert "asyncpg does not import" in proc.stderr and "Airflow 3's async engine" in proc.stderr
    assert "add it to requirements.in" in proc.stderr


def test_the_image_runs_the_check_after_installing_the_project() -> None:
    lines = [ln.strip() for ln in (REPO_ROOT / "docker" / "Dockerfile").read_text().splitlines()]
    runs = [i for i, ln in enumerate(lines) if ln.startswith("RUN") and "check_imports.py" in ln]
    project = [i for i, ln in enumerate(lines) if "pip install" in ln and "-e ." in ln]
    assert runs and project and runs[0] > project[0], "docker/Dockerfile must run docker/check_imports.py"
