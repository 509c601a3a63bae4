"""carbonpeak.report: a static site of the published warehouse, in Chinese with English beside it.

`build_report` reads the published warehouse through a read-only connection (carbonpeak.report.data) and writes
index.html, regions/<code>.html for every region with targets and indicators/<code>.html for every indicator
code with targets (one module per page kind). Charts are inline SVG (carbonpeak.report.charts): the pages load
nothing from another host and open offline from file://. The site is written to a temporary folder beside the
destination and swapped in whole, so a failed build leaves the previous report as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from carbonpeak.report import data as report_data
from carbonpeak.report import index, indicator, region


class ReportError(RuntimeError):
    """The report could not be built; the previous report (if any) is untouched."""


@dataclass
class ReportResult:
    out_dir: Path
    regions: int
    indicators: int
    pages: int
    bytes: int
    seconds: float

    def summary(self) -> str:
        return (f"Report: {self.pages} pages ({self.regions} regions, {self.indicators} indicators, "
                f"{self.bytes / 1e6:.1f} MB) in {self.seconds:.1f} s\nOpen {self.out_dir / 'index.html'}")

    def as_dict(self) -> dict[str, object]:
        return {"out_dir": str(self.out_dir), "index": str(self.out_dir / "index.html"), "regions": self.regions,
                "indicators": self.indicators, "pages": self.pages, "bytes": self.bytes, "seconds": self.seconds}


def build_report(warehouse: Path, out_dir: Path) -> ReportResult:
    """Write the report of the warehouse at `warehouse` into `out_dir` (replacing what was there)."""
    started = time.monotonic()
    if not warehouse.is_file():
        raise ReportError(f"no published warehouse at {warehouse}: run the pipeline (publish stage) first")
    loaded = report_data.load(warehouse)
    by_region = loaded.targets_by_region()
    by_indicator = loaded.targets_by_indicator()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    tmp.chmod(0o755)  # a web server or another user may serve the site
    try:
        (tmp / "regions").mkdir()
        (tmp / "indicators").mkdir()
        written = 0
        (tmp / "index.html").write_text(index.render(loaded, by_region, by_indicator), encoding="utf-8")
        for code, targets in by_region.items():
            (tmp / "regions" / f"{code}.html").write_text(region.render(loaded, code, targets), encoding="utf-8")
        for code, targets in by_indicator.items():
            (tmp / "indicators" / f"{code}.html").write_text(indicator.render(loaded, code, targets),
                                                            encoding="utf-8")
        written = sum(p.stat().st_size for p in tmp.rglob("*.html"))
        old = out_dir.with_name(f".{out_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if out_dir.exists():
            os.rename(out_dir, old)
        os.rename(tmp, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ReportResult(out_dir=out_dir, regions=len(by_region), indicators=len(by_indicator),
                        pages=1 + len(by_region) + len(by_indicator), bytes=written,
                        seconds=round(time.monotonic() - started, 2))
