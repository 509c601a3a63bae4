"""Benchmark: extraction throughput (characters per second) and peak memory on the 1M-character
compilation (seed 003, ~80 documents in one file).

    .venv/bin/python bench/extract_throughput.py [PATH] [--repeat 5]

Prints one line per run and a summary. Single process, single core. Besides wall time it reports CPU
time (time.process_time): on a shared machine the wall figure depends on what else runs, the CPU figure
is the throughput of the one core the extraction used.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from carbonpeak.extract import extract_targets
from carbonpeak_core.paths import SHARED

DEFAULT = SHARED / "corpus" / "003_a895838ed2e4cd84.txt"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = args.path.read_text(encoding="utf-8")
    print(f"{args.path.name}: {len(text):,} characters, {args.path.stat().st_size:,} bytes")

    started = time.perf_counter()
    first = extract_targets(text, "bench")  # also loads OpenCC, the region table and the seeds
    print(f"first run (cold caches): {time.perf_counter() - started:.3f} s, {len(first)} targets")

    timings, cpu_timings = [], []
    for i in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        found = extract_targets(text, "bench")
        timings.append(time.perf_counter() - started)
        cpu_timings.append(time.process_time() - cpu_started)
        print(f"run {i + 1}: {timings[-1]:.3f} s wall, {cpu_timings[-1]:.3f} s CPU, {len(found)} targets")
    best = min(timings)

    tracemalloc.start()
    extract_targets(text, "bench")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"throughput: {len(text) / best:,.0f} characters/s (best of {args.repeat}), "
          f"{len(text) / (sum(timings) / len(timings)):,.0f} characters/s (mean)")
    print(f"CPU throughput: {len(text) / min(cpu_timings):,.0f} characters per CPU-second (best of {args.repeat})")
    print(f"peak memory: {peak / 2**20:.1f} MiB allocated by the extraction (tracemalloc), "
          f"{rss_mib:.0f} MiB process max RSS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
