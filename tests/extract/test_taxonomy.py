"""The indicator taxonomy (dbt seed indicator_taxonomy.csv): stable codes, every code named in English, and a
mapping by head noun and modifiers that generalises to indicator strings it was not written from.

The held-out strings below are indicator strings `carbonpeak extract` reads from the shared corpus and PDF
corpus whose md5 is 0 mod 5 (a fifth never used to write rows), drawn at random (seed 16, items 160–230 of
the shuffled fifth, after two earlier draws had been used for error analysis) and labelled by hand with the
code a reader would give them before the mapping was run on them.
"""

from __future__ import annotations

import csv

import pytest

from carbonpeak.extract import extract_targets
from carbonpeak.extract.normalize import SEEDS, indicator_code, to_canonical
from carbonpeak_core.paths import REPO_ROOT
from scrapers.textlayer import convert

TAXONOMY = SEEDS / "indicator_taxonomy.csv"

# The 62 codes of the taxonomy before it grew (main at 9193607): codes stay stable across releases.
ORIGINAL_CODES = {
    "energy_intensity_gdp": "Energy consumption per unit of GDP", "co2_intensity_gdp": "CO2 emissions per unit of GDP",
    "industrial_energy_intensity": "Energy use per unit of industrial value added (above-scale industry)",
    "industrial_co2_intensity": "CO2 per unit of industrial value added",
    "non_fossil_share_energy": "Non-fossil share of energy consumption",
    "non_fossil_share_capacity": "Non-fossil share of installed power capacity",
    "clean_energy_share": "Clean-energy share of energy consumption (incl. natural gas)",
    "coal_share_energy": "Coal share of energy consumption", "coal_consumption": "Coal consumption",
    "public_institution_energy_per_capita": "Public-institution energy use per person",
    "public_institution_energy_per_area": "Public-institution energy use per square metre",
    "public_institution_energy_total": "Public-institution total energy use",
    "low_carbon_public_institutions": "Low- or zero-carbon public institutions",
    "energy_consumption_total": "Total energy consumption",
    "renewable_power_share": "Renewable share of electricity consumption",
    "wind_solar_capacity": "Wind and solar installed capacity, combined",
    "mixed_power_capacity": "Installed capacity of several power sources together",
    "solar_capacity": "Solar PV installed capacity", "wind_capacity": "Wind power installed capacity",
    "storage_capacity": "New-type energy storage capacity", "pumped_hydro_capacity": "Pumped-storage hydro capacity",
    "hydro_capacity": "Hydropower installed capacity", "nuclear_capacity": "Nuclear power installed capacity",
    "new_energy_capacity": "New-energy (renewable) installed capacity",
    "electricity_consumption": "Electricity consumption, whole society", "forest_coverage": "Forest coverage rate",
    "forest_stock": "Forest growing stock", "wetland_protection": "Wetland protection rate",
    "grassland_cover": "Grassland vegetation cover", "nev_bus_share": "New-energy share of city buses",
    "nev_share": "New-energy vehicle share", "nev_stock": "New-energy vehicle stock",
    "charging_infrastructure": "EV charging points and stations", "hydrogen_stations": "Hydrogen refuelling stations",
    "green_building_share": "Green-building share of new buildings",
    "prefab_building_share": "Prefabricated share of new construction",
    "prefab_building_area": "Prefabricated construction floor area",
    "building_energy_retrofit": "Energy retrofit of existing buildings",
    "renewable_building_substitution": "Renewable substitution in buildings",
    "green_travel_share": "Green travel mode share", "public_transport_share": "Public transport mode share",
    "green_factories": "Green factories and parks", "cleaner_production_audit": "Cleaner-production audits",
    "resource_productivity": "Resource productivity", "solid_waste_utilisation": "Solid-waste utilisation rate",
    "straw_utilisation": "Crop-straw utilisation rate", "manure_utilisation": "Livestock-manure utilisation rate",
    "waste_recycling": "Household-waste recycling rate", "recycled_resources": "Recycled resources",
    "water_use_intensity": "Water use per 10 000 yuan of output", "cod_reduction": "Chemical oxygen demand reduction",
    "ammonia_nitrogen_reduction": "Ammonia-nitrogen reduction", "nox_reduction": "Nitrogen-oxide reduction",
    "voc_reduction": "Volatile organic compounds reduction",
    "coal_power_efficiency": "Coal-power supply coal consumption",
    "natural_gas": "Natural gas supply and consumption", "gdp": "Gross regional product",
    "building_energy_saving_rate": "Energy-saving rate of building design", "energy_saving": "Energy saved",
    "other": "Other indicator (not yet in the taxonomy)",
}


def _rows() -> list[dict[str, str]]:
    with TAXONOMY.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_codes_are_stable_and_every_code_is_named_and_placed() -> None:
    rows = _rows()
    by_code = {r["indicator_code"]: r for r in rows}
    assert len(by_code) == len(rows) >= 140
    for code, name_en in ORIGINAL_CODES.items():
        assert by_code[code]["name_en"] == name_en, code
    for row in rows:
        assert row["name_zh"].strip() and row["name_en"].strip() and row["dimension"].strip(), row
        assert row["good_direction"] in {"up", "down", "none"}, row
    assert rows[-1]["indicator_code"] == "other"  # the fallback stays last


# (indicator string as extracted, unit, direction, the code a reader gives it)
HELD_OUT: list[tuple[str, str, str, str]] = [
    ("新建公共充电枪", "根", "reach", "charging_infrastructure"),
    ("开工建设超低能耗建筑面积不低于总建筑面积", "%", "reach", "ultra_low_energy_buildings"),
    ("新增公共充电桩", "个", "increase", "charging_infrastructure"),
    ("双代”工程", "万户", "reach", "clean_heating_rate"),
    ("装配式钢结构构件企业", "家", "reach", "enterprises"),
    ("再生水回用率", "%", "reach", "water_reuse"),
    ("公共机构太阳能和空气源热泵热水项目", "家", "reach", "renewable_heating_area"),
    ("县级及以上机关创建节约型机关", "%", "reach", "low_carbon_public_institutions"),
    ("非化石能源占一次能源消费比重", "%", "reach", "non_fossil_share_energy"),
    ("遴选碳达峰碳中和领域人才项目", "个", "reach", "talent"),
    ("重大科技成果", "项", "reach", "innovation_platforms"),
    ("设有铁合金热熔渣生产矿渣岩棉等深度处理设施的铁合金企业占比", "%", "reach", "solid_waste_utilisation"),
    ("生活垃圾资源化利用比例", "%", "reach", "waste_recycling"),
    ("城镇新建公共建筑能效水平", "%", "reach", "building_energy_standard"),
    ("争创绿色低碳高新区", "家", "reach", "parks_and_bases"),
    ("风电基地建设", "万千瓦", "reach", "wind_capacity"),
    ("辖区各分支机构要在保持去年绿色金融指标不低于综合绩效考核指标", "%", "reach", "green_finance"),
    ("长流程的吨钢二氧化碳排放量", "吨", "cap", "product_co2_intensity"),
    ("新能源汽车新车销量占比", "%", "reach", "nev_sales_share"),
    ("省级以上绿色低碳工业园区", "个", "reach", "green_factories"),
    ("能耗强度降低激励目标", "%", "decrease", "energy_intensity_gdp"),
    ("油气长输管道总里程", "公里", "reach", "energy_supply"),
    ("煤电机组平均供电煤耗", "克标准煤/千瓦时", "reach", "coal_power_efficiency"),
    ("省星级现代农业园区", "个", "reach", "parks_and_bases"),
    ("中心城区新改建污水管网", "公里", "reach", "wastewater_treatment"),
    ("公共机构需求响应改造", "家", "reach", "demand_response"),
    ("高标准农田", "万亩", "reach", "farmland"),
    ("县级及以上机关达到节约型机关创建要求", "%", "reach", "low_carbon_public_institutions"),
    ("新（改）建农村公厕", "座", "reach", "rural_development"),
    ("乡镇以上“零碳”公共机构", "家", "reach", "low_carbon_public_institutions"),
    ("公共建筑光伏一体化应用比例", "%", "reach", "rooftop_pv_coverage"),
    ("建筑垃圾产生量控制在现浇钢筋混凝土结构每万平方米", "吨", "cap", "solid_waste_utilisation_amount"),
    ("新增高效节能电机占比", "%", "reach", "efficient_equipment"),
    ("县城广场的集中硬地面积不", "公顷", "reach", "land_and_area"),
    ("中部核心双环网+3个区域电网”的供电主网架", "个", "reach", "power_grid"),
    ("各类碳中和示范项目", "个", "reach", "demonstration_pilots"),
    ("城区常住人口100万以上的城市绿色出行比例", "%", "reach", "green_travel_share"),
    ("深加工产品产值占比", "%", "reach", "industry_output"),
    ("水路和铁路货运量占比", "%", "reach", "rail_water_freight"),
    ("既有建筑改造145万吨标煤", "万吨标煤", "reach", "building_energy_retrofit"),
    ("城镇新建公共建筑和居住建筑设计节能率", "%", "reach", "building_energy_saving_rate"),
    ("住宅屋顶安装光伏面积", "%", "reach", "rooftop_pv_coverage"),
    ("电网综合线损率", "%", "cap", "power_grid"),
    ("省级以上森林城市", "个", "reach", "afforestation"),
    ("市生态环境保护综合行政执法支队编制数增幅", "%", "reach", "other"),
    ("原则上城市更新单元(片区)或项目内拆除建筑面积不应大于现状总建筑面积", "%", "reach", "land_and_area"),
    ("可再生能源消费比重", "%", "reach", "renewable_share_energy"),
    ("光伏发电装机", "万千瓦", "reach", "solar_capacity"),
    ("屋顶面积安装光伏", "%", "reach", "rooftop_pv_coverage"),
    ("企业提供公益性节能诊断服务", "家", "reach", "energy_monitoring"),
]


def _code(indicator: str, unit: str, direction: str) -> str:
    canonical = to_canonical(1.0, unit)
    return indicator_code(indicator, canonical[1] if canonical else None, direction)


def test_the_mapping_codes_held_out_strings_as_a_reader_would() -> None:
    """Measured on the day it was written: 42 of 50 right (84 %); the eight misses are named below, so a
    change that fixes or breaks one shows up here."""
    wrong = [(s, want, got) for s, unit, direction, want in HELD_OUT if (got := _code(s, unit, direction)) != want]
    assert len(wrong) / len(HELD_OUT) <= 0.16, wrong
    assert {s for s, _, _ in wrong} <= {
        "双代”工程", "公共机构太阳能和空气源热泵热水项目", "设有铁合金热熔渣生产矿渣岩棉等深度处理设施的铁合金企业占比",
        "城镇新建公共建筑能效水平", "既有建筑改造145万吨标煤", "住宅屋顶安装光伏面积",
        "市生态环境保护综合行政执法支队编制数增幅", "屋顶面积安装光伏",
    }, wrong


@pytest.mark.parametrize(("indicator", "unit", "direction", "code"), [
    # head noun + modifier, not the string: the same head with other modifiers goes elsewhere
    ("城市公共供水管网漏损率", "%", "cap", "water_leakage"),
    ("新建数据中心能源利用效率(PUE)", "", "cap", "data_centre_pue"),
    ("短流程炼钢占比", "%", "reach", "eaf_steel_share"),
    ("新建厂房屋顶光伏覆盖率", "%", "reach", "rooftop_pv_coverage"),
    ("绿色信贷占全部贷款余额的比重", "%", "reach", "green_finance"),
    ("城市污泥无害化处置率", "%", "reach", "sludge_disposal"),
    ("县城生活垃圾无害化处理率", "%", "reach", "waste_harmless_treatment"),
    # the unit decides between a share and an amount of one head
    ("大宗固废综合利用率", "%", "reach", "solid_waste_utilisation"),
    ("大宗固废年利用量", "万吨", "reach", "solid_waste_utilisation_amount"),
    ("清洁能源装机", "万千瓦", "reach", "clean_energy_capacity"),
    ("清洁能源装机比重", "%", "reach", "renewable_capacity_share"),
])
def test_head_nouns_and_modifiers(indicator: str, unit: str, direction: str, code: str) -> None:
    assert _code(indicator, unit, direction) == code


def test_a_bare_head_takes_the_modifiers_of_the_clause_before_it() -> None:
    """山东省绿色低碳转型2022年行动计划 (mirror/pdf/dcp347.pdf): "大力推进煤电节能降碳改造、灵活性改造、供热改造
    “三改联动”，全年更新改造600万千瓦以上" — the 600 万千瓦 are coal-power units, not industrial upgrading."""
    text = convert((REPO_ROOT / "mirror" / "pdf" / "dcp347.pdf").read_bytes(), "pdf").text
    (target,) = [t for t in extract_targets(text, "dcp347") if t.value == 600 and t.unit == "万千瓦"]
    assert target.indicator == "更新改造"
    assert target.indicator_code == "coal_power_and_boilers"


def test_new_sub_national_statistics_have_a_code() -> None:
    statistics = {s for r in _rows() for s in r["statistic_indicator"].split("+") if s}
    new = {"清洁能源装机容量", "新能源公交车比例", "规模以上工业单位增加值能耗", "森林覆盖率", "单位GDP能耗"}
    assert new <= statistics
