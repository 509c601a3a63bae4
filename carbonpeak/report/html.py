"""Page furniture for the report: escaping, Chinese-with-English labels, number formatting, tables, the page shell.

Everything that comes from the warehouse (quotes, titles, names, URLs) passes through `esc` before it is written.
Pages carry their stylesheet inline and load nothing from anywhere: the report opens offline from file://.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

# Column headers and labels: (Chinese, English).
LABELS: dict[str, tuple[str, str]] = {
    "region": ("地区", "Region"),
    "level": ("级别", "Level"),
    "indicator": ("指标", "Indicator"),
    "indicator_as_stated": ("原文指标", "Indicator as stated"),
    "value": ("目标值", "Target value"),
    "unit": ("单位", "Unit"),
    "canonical": ("标准化值", "Canonical value"),
    "target_year": ("目标年份", "Target year"),
    "baseline_year": ("基准年", "Baseline year"),
    "direction": ("方向", "Direction"),
    "comparator": ("比较", "Comparator"),
    "hedge": ("措辞", "Hedge"),
    "quote": ("原文", "Quote"),
    "source": ("来源", "Source"),
    "document": ("文件", "Document"),
    "issuer": ("发文机关", "Issuer"),
    "doc_number": ("发文字号", "Document number"),
    "published": ("发布日期", "Published"),
    "type": ("类型", "Type"),
    "targets": ("目标数", "Targets"),
    "documents": ("文件数", "Documents"),
    "regions": ("地区数", "Regions"),
    "latest": ("最新数据", "Latest figure"),
    "latest_year": ("最新年份", "Latest year"),
    "baseline": ("基准值", "Baseline"),
    "gap": ("差距", "Gap to target"),
    "pace": ("年均进度", "Pace so far / needed"),
    "on_track": ("是否按期", "On track"),
    "finding": ("结论", "Finding"),
    "compared": ("对比地区", "Compared with"),
    "compared_value": ("对比值", "Their value"),
    "kind": ("检查", "Check"),
    "source_key": ("数据源", "Source"),
    "last_run": ("最近运行", "Last run"),
    "last_success": ("最近成功", "Last success"),
    "last_new": ("最近新文件", "Last new document"),
    "days_quiet": ("无新文件天数", "Days without new documents"),
    "status": ("状态", "Status"),
    "fetched": ("获取日期", "Fetched"),
    "change": ("变化", "Change"),
    "previous": ("原值", "Previous value"),
    "added": ("新增", "Added"),
    "changed": ("修改", "Changed"),
    "withdrawn": ("撤回", "Withdrawn"),
    "measured": ("可衡量", "Measured"),
}

LEVELS: dict[str, tuple[str, str]] = {
    "nation": ("全国", "Nation"), "province": ("省级", "Province"), "city": ("地级", "City"),
    "county": ("县级", "County / district"), "town": ("乡镇", "Town"),
}

FINDINGS: dict[str, tuple[str, str]] = {
    "stricter": ("更严格", "stricter"), "weaker": ("更宽松", "weaker"), "same": ("相同", "same"),
    "agree": ("一致", "agree"), "disagree": ("不一致", "disagree"),
    "other_value_also_stated": ("另有数值", "another value also stated"),
}

CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","PingFang SC","Microsoft YaHei",sans-serif;margin:0;
color:#1d2731;background:#fafbfc;line-height:1.45}
header{background:#1f4e5f;color:#fff;padding:.8em 1.5em}header a{color:#cfe8f0}
main{padding:1em 1.5em;max-width:1200px}h1{margin:.2em 0;font-size:1.5em}h2{margin-top:1.6em;font-size:1.2em;
border-bottom:1px solid #d5dde3}h3{font-size:1.02em;margin:1em 0 .3em}
.en{color:#5b6b78;font-size:.92em}header .en{color:#cfe8f0}
table{border-collapse:collapse;margin:.5em 0;font-size:.88em;background:#fff}
th,td{border:1px solid #d5dde3;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#eef3f6}th .en{display:block;font-weight:normal;font-size:.85em}
td.num{text-align:right;white-space:nowrap}td.quote{max-width:32em}
.stats{display:flex;flex-wrap:wrap;gap:.8em}.stat{background:#fff;border:1px solid #d5dde3;padding:.5em 1em}
.stat b{display:block;font-size:1.4em}.charts{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0;background:#fff;border:1px solid #d5dde3;padding:.4em}figcaption{font-size:.85em}
footer{padding:1em 1.5em}ul.links{columns:3;font-size:.9em}.muted{color:#7a8893}.flag{color:#b03a2e;font-weight:bold}
svg text{font-family:inherit}
"""


def esc(value: Any) -> str:
    """HTML-escaped text of a value; an em dash for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return html.escape(str(value), quote=True)


def bi(zh: Any, en: Any) -> str:
    """Chinese with its English beside it (both escaped); the English alone when there is no Chinese."""
    if zh is None or zh == "":
        return f'<span class="en" lang="en">{esc(en)}</span>'
    if en is None or en == "" or en == zh:
        return f'<span lang="zh">{esc(zh)}</span>'
    return f'<span lang="zh">{esc(zh)}</span> <span class="en" lang="en">{esc(en)}</span>'


def label(key: str) -> str:
    zh, en = LABELS[key]
    return bi(zh, en)


def level(key: str | None) -> str:
    zh, en = LEVELS.get(key or "", (key or "", key or ""))
    return bi(zh, en)


def finding(key: str | None) -> str:
    zh, en = FINDINGS.get(key or "", (key or "", key or ""))
    css = ' class="flag"' if key in ("weaker", "disagree") else ""
    return f"<span{css}>{bi(zh, en)}</span>"


def num(value: float | int | None, digits: int = 4) -> str:
    """A number for people: integers without decimals, others to `digits` significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.{digits}g}" if abs(value) >= 1 else f"{value:.{digits}g}"


def link(href: str, text_html: str) -> str:
    return f'<a href="{esc(href)}">{text_html}</a>'


def source_link(url: str | None) -> str:
    """A link to a source document's URL, opened in a new tab; plain text for anything but http(s)."""
    if not url:
        return "—"
    if url.startswith(("http://", "https://")):
        return f'<a href="{esc(url)}" rel="noopener noreferrer" target="_blank">{bi("原文链接", "source")}</a>'
    return esc(url)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Iterable[int] = ()) -> str:
    """A table: `headers` are LABELS keys, `rows` cells of ready HTML; `numeric` column indexes align right."""
    right = set(numeric)
    head = "".join(f"<th>{esc(LABELS[h][0])}<span class=\"en\">{esc(LABELS[h][1])}</span></th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            css = ' class="num"' if i in right else (' class="quote"' if headers[i] == "quote" else "")
            cells.append(f"<td{css}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        return f'<p class="muted">{bi("无", "none")}</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title_zh: str, title_en: str, body: str, *, root: str, subtitle: str = "") -> str:
    """A whole HTML page. `root` is the relative path back to the report's root ("" or "../")."""
    nav = "" if not root else f'<a href="{root}index.html">← {bi("总览", "Overview")}</a>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title_zh)} · {esc(title_en)} — carbonpeak</title><style>{CSS}</style></head><body>"
        f'<header>{nav}<h1>{bi(title_zh, title_en)}</h1>{subtitle}</header><main>{body}</main>'
        f'<footer class="muted">carbonpeak · {bi("由已发布的数据仓库生成", "generated from the published warehouse")}'
        "</footer></body></html>\n"
    )
