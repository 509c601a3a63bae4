"""Document-level context: the plan period, default target year and jurisdiction of a document."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from carbonpeak.extract.regions import infer_region

# Annual work plans: "嘉兴市2024年碳达峰碳中和工作要点" → every target is for 2024.
_ANNUAL = re.compile(
    r"((?:19|20)\d{2})年(?:度)?[^《》。\n]{0,24}?"
    r"(?:工作要点|工作计划|行动计划|重点工作|工作任务|实施计划|任务清单)"
)
# Multi-year plans with an explicit span: "（2022-2025年）".
_SPAN = re.compile(r"[（(]?((?:19|20)\d{2})\s*[-—–~至到]\s*((?:19|20)\d{2})年?[）)]?")
# Five-year-plan periods: 十四五 ends 2025 (baseline 2020), 十五五 ends 2030 (baseline 2025).
PERIODS = {"十三五": (2020, 2015), "十四五": (2025, 2020), "十五五": (2030, 2025), "十六五": (2035, 2030)}
_PERIOD = re.compile(r"十[三四五六]五")


@dataclass(frozen=True)
class DocContext:
    region: str | None
    default_year: int | None
    period: str | None  # "annual", "span", "十四五", "十五五" or None
    ref_year: int | None  # years before this one are past facts
    # Rules, not plans (管理办法, 政策指引, 申报指南, 资金支持政策): their numbers are conditions and rates;
    # only a number with its own deadline year is kept as a target.
    regulation: bool = False


_REGULATION = re.compile(
    r"管理办法|暂行办法|实施细则|办法（试行）|政策指引|申报指南|资金支持政策|支持政策|认定办法|管理规定"
)
# The document's own title inside its text: the first 《…》 near the top (a compilation header, a news
# repost naming the plan it reprints).
_TITLE_IN_TEXT = re.compile(r"《([^《》\n]{2,120})》")


def _title_zone(norm: str, title: str | None) -> str:
    """Where a document names its own kind and period: the title, its first line, the first 《…》.

    A "十四五期间" in the body's 主要目标 describes one stage of a carbon-peak plan, not the plan: only
    the title decides whether undated targets fall in a plan period.
    """
    ends = [i for i in (norm.find("\n", 0, 160), norm.find("。", 0, 160)) if i >= 0]
    first_line = norm[:min(ends, default=160)]
    # A PDF's title block: short lines above the first sentence (附件1 / the title / the issuer / the date).
    lines = norm[:400].split("\n")
    block: list[str] = []
    for line in lines[1:6]:
        if len(line) > 60 or "。" in line or "，" in line:
            break
        block.append(line)
    if len(first_line) <= 12:
        first_line = "\n".join([first_line, *block])
    quoted = _TITLE_IN_TEXT.search(norm, 0, 600)
    return "\n".join(part for part in (title or "", first_line, quoted.group(1) if quoted else "") if part)


def doc_context(norm: str, *, region: str | None, title: str | None,
                publish_date: datetime.date | None) -> DocContext:
    head = _title_zone(norm, title)
    default_year: int | None = None
    period: str | None = None
    if m := _ANNUAL.search(head):
        default_year, period = int(m.group(1)), "annual"
    elif (m := _SPAN.search(head)) and int(m.group(2)) > int(m.group(1)):
        default_year, period = int(m.group(2)), "span"
    elif (m := _PERIOD.search(head)) and m.group() != "十三五":
        default_year, period = PERIODS[m.group()][0], m.group()
    ref_year = publish_date.year if publish_date else None
    if period == "annual":
        ref_year = default_year
    elif ref_year is None and period == "span" and (m := _SPAN.search(head)):
        ref_year = int(m.group(1))
    if region is None:
        region = infer_region(norm, title)
    regulation = _REGULATION.search(head) is not None and period is None
    return DocContext(region, default_year, period, ref_year, regulation)
