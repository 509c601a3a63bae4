"""The report's charts as static inline SVG, written by hand: no script, no font or style from another host.

Three kinds: a progress chart (baseline → latest official figure → target, per indicator), a ranked bar chart
(one bar per region's target, for one indicator and target year) and a tile grid of the provinces (a map whose
tiles sit roughly where the provinces lie), coloured by a figure. Every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from carbonpeak.report.html import esc, num

# Province tile grid: region_code → (row, column), roughly geographic.
PROVINCE_TILES: dict[str, tuple[int, int]] = {
    "230000": (0, 8), "150000": (1, 5), "220000": (1, 8), "650000": (1, 1), "620000": (2, 3), "640000": (2, 4),
    "140000": (2, 5), "110000": (2, 6), "210000": (2, 7), "540000": (3, 1), "630000": (3, 2), "610000": (3, 4),
    "130000": (3, 5), "120000": (3, 6), "510000": (4, 3), "500000": (4, 4), "410000": (4, 5), "370000": (4, 6),
    "530000": (5, 2), "520000": (5, 3), "420000": (5, 4), "340000": (5, 5), "320000": (5, 6), "310000": (5, 7),
    "450000": (6, 3), "430000": (6, 4), "360000": (6, 5), "330000": (6, 6), "440000": (7, 4), "350000": (7, 5),
    "710000": (7, 7), "820000": (8, 3), "810000": (8, 4), "460000": (9, 3),
}
# Short Chinese tile labels.
_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏", "宁夏回族自治区": "宁夏",
          "新疆维吾尔自治区": "新疆", "香港特别行政区": "香港", "澳门特别行政区": "澳门", "黑龙江省": "黑龙江"}

OBSERVED = "#1f77b4"
TARGET = "#d62728"


def _short(name: str) -> str:
    return _SHORT.get(name) or (name[:-1] if name.endswith(("省", "市")) else name)


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    kind: str  # "baseline", "latest" or "target"


def progress_chart(points: Sequence[Point], *, unit: str, title: str) -> str:
    """Years across, values up: the official figures joined by a solid line, the way on to each target dashed."""
    if not points:
        return ""
    width, height, left, right, top, bottom = 380, 200, 64, 16, 24, 34
    years = [p.year for p in points]
    values = [p.value for p in points]
    y0, y1 = min(years), max(years)
    if y0 == y1:
        y0, y1 = y0 - 1, y1 + 1
    v0, v1 = min([*values, 0.0]), max([*values, 0.0])
    if v0 == v1:
        v1 = v0 + 1
    pad = (v1 - v0) * 0.08
    v0, v1 = v0 - (pad if v0 < 0 else 0), v1 + pad

    def x(year: float) -> float:
        return left + (year - y0) / (y1 - y0) * (width - left - right)

    def y(value: float) -> float:
        return top + (v1 - value) / (v1 - v0) * (height - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">',
             f'<title>{esc(title)}</title>']
    # Axes, zero line, year ticks, value ticks.
    parts.append(f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#999" '
                 'stroke-width="0.6"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#666"/>')
    for year in sorted(set(years)):
        parts.append(f'<text x="{x(year):.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">'
                     f"{year}</text>")
    for value in (v0, (v0 + v1) / 2, v1):
        parts.append(f'<text x="{left - 4}" y="{y(value) + 3:.1f}" font-size="9" text-anchor="end">'
                     f"{esc(num(value, 3))}</text>")
    parts.append(f'<text x="{left}" y="{top - 8}" font-size="10" fill="#555">{esc(unit)}</text>')
    observed = sorted((p for p in points if p.kind != "target"), key=lambda p: p.year)
    if len(observed) > 1:
        path = " ".join(f"{x(p.year):.1f},{y(p.value):.1f}" for p in observed)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{OBSERVED}" stroke-width="2"/>')
    last = observed[-1] if observed else None
    for p in points:
        if p.kind == "target" and last is not None:
            parts.append(f'<line x1="{x(last.year):.1f}" y1="{y(last.value):.1f}" x2="{x(p.year):.1f}" '
                         f'y2="{y(p.value):.1f}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="4 3"/>')
    for p in points:
        colour = TARGET if p.kind == "target" else OBSERVED
        parts.append(f'<circle cx="{x(p.year):.1f}" cy="{y(p.value):.1f}" r="4" fill="{colour}">'
                     f"<title>{esc(p.kind)} {p.year}: {esc(num(p.value))} {esc(unit)}</title></circle>")
        parts.append(f'<text x="{x(p.year) + 5:.1f}" y="{y(p.value) - 6:.1f}" font-size="9" fill="{colour}">'
                     f"{esc(num(p.value, 3))}</text>")
    legend_y = height - 6
    parts.append(f'<circle cx="{left}" cy="{legend_y - 3}" r="3" fill="{OBSERVED}"/>'
                 f'<text x="{left + 6}" y="{legend_y}" font-size="9">官方数据 official figure</text>'
                 f'<circle cx="{left + 150}" cy="{legend_y - 3}" r="3" fill="{TARGET}"/>'
                 f'<text x="{left + 156}" y="{legend_y}" font-size="9">目标 target</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    href: str | None = None


def ranked_bars(bars: Sequence[Bar], *, unit: str, title: str, limit: int = 40, sort: bool = True) -> str:
    """One horizontal bar per item, largest first (or in the given order); at most `limit` bars (the caller says
    how many were left out)."""
    shown = (sorted(bars, key=lambda b: -b.value) if sort else list(bars))[:limit]
    if not shown:
        return ""
    label_w, bar_w, row_h, top = 230, 300, 18, 20
    width, height = label_w + bar_w + 80, top + row_h * len(shown) + 8
    low = min(0.0, *(b.value for b in shown))
    high = max(0.0, *(b.value for b in shown)) or 1.0
    span = (high - low) or 1.0

    def x(value: float) -> float:
        return label_w + (value - low) / span * bar_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">',
             f'<title>{esc(title)}</title>',
             f'<text x="{label_w}" y="12" font-size="10" fill="#555">{esc(unit)}</text>']
    for i, bar in enumerate(shown):
        top_y = top + i * row_h
        start, end = sorted((x(0), x(bar.value)))
        text = f'<text x="{label_w - 6}" y="{top_y + 12}" font-size="11" text-anchor="end">{esc(bar.label)}</text>'
        if bar.href:
            text = f'<a href="{esc(bar.href)}">{text}</a>'
        parts.append(text)
        parts.append(f'<rect x="{start:.1f}" y="{top_y + 2}" width="{max(end - start, 1):.1f}" height="{row_h - 5}" '
                     f'fill="{OBSERVED}"><title>{esc(bar.label)}: {esc(num(bar.value))} {esc(unit)}</title></rect>')
        parts.append(f'<text x="{end + 4:.1f}" y="{top_y + 12}" font-size="10">{esc(num(bar.value, 4))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _colour(share: float) -> str:
    """White → teal as share goes 0 → 1."""
    share = min(max(share, 0.0), 1.0)
    r, g, b = (int(255 + (t - 255) * share) for t in (31, 120, 140))
    return f"#{r:02x}{g:02x}{b:02x}"


def _red_green(share: float) -> str:
    share = min(max(share, 0.0), 1.0)
    r, g, b = (int(s + (t - s) * share) for s, t in zip((214, 39, 40), (44, 160, 44), strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def tile_grid(names: dict[str, str], values: dict[str, float], *, title: str, hrefs: dict[str, str],
              scale: str = "count", captions: dict[str, str] | None = None) -> str:
    """The provinces as tiles. scale="count": shade by value against the largest; scale="share": red (0) →
    green (1), grey where there is no value."""
    size, gap = 58, 4
    rows = max(r for r, _ in PROVINCE_TILES.values()) + 1
    cols = max(c for _, c in PROVINCE_TILES.values()) + 1
    width, height = cols * (size + gap) + gap, rows * (size + gap) + gap
    high = max(values.values(), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>']
    for code, (row, col) in PROVINCE_TILES.items():
        tx, ty = gap + col * (size + gap), gap + row * (size + gap)
        value = values.get(code)
        if scale == "share":
            fill = _red_green(value) if value is not None else "#e4e7ea"
        else:
            fill = _colour((value or 0) / high) if value else "#f1f3f5"
        dark = scale == "count" and value is not None and value / high > 0.55
        ink = "#fff" if dark else "#1d2731"
        caption = (captions or {}).get(code) or (num(value) if value is not None else "")
        name = names.get(code, code)
        tile = (f'<rect x="{tx}" y="{ty}" width="{size}" height="{size}" rx="4" fill="{fill}" stroke="#c3ccd3">'
                f"<title>{esc(name)}: {esc(caption or '—')}</title></rect>"
                f'<text x="{tx + size / 2}" y="{ty + 24}" font-size="12" text-anchor="middle" fill="{ink}">'
                f"{esc(_short(name))}</text>"
                f'<text x="{tx + size / 2}" y="{ty + 42}" font-size="11" text-anchor="middle" fill="{ink}">'
                f"{esc(caption)}</text>")
        if code in hrefs:
            tile = f'<a href="{esc(hrefs[code])}">{tile}</a>'
        parts.append(tile)
    parts.append("</svg>")
    return "".join(parts)
