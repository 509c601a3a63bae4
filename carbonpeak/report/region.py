"""A region's page: its documents, its targets with quotes and source links, progress against official figures
(a chart per indicator) and the consistency findings against its parent levels and between its own documents."""

from __future__ import annotations

from collections import Counter

from carbonpeak.report.charts import Bar, ranked_bars
from carbonpeak.report.data import ReportData, Row
from carbonpeak.report.html import bi, esc, finding, label, level, num, page, source_link, table
from carbonpeak.report.parts import (
    indicator_cell,
    progress_charts,
    progress_table,
    region_cell,
    targets_table,
)

ROOT = "../"


def _region_documents(data: ReportData, code: str, targets: list[Row]) -> list[Row]:
    """The documents of this region, and those of other regions that set targets for it."""
    ids = {t["document_id"] for t in targets}
    return [d for d in data.documents.values() if d["document_id"] in ids or d["region_code"] == code]


def _documents(data: ReportData, code: str, targets: list[Row]) -> str:
    counts: dict[str, int] = {}
    for t in targets:
        counts[t["document_id"]] = counts.get(t["document_id"], 0) + 1
    docs = _region_documents(data, code, targets)
    rows = [[esc(d["title"]), esc(d["issuer"]), esc(d["doc_number"]), esc(d["publish_date"]),
             esc(d["document_type"]), esc(counts.get(d["document_id"], 0)), source_link(d["url"])] for d in docs]
    return table(["document", "issuer", "doc_number", "published", "type", "targets", "source"], rows, numeric=(5,))


def _consistency(data: ReportData, rows: list[Row]) -> str:
    out = []
    for c in rows:
        kind = (bi("与上级比较", "against a higher level") if c["check_kind"] == "lower_level_vs_parent"
                else bi("本地区文件间", "between documents of this region"))
        out.append([kind, indicator_cell(data, c["indicator_code"], ROOT), esc(c["target_year"]),
                    esc(f"{num(c['value'])} {c['unit']}"),
                    region_cell(data, c["compared_region_code"], c["compared_region_name"], ROOT,
                                linked=c["compared_region_code"] != c["region_code"]),
                    esc(f"{num(c['compared_value'])} {c['compared_unit']}"), finding(c["finding"]),
                    esc(c["quote"])])
    return table(["kind", "indicator", "target_year", "value", "compared", "compared_value", "finding", "quote"],
                 out, numeric=(2,))


def _years_chart(targets: list[Row]) -> str:
    """How many targets the region sets for each target year."""
    years = Counter(t["target_year"] for t in targets if t["target_year"] is not None)
    bars = [Bar(f"{year}年 {year}", float(n)) for year, n in sorted(years.items())]
    svg = ranked_bars(sorted(bars, key=lambda b: b.label), unit="目标数 targets", title="目标年份 Target years",
                      sort=False)
    return (f"<figure>{svg}<figcaption>{bi('各目标年份的目标数', 'Targets per target year')}</figcaption></figure>"
            if svg else "")


def render(data: ReportData, code: str, targets: list[Row]) -> str:
    region = data.regions[code]
    progress = [p for p in data.progress if p["region_code"] == code]
    consistency = [c for c in data.consistency if c["region_code"] == code]
    parent = ""
    if region["parent_code"]:
        parent = (f'<p>{bi("上级", "Part of")}: '
                  f'{region_cell(data, region["parent_code"], region["parent_name"], ROOT)}</p>')
    subtitle = f"<p>{level(region['region_level'])} · {esc(code)}</p>{parent}"
    measured = len({p["target_id"] for p in progress})
    body = [
        '<div class="stats">',
        f'<div class="stat"><b>{len(targets)}</b>{label("targets")}</div>',
        f'<div class="stat"><b>{len(_region_documents(data, code, targets))}</b>{label("documents")}</div>',
        f'<div class="stat"><b>{measured}</b>{label("measured")}</div>',
        "</div>",
        f"<h2>{bi('文件', 'Documents')}</h2>", _documents(data, code, targets),
        f"<h2>{bi('目标', 'Targets')}</h2>", f'<div class="charts">{_years_chart(targets)}</div>',
        targets_table(data, targets, ROOT, by="region"),
        f"<h2>{bi('进展：对照官方统计', 'Progress against official figures')}</h2>",
    ]
    if progress:
        body += [progress_charts(data, progress),
                 progress_table(data, progress, ROOT, by="region")]
    else:
        body.append(f'<p class="muted">{bi("暂无可对照的官方数据", "No target of this region can be measured yet: no comparable official figure.")}</p>')  # noqa: E501
    heading = bi("一致性：与上级及本地区其他文件比较", "Consistency with higher levels and between documents")
    body += [f"<h2>{heading}</h2>",
             _consistency(data, consistency)]
    return page(region["region_name"], region["name_en"], "".join(body), root=ROOT, subtitle=subtitle)
