"""Rules that generalise to unseen plans: sentences copied verbatim from the provincial and ministry
documents of the 003 compilation (shared/corpus/003_a895838ed2e4cd84.txt), none from the dev gold slices."""

from __future__ import annotations

from carbonpeak.extract import ExtractedTarget, extract_targets
from carbonpeak.extract.regions import infer_region


def _offsets_ok(text: str, targets: list[ExtractedTarget]) -> None:
    for t in targets:
        assert text[t.quote_start:t.quote_end] == t.quote


def _rows(targets: list[ExtractedTarget]) -> list[tuple]:
    return [(t.indicator, t.value, t.unit, t.direction, t.comparator, t.target_year, t.baseline_year)
            for t in targets]


def test_verb_is_not_an_indicator_the_counted_thing_follows() -> None:
    text = "到2030年,形成20项以上可复制可推广的低碳技术综合性解决方案。"
    got = extract_targets(text, "d", region="安徽省")
    assert _rows(got) == [("可复制可推广的低碳技术综合性解决方案", 20, "项", "reach", ">=", 2030, None)]
    _offsets_ok(text, got)


def test_actor_and_verb_before_the_count_are_not_the_indicator() -> None:
    text = "在集成电路、生物医药、人工智能产业打造10家标杆绿色工厂,"
    got = extract_targets(text, "d", region="上海市")
    assert [t.indicator for t in got] == ["标杆绿色工厂"]
    _offsets_ok(text, got)


def test_range_is_recorded_at_its_lower_bound() -> None:
    text = "到2025年,新型储能装机容量达到70万千瓦,电网高峰负荷削峰能力达到最高用电负荷3%—5%,"
    got = extract_targets(text, "d", region="北京市")
    assert [(t.value, t.unit, t.comparator, t.target_year) for t in got] == [
        (70, "万千瓦", "=", 2025), (3, "%", ">=", 2025)]
    assert got[1].quote.endswith("3%—5%")
    _offsets_ok(text, got)


def test_fenbie_list_with_baseline_after_fenbie() -> None:
    text = "实现单位建筑面积能耗、人均综合能耗、人均用水量分别较2020年降低3%、3.6%和4.2%,"
    got = extract_targets(text, "d", region="上海市")
    assert [(t.indicator, t.value, t.direction, t.baseline_year) for t in got] == [
        ("单位建筑面积能耗", 3, "decrease", 2020), ("人均综合能耗", 3.6, "decrease", 2020),
        ("人均用水量", 4.2, "decrease", 2020)]
    _offsets_ok(text, got)


def test_basis_year_is_a_baseline_not_a_deadline() -> None:
    text = ("到2025年,全市公共机构用能结构持续优化,用能效率持续提升,"
            "在2020年的基础上单位建筑面积能源消耗下降5%、碳排放下降7%,")
    got = extract_targets(text, "d", region="天津市")
    assert [(t.indicator, t.value, t.target_year, t.baseline_year) for t in got] == [
        ("单位建筑面积能源消耗", 5, 2025, 2020), ("碳排放", 7, 2025, 2020)]


def test_listed_years_pair_with_listed_values() -> None:
    text = "力争2025年、2030年电解铝使用可再生能源比例分别达到25%、30%以上。"
    got = extract_targets(text, "d", region="全国")
    assert [(t.value, t.target_year) for t in got] == [(25, 2025), (30, 2030)]
    assert all(t.indicator == "电解铝使用可再生能源比例" for t in got)


def test_compound_unit_keeps_its_denominator() -> None:
    text = "加强施工现场建筑垃圾管控,到2030年新建建筑施工现场建筑垃圾排放量不高于300吨/万平方米。"
    t = extract_targets(text, "d", region="全国")[0]
    assert (t.value, t.unit, t.direction, t.comparator) == (300, "吨/万平方米", "cap", "<=")


def test_plan_period_addition_is_an_increase() -> None:
    text = "实施一批“光伏+”工程,“十四五”期间,新增光伏装机容量不少于2.2万千瓦。"
    t = extract_targets(text, "d", region="徐汇区")[0]
    assert (t.indicator, t.value, t.direction, t.comparator, t.target_year) == (
        "新增光伏装机容量", 2.2, "increase", ">=", 2025)


def test_non_targets_from_provincial_plans_yield_nothing() -> None:
    texts = [
        # place name + project size, not a goal
        "加快推进永城市宸枫一期10万千瓦风电项目、宸枫二期10万千瓦风电项目、永城市400MW风电项目、",
        # subsidy and funding rules
        "对平台建设期内的设备投入,给予30%的补助,最高不超过500万元。",
        "由企业牵头申报的,自筹经费不低于市级资助经费。市级资助经费不超过项目总经费的50%。",
        # distance bans
        "严禁在长江干支流岸线1公里范围内新建、扩建化工园区和化工项目。沿江1公里外新(扩、改)建化工项目应符合国家和我省有关政策要求。",
        # a count in brackets after a table title
        "附表:全国双碳方案汇总表(113项)发布单位政策文件(简称)发布日期",
        # the plan's own structure
        "组织实施本市能源电力领域碳达峰行动,推进落实6方面20项任务。",
    ]
    for text in texts:
        assert extract_targets(text, "d", region="全国") == [], text


def test_qualifier_with_its_own_goal_is_not_a_target() -> None:
    text = ("“十四五”和“十五五”期间累计完成既有公共建筑节能改造410万平方米以上,"
            "其中平均节能率15%及以上的建筑面积达到45万平方米。")
    got = extract_targets(text, "d", region="徐汇区")
    assert [(t.value, t.unit) for t in got] == [(410, "万平方米"), (45, "万平方米")]


def test_region_from_nested_and_short_names() -> None:
    assert infer_region("上海市徐汇区《徐汇区碳达峰实施方案》") == "徐汇区"
    assert infer_region("宁夏《宁夏碳达峰碳中和科技支撑行动方案》") == "宁夏回族自治区"


def test_nouns_listed_with_a_shared_head_are_one_indicator() -> None:
    # 2030年前碳达峰行动方案: one target for wind and solar together, not a solar target.
    text = "到2030年,风电、太阳能发电总装机容量达到12亿千瓦以上。"
    [t] = extract_targets(text, "d", region="全国")
    assert (t.indicator, t.value, t.unit, t.target_year) == ("风电、太阳能发电总装机容量", 12, "亿千瓦", 2030)
    assert t.quote == "风电、太阳能发电总装机容量达到12亿千瓦以上"
    assert t.indicator_code != "solar_capacity"  # a combined target is never compared with solar alone
