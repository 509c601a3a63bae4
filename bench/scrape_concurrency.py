"""Benchmark: wall time of the scrape stage over every mirrored source, one source at a time against several
hosts at once (`pipeline.scrape_sources`, CARBONPEAK_SCRAPE_WORKERS), with the politeness delay on.

    .venv/bin/python -m bench.scrape_concurrency [--rate-limit 1] [--workers 1 4]

Each setting scrapes from an empty data folder (a first night: every page is fetched). With the delay on, a
night is mostly waiting on each host's rate limit, so hosts scraped at once overlap their waits; the request
count is the same. Prints figures.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-limit", type=float, default=1.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    with running_mirror() as mirror:
        for workers in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings(data_dir=Path(tmp) / "data", base_urls=mirror.base_urls,
                                    rate_limit=args.rate_limit, scrape_workers=workers)
                started = time.perf_counter()
                results, errors = pipeline.scrape_sources(settings, pipeline.new_run_id())
                wall = time.perf_counter() - started
                requests = sum(r["requests"] for r in results.values())
                print(f"workers {workers}: {len(results)} sources scraped, {len(errors)} failed, {requests} requests, "
                      f"{wall:.1f} s wall (rate limit {args.rate_limit}/s per host)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
