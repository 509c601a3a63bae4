"""Body rules: targets written in running text (到2025年，全市光伏装机达到470万千瓦).

Every number with a unit is a candidate; plan-language rules decide whether it is a target and
read its indicator, direction, comparator, target year and baseline from the words around it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import cn2an

from carbonpeak.extract.candidate import Candidate
from carbonpeak.extract.context import PERIODS, DocContext
from carbonpeak.extract.lexicon import (
    CN_MENTION,
    LEAD_STRIP,
    MENTION,
    VERB_TAIL,
    VERBS,
    sector_of,
    unit_kind,
)
from carbonpeak.extract.regions import province_of

_SENT_DELIM = re.compile(r"[。；;！？!?\n]")
_CLAUSE_DELIM = re.compile(r"[，,、：:\t|；;。！？!?\n]")
_CLAUSE_DELIM_NO_DUN = re.compile(r"[，,：:\t|；;。！？!?\n]")
# Year expressions; "较/比2020年" marks a baseline, "到2025年" a deadline, "十四五" a plan period.
_YEAR = re.compile(
    r"(?P<base>较|比|相比|与|同比|相对于?)?(?P<to>到|至|截至|截止到|截止|在)?"
    r"(?P<y>(?:19|20)\d{2})年(?P<tail>前|以前|底|末|度)?"
    r"|(?P<period>十[三四五六]五)(?=”?(?:时期|期间|末|以来|内|、|”、))"
)
# Section headings reset the year carried over from earlier sentences.
_BLOCK = re.compile(
    r"\n|[（(][一二三四五六七八九十]{1,3}[）)]|(?:(?<=[。\n])|^)[一二三四五六七八九十]{1,3}、"
    r"|(?<=[。\n])\d{1,2}[.、](?!\d)"
)
_BASELINE = re.compile(r"(?:较|比|相比|与|相对于?)((?:19|20)\d{2})年(?:相比|同期|水平)?")
_PAST = re.compile(r"十三五|截至|截止|已经|已累计|已达|已建成|已完成|同比(?:增长|下降)")
# Scope thresholds written in measure units: "年综合能耗1000吨标准煤以上企业", "6000千瓦以上火电".
_SCOPE_AFTER = re.compile(
    r"(?:及以上|以上|以下)?(?:的)?(?:重点)?(?:高耗能)?(?:企业|项目|单位|用户|城市|园区|数据中心|机组|锅炉|火电|"
    r"工业企业|用能单位|重点用能单位|规模)"
)
_SCOPE_BEFORE = re.compile(r"(?:年综合能耗|综合能耗|年耗能|年用能|常住人口|人口|年用电量|规模|以)(?:在|超过|达到|达)?$")
_TRAIL_STRIP = re.compile(r"(?:力争|确保|均|分别|要|将|已|的|，|,|、|在|上|达|约|原则上)+$")
# "A和B回收率均达到90%" names two indicators sharing one value.
_BOTH = re.compile(r"^(?P<a>[^和、]{2,})(?:和|、)(?P<b>[^和、]{2,})$")
# A standing rule rather than a dated goal (新建通道可再生能源电量比例原则上不低于50%).
_STANDING_RULE = "原则上"
# Where the indicator of an earlier clause ends: its verb or baseline.
_CLAUSE_VERB = re.compile(r"较|比|相比|保持|达到|提高|提升|下降|降低|控制|增长|减少|为|实现")
_HEDGE = re.compile(r"力争|确保")
_FENBIE = "分别"
_FIRST_PLAN_YEAR = 2021
_LIST_SEP = re.compile(r"^[、和及与,，]?$")


@dataclass
class _Index:
    sent: list[int]
    block: list[int]
    years: list[tuple[int, re.Match[str]]]
    year_pos: list[int]


def _index(norm: str) -> _Index:
    sent = [m.start() for m in _SENT_DELIM.finditer(norm)]
    block = [m.start() for m in _BLOCK.finditer(norm)]
    years = [(m.start(), m) for m in _YEAR.finditer(norm)]
    return _Index(sent, block, years, [p for p, _ in years])


def _year_of(m: re.Match[str]) -> tuple[int, str]:
    """(year, kind) where kind is 'to', 'bare', 'period' or 'past'."""
    if m.group("period"):
        period = m.group("period")
        return PERIODS[period][0], ("past" if period == "十三五" else "period")
    y = int(m.group("y"))
    to = m.group("to") or ""
    if to.startswith("截"):
        return y, "past"
    return y, ("to" if to else "bare")


def _governing_year(idx: _Index, lo: int, hi: int) -> tuple[int, str, re.Match[str]] | None:
    """Last non-baseline year expression in norm[lo:hi]."""
    i = bisect_left(idx.year_pos, hi) - 1
    while i >= 0 and idx.years[i][0] >= lo:
        m = idx.years[i][1]
        if not m.group("base") and m.end() <= hi:
            y, kind = _year_of(m)
            return y, kind, m
        i -= 1
    return None


# Left-overs that name no indicator once the verbs around them are gone.
_EMPTY_INDICATOR = re.compile(r"(?:建设|新建|新增|开展|完成|实现|达到|提高|提升|且?每年以|以|并|且)")


def _clean_indicator(text: str) -> str:
    text = LEAD_STRIP.sub("", text)
    text = _TRAIL_STRIP.sub("", text)
    text = text.strip(" “”\"")
    return "" if _EMPTY_INDICATOR.fullmatch(text) else text


def body_candidates(norm: str, ctx: DocContext, skip: list[tuple[int, int]]) -> list[Candidate]:
    idx = _index(norm)
    skip_starts = [s for s, _ in skip]
    out: list[Candidate] = []
    mentions: list[tuple[int, int, float, float | None, str, str | None]] = []
    for m in MENTION.finditer(norm):
        unit = m.group("unit")
        if m.group("pct"):
            unit = "%"
        if not unit:
            continue
        mentions.append((m.start(), m.end(), float(m.group("num")),
                         float(m.group("num2")) if m.group("num2") else None, unit, m.group("suf")))
    for m in CN_MENTION.finditer(norm):
        try:
            val = float(cn2an.cn2an(m.group("cn") or m.group("cn2"), "smart"))
        except (ValueError, KeyError):
            continue
        unit = "%" if m.group("cn") else "个百分点"
        mentions.append((m.start(), m.end(), val, None, unit, None))
    mentions.sort()
    mention_starts = [s for s, *_ in mentions]

    for start, end, value, value2, unit, suf in mentions:
        k = bisect_right(skip_starts, start) - 1
        if k >= 0 and skip[k][0] <= start < skip[k][1]:
            continue
        cand = _judge(norm, idx, ctx, start, end, value, value2, unit, suf, mentions, mention_starts)
        out.extend(cand)
    return out


def _judge(norm: str, idx: _Index, ctx: DocContext, start: int, end: int, value: float,
           value2: float | None, unit: str, suf: str | None,
           mentions: list[tuple[int, int, float, float | None, str, str | None]],
           mention_starts: list[int]) -> list[Candidate]:
    prev = norm[start - 1] if start else ""
    if (prev.isascii() and (prev.isalnum() or prev in "._-/")) or prev == "第":
        return []  # PM2.5, CO2, 5G, version strings, ordinals
    nxt = norm[end:end + 1]
    if unit.endswith("个") and nxt == "月":
        return []  # durations (3个月)
    if nxt == "级" or re.match(r"[.…·]{2,}|\s*[.…]{3}", norm[end:end + 4]):
        return []  # size classes (1000吨级泊位) and table-of-contents leaders (2项.......)
    # Sentence and clause around the number.
    si = bisect_left(idx.sent, start) - 1
    s0 = idx.sent[si] + 1 if si >= 0 else 0
    sentence_prefix = norm[s0:start]
    lb, rb = sentence_prefix.rfind("《"), sentence_prefix.rfind("》")
    if lb > rb:
        return []  # inside a document title
    if _PAST.search(sentence_prefix):
        return []
    kind = unit_kind(unit)
    clause_cuts = [mm.end() for mm in _CLAUSE_DELIM.finditer(sentence_prefix)]
    c0 = s0 + (clause_cuts[-1] if clause_cuts else 0)
    prefix = norm[c0:start]

    # Scope thresholds (年综合能耗1000吨标准煤以上企业) and approval rules (低于0.52吨标准煤/万元的项目).
    after = norm[end:end + 12]
    if kind == "measure" and (_SCOPE_AFTER.match(after) or _SCOPE_BEFORE.search(prefix)):
        return []
    if re.search(r"(?:低于|高于|大于|小于|超过|以下|以上)$", prefix) and after.startswith("的"):
        return []
    if after.startswith(("的项目", "的企业", "的重大项目")):
        return []

    # 分别 lists: "A、B、C重点工程减排量分别达到515吨、2585吨、1200吨" — one record per item.
    fenbie_items: list[tuple[int, str]] | None = None
    list_pos = 0
    fb = sentence_prefix.rfind(_FENBIE)
    verb_after_fenbie = ""
    if fb >= 0:
        between = norm[s0 + fb + 2:start]
        vm = re.match(r"(?:" + "|".join(sorted(map(re.escape, VERBS), key=len, reverse=True)) + r")?", between)
        verb_after_fenbie = vm.group() if vm else ""
        j0 = bisect_left(mention_starts, s0 + fb + 2 + len(verb_after_fenbie))
        j1 = bisect_left(mention_starts, start)
        pos = s0 + fb + 2 + len(verb_after_fenbie)
        ok = True
        for j in range(j0, j1):
            ms, me = mentions[j][0], mentions[j][1]
            if not _LIST_SEP.match(norm[pos:ms]):
                ok = False
                break
            pos = me
        if ok and _LIST_SEP.match(norm[pos:start]):
            list_pos = j1 - j0
            seg_start_rel = max((mm.end() for mm in _CLAUSE_DELIM_NO_DUN.finditer(sentence_prefix[:fb])), default=0)
            seg = sentence_prefix[seg_start_rel:fb]
            items: list[tuple[int, str]] = []
            off = 0
            for piece in seg.split("、"):
                items.append((s0 + seg_start_rel + off, piece))
                off += len(piece) + 1
            if len(items) >= 2 or list_pos > 0:
                fenbie_items = items

    baseline: int | None = None
    hedge_m = None
    for hm in _HEDGE.finditer(sentence_prefix):
        hedge_m = hm
    hedge = hedge_m.group() if hedge_m else None

    if fenbie_items is not None:
        item_i = list_pos if len(fenbie_items) > list_pos else len(fenbie_items) - 1
        ind_start, ind_text = fenbie_items[item_i]
        lead = LEAD_STRIP.match(ind_text)
        if lead:
            ind_start += lead.end()
        indicator = _clean_indicator(ind_text)
        verb = verb_after_fenbie
        qstart = ind_start
    else:
        bm = _BASELINE.search(prefix)
        ind_part = prefix
        if bm:
            baseline = int(bm.group(1))
            ind_part = prefix[:bm.start()] + prefix[bm.end():]
        vm2 = VERB_TAIL.search(ind_part)
        verb = vm2.group("verb") if vm2 else ""
        head = ind_part[:vm2.start()] if vm2 else ind_part
        indicator = _clean_indicator(head)
        qstart = c0 + (prefix.find(indicator) if indicator and indicator in prefix else len(prefix))
    qend = end
    if not indicator and fenbie_items is None:
        # The counted thing follows the number: 培育1家省级绿色（低碳）园区, 80%以上的党政机关建成节约型机关.
        tail = norm[end:end + 40]
        cut = _CLAUSE_DELIM.search(tail)
        tail = tail[:cut.start()] if cut else tail
        tail = re.split(r"(?<=.)(?:等|，|。)", tail)[0]
        noun = tail[1:] if tail.startswith("的") else tail
        noun = noun.strip()
        if 2 <= len(noun) <= 30 and not re.match(r"[\d（(]", noun):
            indicator = noun
            qstart = start - (len(verb) if verb and prefix.endswith(verb) else 0)
            qend = end + len(tail)
    if not indicator and fenbie_items is None and clause_cuts:
        # The clause holds only the verb (",到2030年达到5.1亿吨", "、控制在119万吨左右"): the
        # indicator is named at the head of the previous clause.
        prev_start = s0 + (clause_cuts[-2] if len(clause_cuts) >= 2 else 0)
        prev_clause = norm[prev_start:c0 - 1]
        lead = LEAD_STRIP.match(prev_clause)
        lead_len = lead.end() if lead else 0
        cvm = _CLAUSE_VERB.search(prev_clause, lead_len)
        head = prev_clause[lead_len:cvm.start()] if cvm else ""
        indicator = _clean_indicator(head)
        if indicator:
            qstart = prev_start + lead_len
    if not indicator or len(indicator) < 2:
        return []
    indicators = [indicator]
    if "均" in norm[c0:start] and (both := _BOTH.match(indicator)):
        indicators = [both.group("a"), both.group("b")]
    if re.fullmatch(r"[\d.%\s]+|[一二三四五六七八九十]+", indicator):
        return []

    direction, comparator = VERBS.get(verb, ("reach", None))
    if suf in ("以上", "及以上"):
        comparator = ">="
    elif suf in ("以下", "以内", "之内", "及以下"):
        comparator = "<="
        if direction == "reach" and suf in ("以内", "之内"):
            direction = "cap"
    elif suf == "左右" or prefix.endswith("约"):
        comparator = "~"
    elif comparator is None:
        comparator = ">=" if value2 is not None else "="
    if direction == "reach" and re.match(r"(?:淘汰|压减|节约|削减|报废)", indicator):
        direction = "decrease"
    if kind != "pct" and direction == "increase" and verb in ("提升", "提高"):
        direction = "reach"

    # Target year: the sentence's own deadline, else the one carried over within the section.
    gy = _governing_year(idx, s0, start)
    bi = bisect_left(idx.block, s0) - 1
    block_start = idx.block[bi] if bi >= 0 else 0
    if gy is None:
        gy = _governing_year(idx, block_start, s0)
    years: list[int] = []
    year_kind = "default"
    target_year = ctx.default_year
    if gy is not None:
        target_year, year_kind, gm = gy
        if year_kind == "past":
            return []
        # A bare year before the document's own time is a past statistic (2020年全市能耗为…); with no
        # date known, carbon-peak plans date from 2021 on, so 2020 and earlier are history.
        if year_kind == "bare" and target_year < (ctx.ref_year or _FIRST_PLAN_YEAR):
            return []
        # "十四五"、"十五五"期间分别新增… — one record per period.
        if fb >= 0 and gm.start() >= s0:
            earlier = _governing_year(idx, s0, gm.start())
            if earlier and norm[earlier[2].end():gm.start()].strip("”“\"、") == "" and earlier[0] != target_year:
                years = [earlier[0], target_year]
    if not years:
        years = [target_year] if target_year is not None else [None]  # type: ignore[list-item]

    region = ctx.region
    if "全省" in norm[c0:start] and region and region != "全国":
        region = province_of(region) or region

    if _STANDING_RULE in prefix:
        years = [None]  # type: ignore[list-item]

    outs: list[Candidate] = []
    for ty, ind in ((y, i) for y in years for i in indicators):
        base = baseline
        if base is None and direction in ("increase", "decrease") and kind == "pct":
            if year_kind == "period" and ty is not None:
                base = {2025: 2020, 2030: 2025, 2035: 2030}.get(ty)
            elif ctx.period == "十四五" and ty == 2025:
                base = 2020
            elif ctx.period == "十五五" and ty == 2030:
                base = 2025
            elif ctx.period == "annual" and ty == ctx.default_year and ty is not None:
                base = ty - 1
        outs.append(Candidate(
            start=qstart, end=qend, value=value, unit=unit, direction=direction, comparator=comparator,
            target_year=ty, baseline_year=base, indicator=ind, region=region,
            sector=sector_of(ind), hedge=hedge,
        ))
    return outs
