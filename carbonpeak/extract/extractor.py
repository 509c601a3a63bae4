"""The extractor's entry points: one document's text → its targets (`extract_targets`), and why each number
that became no target was dropped (`explain_skips`); the dedup of restated targets lives here too."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from carbonpeak.extract.candidate import Candidate
from carbonpeak.extract.context import DocContext, doc_context
from carbonpeak.extract.normalize import indicator_code, to_canonical
from carbonpeak.extract.rules import RULES, Verdict, body_candidates, dropped_mentions
from carbonpeak.extract.tables import table_candidates
from carbonpeak.extract.textprep import prepare, to_simplified

EXTRACTOR_VERSION = "0.4.0"


@dataclass(frozen=True)
class ExtractedTarget:
    doc: str
    region: str | None
    sector: str | None
    indicator: str
    value: float
    unit: str
    direction: str
    comparator: str
    target_year: int | None
    baseline_year: int | None
    quote: str
    note: str | None
    hedge: str | None
    quote_start: int
    quote_end: int
    # Normalised beside the stated fields (normalize.py): taxonomy code, value in the canonical unit.
    indicator_code: str = "other"
    value_canonical: float | None = None
    unit_canonical: str | None = None

    def as_json(self) -> dict:
        value: float | int = int(self.value) if float(self.value).is_integer() else self.value
        return {
            "doc": self.doc, "region": self.region, "sector": self.sector, "indicator": self.indicator,
            "value": value, "unit": self.unit, "direction": self.direction, "comparator": self.comparator,
            "target_year": self.target_year, "baseline_year": self.baseline_year, "quote": self.quote,
            "note": self.note, "hedge": self.hedge, "quote_start": self.quote_start, "quote_end": self.quote_end,
            "indicator_code": self.indicator_code, "value_canonical": self.value_canonical,
            "unit_canonical": self.unit_canonical,
        }


@dataclass(frozen=True)
class SkippedMention:
    """A number with a unit that became no target, and the exclusion rule (rules.RULES) that dropped it."""

    doc: str
    start: int  # the number's span in the text passed in
    end: int
    mention: str  # text[start:end]
    context: str  # its sentence, at most 60 characters either side
    rule: str
    reason: str


# How alike two indicator names must be for a repeated (value, unit, year) to count as the same
# target: plans restate body targets in summary tables under a slightly different label.
_SAME_BODY = 0.6
_SAME_TABLE = 0.45


_UNIT_SAME = {"m2": "平方米", "㎡": "平方米", "m3": "立方米", "tce": "吨标准煤", "吨标煤": "吨标准煤"}
_COUNT = re.compile(r"^(?:个|家|项|座|处|所)$")


def _unit_key(unit: str) -> str:
    for a, b in _UNIT_SAME.items():
        unit = unit.replace(a, b)
    # Count words vary between a body sentence and its table row (14个园区 / 园区 家 14).
    return "#count" if _COUNT.match(unit) else unit


def _chars(s: str) -> set[str]:
    return {c for c in s if c.isalnum()}


def _alike(a: str, b: str, threshold: float, table: bool = False) -> bool:
    if a in b or b in a or SequenceMatcher(None, a, b).ratio() >= threshold:
        return True
    if table:
        ca, cb = _chars(a), _chars(b)
        return bool(ca and cb) and len(ca & cb) / min(len(ca), len(cb)) >= 0.75
    return False


# A body sentence restating a target covers at least this share of the shorter name (the whole name
# but its head noun at the higher share).
_SAME_BODY_COVER = 0.8
_SAME_BODY_COVER_ANY_HEAD = 0.9
# Words plans use interchangeably when they restate a target (装机规模/装机容量, 占比/比重).
_SYNONYMS = (("装机规模", "装机容量"), ("发电装机", "装机"), ("占比", "比重"), ("能源消耗", "能耗"),
             ("地区生产总值", "GDP"), ("国内生产总值", "GDP"), ("生产总值", "GDP"))


def _canonical_name(name: str) -> str:
    for a, b in _SYNONYMS:
        name = name.replace(a, b)
    return name


def _restated(a: str, b: str) -> bool:
    """Two running-text names of one target: one holds the other, or the shorter one is nearly all
    found in the longer one and ends on the same head noun. Names that share a long lead but end on
    different heads are different targets with the same value (绿色工厂 / 绿色设计产品 50家 each), as are
    names that share only their head (非化石能源消费比重 / 电能占终端能源消费比重 22%)."""
    a, b = _canonical_name(a), _canonical_name(b)
    if a in b or b in a:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short or sum(1 for ch in short if ch in long_) < _SAME_BODY_COVER * len(short):
        return False  # cheap bound: matched characters must occur in the longer name at all
    blocks = SequenceMatcher(None, short, long_, autojunk=False).get_matching_blocks()
    cover = sum(m.size for m in blocks) / len(short)
    head_kept = any(m.size and m.a + m.size == len(short) for m in blocks)
    return cover >= _SAME_BODY_COVER_ANY_HEAD or (head_kept and cover >= _SAME_BODY_COVER)


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    kept: list[Candidate] = []
    seen: dict[tuple, list[Candidate]] = {}
    for c in sorted(cands, key=lambda c: (c.start, c.end)):
        key = (round(c.value, 6), _unit_key(c.unit), c.target_year, c.region)
        prior = seen.setdefault(key, [])
        threshold = _SAME_TABLE if c.from_table else _SAME_BODY
        if any(_restated(p.indicator, c.indicator) if not (p.from_table or c.from_table) else
               _alike(p.indicator, c.indicator, threshold if p.unit == c.unit else _SAME_BODY,
                      c.from_table and p.unit == c.unit) for p in prior):
            continue
        prior.append(c)
        kept.append(c)
    return kept


def _regulation_condition(ctx: DocContext, c: Candidate) -> bool:
    """Exclusion rule regulation_condition: in a regulation only a number with its own deadline year is a
    target; the others are its conditions and rates (see DocContext.regulation)."""
    return ctx.regulation and c.target_year is None


def extract_targets(text: str, doc_id: str, *, region: str | None = None, title: str | None = None,
                    publish_date: datetime.date | None = None,
                    explain: list[SkippedMention] | None = None) -> list[ExtractedTarget]:
    """Extract every quantified target of one document, in document order. With `explain`, also append
    to it every number mention that became no target, with the rule that dropped it."""
    prep = prepare(text)
    title_norm = to_simplified(title) if title else None
    ctx = doc_context(prep.norm, region=region, title=title_norm, publish_date=publish_date)
    tables, handled = table_candidates(prep.norm, ctx)
    trace: list[Verdict] | None = None if explain is None else []
    body = body_candidates(prep.norm, ctx, handled, trace)
    kept = _dedupe(body + tables)
    out: list[ExtractedTarget] = []
    for c in kept:
        if _regulation_condition(ctx, c):
            continue
        qs, qe = prep.orig_span(c.start, c.end)
        canonical = to_canonical(c.value, c.unit)
        code = indicator_code(c.indicator, canonical[1] if canonical else None, c.direction)
        if (code in BARE_HEAD_CODES or BARE_HEAD.fullmatch(c.indicator)) and not c.from_table:
            code = _code_from_clauses_before(prep.norm, c, canonical[1] if canonical else None) or code
        out.append(ExtractedTarget(
            doc=doc_id, region=c.region, sector=c.sector, indicator=c.indicator, value=c.value, unit=c.unit,
            direction=c.direction, comparator=c.comparator, target_year=c.target_year,
            baseline_year=c.baseline_year, quote=text[qs:qe], note=c.note, hedge=c.hedge,
            quote_start=qs, quote_end=qe, indicator_code=code,
            value_canonical=canonical[0] if canonical else None, unit_canonical=canonical[1] if canonical else None,
        ))
    if explain is not None and trace is not None:
        emitted = [c for c in kept if not _regulation_condition(ctx, c)]
        for m, rule in dropped_mentions(trace, body + tables, kept, emitted):
            qs, qe = prep.orig_span(m.start, m.end)
            explain.append(SkippedMention(doc_id, qs, qe, text[qs:qe], _around(text, qs, qe), rule, RULES[rule]))
    return out


_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_CLAUSE_END = re.compile(r"[，,：:]")
# Codes a bare head noun gets (装机, 新增装机, 示范面积各, 合计): what it counts is named earlier in the sentence.
BARE_HEAD_CODES = frozenset({"other", "power_capacity", "land_and_area"})
BARE_HEAD = re.compile(
    r"(?:新增|累计|总|其中)?(?:装机(?:容量|规模)?|更新改造|改造|面积|合计|共计|总计|规模|总量|比例|占比|比重)")


def _code_from_clauses_before(norm: str, c: Candidate, unit_canonical: str | None) -> str | None:
    """A bare head inherits the modifiers of the nearest clause before it in the same sentence that names a
    specific indicator ("光伏装机容量达到2750万千瓦，新增装机在1200万千瓦以上": 新增装机 is PV's): each of
    the up to three clauses before it, nearest first, is read with the head after it."""
    sentence = _SENTENCE_END.split(norm[max(0, c.start - 200):c.start])[-1]
    clauses = [p for p in _CLAUSE_END.split(sentence) if p.strip()]
    head = clauses[-1] if clauses else ""
    for clause in reversed(clauses[-4:-1]):
        code = indicator_code(clause + head + c.indicator, unit_canonical, c.direction)
        if code not in BARE_HEAD_CODES:
            return code
    return None


def _around(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], at most 60 characters either side."""
    return (_SENTENCE_END.split(text[max(0, start - 60):start])[-1] + text[start:end]
            + _SENTENCE_END.split(text[end:end + 60])[0])


def explain_skips(text: str, doc_id: str, *, region: str | None = None, title: str | None = None,
                  publish_date: datetime.date | None = None) -> list[SkippedMention]:
    """Every number mention of a document that became no target, in document order, with the named
    exclusion rule that dropped it (rules.RULES says why)."""
    skipped: list[SkippedMention] = []
    extract_targets(text, doc_id, region=region, title=title, publish_date=publish_date, explain=skipped)
    return skipped
