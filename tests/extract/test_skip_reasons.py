"""Named exclusion rules: every number the extractor drops is dropped by a registered rule with a reason,
and `explain_skips` says which rule dropped which number (real sentences from the corpus documents)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from carbonpeak.extract import SkippedMention, explain_skips, extract_targets
from carbonpeak.extract import rules as rules_module
from carbonpeak.extract.rules import RULES, Skip

EXTRACT = Path(rules_module.__file__).parent
# The shared corpus and PDF gold texts beside the checkout (as in CI); the tests that need whole
# documents skip without them.
SHARED = Path(__file__).resolve().parents[3] / "shared"


def _skip_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            and n.func.id == "Skip"]


def _rules_literal() -> ast.Dict:
    tree = ast.parse((EXTRACT / "rules.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "RULES":
            assert isinstance(node.value, ast.Dict)
            return node.value
    raise AssertionError("no RULES registry in rules.py")


def test_every_rule_has_a_unique_name_and_a_reason() -> None:
    literal = _rules_literal()
    names = [k.value for k in literal.keys if isinstance(k, ast.Constant)]
    assert len(names) == len(literal.keys) == len(RULES)  # a repeated key would silently merge two rules
    assert len(set(names)) == len(names)
    for name, reason in RULES.items():
        assert re.fullmatch(r"[a-z]+(?:_[a-z]+)*", name), name
        assert reason.strip() and len(reason) >= 15, name
    reasons = list(RULES.values())
    assert len(set(reasons)) == len(reasons)


def test_every_skip_raised_names_a_registered_rule() -> None:
    used: set[str] = set()
    for path in (EXTRACT / "rules.py", EXTRACT / "__init__.py"):
        for call in _skip_calls(path):
            # A literal name, so this scan sees every rule a Skip can carry.
            assert len(call.args) == 1 and isinstance(call.args[0], ast.Constant), ast.unparse(call)
            used.add(call.args[0].value)
    assert used <= set(RULES), used - set(RULES)
    # The rules applied outside a Skip: table spans, dedup and the regulation filter.
    source = "".join((EXTRACT / f).read_text(encoding="utf-8") for f in ("rules.py", "__init__.py"))
    for name in ("in_table", "restated", "regulation_condition"):
        assert f'"{name}"' in source or f"rule {name}" in source, name
        used.add(name)
    assert used == set(RULES), set(RULES) - used  # no registered rule that nothing applies


def test_an_unregistered_rule_cannot_be_raised() -> None:
    with pytest.raises(ValueError):
        Skip("no_such_rule")
    assert Skip("forecast").reason == RULES["forecast"]


def _skips(text: str, **kw: str) -> list[tuple[str, str]]:
    return [(s.mention, s.rule) for s in explain_skips(text, "d", **kw)]


@pytest.mark.parametrize(("region", "text", "expected"), [
    # scope thresholds and approval rules (test_extract.py)
    ("海宁市", "强化对年综合能耗1000吨标准煤以上高耗能项目的节能审查管理。",
     [("1000吨标准煤以上", "scope_threshold")]),
    ("海宁市", "以年综合能耗10万吨标准煤以上企业为重点，强化用能预算管理刚性约束。",
     [("10万吨标准煤以上", "scope_threshold")]),
    ("海宁市", "对单位工业增加值能耗低于0.52吨标准煤/万元的重大项目，开通节能审查绿色通道。",
     [("0.52吨标准煤/万元", "comparison_scope")]),
    # plant sizes, subsidies, distances, headings, plan structure (test_generalisation.py)
    ("全国", "加快推进永城市宸枫一期10万千瓦风电项目、宸枫二期10万千瓦风电项目、永城市400MW风电项目、",
     [("10万千瓦", "plant_size"), ("10万千瓦", "plant_size"), ("400MW", "plant_size")]),
    ("全国", "对平台建设期内的设备投入,给予30%的补助,最高不超过500万元。",
     [("30%", "subsidy_rule"), ("500万元", "grant_ceiling")]),
    ("全国", "由企业牵头申报的,自筹经费不低于市级资助经费。市级资助经费不超过项目总经费的50%。",
     [("50%", "funding_rate")]),
    ("全国", "严禁在长江干支流岸线1公里范围内新建、扩建化工园区和化工项目。"
             "沿江1公里外新(扩、改)建化工项目应符合国家和我省有关政策要求。",
     [("1公里", "distance_rule"), ("1公里", "distance_rule")]),
    ("全国", "附表:全国双碳方案汇总表(113项)发布单位政策文件(简称)发布日期", [("113项", "bracketed_count")]),
    ("全国", "组织实施本市能源电力领域碳达峰行动,推进落实6方面20项任务。", [("20项", "plan_structure")]),
    # listed counts, existing stock, rules to build by, size classes (test_unseen_rules.py)
    ("湖南省", "推动安化、汨罗、炎陵、桃源、攸县等13个已纳入国家规划“十四五”重点抽水蓄能电站开工。",
     [("13个", "listed_count")]),
    ("湖南省", "到2030年,我省黄金产能主要集中于4-5家企业,加快建成年产20吨黄金企业集群。",
     [("4-5家", "listed_count"), ("20吨", "production_class")]),
    ("湖南省", "全省炼油行业现有大庆石化、大庆炼化、哈尔滨石化和龙油石化4户企业,乙烯行业现有大庆石化1户企业。",
     [("4户", "existing_stock"), ("1户", "existing_stock")]),
    ("湖南省", "新建住宅小区按不低于100%的车位比例建设充电设施或预留建设条件;", [("100%", "build_by_rule")]),
    ("湖南省", "新建组团面积每个不超过50平方公里。", [("50平方公里", "per_item_limit")]),
    ("湖南省", "办理货车通行证的4.5吨以下物流配送车辆(不含危险品运输车辆)基本使用新能源汽车。",
     [("4.5吨以下", "size_bound_scope")]),
    ("湖南省", "“十四五”期间,全区47个内河码头(不含危化品码头)实现船舶岸电设施全覆盖。", [("47个", "qualitative_goal")]),
    ("湖南省", "我省能源资源以煤为主,预计“十四五”期间60%左右的能源需从省外引入,供应保障不确定因素增多。",
     [("60%左右", "forecast")]),
    # the 003 compilation
    ("全国", "加快重点标准制修订,有关标准制修订周期缩短至18个月以内。", [("18个", "duration")]),
    ("全国", "实施港口岸电改造工程,加快1000吨级及以上泊位岸电设施配套建设。", [("1000吨", "size_class")]),
    ("全国", "加快中煤永城2×1000MW高效超超临界机组工程项目建设进度,有效改善豫东地区供电薄弱现状。",
     [("1000MW", "inside_token")]),
    ("全国", "加快存量煤电机组节煤降耗改造、供热改造、灵活性改造“三改联动”,对供电煤耗在300克标准煤/千瓦时以上的煤电机组"
             "加快实施节能改造,无法改造的机组逐步淘汰关停。",
     [("300克标准煤/千瓦时以上", "threshold_qualifier")]),
    ("全国", "加快居住区充电桩建设,新建居住区全量车位应100%预留充电设施建设安装条件,"
             "同时应按不低于总车位30%的要求配建充电设施。",
     [("30%", "build_standard")]),
    ("全国", "依据科技企业孵化载体年度绩效,每培育1家绿色低碳领域高新技术企业补助10万元,"
             "每家科技企业孵化载体每年最高补助200万元。",
     [("1家", "funded_count"), ("10万元", "funding_rate"), ("200万元", "grant_ceiling")]),
    ("全国", "(五)编制重点企业碳减排行动方案提供“十三五”期间综合能耗1万吨标准煤及以上的市属出资企业名单。",
     [("1万吨标准煤及以上", "past_statistic")]),
    ("全国", "到2025年,省内钢铁企业全部完成超低排放改造,吨钢综合能耗降低2%以上,70吨及以上绿色智能新型电弧炉(特钢除外)"
             "普及率达100%。", [("70吨及以上", "qualifier_of_later_goal")]),
    ("全国", "每年遴选公布一批节能低碳建材技术和装备,到2030年累计推广超过100项。", [("100项", "no_indicator")]),
    # 2000年前 governs the last value: a year in the past, though the sentence's deadline is 2025
    ("全国", "到2025年底,全省基本完成2000年前建成的需改造城镇老旧小区改造任务,建成一批老旧厂区改造示范项目,"
             "改造各类棚户区50万套。",
     [("50万套", "past_year")]),
    # the 003 compilation's table of contents
    ("全国", "国家方案2项 ...........................................................", [("2项", "table_of_contents")]),
])
def test_the_rule_that_dropped_each_number(region: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert _skips(text, region=region) == expected


def test_a_review_of_the_last_period_is_a_past_period() -> None:
    # 新吴区电力能源双碳行动方案 (003 compilation): the section opens with “十三五”期间.
    text = ("一、“十三五”期间新吴区推动电力能源转型主要实践“十三五”期间,新吴区携手国网无锡供电公司,加快电网建设,"
            "加大技术创新,推动区域电力能源向清洁低碳转型,并成立全责对口的现代服务体系前端机构,以更坚强的能源网架、更低碳的能源消费、"
            "更优质的能源服务,助力新吴区可持续发展。能源网架更坚强。累计完成各类电网建设投资21亿元,220千伏张公桥变、"
            "文台变等重点工程建成投运,新增地区变电容量69万千伏安,为区外清洁能源落地新吴区提供基础支撑。配网自动化实现全覆盖,"
            "全区光伏装机容量超过16万千瓦。")
    assert _skips(text, region="无锡市") == [("21亿元", "past_period"), ("16万千瓦", "past_period")]


def test_a_restated_target_and_a_regulation_condition() -> None:
    # 000 compilation: a news page states the target in its title line and again in the body.
    text = ("标题：浙江嘉兴：到2025年光伏装机达到470万千瓦\n"
            "5月25日，嘉兴市碳达峰碳中和工作领导小组办公室关于印发《嘉兴市清洁生产推行方案（2022-2025年）》的通知，"
            "通知指出，加大清洁能源推广应用，提高工业领域非化石能源利用比重。因地制宜发展太阳能、氢能、核能、风能等清洁能源，"
            "提升清洁能源利用比例。以整县（市、区）规模化开发为重点，加快分布式光伏开发，重点推进八大重点领域分布式光伏建设，"
            "到2025年，全市光伏装机达到470万千瓦。")
    skipped = explain_skips(text, "d")
    assert [(s.mention, s.rule) for s in skipped] == [("470万千瓦", "restated")]
    assert skipped[0].start == text.rindex("470万千瓦")
    assert [t.value for t in extract_targets(text, "d")] == [470]
    # A rule "原则上" holds without a deadline; in a regulation (a 实施细则 of the 003 compilation) only dated
    # numbers are targets, so the same sentence there is a condition.
    rule = "严控跨区外送可再生能源电力配套煤电规模,新建通道可再生能源电量比例原则上不低于50%。"
    assert [(t.value, t.target_year) for t in extract_targets(rule, "d")] == [(50, None)]
    assert _skips(rule) == []
    assert _skips(rule, title="关于碳达峰碳中和科技创新专项的实施细则") == [("50%", "regulation_condition")]


def test_explaining_changes_no_target_and_quotes_the_number() -> None:
    text = ("到2025年,超过30%的钢铁产能,高炉工序单位产品能耗达到361千克标准煤/吨,"
            "转炉工序单位产品能耗达到-30千克标准煤/吨。")
    skipped: list[SkippedMention] = []
    with_explain = extract_targets(text, "d", region="天津市", explain=skipped)
    assert with_explain == extract_targets(text, "d", region="天津市")
    # The negative value reads as a number glued to a hyphen: the explanation shows that false negative.
    assert [(s.mention, s.rule) for s in skipped] == [("30%", "comparison_scope"), ("30千克标准煤/吨", "inside_token")]
    for s in skipped:
        assert text[s.start:s.end] == s.mention
        assert s.mention in s.context and s.context in text
        assert s.reason == RULES[s.rule]
        assert s.doc == "d"


# Whole documents: rules that need the document's title, period or layout.
_DOC_CASES = [
    # a 十四五 plan reporting 2020 (its base year)
    ("gold/pdf/texts/dcp172_qingdao_building_energy_14fyp.txt", "用建筑比例达到 30%", "30%", "before_plan_base_year"),
    ("gold/pdf/texts/dcp172_qingdao_building_energy_14fyp.txt", "陆域面积合计 11293 平方公", "11293 平方公\n\n里",
     "area_of_jurisdiction"),
    ("gold/pdf/texts/dcp172_qingdao_building_energy_14fyp.txt", "按照每户 100 平方米", "100 平方米",
     "per_unit_quantity"),
    # 一、发展基础 of a 十四五 plan
    ("gold/pdf/texts/dcp133_zhejiang_renewables_14fyp.txt", "规划总装机容量达到 1878 万千瓦", "1878 万千瓦",
     "review_section"),
    ("gold/pdf/texts/dcp404_fuzhou_tech_upgrade_2021.txt", "持续推进 100 亿元市级企业", "100 亿元", "fund_size"),
    ("gold/pdf/texts/dcp347_shandong_green_transition_2022.txt", "启动 104 家总投资 60 亿元", "60 亿元",
     "set_attribute"),
    # a row label of an indicator table (海宁市“十四五”节能减排综合工作实施方案, 附件2)
    ("corpus/002_c46747e1f312a09b.txt", "6000千瓦以上火电平均发电标准煤耗", "6000千瓦以上", "in_table"),
]


@pytest.mark.parametrize(("path", "needle", "mention", "rule"), _DOC_CASES)
def test_the_rule_that_dropped_a_number_in_a_whole_document(path: str, needle: str, mention: str, rule: str) -> None:
    file = SHARED / path
    if not file.exists():
        pytest.skip(f"{file} is not beside the checkout")
    text = file.read_text(encoding="utf-8")
    at = text.index(needle)
    found = [(s.mention, s.rule) for s in explain_skips(text, "d") if at <= s.start < at + len(needle)]
    assert found == [(mention, rule)]
