"""README's deployment section is what `make deploy-test` does: the same commands and API calls, in its order."""

from __future__ import annotations

import re

from carbonpeak_core.paths import REPO_ROOT

# In the order the deployment test runs them (tools/deploy_test.py: main, start_postgres, Pass.start, …).
STEPS = [
    "deploy_deps.sh", "check_imports.py", "initdb", "create database", "aiosmtpd", "http.server", "mirror serve",
    "db migrate", "pools set duckdb_writer", "api-server", "scheduler", "dag-processor", "triggerer",
    "celery worker", "/api/v2/monitor/health", "/auth/token", "is_paused", "--text", "dagRuns",
]


def test_the_readme_section_names_every_step_the_test_runs_in_order() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Deployment, step by step.*?(?=^## )", readme, flags=re.S | re.M)
    assert section, "README has no 'Deployment, step by step' section"
    text = section.group(0)
    # Command lines are argument lists there: ["airflow", "db", "migrate"] reads as `airflow db migrate`.
    script = (REPO_ROOT / "tools" / "deploy_test.py").read_text(encoding="utf-8").replace('", "', " ")
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    at = 0
    for step in STEPS:
        assert step in text, f"README's deployment section does not say {step!r}"
        assert step in script or step in makefile, f"the deployment test does not run {step!r}"
        found = text.find(step, at)
        assert found >= 0, f"README's deployment section says {step!r} only before an earlier step"
        at = found + len(step)
    assert "make deploy-test" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
