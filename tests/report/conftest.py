"""The report tests' one published warehouse: the pipeline over the offline mirror (two city sites, a province
and its capital, and the national statistics), with its report site — built once for the report modules, which
share an xdist group so that one worker builds it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from carbonpeak import pipeline
from carbonpeak_core.settings import Settings
from mirror import running_mirror
from tests.city_sites import CITY_SITES

# A province (福建省) and its capital besides the city sites, and the national statistics so progress is measured.
REPORT_SOURCES = [*CITY_SITES, "fujian_gov", "fuzhou_gov", "nbs_national", "carbonpeak_compilation_v7"]


@dataclass(frozen=True)
class PublishedReport:
    settings: Settings
    site: Path  # the report folder
    stats: dict[str, object]  # the report stage's figures (pages, bytes, seconds…)


@pytest.fixture(scope="session")
def published_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublishedReport]:
    root = tmp_path_factory.mktemp("report-run")
    with running_mirror() as mirror:
        settings = Settings(data_dir=root / "data", warehouse_path=root / "warehouse" / "carbonpeak.duckdb",
                            base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1)
        run = pipeline.run_all(settings, sources=REPORT_SOURCES)
    assert run.published and "report" in run.stages, run.summary()
    stats = run.stages["report"]
    print(f"report built in {stats['seconds']} s: {stats['pages']} pages, {stats['bytes']} bytes")
    yield PublishedReport(settings=settings, site=Path(str(stats["out_dir"])), stats=stats)
