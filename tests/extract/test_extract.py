"""Behaviour of the rule-first target extractor on real sentences from the corpus documents."""

from __future__ import annotations

import json

import pytest

from carbonpeak.extract import EXTRACTOR_VERSION, ExtractedTarget, extract_targets
from carbonpeak_core.paths import REPO_ROOT

# The corpus documents the mirror serves, vendored verbatim (mirror/corpus/README.md).
CORPUS = REPO_ROOT / "mirror" / "corpus"


def _only(targets: list[ExtractedTarget]) -> ExtractedTarget:
    assert len(targets) == 1, [t.as_json() for t in targets]
    return targets[0]


def _offsets_ok(text: str, targets: list[ExtractedTarget]) -> None:
    for t in targets:
        assert text[t.quote_start:t.quote_end] == t.quote


def test_version_is_set() -> None:
    assert EXTRACTOR_VERSION.count(".") == 2


def test_reach_with_year_heading() -> None:
    text = "重点推进八大重点领域分布式光伏建设，到2025年，全市光伏装机达到470万千瓦。"
    t = _only(extract_targets(text, "d", region="嘉兴市"))
    assert (t.value, t.unit, t.direction, t.comparator, t.target_year) == (470, "万千瓦", "reach", "=", 2025)
    assert t.indicator == "光伏装机"
    assert t.region == "嘉兴市"
    _offsets_ok(text, [t])


def test_decrease_against_stated_baseline() -> None:
    text = "到2025年，工业能效、水效大幅提升，单位GDP能耗较2020年降低16%，主要资源产出率较2020年提高20%。"
    got = extract_targets(text, "d", region="嘉兴市")
    assert [(t.indicator, t.value, t.direction, t.baseline_year, t.target_year) for t in got] == [
        ("单位GDP能耗", 16, "decrease", 2020, 2025),
        ("主要资源产出率", 20, "increase", 2020, 2025),
    ]
    _offsets_ok(text, got)


def test_fenbie_list_gives_one_record_per_item() -> None:
    text = ("“十四五”时期，全市单位地区生产总值能源消耗比2020年下降18％，"
            "氮氧化物、挥发性有机物、化学需氧量、氨氮重点工程减排量分别达到515吨、2585吨、1200吨、85吨。")
    got = extract_targets(text, "d", region="海宁市")
    assert [(t.value, t.unit) for t in got] == [(18, "%"), (515, "吨"), (2585, "吨"), (1200, "吨"), (85, "吨")]
    assert [t.indicator for t in got[1:]][:3] == ["氮氧化物", "挥发性有机物", "化学需氧量"]
    assert all(t.target_year == 2025 for t in got)  # "十四五" → 2025
    assert got[0].baseline_year == 2020
    _offsets_ok(text, got)


def test_cap_within_limit() -> None:
    text = "到2025年，国内原油一次加工能力控制在10亿吨以内，主要产品产能利用率提升至80%以上。"
    got = extract_targets(text, "d", region="全国")
    cap, level = got
    assert (cap.value, cap.unit, cap.direction, cap.comparator) == (10, "亿吨", "cap", "<=")
    assert (level.value, level.unit, level.direction, level.comparator) == (80, "%", "reach", ">=")


def test_cap_about_keeps_tilde() -> None:
    text = "“十四五”时期，煤炭消费总量较2020年保持负增长、控制在119万吨左右。"
    t = _only(extract_targets(text, "d", region="海宁市"))
    assert (t.value, t.unit, t.direction, t.comparator, t.target_year) == (119, "万吨", "cap", "~", 2025)
    assert t.indicator == "煤炭消费总量"


def test_traditional_script_quote_stays_traditional() -> None:
    text = ("《嘉興市2024年碳達峰碳中和工作要點》\n"
            "全市單位GDP能耗下降3%以上,非化石能源消費占比提升至23%,新增或更新新能源公交車80輛。")
    got = extract_targets(text, "d")
    assert [(t.value, t.unit, t.target_year) for t in got] == [(3, "%", 2024), (23, "%", 2024), (80, "辆", 2024)]
    first = got[0]
    assert first.region == "嘉兴市"
    assert first.quote == "單位GDP能耗下降3%以上"
    assert first.indicator == "单位GDP能耗"
    assert first.baseline_year == 2023  # a year-on-year change in an annual plan
    assert got[2].quote == "新增或更新新能源公交車80輛"
    assert got[2].indicator == "新增或更新新能源公交车"
    _offsets_ok(text, got)


def test_page_furniture_inside_a_word() -> None:
    text = "加快新型储能示范推广应用。到2025年，新型储能装机容第15页量达到3000万千瓦以上。"
    t = _only(extract_targets(text, "d", region="全国"))
    assert t.quote == "新型储能装机容第15页量达到3000万千瓦以上"
    assert t.indicator == "新型储能装机容量"
    assert (t.value, t.unit, t.comparator) == (3000, "万千瓦", ">=")
    _offsets_ok(text, [t])


def test_non_targets_yield_nothing() -> None:
    texts = [
        "根据《浙江省人民政府关于印发“十四五”节能减排综合工作方案的通知》（浙政发〔2022〕21号）要求，制定本方案。",
        "强化对年综合能耗1000吨标准煤以上高耗能项目的节能审查管理。",
        "以年综合能耗10万吨标准煤以上企业为重点，强化用能预算管理刚性约束。",
        "对单位工业增加值能耗低于0.52吨标准煤/万元的重大项目，开通节能审查绿色通道。",
        "本方案自发布之日起30日后施行，有效期3年。",
    ]
    for text in texts:
        assert extract_targets(text, "d", region="海宁市") == [], text


def test_counted_thing_after_the_number() -> None:
    text = "到2025年，全市80%以上的党政机关建成节约型机关，创建“低（零）碳”公共机构2家以上。"
    got = extract_targets(text, "d", region="海宁市")
    assert [(t.value, t.unit, t.comparator) for t in got] == [(80, "%", ">="), (2, "家", ">=")]
    assert got[0].indicator.startswith("党政机关")


def test_pipe_table_rows() -> None:
    text = ("表3\n2024年碳達峰碳中和工作要點指標清單\n序號 |\n指標名稱 |\n單位 |\n指標值 |\n牽頭單位 |\n"
            "1 |\nGDP能耗 |\n% |\n下降3% |\n市發展改革委 |\n2 |\n開工建設儲能項目 |\n萬千瓦 |\n16 |\n|\n")
    got = extract_targets(text, "d", region="嘉兴市")
    assert [(t.value, t.unit, t.target_year, t.direction) for t in got] == [
        (3, "%", 2024, "decrease"), (16, "万千瓦", 2024, "reach")]
    assert got[1].quote == "開工建設儲能項目 |\n萬千瓦 |\n16"
    _offsets_ok(text, got)


def test_json_field_order_and_integral_values() -> None:
    t = _only(extract_targets("到2025年，全市光伏装机达到470万千瓦。", "doc-1", region="嘉兴市"))
    js = t.as_json()
    assert list(js)[:12] == ["doc", "region", "sector", "indicator", "value", "unit", "direction", "comparator",
                             "target_year", "baseline_year", "quote", "note"]
    assert list(js)[12:] == ["hedge", "quote_start", "quote_end", "indicator_code", "value_canonical", "unit_canonical"]
    assert js["value"] == 470 and isinstance(js["value"], int)
    json.dumps(js, ensure_ascii=False)


@pytest.mark.parametrize("name", ["000_c024b4ef5c96c6e7.txt", "001_473853afd590c8d8.txt", "002_c46747e1f312a09b.txt"])
def test_corpus_quotes_are_exact_substrings(name: str) -> None:
    path = CORPUS / name
    text = path.read_text(encoding="utf-8")
    got = extract_targets(text, name.removesuffix(".txt"))
    assert got
    _offsets_ok(text, got)
    assert all(t.target_year is None or 2000 < t.target_year < 2100 for t in got)
