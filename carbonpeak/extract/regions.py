"""Jurisdiction names for the extractor, from the GB/T 2260 seed table (loaded once, lazily)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from carbonpeak_core.paths import REGIONS_CSV

SEED_PATH = REGIONS_CSV

# Placeholder rows of the code table that are not place names.
_NOT_PLACES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "郊区", "城区", "矿区"}

# "宁夏回族自治区" → "宁夏", "广西壮族自治区" → "广西", "内蒙古自治区" → "内蒙古".
_AUTONOMOUS = re.compile(r"(.{2,3}?)(?:壮族|回族|维吾尔|藏族)?自治区")
# Issuers whose documents bind the whole country.
_NATIONAL_ISSUER = re.compile(r"国务院|中共中央|党中央|国家发展改革委|国家发改委|生态环境部|工业和信息化部")


@dataclass(frozen=True)
class RegionTable:
    names: frozenset[str]
    parent: dict[str, str]  # name -> parent name (first code wins for duplicated names)
    level: dict[str, str]
    pattern: re.Pattern[str]
    short: dict[str, str]  # short name -> full name (宁夏 -> 宁夏回族自治区)


@lru_cache(maxsize=1)
def region_table() -> RegionTable:
    by_code: dict[str, tuple[str, str, str]] = {}
    with SEED_PATH.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_code[row["region_code"]] = (row["region_name"], row["region_level"], row["parent_code"] or "")
    parent: dict[str, str] = {}
    level: dict[str, str] = {}
    for name, lvl, pcode in by_code.values():
        if name in _NOT_PLACES or name in level:
            continue
        level[name] = lvl
        if pcode in by_code:
            parent[name] = by_code[pcode][0]
    names = frozenset(level)
    # Autonomous regions go by their short names in titles and issuer lines (宁夏, 广西, 内蒙古).
    short: dict[str, str] = {}
    for name, lvl in level.items():
        if lvl == "province" and (m := _AUTONOMOUS.fullmatch(name)) and m.group(1) not in level:
            short[m.group(1)] = name
    alternation = "|".join(re.escape(n) for n in sorted(names | short.keys(), key=len, reverse=True) if len(n) >= 2)
    return RegionTable(names, parent, level, re.compile(alternation), short)


def is_region(name: str) -> bool:
    return name in region_table().names


def _ancestor(name: str, level: str) -> str | None:
    """The named place itself or its nearest ancestor at `level` (province or city)."""
    table = region_table()
    cur: str | None = name
    for _ in range(4):
        if cur is None:
            return None
        if table.level.get(cur) == level:
            return cur
        cur = table.parent.get(cur)
    return None


def province_of(name: str) -> str | None:
    """The province-level ancestor of a place (浙江省 for 海宁市)."""
    return _ancestor(name, "province")


def city_of(name: str) -> str | None:
    """The prefecture-level city a place lies in (嘉兴市 for 海宁市)."""
    return _ancestor(name, "city")


def infer_region(norm_text: str, title: str | None = None) -> str | None:
    """Jurisdiction of a document: first place named in its title or opening, 全国 for central issuers."""
    table = region_table()
    for source in (title or "", norm_text[:400]):
        if not source:
            continue
        nat = _NATIONAL_ISSUER.search(source)
        m = table.pattern.search(source)
        if nat and (m is None or nat.start() <= m.start() or m.group() == "全国"):
            return "全国"
        if m:
            return _most_specific(source, m)
    return None


def _most_specific(source: str, m: re.Match[str]) -> str:
    """The place a run of nested names ends on: 上海市徐汇区 → 徐汇区, 重庆市大足区 → 大足区."""
    table = region_table()
    name = table.short.get(m.group(), m.group())
    while (nxt := table.pattern.match(source, m.end())) is not None:
        child = table.short.get(nxt.group(), nxt.group())
        if _ancestor_is(child, name):
            name, m = child, nxt
        else:
            break
    return name


def is_within(name: str, ancestor: str) -> bool:
    """Whether a place lies inside another (吉林市 inside 吉林省, 嘉定区 inside 上海市)."""
    return _ancestor_is(name, ancestor)


def _ancestor_is(name: str, ancestor: str) -> bool:
    table = region_table()
    cur = table.parent.get(name)
    for _ in range(4):
        if cur is None:
            return False
        if cur == ancestor:
            return True
        cur = table.parent.get(cur)
    return False
