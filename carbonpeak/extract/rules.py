"""Body rules: targets written in running text (到2025年，全市光伏装机达到470万千瓦).

Every number with a unit is a candidate (a `Mention`); plan-language rules decide whether it is a target
and read its indicator, direction, comparator, target year and baseline from the words around it.

This module also owns the exclusion rules: `RULES` names every reason a number is not a target, and a
rule that drops a mention raises `Skip` with its name, so `body_candidates(..., trace=...)` can say
which rule dropped which number (carbonpeak.extract.explain_skips).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import NamedTuple

import cn2an

from carbonpeak.extract.candidate import Candidate
from carbonpeak.extract.context import PERIODS, DocContext
from carbonpeak.extract.lexicon import (
    ACTION_VERB,
    CN_MENTION,
    LEAD_STRIP,
    MENTION,
    TRAILING_ACTION,
    VERB_FRAGMENT,
    VERB_TAIL,
    VERBS,
    sector_of,
    unit_kind,
)
from carbonpeak.extract.regions import is_region, is_within, province_of, region_table

_SENT_DELIM = re.compile(r"[。；;！？!?\n]")
_CLAUSE_DELIM = re.compile(r"[，,、：:\t|；;。！？!?\n]")
_CLAUSE_DELIM_NO_DUN = re.compile(r"[，,：:\t|；;。！？!?\n]")
# Year expressions; "较/比2020年" marks a baseline, "到2025年" a deadline, "十四五" a plan period.
_YEAR = re.compile(
    r"(?P<base>较|比|相比|与|同比|相对于?)?(?P<to>到|至|截至|截止到|截止|在)?"
    r"(?P<y>(?:19|20)\d{2})年(?P<tail>前|以前|底|末|度)?(?P<basis>(?:的)?(?:基础上|水平上))?"
    r"|(?P<period>十[三四五六]五)(?=”?(?:时期|期间|末|以来|内|、|”、))"
)
# Section headings reset the year carried over from earlier sentences.
_BLOCK = re.compile(
    r"\n|[（(][一二三四五六七八九十]{1,3}[）)]|(?:(?<=[。\n])|^)[一二三四五六七八九十]{1,3}、"
    r"|(?<=[。\n)）])\d{1,2}[.、](?!\d)"  # items follow "(责任单位:…)" in many plans
    r"|https?://"  # a scraped page or document boundary in compilations
)
_BASELINE = re.compile(
    r"(?:较|比|相比|与|相对于?)((?:19|20)\d{2})年(?:相比|同期|水平)?|在((?:19|20)\d{2})年(?:的)?基础上"
)
# "比“十三五”初期提高1个等级" measures against a past period: a baseline, not a past statistic.
_PAST = re.compile(
    r"(?<![比较])(?<!比“)(?<!较“)十[一二三]五|截至|截止|已经|已累计|已达|已建成|已完成|同比(?:增长|下降)"
    r"|(?:出台|完成|建成|实现|达到|形成|创建|培育|认定)了"
)
# Top-level headings of a plan's review part: what it reports there is history, not a goal.
_TOP_HEADING = re.compile(r"(?:^|\n)[一二三四五六七八九十]{1,2}、([^\n]{0,30})")
_REVIEW_HEADING = re.compile(r"发展基础|发展现状|现状|基础与形势|回顾|成效|成就|取得的进展")
# Scope thresholds written in measure units: "年综合能耗1000吨标准煤以上企业", "6000千瓦以上火电".
_SCOPE_AFTER = re.compile(
    r"(?:及以上|以上|以下)?(?:的)?(?:[市省区县]?重点)?(?:高耗能)?(?:企业|项目|单位|用户|城市|园区|数据中心|机组|锅炉|火电|"
    r"工业企业|用能单位|重点用能单位|规模)"
)
# "规模" is a scope only as "规模在…": "装机规模达到2500万千瓦" is a goal.
_SCOPE_BEFORE = re.compile(r"(?:(?:年?综合能源消费量?|"
                           r"年综合能耗|综合能耗|年耗能|年用能|常住人口|人口|年用电量|以)(?:在|超过|达到|达)?|规模在)$")
# Words after an indicator that are no part of its name, including a year written after it
# ("清洁电力外送量2025年达到512亿千瓦时"), adverbs ("城乡公交一体化率继续保持") and a baseline that is
# no year ("耕地质量比“十三五”初期提高1个等级", "碳排放强度比当前下降30%", "能效在现有水平上提升10%").
_TRAIL_STRIP = re.compile(
    r"(?:力争|确保|均|分别|要|将|已|的|，|,|、|在|上|达|约|原则上|应当|应|继续|持续|进一步|逐步|稳步|"
    r"(?:到|至)?(?:19|20)\d{2}年(?:底|末|前)?|(?:比|较)“?十[一二三四五]五”?(?:初期|末|期末|时期)?|"
    r"(?:比|较)(?:当前|目前|现状)|在现有水平(?:的)?(?:上|基础上)?)+$"
)
# "A和B回收率均达到90%" names two indicators sharing one value.
_BOTH = re.compile(r"^(?P<a>[^和、]{2,})(?:和|、)(?P<b>[^和、]{2,})$")
# A standing rule rather than a dated goal (新建通道可再生能源电量比例原则上不低于50%).
_STANDING_RULE = "原则上"
# Where the indicator of an earlier clause ends: its verb or baseline.
_CLAUSE_VERB = re.compile(
    r"较|(?<!占)比(?!重|例|率)|相比|保持|达到|超过|不低于|不少于|不超过|不高于|突破|提高|提升|下降|降低|控制|增长|减少|为|实现"
)
_HEDGE = re.compile(r"力争|确保")
_FENBIE = "分别"
_FIRST_PLAN_YEAR = 2021
_LIST_SEP = re.compile(r"^[、和及与,，]?$")
_VERB_ALT = "|".join(sorted(map(re.escape, VERBS), key=len, reverse=True))
# After 分别 a baseline may precede the verb: "分别较2020年降低3%、3.6%和4.2%".
_FENBIE_LEAD = re.compile(
    r"(?:(?:较|比|相比|与)(?P<base>(?:19|20)\d{2})年(?:相比|同期|水平)?)?(?P<verb>" + _VERB_ALT + r")?"
)
_BASIS = re.compile(r"在((?:19|20)\d{2})年(?:的)?基础上")
_PLAN_ITEMS = re.compile(r"(?:重点|主要)?(?:任务|举措|措施|方面|领域)")
# Subsidy and funding rules (给予30%的补助, 不超过项目总经费的50%) are not targets.
_FUNDING_BEFORE = re.compile(r"资助|补助|补贴|奖励|经费|贴息|担保|给予|奖补|按照|按不超过")
_FUNDING_AFTER = re.compile(r"(?:的)?(?:补助|补贴|奖励|资助|贴息|奖补|给予|标准配备|的比例给予)")
# A measure naming the size of a plant, unit or product, not a goal: "永城市400MW风电项目",
# "66万千瓦高硫无烟煤示范机组建设", "3MW以上主轴轴承".
_PROJECT_AFTER = re.compile(
    r"(?:及以上|以上|级)?[^，。；、,;：:\d]{0,10}?(?:项目|机组|电站|工程|风电场|轴承|叶片|系统|装置|生产线|锅炉|产业园)"
    r"(?![^，。；,;]{0,6}?(?:达到|达|为|占|比例|比重|规模|容量|总量))"
)
# Places and leaders that name no indicator: "永城市", "攸县等", "其中海口市、".
_GENERIC_NAME = re.compile(r"(?P<name>.+?)(?:等|地区|市区|城区)?")
# A count that closes a list ("汨罗、炎陵、桃源、攸县等13个…电站开工", "以工程机械、轨道交通装备等为代表的22条
# 产业链") numbers the things named, and a share "集中于4-5家企业" describes a structure: none is a goal.
_LISTED_COUNT = re.compile(r"、[^、]*等$|以.*为代表的$|集中(?:于|在|到)$|(?:纳入|列入).*的$")
# What a sector has today is no goal: "全省炼油行业现有大庆石化、大庆炼化…4户企业".
_EXISTING = re.compile(r"现有")
_SCOPE_NOUN_AFTER = re.compile(r"[^，,。；;、\d的]{0,6}?(?:车辆|货车|客车|船舶|机组|锅炉|企业|项目)")
_FORECAST = re.compile(r"预计|预测|预期将")
_NO_DUN_DELIMS = "，,：:\t|；;。！？!?\n"


def _clause_start(text: str) -> int:
    """Where the last clause of text begins (after its last delimiter, 、 aside)."""
    for i in range(len(text) - 1, -1, -1):
        if text[i] in _NO_DUN_DELIMS:
            return i + 1
    return 0
_PER_UNIT = re.compile(r"(?:每个|每座|每家|每处|单个|单体)[^，,。；;\d]*(?:不超过|不高于|不低于|不少于|控制在)$")
# Rates listed before one value are separate targets ("秸秆综合利用率、农膜回收率达到90%以上"), unlike
# nouns that share one head ("风电、太阳能发电总装机容量").
_RATE_LIST = re.compile(r"[^、]{2,}?(?:率|比例|比重|占比)(?:、[^、]{2,}?(?:率|比例|比重|占比))+")
_WORK_DONE = re.compile(r"(?:完成|建成|新建|新增|实施|推广)$")
# A rule to build by ("按不低于100%的车位比例建设充电设施", "按不少于60千瓦的快速充电桩建设") and a plant's
# size class ("年产20吨黄金企业集群") are no goals.
_BUILD_RULE_BEFORE = re.compile(r"按(?:照)?(?:不低于|不少于|不超过|不高于|不小于|每)?$")
_ANNUAL_OUTPUT_BEFORE = re.compile(r"年产$")
# The counted things of a qualitative goal: "全区47个内河码头实现船舶岸电设施全覆盖".
_QUALITATIVE_GOAL = re.compile(r"全覆盖|全部|全面")
_ACTION = re.compile(ACTION_VERB)
# A share of a capacity written after the number: "省级电网基本具备5%以上的尖峰负荷响应能力".
_CAPACITY_AFTER = re.compile(r"的(?P<np>[^，,。；;、\d的]{2,14}?能力)(?=[，,。；;、\n]|$)")
# A design standard named by its energy saving: "城镇居住建筑全面执行75%节能标准" (GUIDELINES: a borderline
# rule-like ratio, kept with a note).
_STANDARD_AFTER = re.compile(r"(?P<word>节能(?:设计)?(?:标准|要求))")
_STANDARD_VERB = re.compile(r"(?:全面|全部|均|率先)?(?:执行|达到|实施|落实)$")
_STANDARD_NOTE = "a design standard named by its energy saving; borderline rule-like ratio, kept"
# Savings are decreases ("工业和通信业实现节能8.35万吨标准煤"); an indicator led by a change verb with the
# amount after it is that change ("增加系统调峰能力47万千瓦").
_SAVING = re.compile(
    r"^(?:淘汰|压减|节约|削减|报废|减少|降低|(?:整合|关停|关闭)?退出)|(?:节能|节电|节煤|节约用能|节约能源)$"
)
# Subsidy rules: "对…的，按照每吨标准煤500元的标准补助": every number in such a sentence is a condition or a rate.
_SUBSIDY_RULE = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]+[)）.．、]?)?对[^。；]*?(?:补助|奖励|补贴|贴息|资助|奖补)"
)
# The size of a fund or a credit line: "100亿元市级企业技术改造基金", "总规模20亿元的担保贷款额度".
_FUND_AFTER = re.compile(r"[^，。；、\d]{0,12}?(?:基金|专项资金|资金池|担保|贷款额度|授信)")
# An attribute of a set just counted: "重点技改项目108项，总投资1422亿元", "启动104家总投资60亿元…".
_SET_ATTRIBUTE = re.compile(r"(?:\d+(?:\.\d+)?[项个家座]，?|^)总投资(?:额)?(?:约|达|超过)?$")
# Geography, not goals: "陆域面积合计11293平方公里".
_AREA_FACT = re.compile(r"(?:陆域|海域|国土|行政区域|辖区|区域|土地)(?:总)?面积(?:合计|共|约|为)?$")
# A quantity for each unit of something: "按照每户100平方米", "每吨标准煤500元".
_PER_EACH = re.compile(r"每(?:户|座|台|吨|家|个|辆|套|千瓦|平方米|人|年)(?:标准煤)?(?:按)?$")
_LEADING_INCREASE = re.compile(r"^(?:[^，,。\d]{1,4}后)?(?:增加|增强)(?!值)")
# New capacity added over a plan is an increase ("十四五"期间新增光伏装机容量2.2万千瓦).
_CAPACITY = re.compile(r"装机|容量")
# "以“率先实现碳达峰碳中和…”为主题的省级可持续发展创新示范区": the theme is no part of the counted thing.
_THEME = re.compile(r"^以.{1,60}?为(?:主题|重点|核心|主体|特色|引领)的")


@dataclass
class _Index:
    sent: list[int]
    block: list[int]
    years: list[tuple[int, re.Match[str]]]
    year_pos: list[int]


# What every year expression contains; _YEAR is tried only just before these (its optional lead words
# make a plain finditer try the whole pattern at every character of a 1M-character text).
_YEAR_HINT = re.compile(r"(?:19|20)\d{2}年|十[三四五六]五")
_YEAR_LEAD = 6  # the longest 较/到 lead: 相对于 + 截止到


def _year_matches(norm: str) -> list[re.Match[str]]:
    """The matches _YEAR.finditer(norm) gives, found from the hints."""
    out: list[re.Match[str]] = []
    last = 0
    for hint in _YEAR_HINT.finditer(norm):
        if hint.start() < last:
            continue
        for s in range(max(last, hint.start() - _YEAR_LEAD), hint.start() + 1):
            m = _YEAR.match(norm, s)
            if m is not None and m.end() > hint.start():
                out.append(m)
                last = m.end()
                break
    return out


def _index(norm: str) -> _Index:
    sent = [m.start() for m in _SENT_DELIM.finditer(norm)]
    block = [m.start() for m in _BLOCK.finditer(norm)]
    years = [(m.start(), m) for m in _year_matches(norm)]
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


def _in_review(norm: str, pos: int) -> bool:
    """Whether `pos` lies in a part headed 一、发展基础 / 发展现状 / 工作回顾 (a review of the last period)."""
    heads = list(_TOP_HEADING.finditer(norm, max(0, pos - 6000), pos))
    head = heads[-1] if heads else None
    return head is not None and _REVIEW_HEADING.search(head.group(1)) is not None


def _governing_year(idx: _Index, lo: int, hi: int) -> tuple[int, str, re.Match[str]] | None:
    """Last non-baseline year expression in norm[lo:hi]."""
    i = bisect_left(idx.year_pos, hi) - 1
    while i >= 0 and idx.years[i][0] >= lo:
        m = idx.years[i][1]
        if not m.group("base") and not m.group("basis") and m.end() <= hi:
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


_RANGE_SEP = re.compile(r"\s?(?:-|~|—|–|～|至|到)\s?")


def _merge_ranges(norm: str, mentions: list[Mention]) -> list[Mention]:
    """"3%—5%", "2万吨至3万吨": one range mention, recorded at its lower bound."""
    out: list[Mention] = []
    for m in mentions:
        if out:
            p = out[-1]
            if (p.value2 is None and p.suffix is None and p.unit == m.unit and p.value < m.value
                    and _RANGE_SEP.fullmatch(norm, p.end, m.start)):
                out[-1] = Mention(p.start, m.end, p.value, m.value2 if m.value2 is not None else m.value,
                                  m.unit, m.suffix)
                continue
        out.append(m)
    return out


# Sections of a plan named after a sector: "(三)交通运输绿色低碳行动", "3.推动建材行业碳达峰", "工业领域".
_HEADING_SECTOR = [
    (re.compile(r"公共机构"), "公共机构"),
    (re.compile(r"交通|运输"), "交通"),
    (re.compile(r"城乡建设|建筑"), "建筑"),
    (re.compile(r"农业|农村"), "农业"),
    (re.compile(r"工业|制造业|钢铁|建材|有色|石化|化工"), "工业"),
    (re.compile(r"能源|电力"), "能源"),
]
_HEADING_END = re.compile(r"[。；;\n]")


def _heading_sector(norm: str, idx: _Index, bi: int) -> str | None:
    """Sector named by the nearest section heading."""
    for k in range(bi, max(bi - 1, -1), -1):
        h0 = idx.block[k]
        end = _HEADING_END.search(norm, h0 + 1, h0 + 30)
        if end is None:
            continue  # running text, not a heading line
        heading = norm[h0:end.start()]
        hits = {sector for rx, sector in _HEADING_SECTOR if rx.search(heading)}
        if len(hits) == 1:
            return hits.pop()
        if hits:
            return None
    return None


def _names_nothing(indicator: str) -> bool:
    """A verb ("形成", "引进和培育") or a place ("永城市", "攸县等") where an indicator should be."""
    if not indicator:
        return False
    if VERB_FRAGMENT.fullmatch(indicator):
        return True
    parts = [p for p in re.split(r"[、和及]", re.sub(r"(?:等|、|和|及)+$", "", indicator)) if p]
    return bool(parts) and all(is_region(p) for p in parts)


# A noun that shares the indicator's head with it: "风电、太阳能发电总装机容量达到12亿千瓦" is one
# indicator (wind and solar together), "新建公共机构建筑、新建厂房屋顶光伏覆盖率" another.
_EACH = re.compile(r"分别|各自")
_COORDINATE = re.compile(r"[^\d，,、：:\t|；;。！？!?\n（(）)“”\"]{2,12}")


def _coordinated(norm: str, s0: int, c0: int, indicator: str, qstart: int) -> tuple[str, int]:
    """Extend an indicator over the nouns listed before it with 、 (at most three, or the whole list when
    it is closed by 等 and a count: "废钢铁、废铜、…、废玻璃等9种主要再生资源循环利用量")."""
    start = c0
    for _ in range(12 if _CLOSED_LIST.search(indicator) else 3):
        if start - 1 <= s0 or norm[start - 1] != "、":
            break
        prev_cut = max((m.end() for m in _CLAUSE_DELIM.finditer(norm, s0, start - 1)), default=s0)
        piece = norm[prev_cut:start - 1]
        lead = LEAD_STRIP.match(piece)
        if lead:
            piece, prev_cut = piece[lead.end():], prev_cut + lead.end()
        if not _COORDINATE.fullmatch(piece) or _CLAUSE_VERB.search(piece) or VERB_FRAGMENT.search(piece):
            break
        start = prev_cut
    if start == c0 or qstart != c0 + (norm[c0:].find(indicator) if indicator in norm[c0:c0 + 200] else 0):
        return indicator, qstart
    return norm[start:c0] + indicator, start


_AND = re.compile(r"和|及|与")
_CLOSED_LIST = re.compile(r"等\d+[种类项个]")


def _list_items(seg: str, seg_start: int, values: int) -> list[tuple[int, str]]:
    """The items a 分别 list names, with their offsets: split at 、, and at 和/及/与 when that gives as many
    items as values ("可再生能源和本地可再生能源占全社会用电量比重…分别达到36%左右和8%"). An item
    that is a bare noun before a longer last item takes the last item's head: 再生铜、再生铝产量 → 再生铜产量."""
    pieces: list[tuple[int, str]] = []
    off = 0
    for piece in seg.split("、"):
        if _clean_indicator(piece):  # "力争2025年、2030年…分别": a listed year is no item
            pieces.append((seg_start + off, piece))
        off += len(piece) + 1
    if len(pieces) == 1 and values == 2 and len(parts := _AND.split(pieces[0][1])) == 2 and all(parts):
        pieces = [(pieces[0][0], parts[0]), (pieces[0][0] + len(parts[0]) + 1, parts[1])]
    if len(pieces) >= 2:
        last = _clean_indicator(pieces[-1][1])
        shared = []
        for s_, text in pieces[:-1]:
            item = _clean_indicator(text)
            at = last.find(item) if item else -1
            if at >= 0 and at + len(item) < len(last):
                text = text + last[at + len(item):]  # 可再生能源 + 占全社会用电量比重
            elif item and item[0] == last[0] and 2 <= len(last) - len(item) <= 8 and \
                    item[-1] != last[len(item) - 1]:
                text = text + last[len(item):]  # 再生铜 + 产量: parallel names, the last one with the head
            shared.append((s_, text))
        pieces = shared + pieces[-1:]
    return pieces


# Ratios written without a unit: "新建数据中心能源利用效率(PUE)不高于1.3".
_DIMENSIONLESS = re.compile(
    r"(?:PUE|电能利用效率|能源利用效率)[）)]?值?[^，,。；;\d]{0,4}?"
    r"(?:不高于|不超过|低于|小于|控制在|降到|降至|下降到|下降至|达到|为|<)(?:均|力争)?$"
)


def _dimensionless(norm: str, start: int) -> bool:
    window = norm[max(0, start - 40):start]
    return ("PUE" in window or "利用效率" in window) and _DIMENSIONLESS.search(window) is not None


def _verb_only(prefix: str) -> bool:
    """A clause that names nothing before its number: "进一步提升到", "到2030年达到"."""
    bare = LEAD_STRIP.sub("", prefix)
    return not bare or VERB_TAIL.match(bare) is not None


def _previous_head(norm: str, lo: int, hi: int) -> tuple[str, int]:
    """The indicator at the head of the clause ending at `hi` (a 、 list belongs to the clause) and
    where it starts: the subject a verb-only clause after it refers back to."""
    for _ in range(3):  # skip clauses that only hold a year: "…不低于50%,到2030年,不低于70%"
        cut = max((m.end() for m in _CLAUSE_DELIM_NO_DUN.finditer(norm, lo, hi)), default=lo)
        clause = norm[cut:hi]
        lead = LEAD_STRIP.match(clause)
        lead_len = lead.end() if lead else 0
        if lead_len < len(clause) or cut <= lo:
            break
        hi = cut - 1
    cvm = _CLAUSE_VERB.search(clause, lead_len)
    indicator = _clean_indicator(clause[lead_len:cvm.start()]) if cvm else ""
    return indicator, cut + lead_len


_PLACE_SEP = re.compile(r"[、和及与]")


def _leading_places(indicator: str, region: str | None) -> tuple[list[str], str]:
    """Places inside the document's jurisdiction that open an indicator, and the rest of it:
    "长春市、吉林市绿色出行比例" in a 吉林省 plan → ([长春市, 吉林市], 绿色出行比例)."""
    if not region:
        return [], indicator
    table = region_table()
    places: list[str] = []
    pos = 0
    while (m := table.pattern.match(indicator, pos)) is not None:
        name = table.short.get(m.group(), m.group())
        if name == region or not is_within(name, region):
            break
        places.append(name)
        pos = m.end()
        if _PLACE_SEP.match(indicator, pos) and table.pattern.match(indicator, pos + 1):
            pos += 1
        else:
            break
    return places, indicator[pos:]


def _clause_tail(text: str) -> str:
    """Text up to the first clause delimiter outside brackets: "县(市、区)达到县域节水型社会评价标准"."""
    depth = 0
    quoted = False  # ASCII quotes open and close with the same character
    for i, ch in enumerate(text):
        if ch in "(（“":
            depth += 1
        elif ch in ")）”":
            depth = max(0, depth - 1)
        elif ch == '"':
            quoted = not quoted
            depth += 1 if quoted else -1
        elif depth == 0 and _CLAUSE_DELIM.match(ch):
            return text[:i]
    return text


class Mention(NamedTuple):
    """A number with its unit in the normalised text: 470万千瓦, 3%—5% (a range, kept at its lower bound)."""

    start: int
    end: int
    value: float
    value2: float | None  # the upper bound of a range
    unit: str
    suffix: str | None  # 以上, 以下, 左右, … written after the unit


# The exclusion rules: why a number with a unit is not a target. Every `Skip` names one of these; the
# names are stable identifiers, the reasons what a reader of a false negative needs.
RULES: dict[str, str] = {
    # Whole mentions.
    "in_table": "inside an indicator table: the table rules read it and made no target of it",
    # The number itself.
    "inside_token": "glued to a Latin letter, a digit or one of . _ - / *, or after 第 or ×: part of a name, code, "
                    "ordinal or unit size (PM2.5, CO2, 5G, 第3条, 2×1000MW); a negative value (-30) falls here too",
    "bracketed_count": "a count in brackets that labels a heading: 双碳方案汇总表(113项)",
    "duration": "a duration: 3个月",
    "size_class": "a size class written with 级: 1000吨级泊位",
    "table_of_contents": "a table-of-contents line with dot leaders: 双碳方案汇总表(118项)........1286顶层设计2项",
    # The sentence.
    "inside_title": "inside a document title 《…》",
    "past_statistic": "the sentence reports the past (十三五, 截至, 已经, 已建成, 同比增长, 完成了…)",
    "listed_count": "a count that numbers the things a list names, or describes a structure: 攸县等13个, "
                    "以…为代表的22条, 集中于4-5家",
    "existing_stock": "what a sector has today: 全省炼油行业现有…4户企业",
    # The clause: thresholds, scopes and rules to build by.
    "build_by_rule": "a rule to build or allot by (按, 按照, 按不低于… right before the number): "
                     "按不低于100%的车位比例建设充电设施, 按不少于60千瓦的快速充电桩建设",
    "production_class": "a plant's size class by annual output: 年产20吨黄金企业集群",
    "scope_threshold": "a threshold in a measure unit that scopes which plants or firms a rule applies to: "
                       "年综合能耗1000吨标准煤以上企业",
    "comparison_scope": "a comparison that qualifies what follows 的: 低于0.52吨标准煤/万元的项目",
    "threshold_qualifier": "a bound in a measure unit that qualifies what follows 的: "
                           "供电煤耗在300克标准煤/千瓦时以上的煤电机组",
    "distance_rule": "a distance rule: 严禁在长江干支流岸线1公里范围内新建, 沿江1公里外",
    "build_standard": "a standard to build to: 应按不低于总车位30%的要求配建充电设施",
    "entity_scope": "a value that selects the projects, firms, units or users meant: 产值过10亿元的领军企业",
    "qualifier_of_later_goal": "a qualifier of a thing whose goal is a later number in the clause: "
                               "平均节能率15%及以上的建筑面积达到45万平方米",
    # The clause: plan structure, money and per-unit rules.
    "plan_structure": "the plan's own structure: 推进落实6方面20项任务, 5个领域碳达峰工作专班",
    "grant_ceiling": "a grant ceiling: 最高不超过500万元",
    "size_bound_scope": "a size bound that picks the vehicles, ships, units or firms meant: "
                        "办理货车通行证的4.5吨以下物流配送车辆",
    "forecast": "a forecast, not a commitment: 预计“十四五”期间60%左右的能源需从省外引入",
    "subsidy_rule": "a condition or rate of a subsidy rule: 对…的，按照每吨标准煤500元的标准补助",
    "fund_size": "the size of a fund or a credit line: 100亿元市级企业技术改造基金",
    "set_attribute": "the total investment of a set of projects just counted: 重点技改项目108项，总投资1422亿元",
    "area_of_jurisdiction": "the area of the jurisdiction: 陆域面积合计11293平方公里",
    "per_unit_quantity": "a quantity for each household, tonne or other unit: 按照每户100平方米, 每吨标准煤500元",
    "per_item_limit": "a limit for each one: 新建组团面积每个不超过50平方公里",
    "funding_rate": "a subsidy or funding rate: 给予30%的补助, 市级资助经费不超过项目总经费的50%",
    "plant_size": "the size of a plant, unit or product: 永城市400MW风电项目, 66万千瓦高硫无烟煤示范机组建设",
    # The indicator.
    "funded_count": "a count that a subsidy rewards: 每培育1家…企业补助10万元",
    "qualitative_goal": "the number counts the scope of a qualitative goal: 全区47个内河码头实现船舶岸电设施全覆盖",
    "no_indicator": "no indicator named before or after the number, nor in the clause or sentence before",
    "number_indicator": "the words read as its indicator are only a number",
    # The target year.
    "past_period": "its year is a past period or a 截至 date: “十三五”时期, 截至2020年",
    "past_year": "a bare year before the document's own time (2021 when the document is undated): 2020年全市能耗为…",
    "before_plan_base_year": "every year is at or before the period plan's base year (2020 in a 十四五 plan): "
                             "it reports what was done",
    "review_section": "in the plan's review of the last period (一、发展基础 / 发展现状 / 工作回顾) "
                      "with no 到… deadline",
    # After both rule sets (carbonpeak.extract.extract_targets).
    "restated": "a restatement of an earlier target: same value, unit, year and region under a like indicator name",
    "regulation_condition": "a condition or rate of a regulation (管理办法, 申报指南…) "
                            "with no deadline year of its own",
}


class Skip(Exception):
    """Raised by a body rule: the mention states no target, for the reason `RULES[rule]` gives."""

    def __init__(self, rule: str) -> None:
        if rule not in RULES:
            raise ValueError(f"unregistered exclusion rule: {rule}")
        self.rule = rule  # BaseException.__new__ has already kept it in args

    @property
    def reason(self) -> str:
        return RULES[self.rule]


class Verdict(NamedTuple):
    """What the body rules made of one mention: the rule that dropped it, or its candidates."""

    mention: Mention
    rule: str | None
    candidates: list[Candidate]


@dataclass(frozen=True)
class _Doc:
    """One document as the body rules see it."""

    norm: str
    idx: _Index
    ctx: DocContext
    mentions: list[Mention]
    mention_starts: list[int]


class _Site(NamedTuple):
    """Where a mention stands: its sentence, its clause and the words right after it."""

    s0: int  # sentence start
    sentence_prefix: str  # the sentence up to the number
    list_clause: str  # the clause up to the number with its 、 lists
    clause_cuts: list[int]  # where the clauses of sentence_prefix end
    c0: int  # clause start
    prefix: str  # the clause up to the number
    after: str  # the 12 characters after the number
    kind: str  # unit_kind of the mention: 'pct', 'count' or 'measure'
    block: int  # the section (index in _Index.block) the sentence lies in; -1 before the first heading


def _mentions(norm: str) -> list[Mention]:
    """Every number with a unit (or a dimensionless ratio such as PUE), in text order, ranges merged."""
    mentions: list[Mention] = []
    for m in MENTION.finditer(norm):
        unit = m.group("unit")
        if m.group("pct"):
            unit = "%"
        if not unit:
            if not _dimensionless(norm, m.start()):
                continue
            unit = ""
        mentions.append(Mention(m.start(), m.end(), float(m.group("num")),
                                float(m.group("num2")) if m.group("num2") else None, unit, m.group("suf")))
    for m in CN_MENTION.finditer(norm):
        try:
            val = float(cn2an.cn2an(m.group("cn") or m.group("cn2"), "smart"))
        except (ValueError, KeyError):
            continue
        unit = "%" if m.group("cn") else "个百分点"
        mentions.append(Mention(m.start(), m.end(), val, None, unit, None))
    return _merge_ranges(norm, sorted(mentions))


def body_candidates(norm: str, ctx: DocContext, skip: list[tuple[int, int]],
                    trace: list[Verdict] | None = None) -> list[Candidate]:
    """The targets of the running text outside the `skip` spans (the tables). With `trace`, append what
    became of every mention: the rule that dropped it, or the candidates it gave."""
    mentions = _mentions(norm)
    doc = _Doc(norm, _index(norm), ctx, mentions, [m.start for m in mentions])
    skip_starts = [s for s, _ in skip]
    out: list[Candidate] = []
    for m in mentions:
        k = bisect_right(skip_starts, m.start) - 1
        if k >= 0 and skip[k][0] <= m.start < skip[k][1]:
            if trace is not None:
                trace.append(Verdict(m, "in_table", []))
            continue
        try:
            cands = _judge(doc, m)
        except Skip as s:
            if trace is not None:
                trace.append(Verdict(m, s.rule, []))
            continue
        if trace is not None:
            trace.append(Verdict(m, None, cands))
        out.extend(cands)
    return out


def dropped_mentions(trace: list[Verdict], candidates: list[Candidate], kept: list[Candidate],
                     emitted: list[Candidate]) -> list[tuple[Mention, str]]:
    """The mentions of a trace that gave no output target, each with the rule that dropped it.

    `candidates` are all candidates of both rule sets, `kept` those dedup kept and `emitted` those that
    became targets. A mention whose candidates were all dropped after the body rules is `restated` (dedup)
    or a `regulation_condition`; a mention inside a table is `in_table` unless a table candidate covering
    it with its value became a target (or is reported by the rule that dropped that candidate).
    """
    kept_ids, emitted_ids = {id(c) for c in kept}, {id(c) for c in emitted}
    table_by_value: dict[float, list[Candidate]] = {}
    for c in candidates:
        if c.from_table:
            table_by_value.setdefault(c.value, []).append(c)
    out: list[tuple[Mention, str]] = []
    for m, rule, cands in trace:
        if rule == "in_table":
            cands = [c for c in table_by_value.get(m.value, []) if c.start <= m.start < c.end]
            if not cands:
                out.append((m, rule))
                continue
        elif rule is not None:
            out.append((m, rule))
            continue
        if cands and not any(id(c) in emitted_ids for c in cands):
            out.append((m, "restated" if id(cands[0]) not in kept_ids else "regulation_condition"))
    return out


def _judge(doc: _Doc, m: Mention) -> list[Candidate]:
    """The targets one mention states, one per year, indicator and place; raises Skip when it states none."""
    _token_rules(doc.norm, m)
    si = bisect_left(doc.idx.sent, m.start) - 1
    s0 = doc.idx.sent[si] + 1 if si >= 0 else 0
    sentence_prefix = doc.norm[s0:m.start]
    _sentence_rules(sentence_prefix)
    site = _site(doc, m, s0, sentence_prefix)
    _count_rules(site)
    _scope_rules(doc, m, site)
    _plan_and_money_rules(doc, m, site)

    listing = _listing(doc, m, site)
    reading = _read_indicator(doc, m, site, listing)
    indicators, places = _indicators(doc, m, site, listing, reading.indicator)
    direction, comparator = _direction(m, site, listing.suffix, reading)
    new_amount = direction == "reach" and site.kind != "pct" and reading.indicator.startswith("新增")
    years, year_kind = _target_years(doc, m, site, listing)

    # An amount added over a plan period ("十四五"期间新增光伏装机容量2.2万千瓦) is an increase, as is new
    # capacity; an annual plan's 新增 is that year's level of work.
    ctx = doc.ctx
    if new_amount and ctx.period != "annual" and (year_kind == "period" or _CAPACITY.search(reading.indicator)):
        direction = "increase"
    region = ctx.region
    if "全省" in doc.norm[site.c0:m.start] and region and region != "全国":
        region = province_of(region) or region
    regions = places or [region]
    if _STANDING_RULE in site.prefix:
        years = [None]

    hedge_m = None
    for hm in _HEDGE.finditer(sentence_prefix):
        hedge_m = hm
    hedge = hedge_m.group() if hedge_m else None
    # "在2020年的基础上单位建筑面积能源消耗下降5%、碳排放下降7%": the baseline of every change in the sentence.
    basis = _BASIS.search(sentence_prefix)
    outs: list[Candidate] = []
    for ty, ind, reg in ((y, i, r) for y in years for i in indicators for r in regions):
        base = reading.baseline
        if base is None and basis and direction in ("increase", "decrease"):
            base = int(basis.group(1))
        if base is None and direction in ("increase", "decrease") and site.kind == "pct":
            base = _implied_baseline(ctx, year_kind, ty)
        outs.append(Candidate(
            start=reading.qstart, end=reading.qend, value=m.value, unit=m.unit, direction=direction,
            comparator=comparator, target_year=ty, baseline_year=base, indicator=ind, region=reg,
            sector=sector_of(ind) or _heading_sector(doc.norm, doc.idx, site.block), hedge=hedge,
            note=reading.note,
        ))
    return outs


def _site(doc: _Doc, m: Mention, s0: int, sentence_prefix: str) -> _Site:
    """The mention's clause, section and the words after it, in the sentence starting at s0."""
    # The clause up to the number with its 、 lists (searched, not the sentence: a long sentence would make
    # these patterns quadratic).
    list_clause = sentence_prefix[_clause_start(sentence_prefix):]
    clause_cuts = [mm.end() for mm in _CLAUSE_DELIM.finditer(sentence_prefix)]
    c0 = s0 + (clause_cuts[-1] if clause_cuts else 0)
    return _Site(
        s0=s0, sentence_prefix=sentence_prefix, list_clause=list_clause, clause_cuts=clause_cuts, c0=c0,
        prefix=doc.norm[c0:m.start], after=doc.norm[m.end:m.end + 12], kind=unit_kind(m.unit),
        block=bisect_left(doc.idx.block, s0) - 1,
    )


def _token_rules(norm: str, m: Mention) -> None:
    """Numbers that are no quantity, told by the characters right around them."""
    prev = norm[m.start - 1] if m.start else ""
    if (prev.isascii() and (prev.isalnum() or prev in "._-/*")) or prev in "第×":
        raise Skip("inside_token")
    nxt = norm[m.end:m.end + 1]
    if prev in "(（" and nxt in ")）":
        raise Skip("bracketed_count")
    if m.unit.endswith("个") and nxt == "月":
        raise Skip("duration")
    if nxt == "级":
        raise Skip("size_class")
    if re.match(r"[.…·]{2,}|\s*[.…]{3}", norm[m.end:m.end + 4]):
        raise Skip("table_of_contents")  # the dot leaders follow the count: "2项......."


def _sentence_rules(sentence_prefix: str) -> None:
    """Sentences that name a document or report the past."""
    lb, rb = sentence_prefix.rfind("《"), sentence_prefix.rfind("》")
    if lb > rb:
        raise Skip("inside_title")
    if _PAST.search(sentence_prefix):
        raise Skip("past_statistic")


def _count_rules(site: _Site) -> None:
    """Counts of what a list names or a sector has: no goal to reach."""
    if site.kind == "count" and _LISTED_COUNT.search(site.list_clause):
        raise Skip("listed_count")
    if site.kind == "count" and _EXISTING.search(site.list_clause):
        raise Skip("existing_stock")


def _scope_rules(doc: _Doc, m: Mention, site: _Site) -> None:
    """Thresholds that pick what a rule applies to, and rules and standards to build by."""
    norm, prefix, after, kind, suf = doc.norm, site.prefix, site.after, site.kind, m.suffix
    if re.search(r"[.…·]{3,}", prefix):
        raise Skip("table_of_contents")  # the leaders precede it: "汇总表(118项)........1286顶层设计2项"
    if _BUILD_RULE_BEFORE.search(prefix):
        raise Skip("build_by_rule")
    if _ANNUAL_OUTPUT_BEFORE.search(prefix):
        raise Skip("production_class")
    # Scope thresholds (年综合能耗1000吨标准煤以上企业) and approval rules (低于0.52吨标准煤/万元的项目).
    if kind == "measure" and (_SCOPE_AFTER.match(after) or _SCOPE_BEFORE.search(prefix)):
        raise Skip("scope_threshold")
    if re.search(r"(?:低于|高于|大于|小于|超过|过|以下|以上)$", prefix) and after.startswith("的"):
        raise Skip("comparison_scope")
    # An amount of work done is no threshold: "累计完成300万平米以上的既有建筑节能改造项目".
    work_done = _WORK_DONE.search(prefix) is not None
    if kind == "measure" and suf in ("以上", "及以上", "以下", "及以下") and after.startswith("的") and not work_done:
        raise Skip("threshold_qualifier")
    if re.fullmatch(r"(?:千米|公里|米)", m.unit) and re.match(r"范围|以?外|以?内|半径", after):
        raise Skip("distance_rule")
    if after.startswith(("的要求", "的标准")):
        raise Skip("build_standard")
    if re.match(r"的[^，,、；。\d]{0,8}?(?:项目|企业|单位|用户)", after) and not work_done:
        raise Skip("entity_scope")
    if suf in ("以上", "及以上", "以下", "及以下"):
        # A qualifier with a goal of its own later in the clause: "平均节能率15%及以上的建筑面积达到45万平方米",
        # "累计完成平均节能率3%以上节能调适300万平方米" (no verb between the two numbers).
        cut = _CLAUSE_DELIM.search(norm, m.end)
        j = bisect_right(doc.mention_starts, m.start)
        if j < len(doc.mentions) and doc.mentions[j].start < (cut.start() if cut else len(norm)):
            later = doc.mentions[j]
            if after.startswith("的") or (kind != "count" and unit_kind(later.unit) != kind
                                          and not _CLAUSE_VERB.search(norm, m.end, later.start)
                                          and not re.search(r"[和及与、]$", norm[m.end:later.start])):
                raise Skip("qualifier_of_later_goal")


def _plan_and_money_rules(doc: _Doc, m: Mention, site: _Site) -> None:
    """The plan's own structure, forecasts, money that is no goal, and quantities for each one."""
    norm, prefix, after, kind, unit, end = doc.norm, site.prefix, site.after, site.kind, m.unit, m.end
    if kind == "count" and _PLAN_ITEMS.match(after):
        raise Skip("plan_structure")
    if unit.endswith("元") and re.search(r"最高|每家|每个|单项|单个", prefix):
        raise Skip("grant_ceiling")
    if kind == "measure" and m.suffix in ("以上", "及以上", "以下", "及以下") and _SCOPE_NOUN_AFTER.match(after):
        raise Skip("size_bound_scope")
    if _FORECAST.search(site.list_clause):
        raise Skip("forecast")
    # The line start. A line break ends a sentence, so the search stops at the sentence start: searched
    # from the text's start it would scan most of a compilation, which has few line breaks.
    line0 = max(site.s0, norm.rfind("\n", site.s0, m.start) + 1)
    if _SUBSIDY_RULE.match(norm[line0:min(len(norm), line0 + 400)]):
        raise Skip("subsidy_rule")
    if unit.endswith("元") and _FUND_AFTER.match(norm, end):
        raise Skip("fund_size")
    if unit.endswith("元") and _SET_ATTRIBUTE.search(norm[max(site.c0 - 8, site.s0):m.start]):
        raise Skip("set_attribute")
    if kind == "measure" and _AREA_FACT.search(prefix):
        raise Skip("area_of_jurisdiction")
    if _PER_EACH.search(prefix):
        raise Skip("per_unit_quantity")
    if _PER_UNIT.search(prefix):
        raise Skip("per_item_limit")
    if _FUNDING_AFTER.match(after) or ((kind == "pct" or unit.endswith("元")) and _FUNDING_BEFORE.search(prefix)):
        raise Skip("funding_rate")
    if kind == "measure" and not VERB_TAIL.search(prefix) and _PROJECT_AFTER.match(norm, end, end + 24):
        raise Skip("plant_size")


@dataclass(slots=True)
class _Listing:
    """The 分别 list a mention belongs to: "A、B、C重点工程减排量分别达到515吨、2585吨、1200吨" gives one
    record per item."""

    at: int  # where 分别 stands in the sentence prefix; -1 without one
    suffix: str | None  # the mention's 以上/以下/左右, or the one the list's last value carries
    pos: int = 0  # the value's place in the list
    length: int = 1  # how many values the list holds
    items: list[tuple[int, str]] | None = None  # the named items with their offsets
    verb: str = ""  # the verb after 分别
    base: int | None = None  # a baseline year after 分别


def _listing(doc: _Doc, m: Mention, site: _Site) -> _Listing:
    """The 分别 list of the mention's sentence, when the values after 分别 up to this one form a list."""
    norm, mentions, starts, s0 = doc.norm, doc.mentions, doc.mention_starts, site.s0
    sentence_prefix = site.sentence_prefix
    listing = _Listing(at=sentence_prefix.rfind(_FENBIE), suffix=m.suffix)
    if listing.at < 0:
        return listing
    fb = listing.at
    vm = _FENBIE_LEAD.match(norm[s0 + fb + 2:m.start])
    pos = s0 + fb + 2 + vm.end()
    j0 = bisect_left(starts, pos)
    j1 = bisect_left(starts, m.start)
    for j in range(j0, j1):
        if not _LIST_SEP.match(norm[pos:mentions[j].start]):
            return listing
        pos = mentions[j].end
    if not _LIST_SEP.match(norm[pos:m.start]):
        return listing
    listing.pos = j1 - j0
    # How many values the list holds: this one, those before it and those that follow.
    listing.length, pos2, j2 = listing.pos + 1, m.end, j1 + 1
    while j2 < len(mentions) and _LIST_SEP.match(norm[pos2:mentions[j2].start]):
        listing.length, pos2, j2 = listing.length + 1, mentions[j2].end, j2 + 1
    if m.suffix is None and listing.length > listing.pos + 1:
        # "分别在7%、2%以下", "分别下降25%和20%以上": the last value's 以上/以下/左右 covers the list.
        listing.suffix = mentions[j1 + listing.length - listing.pos - 1].suffix
    seg_start_rel = max((mm.end() for mm in _CLAUSE_DELIM_NO_DUN.finditer(sentence_prefix[:fb])), default=0)
    items = _list_items(sentence_prefix[seg_start_rel:fb], s0 + seg_start_rel, listing.length)
    if items and (len(items) >= 2 or listing.pos > 0):
        listing.items = items
        listing.verb = vm.group("verb") or ""
        listing.base = int(vm.group("base")) if vm.group("base") else None
    return listing


@dataclass(slots=True)
class _Reading:
    """The indicator read for a mention, the quote span that shows it, and the words that qualify it."""

    indicator: str
    qstart: int
    qend: int
    verb: str
    baseline: int | None
    note: str | None = None


def _read_indicator(doc: _Doc, m: Mention, site: _Site, listing: _Listing) -> _Reading:
    """The indicator: the listed item, else the words before the number, after it, or of the clause or
    sentence before; raises Skip when none names a thing."""
    norm, s0, prefix = doc.norm, site.s0, site.prefix
    reading, fallback = _named_before(doc, m, site, listing)
    if listing.items is None:
        _named_after(doc, m, site, reading)
    if not reading.indicator and fallback:
        reading.indicator, reading.qstart = fallback
    if not reading.indicator and listing.items is None and site.clause_cuts:
        # The clause holds only the verb (",到2030年达到5.1亿吨", "、控制在119万吨左右"): the
        # indicator is named at the head of the previous clause (a 、 list is part of that clause).
        indicator, head_start = _previous_head(norm, s0, site.c0 - 1)
        if indicator:
            reading.indicator, reading.qstart = indicator, head_start
    if not reading.indicator and listing.items is None and _verb_only(prefix) and s0 >= 2 and norm[s0 - 1] in "；;":
        # "…替代率达到10%;到2030年,进一步提升到15%": the same across a semicolon.
        ps = bisect_left(doc.idx.sent, s0 - 1) - 1
        indicator, head_start = _previous_head(norm, doc.idx.sent[ps] + 1 if ps >= 0 else 0, s0 - 1)
        if indicator:
            reading.indicator, reading.qstart = indicator, head_start
    if not reading.indicator or len(reading.indicator) < 2:
        raise Skip("no_indicator")
    return reading


def _named_before(doc: _Doc, m: Mention, site: _Site, listing: _Listing
                  ) -> tuple[_Reading, tuple[str, int] | None]:
    """The indicator the words before the number name, and a counted-thing fallback (人工智能产业打造10家…)."""
    if listing.items is not None:
        item_i = listing.pos if len(listing.items) > listing.pos else len(listing.items) - 1
        ind_start, ind_text = listing.items[item_i]
        lead = LEAD_STRIP.match(ind_text)
        if lead:
            ind_start += lead.end()
        return _Reading(_clean_indicator(ind_text), ind_start, m.end, listing.verb, listing.base), None
    norm, prefix, c0 = doc.norm, site.prefix, site.c0
    baseline: int | None = None
    fallback: tuple[str, int] | None = None
    bm = _BASELINE.search(prefix)
    ind_part = prefix
    if bm:
        baseline = int(bm.group(1) or bm.group(2))
        ind_part = prefix[:bm.start()] + prefix[bm.end():]
    vm = VERB_TAIL.search(ind_part)
    verb = vm.group("verb") if vm else ""
    indicator = _clean_indicator(ind_part[:vm.start()] if vm else ind_part)
    qstart = c0 + (prefix.find(indicator) if indicator and indicator in prefix else len(prefix))
    if indicator and not _EACH.search(norm[c0:m.end + 8]):
        indicator, qstart = _coordinated(norm, site.s0, c0, indicator, qstart)
    if _names_nothing(indicator):
        indicator = ""  # 形成20项以上…方案, 支持10家…企业, 永城市400MW风电项目: look after the number
    elif TRAILING_ACTION.search(indicator):
        fallback = (indicator, qstart)  # 人工智能产业打造10家标杆绿色工厂: prefer the counted thing
        indicator = ""
    return _Reading(indicator, qstart, m.end, verb, baseline), fallback


def _named_after(doc: _Doc, m: Mention, site: _Site, reading: _Reading) -> None:
    """An indicator named after the number: a capacity, a design standard, the counted thing."""
    norm, start, end, prefix, verb = doc.norm, m.start, m.end, site.prefix, reading.verb
    if cap := _CAPACITY_AFTER.match(norm, end):
        # "具备5%以上的尖峰负荷响应能力": the capacity is the indicator, whatever verb came before.
        if not reading.indicator:
            reading.qstart = start - (len(verb) if verb and prefix.endswith(verb) else 0)
        reading.indicator, reading.qend = cap.group("np"), cap.end()
    elif site.kind == "pct" and (std := _STANDARD_AFTER.match(norm, end)):
        reading.indicator = _STANDARD_VERB.sub("", reading.indicator) + std.group("word")
        reading.qend, reading.note = std.end(), _STANDARD_NOTE
        reading.qstart = min(reading.qstart, start) if not reading.indicator.startswith(std.group("word")) else start
    if reading.indicator:
        return
    # The counted thing follows the number: 培育1家省级绿色（低碳）园区, 80%以上的党政机关建成节约型机关.
    tail = _clause_tail(norm[end:end + 80])
    tail = re.split(r"(?<=.)(?:等|，|。|(?:和|及|与|、)(?=\d))", tail)[0]
    noun = tail[1:] if tail.startswith("的") else tail
    noun = _THEME.sub("", noun.strip())
    if _FUNDING_AFTER.search(noun):
        raise Skip("funded_count")
    if _QUALITATIVE_GOAL.search(noun) and not _ACTION.search(prefix):
        raise Skip("qualitative_goal")
    if 2 <= len(noun) <= 30 and not re.match(r"[\d（(]", noun):
        reading.indicator = noun
        reading.qstart = start - (len(verb) if verb and prefix.endswith(verb) else 0)
        reading.qend = end + len(tail)


def _indicators(doc: _Doc, m: Mention, site: _Site, listing: _Listing, indicator: str
                ) -> tuple[list[str], list[str]]:
    """The indicators one value belongs to, and the places named before them."""
    indicators = [indicator]
    if "均" in doc.norm[site.c0:m.start] and (both := _BOTH.match(indicator)):
        indicators = [both.group("a"), both.group("b")]
    elif listing.items is None and _RATE_LIST.fullmatch(indicator):
        indicators = indicator.split("、")
    # "到2030年,长春市、吉林市绿色出行比例不低于70%": one record per place the text names before the indicator.
    places, rest = _leading_places(indicator, doc.ctx.region)
    if places and len(rest) >= 2:
        indicators = [rest]
    if re.fullmatch(r"[\d.%\s]+|[一二三四五六七八九十]+", indicator):
        raise Skip("number_indicator")
    return indicators, places


def _direction(m: Mention, site: _Site, suf: str | None, reading: _Reading) -> tuple[str, str]:
    """(direction, comparator) from the verb before the number and the suffix after it."""
    verb, indicator, kind = reading.verb, reading.indicator, site.kind
    direction, comparator = VERBS.get(verb, ("reach", None))
    if suf in ("以上", "及以上", "+"):
        comparator = ">="
    elif suf in ("以下", "以内", "之内", "及以下"):
        comparator = "<="
        if direction == "reach" and suf in ("以内", "之内"):
            direction = "cap"
    elif suf == "左右" or site.prefix.endswith("约"):
        comparator = "~"
    elif comparator is None:
        comparator = ">=" if m.value2 is not None else "="
    if direction == "reach" and comparator == "<=":
        direction = "cap"  # "非电能源占比分别在7%、2%以下": a ceiling, like 控制在
    if direction == "reach" and kind != "pct" and _SAVING.search(indicator):
        direction = "decrease"
    elif direction == "reach" and kind != "pct" and _LEADING_INCREASE.match(indicator):
        direction = "increase"
    # 改造提升9座 counts the upgraded things (a level of work); 提高1个等级 is a change of grade.
    if kind != "pct" and direction == "increase" and verb in ("提升", "提高") and not m.unit.endswith("等级"):
        direction = "reach"
    return direction, comparator


def _target_years(doc: _Doc, m: Mention, site: _Site, listing: _Listing) -> tuple[list[int | None], str]:
    """The target years and how the year was written ('to', 'bare', 'period' or 'default'): the sentence's
    own deadline, else the one carried over within the section; raises Skip for a year in the past."""
    idx, ctx, s0 = doc.idx, doc.ctx, site.s0
    gy = _governing_year(idx, s0, m.start)
    if gy is None:
        gy = _governing_year(idx, idx.block[site.block] if site.block >= 0 else 0, s0)
    years: list[int | None] = []
    year_kind = "default"
    target_year = ctx.default_year
    if gy is not None:
        target_year, year_kind, gm = gy
        if year_kind == "past":
            raise Skip("past_period")
        # A bare year before the document's own time is a past statistic (2020年全市能耗为…); with no
        # date known, carbon-peak plans date from 2021 on, so 2020 and earlier are history.
        if year_kind == "bare" and target_year < (ctx.ref_year or _FIRST_PLAN_YEAR):
            raise Skip("past_year")
        # "十四五"、"十五五"期间分别新增… — one record per period; "2025年、2030年…分别达到25%、30%" —
        # one year per value.
        if listing.at >= 0 and gm.start() >= s0:
            listed, cur = [target_year], gm
            while (earlier := _governing_year(idx, s0, cur.start())) and \
                    doc.norm[earlier[2].end():cur.start()].strip("”“\"、和") == "" and earlier[0] not in listed:
                listed.insert(0, earlier[0])
                cur = earlier[2]
            if len(listed) > 1:
                years = [listed[listing.pos]] if listing.length == len(listed) else listed
    if not years:
        years = [target_year]
    # A year at or before a period plan's base year (2020 in a 十四五 plan) reports what was done.
    if ctx.period in PERIODS and all(y is not None and y <= PERIODS[ctx.period][1] for y in years):
        raise Skip("before_plan_base_year")
    if year_kind != "to" and _in_review(doc.norm, m.start):
        raise Skip("review_section")
    return years, year_kind


def _implied_baseline(ctx: DocContext, year_kind: str, year: int | None) -> int | None:
    """The baseline a percentage change implies when none is written: the start of its plan period."""
    if year_kind == "period" and year is not None:
        return {2025: 2020, 2030: 2025, 2035: 2030}.get(year)
    if ctx.period == "十四五" and year == 2025:
        return 2020
    if ctx.period == "十五五" and year == 2030:
        return 2025
    if ctx.period == "annual" and year == ctx.default_year and year is not None:
        return year - 1
    return None
