"""Normalised fields beside the stated ones: the indicator's taxonomy code and the value in a canonical unit.

Both tables are dbt seeds, so the warehouse carries the same taxonomy (dim_indicators) the extractor
codes against: `indicator_taxonomy.csv` (code, names, level unit, good direction, matching official
statistic, and the pattern that recognises the indicator as plans name it) and `unit_conversions.csv`
(base unit → canonical unit and factor). A stated unit is a base unit, optionally behind a magnitude
prefix from `unit_prefixes.csv` (万千瓦 = 10⁴ × 千瓦 = 10 MW; 亿千瓦时 = 10⁸ × 千瓦时 = 100 GWh);
count words (个, 家, 座…) are canonicalised to "count".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from carbonpeak.extract.lexicon import COUNT_UNITS
from carbonpeak_core import paths

SEEDS = paths.SEEDS

OTHER = "other"


# Canonical units that count things; an indicator measured in "count" accepts any of them.
COUNT_LIKE = frozenset({"count", "vehicles", "vessels", "households"})
CHANGE_DIRECTIONS = frozenset({"increase", "decrease"})


@dataclass(frozen=True)
class Indicator:
    code: str
    pattern: re.Pattern[str]
    level_unit: str


@cache
def taxonomy() -> tuple[Indicator, ...]:
    with (SEEDS / "indicator_taxonomy.csv").open(encoding="utf-8") as fh:
        return tuple(Indicator(row["indicator_code"], re.compile(row["match_regex"]), row["level_unit"])
                     for row in csv.DictReader(fh) if row["match_regex"])


def unit_fits(level_unit: str, unit_canonical: str | None, direction: str | None) -> bool:
    """Whether a target stated in `unit_canonical` can measure an indicator whose level is in `level_unit`.

    A level (达到/控制在/保持) must be in the indicator's own unit; a change (提高/下降 by) may also be a
    percentage or percentage points. Unconvertible units cannot be checked and are let through.
    """
    if unit_canonical is None or not level_unit:
        return True
    if unit_canonical == level_unit or (level_unit == "count" and unit_canonical in COUNT_LIKE):
        return True
    return direction in CHANGE_DIRECTIONS and unit_canonical in {"%", "pp"}


@cache
def conversions() -> dict[str, tuple[str, float]]:
    with (SEEDS / "unit_conversions.csv").open(encoding="utf-8") as fh:
        return {row["base_unit"]: (row["canonical_unit"], float(row["factor"])) for row in csv.DictReader(fh)}


def indicator_code(indicator: str, unit_canonical: str | None = None, direction: str | None = None) -> str:
    """The first taxonomy entry (most specific first) whose pattern the indicator matches and whose unit
    the target's unit fits: "清洁能源装机比重 92%" is a share, not a capacity, so it stays "other" rather
    than being coded as installed capacity."""
    for entry in taxonomy():
        if entry.pattern.search(indicator) and unit_fits(entry.level_unit, unit_canonical, direction):
            return entry.code
    return OTHER


@cache
def prefixes() -> dict[str, float]:
    """Magnitude prefixes (seed unit_prefixes.csv, which dbt applies to official figures too), longest
    first so that 十万 wins over 万."""
    with (SEEDS / "unit_prefixes.csv").open(encoding="utf-8") as fh:
        rows = [(row["prefix"], float(row["multiplier"])) for row in csv.DictReader(fh)]
    return dict(sorted(rows, key=lambda row: -len(row[0])))


def to_canonical(value: float, unit: str) -> tuple[float, str] | None:
    """(value, canonical unit), or None when the unit is not one we can convert exactly."""
    table = conversions()
    unit = unit.strip()
    if unit == "":  # a dimensionless ratio (a data centre's PUE 电能利用效率 ＜1.3)
        return _round(value), ""
    if unit in table:
        canonical, factor = table[unit]
        return _round(value * factor), canonical
    for prefix, scale in prefixes().items():
        if unit.startswith(prefix) and len(unit) > len(prefix):
            base = unit[len(prefix):]
            if base in table:
                canonical, factor = table[base]
                return _round(value * scale * factor), canonical
            if base in COUNT_UNITS:
                return _round(value * scale), "count"
            break
    if unit in COUNT_UNITS:
        return _round(value), "count"
    return None


def _round(x: float) -> float:
    # Float products such as 470 × 10⁴ × 0.001 must come out as 4700, not 4700.000000000001.
    return float(f"{x:.12g}")
