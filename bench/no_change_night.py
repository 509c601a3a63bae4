"""Benchmark: a night with nothing new, over the offline mirror. A first `run_all` publishes every source; the
next ones find nothing new. Printed: the time each run spends after its scrape (the goal: at most 10 s), with the
no-change check (a fingerprint of the landing data and the code) against the night built, validated and
published anyway (`force=True`, what every such night cost before the check), and the cost of the publish itself
(a validated build written as tables in DuckDB v1.0.0 format and renamed over the warehouse).

    .venv/bin/python -m bench.no_change_night [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from carbonpeak import pipeline, warehouse
from carbonpeak_core.settings import Settings
from mirror import running_mirror


def timed_run(settings: Settings, *, force: bool = False) -> tuple[float, float, pipeline.RunReport]:
    """(seconds scraping, seconds after the scrape, report) of one run_all."""
    marks: dict[str, float] = {}
    scrape_sources = pipeline.scrape_sources

    def timed_scrape(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return scrape_sources(*args, **kwargs)
        finally:
            marks["scrape"] = time.perf_counter() - started

    pipeline.scrape_sources = timed_scrape  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        report = pipeline.run_all(settings, force=force)
        total = time.perf_counter() - started
    finally:
        pipeline.scrape_sources = scrape_sources  # type: ignore[assignment]
    return marks["scrape"], total - marks["scrape"], report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="no-change nights to time (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_mirror() as mirror:
        settings = Settings(data_dir=Path(tmp) / "data", warehouse_path=Path(tmp) / "warehouse" / "carbonpeak.duckdb",
                            base_urls=mirror.base_urls, rate_limit=0)
        scrape, after, report = timed_run(settings)
        assert report.ok and report.published, report.summary()
        inputs = report.stages["build"]["inputs"]
        fingerprint = warehouse.read_record(warehouse.publish_record_path(settings)) or {}
        print(f"first night (everything new): scrape {scrape:.1f} s, after it {after:.1f} s; landing "
              f"{fingerprint['inputs']['landing_files']} files, {fingerprint['inputs']['landing_bytes']:,} bytes "
              f"(fingerprint {inputs[:12]}…)")
        print(f"  publish: {report.stages['publish']['bytes']:,} bytes in storage {warehouse.PUBLISHED_STORAGE_VERSION}"
              f" (build file {settings.build_path.stat().st_size:,} bytes)")
        afters = []
        for night in range(args.repeat):
            scrape, after, report = timed_run(settings)
            assert report.ok and report.no_change, report.summary()
            afters.append(after)
            print(f"no-change night {night + 1}: scrape {scrape:.2f} s, after it {after:.2f} s "
                  f"({report.stages['changes']['summary'][:40]}…)")
        started = time.perf_counter()
        warehouse.inputs_fingerprint(settings)
        print(f"  the fingerprint alone: {time.perf_counter() - started:.2f} s")
        scrape, after_forced, report = timed_run(settings, force=True)
        assert report.ok and report.published, report.summary()
        stages = {name: report.stages[name].get("seconds") for name in ("build",)}
        print(f"the same night built anyway (force): scrape {scrape:.2f} s, after it {after_forced:.1f} s "
              f"(dbt build {stages['build']} s)")
        print(f"after the scrape, median of {len(afters)} no-change nights: {statistics.median(afters):.2f} s "
              f"(goal <= 10 s) against {after_forced:.1f} s built anyway")
    return 0


if __name__ == "__main__":
    sys.exit(main())
