"""The DuckDB 1.x command-line client (PyPI `duckdb-cli`, pinned in tests/duckdb1_client.txt) in its own virtualenv,
`.venv-duckdb1`: what analysts' DuckDB 1.x tools (the CLI, DBeaver's and R's drivers) must be able to read the
published warehouse with. `make duckdb1` installs it; the test that needs it installs it the same way when it is
missing, and skips with the reason when that fails — except in CI, where it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from carbonpeak_core.paths import REPO_ROOT

VENV = REPO_ROOT / ".venv-duckdb1"
REQUIREMENTS = REPO_ROOT / "tests" / "duckdb1_client.txt"


def _install() -> str | None:
    """Create the virtualenv with the pinned client; the error when that fails."""
    uv = Path(sys.executable).with_name("uv")
    env = {**os.environ, "PIP_CONFIG_FILE": "/dev/null"}
    python = str(VENV / "bin" / "python")
    for command in ([str(uv), "venv", "-q", "--allow-existing", "-p", sys.executable, str(VENV)],
                    [str(uv), "pip", "install", "-q", "--python", python, "-r", str(REQUIREMENTS)]):
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            return f"{' '.join(command)} failed: {proc.stderr[-2000:]}"
    return None


def duckdb1_cli() -> Path:
    """The path of the DuckDB 1.x CLI, installed first if needed."""
    cli = VENV / "bin" / "duckdb"
    if not cli.exists() and (error := _install()):
        if os.environ.get("CI"):
            pytest.fail(f"the DuckDB 1.x client could not be installed: {error}")
        pytest.skip(f"the DuckDB 1.x client is not installed (`make duckdb1`) and installing it failed: {error}")
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, timeout=60).stdout
    assert version.startswith("v1."), version
    return cli
