"""Chart libraries for the report, measured on the report's own chart: a ranked bar chart of real targets.

    python -m bench.report_charts [--python OTHER_PYTHON] [--warehouse PATH] [--renders 50]

The data are the published warehouse's current solar-capacity targets (one bar per target, canonical MW).
The report's hand-written SVG runs here; matplotlib (SVG backend), plotly (HTML with plotly.js inline, as an
offline page needs) and altair (Vega-Lite HTML with its scripts inline) run in `--python`, a virtualenv that has
them (they are not in the project's lock): time per chart and bytes a page carries for one chart. Prints figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import duckdb

from carbonpeak.report.charts import Bar, ranked_bars
from carbonpeak_core.paths import DEFAULT_WAREHOUSE

_OTHERS = {
    "matplotlib (SVG)": """
        import matplotlib; matplotlib.use("svg"); import matplotlib.pyplot as plt, io
        def render(labels, values):
            fig, ax = plt.subplots(figsize=(6, 0.25 * len(labels) + 0.6))
            ax.barh(labels[::-1], values[::-1]); ax.set_xlabel("MW")
            buf = io.StringIO(); fig.savefig(buf, format="svg"); plt.close(fig); return buf.getvalue()
        """,
    "plotly (HTML, plotly.js inline)": """
        import plotly.graph_objects as go
        def render(labels, values):
            fig = go.Figure(go.Bar(x=values[::-1], y=labels[::-1], orientation="h"))
            return fig.to_html(include_plotlyjs=True, full_html=False)
        """,
    "altair (Vega-Lite HTML, scripts inline)": """
        import altair as alt, pandas as pd
        def render(labels, values):
            df = pd.DataFrame({"region": labels, "mw": values})
            chart = alt.Chart(df).mark_bar().encode(x="mw:Q", y=alt.Y("region:N", sort="-x"))
            return chart.to_html(inline=True)
        """,
}
_RUNNER = """
import json, sys, time
{body}
labels, values, n = json.load(open(sys.argv[1]))
out = render(labels, values)
t = time.perf_counter()
for _ in range(n):
    out = render(labels, values)
print(json.dumps({{"seconds": (time.perf_counter() - t) / n, "bytes": len(out.encode("utf-8"))}}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", help="a Python with matplotlib, plotly and altair (+ vl-convert-python)")
    ap.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE)
    ap.add_argument("--renders", type=int, default=50)
    args = ap.parse_args(argv)
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        rows = con.execute("select region_name_en, value_canonical from fct_targets where is_current and "
                           "indicator_code = 'solar_capacity' and unit_canonical = 'MW' order by 2 desc").fetchall()
    labels, values = [str(r[0]) for r in rows], [float(r[1]) for r in rows]
    print(f"{len(labels)} bars (current solar-capacity targets, MW), {args.renders} renders each\n")
    print(f"{'library':42s} {'ms/chart':>9s} {'bytes/page':>11s}")
    bars = [Bar(label, value) for label, value in zip(labels, values, strict=True)]
    ranked_bars(bars, unit="MW", title="solar")
    t = time.perf_counter()
    for _ in range(args.renders):
        svg = ranked_bars(bars, unit="MW", title="solar")
    print(f"{'carbonpeak.report.charts (hand-written SVG)':42s} {1000 * (time.perf_counter() - t) / args.renders:9.2f} "
          f"{len(svg.encode('utf-8')):11,d}")
    if not args.python:
        print("(other libraries: pass --python with a virtualenv that has them)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bars.json"
        data.write_text(json.dumps([labels, values, args.renders]), encoding="utf-8")
        for name, body in _OTHERS.items():
            code = _RUNNER.format(body=textwrap.dedent(body))
            proc = subprocess.run([args.python, "-c", code, str(data)], capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                print(f"{name:42s} skipped: {proc.stderr.strip().splitlines()[-1] if proc.stderr else 'failed'}")
                continue
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{name:42s} {1000 * result['seconds']:9.2f} {result['bytes']:11,d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
