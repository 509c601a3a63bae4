"""Plan-language vocabulary shared by the body and table rules: units, verbs, comparators, sectors."""

from __future__ import annotations

import re

# Base units as plans state them; a magnitude prefix (万/亿/千/百) may precede most of them.
_MEASURE_BASE = [
    "千瓦时", "千瓦", "兆瓦", "kWh", "kW", "MW", "GW",
    "吨标准煤", "吨标煤", "吨二氧化碳", "吨/年", "吨", "tce", "t",
    "标箱", "TEU", "平方米", "平方公里", "立方米", "m2", "m3", "㎡",
    "亩", "公顷", "公里", "千米", "元", "平米",
]
# 方 is colloquial for 立方米 (天然气调入能力150亿方) but also starts 方面/方案/方式…; 克 is a unit only with
# its denominator (供电煤耗300克/千瓦时): flattened tables scatter bare "361千克" cells. Patterns, not words.
_MEASURE_PATTERNS = [r"方(?![面案式向法针阵位舱])", r"克(?=/)"]
_COUNT_BASE = [
    "个百分点", "个等级", "台套", "辆", "艘", "台", "套", "个", "家", "座", "项", "根", "户", "期", "笔", "张",
    "处", "条", "所", "批", "人次", "名", "片", "栋", "幢", "只", "架", "列", "对",
]
# Compound units: the "/…" part names the denominator (吨标准煤/万元, 克标准煤/千瓦时, 万吨/年).
_DENOM = r"(?:/(?:万元|万千瓦时|千瓦时|kWh|万吨|吨|年|日|天|d|万平方米|平方米|平方公里|m2|万人|人|标准立方米))?"
_PREFIX = r"(?:十万|百万|千万|万|亿|千|百)?"
_SPECIAL = [r"微克/立方米", r"μg/m3", r"ug/m3", r"克标准煤/千瓦时", r"千克标准煤/吨", r"千克标准煤/平方米",
            r"千克标准煤/人", r"吨标准煤/万元", r"吨标煤/万元", r"立方米/万元", r"%", r"‰"]

MEASURE_UNITS = set(_MEASURE_BASE)
COUNT_UNITS = set(_COUNT_BASE)


def _alt(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


UNIT_RE = (
    r"(?:" + _alt([re.escape(s) if s not in ("%",) else s for s in _SPECIAL])
    + r"|" + _PREFIX + r"(?:" + _alt([re.escape(s) for s in _MEASURE_BASE]) + r")" + _DENOM
    + r"|" + _PREFIX + r"(?:" + "|".join(_MEASURE_PATTERNS) + r")" + _DENOM
    + r"|" + _PREFIX + r"(?:" + _alt([re.escape(s) for s in _COUNT_BASE]) + r"))"
)

NUM_RE = r"\d+(?:\.\d+)?"

# A number with its unit and trailing comparator; ranges (2-3个) keep both ends.
MENTION = re.compile(
    r"(?P<pct>百分之)?(?P<num>" + NUM_RE + r")"
    r"(?:\s?(?:-|~|—|–|至|到)\s?(?P<num2>" + NUM_RE + r"))?"
    r" ?(?P<unit>" + UNIT_RE + r")?"
    r"(?P<suf>及以上|及以下|以上|以下|以内|左右|之内|\+(?![\d.]))?"
)

# Chinese-numeral forms that plans use for targets: 百分之二十, 三个百分点.
CN_MENTION = re.compile(r"百分之(?P<cn>[零一二两三四五六七八九十点]+)|(?P<cn2>[一二两三四五六七八九十]+)个百分点")


def unit_kind(unit: str) -> str:
    """'pct', 'count' or 'measure' (measures are what scope thresholds are written in)."""
    if unit in ("%", "‰", "个百分点"):
        return "pct"
    bare = re.sub(r"^(?:十万|百万|千万|万|亿|千|百)", "", unit)
    if bare in COUNT_UNITS:
        return "count"
    return "measure"


# Verb just before the number (longest first); value = (direction, comparator or None).
VERBS: dict[str, tuple[str, str | None]] = {
    "下降至": ("cap", "<="), "下降到": ("cap", "<="), "降低至": ("cap", "<="), "降低到": ("cap", "<="),
    "降至": ("cap", "<="), "减少到": ("cap", "<="), "减少至": ("cap", "<="), "压减至": ("cap", "<="),
    "控制在": ("cap", "<="), "控制到": ("cap", "<="), "不超过": ("cap", "<="), "不高于": ("cap", "<="),
    "低于": ("cap", "<="), "小于": ("cap", "<="), "<": ("cap", "<="),
    "不低于": ("reach", ">="), "不少于": ("reach", ">="), "至少": ("reach", ">="), "超过": ("reach", ">="),
    "高于": ("reach", ">="), "大于": ("reach", ">="), "突破": ("reach", ">="), ">": ("reach", ">="),
    "提高到": ("reach", None), "提高至": ("reach", None), "提升到": ("reach", None), "提升至": ("reach", None),
    "提至": ("reach", None),
    "增加到": ("reach", None), "增加至": ("reach", None), "增长到": ("reach", None), "增长至": ("reach", None),
    "达到": ("reach", None), "达": ("reach", None), "建成": ("reach", None), "实现": ("reach", None),
    "完成": ("reach", None), "为": ("reach", None), "在": ("reach", None),
    "稳定在": ("maintain", None), "保持在": ("maintain", None), "保持": ("maintain", None),
    "稳定": ("maintain", None), "维持在": ("maintain", None),
    "下降": ("decrease", None), "降低": ("decrease", None), "减少": ("decrease", None),
    "削减": ("decrease", None), "压减": ("decrease", None), "淘汰": ("decrease", None),
    "节约": ("decrease", None), "年均下降": ("decrease", None), "消减": ("decrease", None),
    "提高": ("increase", None), "提升": ("increase", None), "增长": ("increase", None),
    "增加": ("increase", None), "年均增长": ("increase", None), "增速": ("increase", None),
}
# Words that may sit between the verb and the number without changing its meaning.
_FILLER = r"(?:均|分别|力争|确保|原则上|基本|累计|总计|合计|约|超|达到|要|再|继续|进一步|年均)*"
VERB_TAIL = re.compile(
    r"(?P<verb>" + _alt([re.escape(v) for v in VERBS]) + r")" + _FILLER + r"$"
)

# Leading words that are not part of an indicator's name. (No 可 "can": it would eat the 可 of 可再生能源.)
LEAD_STRIP = re.compile(
    r"^(?:[\s“”\"'、,，:：]|(?:到|至)\d{4}年(?:底|末)?|(?:\d{4}[、和])*\d{4}年(?:底|末|度)?|“?十[四五]五”?(?:时期|期间|末)?|"
    r"全年|年度|当年|每年|全市|全省|全县|全区|全国|全镇|力争|确保|争取|累计|计划|完成|实现|组织|实施|"
    r"推动|推进|加快|打造|培育|建成|创建|引育|选择|其中|并且|并|和|及|同时|通过|要|使|让|将|支撑(?!性)|"
    r"以上|基本|初步|进一步|有序|大力|积极|稳步|持续|着力|重点|分别|落实|设立)+"
)

SECTOR_WORDS: list[tuple[str, str]] = [
    ("公共机构", "公共机构"), ("党政机关", "公共机构"), ("机关", "公共机构"),
    ("信贷", "金融"), ("贷款", "金融"),
    ("森林", "林业"),
    ("公交", "交通"), ("出租", "交通"), ("货车", "交通"), ("船舶", "交通"), ("充电", "交通"),
    ("集装箱", "交通"), ("标箱", "交通"), ("交通", "交通"), ("运输", "交通"), ("机场", "交通"),
    ("铁路", "交通"), ("汽车", "交通"),
    ("建筑", "建筑"), ("绿地", "建筑"), ("公园", "建筑"), ("绿道", "建筑"), ("节水器具", "建筑"),
    ("秸秆", "农业"), ("畜禽", "农业"), ("化肥", "农业"), ("农药", "农业"), ("农膜", "农业"),
    ("灌溉", "农业"), ("牧场", "农业"), ("渔", "农业"), ("水产", "农业"), ("农田", "农业"),
    ("农作物", "农业"), ("农机", "农业"), ("配方肥", "农业"), ("农村", "农业"), ("农场", "农业"),
    ("光伏装机", "能源"), ("风电", "能源"), ("水电", "能源"), ("储能", "能源"), ("电网", "能源"),
    ("氢", "能源"), ("装机", "能源"), ("电量", "能源"), ("火电", "能源"), ("发电", "能源"),
    ("能源项目", "能源"), ("能源重大项目", "能源"), ("非化石能源装机", "能源"), ("煤炭消费", "能源"),
    ("工业", "工业"), ("产业", "工业"), ("工厂", "工业"), ("技改", "工业"), ("产能", "工业"),
    ("制造", "工业"), ("企业", "工业"), ("节约用能", "工业"), ("用能", "工业"), ("产品", "工业"),
]


def sector_of(indicator: str) -> str | None:
    for word, sector in SECTOR_WORDS:
        if word in indicator:
            return sector
    return None


# Action verbs that name no indicator on their own: "形成20项以上可复制可推广的…方案", "支持10家…企业",
# "引进和培育20名以上科技领军人才" — the counted thing follows the number.
ACTION_VERB = (
    r"(?:引进|引育|引培|支持|扶持|建立|形成|制修订|制定|修订|研制|争创|推广|取得|构建|安装|优选|遴选|推介|给予|"
    r"投产|建设|新建|打造|培育|培养|创建|认定|组建|布局建设|布局|发布|开展|实施|选取|选择|落实|争取|设立|改造|"
    r"推动|推进|完成|实现|突破|提供|推出|攻克|研发|部署|申报|招引|开发|示范|组织|转化|孵化|举办|评选|选树|"
    r"资助|奖励|补助|编制|出台|攻关|储备|谋划|认证|新认定|创新|建成|达到|年产|产出|提出|集聚)"
)
VERB_FRAGMENT = re.compile(
    r"在?(?:全市|全省|全区|全县|全国|本市|本省|本区)|"
    r"(?:在[^\d，,、。；]{1,6}?|于|面向|围绕|其中)?(?:全市|全省|全区|全县|全国)?(?:每年|每|年均|再|共|新|累计|力争|争取|着力|重点|率先)?"
    r"(?:" + ACTION_VERB + r"(?:和|及|与|、|并)?)+(?:了|出)?(?:全市|全省|全区|全县|全国)?"
)
# An indicator that ends on an action verb or a conjunction names the actor or the list before the counted
# thing: "人工智能产业打造10家标杆绿色工厂", "建设10个…重点实验室和5个绿色技术创新中心".
TRAILING_ACTION = re.compile(r"(?:" + ACTION_VERB + r"|和|及|与|、)$")
