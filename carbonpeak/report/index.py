"""The report's front page: what the warehouse holds (documents, targets, regions by level), per-source freshness,
province tile maps (targets, measured progress), what changed since the last publish, and links to every
region and indicator page."""

from __future__ import annotations

from collections import Counter, defaultdict

from carbonpeak.report.charts import tile_grid
from carbonpeak.report.data import ReportData, Row
from carbonpeak.report.html import LEVELS, bi, esc, label, level, link, num, page, source_link, table
from carbonpeak.report.parts import indicator_href, region_cell, region_href

ROOT = ""
CHANGE_ROWS = 200


def _ts(value: object) -> str:
    return esc(str(value)[:16]) if value is not None else "—"


def _holdings(data: ReportData, by_region: dict[str, list[Row]], by_indicator: dict[str, list[Row]]) -> str:
    c = data.counts
    stats = [(c["documents"], bi("现行文件", "current documents")),
             (c["versions"], bi("文件版本", "document versions")),
             (c["targets"], label("targets")), (len(by_indicator), bi("指标", "indicators")),
             (c["observations"], bi("官方统计数据", "official figures"))]
    html = ['<div class="stats">']
    html += [f'<div class="stat"><b>{num(n)}</b>{text}</div>' for n, text in stats]
    html.append("</div>")
    levels: dict[str, list[str]] = defaultdict(list)
    targets_at: Counter[str] = Counter()
    for code, targets in by_region.items():
        lvl = data.regions[code]["region_level"]
        levels[lvl].append(code)
        targets_at[lvl] += len(targets)
    rows = [[level(lvl), esc(len(levels[lvl])), esc(targets_at[lvl])] for lvl in LEVELS if lvl in levels]
    uncoded = sum(1 for t in data.targets if not t["region_code"])
    html.append(table(["level", "regions", "targets"], rows, numeric=(1, 2)))
    if uncoded:
        html.append(f'<p class="muted">{bi(f"另有{uncoded}个目标未能对应到行政区划", f"{uncoded} more targets name no coded region (see the indicator pages).")}</p>')  # noqa: E501
    return "".join(html)


def _maps(data: ReportData) -> str:
    names = {code: r["region_name"] for code, r in data.regions.items() if r["region_level"] == "province"}
    counts: Counter[str] = Counter()
    for t in data.targets:
        region = data.regions.get(t["region_code"] or "")
        if region and region["province_code"]:
            counts[region["province_code"]] += 1
    on_track: dict[str, list[bool]] = defaultdict(list)
    seen: set[str] = set()
    for p in data.progress:
        region = data.regions.get(p["region_code"] or "")
        if region and region["province_code"] and p["on_track"] is not None and p["target_id"] not in seen:
            seen.add(p["target_id"])
            on_track[region["province_code"]].append(bool(p["on_track"]))
    shares = {code: sum(v) / len(v) for code, v in on_track.items() if v}
    captions = {code: f"{sum(v)}/{len(v)}" for code, v in on_track.items() if v}
    hrefs = {code: region_href(code) for code in names if code in {t["region_code"] for t in data.targets}}
    count_map = tile_grid(names, {k: float(v) for k, v in counts.items()}, hrefs=hrefs,
                          title="各省（含下辖地区）目标数 Targets per province, its cities and counties included")
    share_map = tile_grid(names, shares, hrefs=hrefs, scale="share", captions=captions,
                          title="按期目标占可衡量目标的比例 Share of measured targets on track")
    national = [bool(p["on_track"]) for p in {p["target_id"]: p for p in data.progress
                                              if p["region_code"] == "100000" and p["on_track"] is not None}.values()]
    note = (bi(f"全国：{sum(national)}/{len(national)}个可衡量目标按期",
               f"Nation: {sum(national)} of {len(national)} measured targets on track") if national else "")
    return (
        '<div class="charts">'
        f"<figure>{count_map}<figcaption>{bi('各省（含下辖市县）目标数', 'Targets per province, its cities and counties included')}"  # noqa: E501
        "</figcaption></figure>"
        f"<figure>{share_map}<figcaption>{bi('按期的可衡量目标（绿色=全部按期，红色=均未按期，灰色=无法衡量）', 'Measured targets on track (green: all, red: none, grey: nothing measured)')}"  # noqa: E501
        f"</figcaption></figure></div><p>{note}</p>"
    )


def _freshness(data: ReportData) -> str:
    rows = [[esc(s["source_key"]), _ts(s["last_run_at"]), _ts(s["last_success_at"]), _ts(s["last_new_document_at"]),
             esc(s["days_without_new_documents"]),
             esc(s["last_status"]) + (f"<br><span class=\"flag\">{esc(s['last_error'])}</span>" if s["last_error"]
                                      else "")] for s in data.sources]
    return table(["source_key", "last_run", "last_success", "last_new", "days_quiet", "status"], rows, numeric=(4,))


def _changes(data: ReportData) -> str:
    if not data.changes:
        return f'<p class="muted">{bi("无变化", "Nothing changed.")}</p>'
    per_doc: dict[str, Row] = {}
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for c in data.changes:
        per_doc.setdefault(c["document_id"], c)
        kinds[c["document_id"]][c["change_kind"]] += 1
    rows = [[_ts(c["valid_from"])[:10], region_cell(data, c["region_code"], c["region_name"], ROOT),
             esc(c["title"]), esc(kinds[d]["added"]), esc(kinds[d]["changed"]), esc(kinds[d]["withdrawn"]),
             source_link(c["url"])] for d, c in per_doc.items()]
    if data.changes_since is None:
        note = bi("首次发布：全部文件版本均为新增", "First publish: every document version is new")
    else:
        since = str(data.changes_since)[:16]
        note = bi(f"上次发布（{since}）以来获取的文件版本",
                  f"Document versions fetched since the last publish ({since})")
    html = [f"<p>{note}</p>",
            table(["fetched", "region", "document", "added", "changed", "withdrawn", "source"], rows,
                  numeric=(3, 4, 5))]
    revised = [c for c in data.changes if c["change_kind"] in ("changed", "withdrawn")][:CHANGE_ROWS]
    if revised:
        html.append(f"<h3>{bi('修改或撤回的目标', 'Targets changed or withdrawn')}</h3>")
        html.append(table(
            ["change", "region", "indicator", "previous", "value", "unit", "target_year", "quote"],
            [[esc(c["change_kind"]), region_cell(data, c["region_code"], c["region_name"], ROOT),
              bi(c["indicator"], c["indicator_name_en"]), esc(num(c["previous_value"])), esc(num(c["value"])),
              esc(c["unit"]), esc(c["target_year"]), esc(c["quote"])] for c in revised],
            numeric=(3, 4, 6)))
    return "".join(html)


def _links(data: ReportData, by_region: dict[str, list[Row]], by_indicator: dict[str, list[Row]]) -> str:
    html = [f"<h2 id=\"regions\">{bi('地区', 'Regions')}</h2>"]
    for lvl in LEVELS:
        codes = sorted(c for c in by_region if data.regions[c]["region_level"] == lvl)
        if not codes:
            continue
        items = "".join(f"<li>{link(region_href(c), bi(data.regions[c]['region_name'], data.regions[c]['name_en']))}"
                        f' <span class="muted">({len(by_region[c])})</span></li>' for c in codes)
        html.append(f"<h3>{level(lvl)}</h3><ul class=\"links\">{items}</ul>")
    html.append(f"<h2 id=\"indicators\">{bi('指标', 'Indicators')}</h2>")
    items = "".join(
        f"<li>{link(indicator_href(code), bi(data.indicators.get(code, {}).get('name_zh', code), data.indicators.get(code, {}).get('name_en')))}"  # noqa: E501
        f' <span class="muted">({len(by_indicator[code])})</span></li>'
        for code in sorted(by_indicator, key=lambda c: -len(by_indicator[c])))
    html.append(f'<ul class="links">{items}</ul>')
    return "".join(html)


def render(data: ReportData, by_region: dict[str, list[Row]], by_indicator: dict[str, list[Row]]) -> str:
    body = [
        f"<h2>{bi('数据仓库内容', 'What the warehouse holds')}</h2>", _holdings(data, by_region, by_indicator),
        f"<h2>{bi('各省概览', 'Provinces at a glance')}</h2>", _maps(data),
        f"<h2>{bi('上次发布以来的变化', 'What changed since the last publish')}</h2>", _changes(data),
        f"<h2>{bi('数据源更新情况', 'Freshness per source')}</h2>", _freshness(data),
        _links(data, by_region, by_indicator),
    ]
    subtitle = f"<p>{bi('中国碳达峰政策目标', 'Carbon-peak policy targets in China')}</p>"
    return page("碳达峰目标报告", "carbonpeak report", "".join(body), root=ROOT, subtitle=subtitle)
