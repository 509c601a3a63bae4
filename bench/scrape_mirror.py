"""Benchmark: requests made and wall time for a full scrape of every source over the offline mirror,
then for a second run with nothing new (list pages only: no detail page should be requested again).

    .venv/bin/python bench/scrape_mirror.py [--rate-limit 0]

With the default rate limit of 0 the figures measure the scrapers, not the politeness delay; pass
`--rate-limit 1` to see a live-like night (≤ 1 request per second per host).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from carbonpeak import pipeline
from carbonpeak_core.settings import Settings
from mirror import running_mirror


def one_run(settings: Settings, label: str) -> None:
    run_id = pipeline.new_run_id()
    total_requests = total_bytes = 0
    started = time.perf_counter()
    print(f"{label}:")
    for key in pipeline.list_sources(settings):
        t0 = time.perf_counter()
        summary = pipeline.scrape(key, settings, run_id)
        total_requests += summary["requests"]
        total_bytes += summary["bytes"]
        print(f"  {key:28s} {summary['requests']:4d} requests {summary['bytes']:>10,d} bytes "
              f"new {summary['new']:3d} changed {summary['changed']:3d} unchanged {summary['unchanged']:3d} "
              f"{time.perf_counter() - t0:6.2f} s")
    print(f"  {'total':28s} {total_requests:4d} requests {total_bytes:>10,d} bytes "
          f"{time.perf_counter() - started:6.2f} s wall")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-limit", type=float, default=0.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_mirror() as mirror:
        settings = Settings(data_dir=Path(tmp) / "data", base_urls=mirror.base_urls, rate_limit=args.rate_limit)
        one_run(settings, "full run")
        one_run(settings, "no-change run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
