"""Report build time and page sizes for a published warehouse (default: warehouse/carbonpeak.duckdb, as `make run`
leaves it); the issue's bar is ≤ 30 s for the mirror warehouse. `--screenshot PNG` also photographs a province page
with headless Chromium (docs/report-province.png in the README).

    .venv/bin/python -m bench.report_build [--warehouse PATH] [--screenshot docs/report-province.png]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from carbonpeak.report import build_report

ROOT = Path(__file__).resolve().parents[1]


def screenshot(page: Path, png: Path) -> None:
    chromium = shutil.which("chromium") or "chromium"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1100,900",
                        f"--screenshot={png}", page.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=ROOT / "warehouse" / "carbonpeak.duckdb")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--province", default="330000", help="region code of the page to photograph")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            result = build_report(args.warehouse, Path(tmp) / "report")
            times.append(time.perf_counter() - started)
        pages = sorted((p.stat().st_size, p.relative_to(result.out_dir)) for p in result.out_dir.rglob("*.html"))
        sizes = [s for s, _ in pages]
        print(f"warehouse {args.warehouse}: {result.pages} pages ({result.regions} regions, "
              f"{result.indicators} indicators), {sum(sizes) / 1e6:.1f} MB")
        print(f"build: median {statistics.median(times):.2f} s over {args.runs} runs (bar: 30 s)")
        print(f"page size: median {statistics.median(sizes) / 1e3:.0f} kB, largest {pages[-1][0] / 1e3:.0f} kB "
              f"({pages[-1][1]}), index {(result.out_dir / 'index.html').stat().st_size / 1e3:.0f} kB")
        if args.screenshot:
            screenshot(result.out_dir / "regions" / f"{args.province}.html", args.screenshot)
            print(f"screenshot: {args.screenshot} ({args.screenshot.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
