"""Normalised fields: taxonomy codes and canonical units, from the dbt seeds the warehouse also loads."""

from __future__ import annotations

import csv

import pytest

from carbonpeak.extract import extract_targets
from carbonpeak.extract.normalize import SEEDS, indicator_code, to_canonical


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (470, "万千瓦", (4700.0, "MW")),            # 到2025年全市光伏装机达到470万千瓦
    (10.8, "亿千瓦", (1080000.0, "MW")),
    (119, "万吨标准煤", (1190000.0, "tce")),
    (100, "亿千瓦时", (10000.0, "GWh")),
    (2, "万标箱", (20000.0, "TEU")),
    (3, "万亩", (2000.0, "ha")),
    (16, "%", (16.0, "%")),
    (2, "个百分点", (2.0, "pp")),
    (0.52, "吨标准煤/万元", (0.52, "tce/10k CNY")),
    (80, "辆", (80.0, "vehicles")),
    (50, "个", (50.0, "count")),
    (1.3, "", (1.3, "")),                        # PUE, dimensionless
])
def test_units_convert_exactly(value: float, unit: str, expected: tuple[float, str]) -> None:
    assert to_canonical(value, unit) == expected


def test_an_unknown_unit_is_left_unconverted_not_guessed() -> None:
    assert to_canonical(5, "吨标准煤/万吨") is None


@pytest.mark.parametrize(("indicator", "code"), [
    ("光伏装机", "solar_capacity"),
    ("单位GDP能耗", "energy_intensity_gdp"),
    ("单位地区生产总值能源消耗", "energy_intensity_gdp"),
    ("规上工业单位增加值能耗", "industrial_energy_intensity"),
    ("非化石能源消费比重", "non_fossil_share_energy"),
    ("森林覆盖率", "forest_coverage"),
    ("新能源公交车比例", "nev_bus_share"),
    ("主要资源产出率", "resource_productivity"),
    ("湿地公园数量", "parks_and_greenways"),  # was "other" before the taxonomy grew (issue 16)
    ("海水淡化水年供水量", "other"),
])
def test_indicators_get_taxonomy_codes(indicator: str, code: str) -> None:
    assert indicator_code(indicator) == code


def test_every_code_the_extractor_can_emit_is_in_the_taxonomy_seed() -> None:
    with (SEEDS / "indicator_taxonomy.csv").open(encoding="utf-8") as fh:
        codes = [row["indicator_code"] for row in csv.DictReader(fh)]
    assert len(codes) == len(set(codes)) and "other" in codes
    text = "到2025年，全市光伏装机达到470万千瓦。单位GDP能耗较2020年降低16%。"
    found = extract_targets(text, "t")
    assert {t.indicator_code for t in found} <= set(codes)
    pv = next(t for t in found if t.value == 470)
    assert (pv.indicator_code, pv.value_canonical, pv.unit_canonical) == ("solar_capacity", 4700.0, "MW")
    assert pv.as_json()["value_canonical"] == 4700.0
