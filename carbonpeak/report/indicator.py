"""An indicator's page: every region's targets side by side in canonical units, a ranked chart per target year,
and progress where an official figure measures it."""

from __future__ import annotations

from collections import Counter, defaultdict

from carbonpeak.report.charts import Bar, ranked_bars
from carbonpeak.report.data import ReportData, Row
from carbonpeak.report.html import bi, esc, label, num, page
from carbonpeak.report.parts import progress_charts, progress_table, region_href, targets_table

ROOT = "../"
BARS = 40


def _ranked(data: ReportData, targets: list[Row]) -> str:
    """Per target year, one bar per region and value (reposts of one target count once), in the canonical unit
    most of the targets use."""
    units = Counter(t["unit_canonical"] for t in targets if t["value_canonical"] is not None)
    if not units:
        return f'<p class="muted">{bi("没有可比较的标准化数值", "No target has a value in a canonical unit.")}</p>'
    unit = units.most_common(1)[0][0]
    by_year: dict[int, dict[tuple[str, float], Bar]] = defaultdict(dict)
    for t in targets:
        if t["unit_canonical"] != unit or t["value_canonical"] is None or t["target_year"] is None:
            continue
        name = f"{t['region_name'] or '?'} {t['region_name_en'] or ''}".strip()
        key = (t["region_code"] or t["region_name"] or "", t["value_canonical"])
        by_year[t["target_year"]][key] = Bar(name, t["value_canonical"],
                                             region_href(t["region_code"], ROOT) if t["region_code"] else None)
    figures = []
    for year in sorted(by_year):
        bars = list(by_year[year].values())
        left_out = max(0, len(bars) - BARS)
        note = f" ({bi(f'另有{left_out}项未显示', f'{left_out} more not shown')})" if left_out else ""
        svg = ranked_bars(bars, unit=unit or "", title=f"{year}: {unit}", limit=BARS)
        figures.append(f"<figure>{svg}<figcaption>{bi(f'{year}年目标', f'Targets for {year}')}, "
                       f"{esc(unit)}{note}</figcaption></figure>")
    other = sum(n for u, n in units.items() if u != unit)
    note = (f'<p class="muted">{bi(f"另有{other}个目标使用其他单位", f"{other} targets in other units are in the table only.")}</p>'  # noqa: E501
            if other else "")
    return f'<div class="charts">{"".join(figures)}</div>{note}'


def render(data: ReportData, code: str, targets: list[Row]) -> str:
    ind = data.indicators.get(code) or {"name_zh": code, "name_en": code, "level_unit": None,
                                        "good_direction": None, "statistic_indicator": None}
    progress = [p for p in data.progress if p["indicator_code"] == code]
    ordered = sorted(targets, key=lambda t: (t["target_year"] or 9999, -(t["value_canonical"] or 0),
                                             t["region_code"] or ""))
    subtitle = (f"<p>{esc(code)} · {bi('标准单位', 'canonical unit')}: {esc(ind['level_unit'])} · "
                f"{bi('官方统计', 'official statistic')}: {esc(ind['statistic_indicator'])}</p>")
    regions = len({t["region_code"] or t["region_name"] for t in targets})
    body = [
        '<div class="stats">',
        f'<div class="stat"><b>{len(targets)}</b>{label("targets")}</div>',
        f'<div class="stat"><b>{regions}</b>{label("regions")}</div>',
        f'<div class="stat"><b>{num(len({p["target_id"] for p in progress}))}</b>{label("measured")}</div>',
        "</div>",
        f"<h2>{bi('按目标年份排序', 'Ranked, per target year')}</h2>", _ranked(data, targets),
        f"<h2>{bi('各地区目标', 'Targets of all regions')}</h2>", targets_table(data, ordered, ROOT, by="indicator"),
    ]
    if progress:
        body += [f"<h2>{bi('进展：对照官方统计', 'Progress against official figures')}</h2>",
                 progress_charts(data, progress), progress_table(data, progress, ROOT, by="indicator")]
    return page(ind["name_zh"], ind["name_en"], "".join(body), root=ROOT, subtitle=subtitle)
