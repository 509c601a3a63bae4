"""Shared pytest fixtures: a running offline mirror and Settings pointed at it; the session's one published
load of the two city sites (`city_runs`), which several modules read and copy instead of each running the
pipeline again; and dbt's unit tests run once per session instead of in every build.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from carbonpeak import pipeline
from carbonpeak_core.settings import Settings, SmtpSettings
from mirror import Mirror, running_mirror
from tests.city_sites import CITY_SITES
from tests.smtp import Inbox, smtp_inbox


@pytest.fixture(scope="session", autouse=True)
def dbt_unit_tests_once() -> Iterator[None]:
    """dbt's unit tests check model logic on fixed fixture rows, not the data: they run in the session's first
    shared build (`city_runs`) and every other dbt build of the session (in this process or a child: the CLI,
    Airflow tasks) leaves them out through dbt's own DBT_EXCLUDE_RESOURCE_TYPES; its 171 data tests all run."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
        yield


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    """The offline mirror on loopback ports, fresh for each test (tests may change what it serves)."""
    with running_mirror() as running:
        yield running


@pytest.fixture
def mirror_settings(tmp_path: Path, mirror: Mirror) -> Settings:
    """Settings with data under tmp_path, live hosts mapped to the mirror, no throttling, fast failure."""
    return Settings(
        data_dir=tmp_path / "data", base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1
    )


@dataclass
class CityRuns:
    """Two nightly runs over the mirror's two city sites (tests/city_sites.py) with a real SMTP inbox: the first
    finds everything and publishes it, the second finds nothing new. Shared by every test of the session that
    needs a published warehouse of those sites; read it, never change it: copy what you want to change."""

    settings: Settings  # the live data dir and published warehouse, after both runs
    mirror: Mirror  # the session's mirror: a test that changes what it serves resets it in a `finally`
    inbox: Inbox  # every message of the session's shared runs and of the tests using them
    first: pipeline.RunReport
    second: pipeline.RunReport
    after_first: Settings  # a copy of data dir and warehouse taken between the two runs
    first_messages: list[EmailMessage]  # what the first run sent (its digest)
    messages_before_second: int
    messages_after_second: int

    def copy(self, root: Path, *, after_first: bool = False) -> Settings:
        """A private copy of the data dir and the published warehouse, for one test that changes them."""
        source = self.after_first if after_first else self.settings
        shutil.copytree(source.data_dir, root / "data")
        shutil.copytree(source.warehouse_path.parent, root / "warehouse")
        return source.with_(data_dir=root / "data", warehouse_path=root / "warehouse" / source.warehouse_path.name)


@pytest.fixture(scope="session")
def city_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CityRuns]:
    """Built once per session (it was built four times, by three modules): the write-audit-publish, run-log
    and re-parse tests all start from a published load of the two city sites. The first build is also the one
    build of the session that runs dbt's unit tests."""
    root = tmp_path_factory.mktemp("city-runs")
    with running_mirror() as mirror, smtp_inbox() as inbox:
        settings = Settings(
            data_dir=root / "data", warehouse_path=root / "warehouse" / "carbonpeak.duckdb",
            base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1,
            smtp=SmtpSettings(host=inbox.host, port=inbox.port, mail_to=("analysts@example.org",)),
        )
        with pytest.MonkeyPatch.context() as env:
            env.delenv("DBT_EXCLUDE_RESOURCE_TYPES", raising=False)
            first = pipeline.run_all(settings, sources=CITY_SITES)
        assert first.ok, first.summary()
        results = json.loads((settings.data_dir / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))
        unit_tests = [r["status"] for r in results["results"] if r["unique_id"].startswith("unit_test.")]
        assert unit_tests and set(unit_tests) == {"pass"}, unit_tests
        first_messages = inbox.wait_for(1)
        snapshot = root / "after-first"
        shutil.copytree(settings.data_dir, snapshot / "data")
        shutil.copytree(settings.warehouse_path.parent, snapshot / "warehouse")
        after_first = settings.with_(data_dir=snapshot / "data",
                                     warehouse_path=snapshot / "warehouse" / "carbonpeak.duckdb")
        before_second = len(inbox.messages)
        second = pipeline.run_all(settings, sources=CITY_SITES)
        assert second.ok, second.summary()
        yield CityRuns(settings=settings, mirror=mirror, inbox=inbox, first=first, second=second,
                       after_first=after_first, first_messages=first_messages,
                       messages_before_second=before_second, messages_after_second=len(inbox.messages))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make `--dist loadgroup` work under pytest 9: pytest-xdist 3.8 puts the `xdist_group` name on
    Item._nodeid, which pytest 9 no longer reads (it keeps the id in Item._id), so every group was spread over
    both workers and each built its shared warehouse twice. Same suffix, on the id pytest 9 reports."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        groups = {str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                  for m in item.iter_markers("xdist_group")}
        if groups and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(groups))}")  # type: ignore[attr-defined]
