"""Pieces shared by the region and indicator pages: the targets table, the progress table and charts, page paths."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from carbonpeak.report.charts import Point, progress_chart
from carbonpeak.report.data import ReportData, Row
from carbonpeak.report.html import bi, esc, link, num, source_link, table


def region_href(code: str, root: str = "") -> str:
    return f"{root}regions/{code}.html"


def indicator_href(code: str, root: str = "") -> str:
    return f"{root}indicators/{code}.html"


def region_cell(data: ReportData, code: str | None, name: str | None, root: str, *, linked: bool = True) -> str:
    text = bi(name, data.region_en(code))
    return link(region_href(code, root), text) if code and linked and code in data.region_pages else text


def indicator_cell(data: ReportData, code: str | None, root: str) -> str:
    ind = data.indicators.get(code or "")
    if not ind:
        return esc(code)
    return link(indicator_href(code or "", root), bi(ind["name_zh"], ind["name_en"]))


def targets_table(data: ReportData, targets: list[Row], root: str, *, by: str) -> str:
    """The targets, one row each; `by` is "region" (region pages show the indicator) or "indicator"."""
    first = "indicator" if by == "region" else "region"
    rows = []
    for t in targets:
        lead = (indicator_cell(data, t["indicator_code"], root) if by == "region"
                else region_cell(data, t["region_code"], t["region_name"], root))
        rows.append([
            lead, esc(t["indicator"]), esc(num(t["value"])), esc(t["unit"]),
            esc(f"{num(t['value_canonical'])} {t['unit_canonical'] or ''}".strip())
            if t["value_canonical"] is not None else "—",
            esc(t["target_year"]), esc(t["baseline_year"]), esc(t["direction"]), esc(t["hedge"]),
            esc(t["quote"]), source_link(t["source_url"]),
        ])
    return table([first, "indicator_as_stated", "value", "unit", "canonical", "target_year", "baseline_year",
                  "direction", "hedge", "quote", "source"], rows, numeric=(2, 4, 5, 6))


def _dedupe(rows: list[Row], keys: tuple[str, ...]) -> list[Row]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


_PROGRESS_KEY = ("region_code", "indicator_code", "comparison", "value_canonical", "target_year", "baseline_year",
                 "latest_year")


def _on_track(value: bool | None) -> str:
    if value is None:
        return bi("无法判断", "no verdict")
    return bi("是", "yes") if value else '<span class="flag">' + bi("否", "no") + "</span>"


def progress_table(data: ReportData, rows: list[Row], root: str, *, by: str) -> str:
    rows = _dedupe(rows, _PROGRESS_KEY)
    out = []
    for p in rows:
        lead = (indicator_cell(data, p["indicator_code"], root) if by == "region"
                else region_cell(data, p["region_code"], p["region_name"], root))
        latest = p["latest_level"] if p["latest_level"] is not None else p["change_so_far"]
        pace = f"{num(p['observed_annual_rate'], 3)} / {num(p['required_annual_rate'], 3)} {p['rate_unit'] or ''}"
        out.append([lead, esc(f"{num(p['value'])} {p['unit']}"), esc(p["target_year"]),
                    esc(f"{num(latest)} {p['unit_canonical']}"), esc(p["latest_year"]),
                    esc(num(p["gap_to_target"])), esc(pace), _on_track(p["on_track"])])
    first = "indicator" if by == "region" else "region"
    return table([first, "value", "target_year", "latest", "latest_year", "gap", "pace", "on_track"], out,
                 numeric=(2, 4, 5))


def progress_points(rows: list[Row]) -> tuple[list[Point], str]:
    """Baseline → latest figure → targets of one indicator (one measure): the points and their unit."""
    points: dict[tuple[int, str], Point] = {}
    unit = ""
    for p in rows:
        if p["comparison"] == "level":
            unit = p["unit_canonical"] or ""
            if p["baseline_value"] is not None and p["baseline_year"] is not None:
                points[(p["baseline_year"], "baseline")] = Point(p["baseline_year"], p["baseline_value"], "baseline")
            if p["latest_level"] is not None:
                points[(p["latest_year"], "latest")] = Point(p["latest_year"], p["latest_level"], "latest")
            points[(p["target_year"], f"target{p['value_canonical']}")] = Point(
                p["target_year"], p["value_canonical"], "target")
        else:  # a change from a baseline year: 0 at the baseline, the change so far, the promised change
            unit = f"{p['unit_canonical'] or ''} vs {p['baseline_year']}"
            sign = -1 if p["direction"] == "decrease" else 1
            if p["baseline_year"] is not None:
                points[(p["baseline_year"], "baseline")] = Point(p["baseline_year"], 0.0, "baseline")
            if p["change_so_far"] is not None:
                points[(p["latest_year"], "latest")] = Point(p["latest_year"], p["change_so_far"], "latest")
            points[(p["target_year"], f"target{p['value_canonical']}")] = Point(
                p["target_year"], sign * p["value_canonical"], "target")
    return [pt for pt in points.values() if pt.year is not None and pt.value is not None], unit


def progress_charts(data: ReportData, rows: list[Row]) -> str:
    """One chart per region, indicator and measure (a level, or a change from a baseline year)."""
    groups: dict[tuple[str, str, str, Any], list[Row]] = defaultdict(list)
    for p in rows:
        groups[(p["region_code"], p["indicator_code"], p["comparison"], p["unit_canonical"])].append(p)
    figures = []
    for (region_code, code, _, _), group in groups.items():
        points, unit = progress_points(group)
        ind = data.indicators.get(code, {})
        name_zh, name_en = ind.get("name_zh", code), ind.get("name_en", code)
        where = bi(group[0]["region_name"], data.region_en(region_code))
        svg = progress_chart(points, unit=unit, title=f"{group[0]['region_name']} · {name_zh} {name_en}")
        if svg:
            figures.append(f"<figure>{svg}<figcaption>{where} · {bi(name_zh, name_en)}: "
                           f"{bi('基准 → 最新官方数据 → 目标', 'baseline → latest official figure → target')}"
                           "</figcaption></figure>")
    return f'<div class="charts">{"".join(figures)}</div>' if figures else ""
