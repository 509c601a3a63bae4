"""Provincial and city figures: the communiqué column of the offline mirror serves every sub-national row of the
official-statistics file as its source states it (sentences, flattened bulletin rows, a plan's ` | ` table),
and `scrapers.statistics.communique` reads them back from the text over real loopback HTTP — every figure of a
taxonomy statistic with its quote and source URL — and the reading rules hold on their own."""

from __future__ import annotations

import csv
import re

import pytest

from carbonpeak_core.landing import read_jsonl
from carbonpeak_core.paths import SEEDS
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.statistics import communique_releases, split_quote, statistics_rows
from scrapers.runner import ScrapeError, scrape_source
from scrapers.statistics.communique import Places, read_paragraph, read_release

HOST = "www.stats.gov.cn"
KEY = "stats_communiques"


def _taxonomy_statistics() -> set[str]:
    with (SEEDS / "indicator_taxonomy.csv").open(encoding="utf-8") as fh:
        return {s.strip() for row in csv.DictReader(fh) for s in row["statistic_indicator"].split("+") if s.strip()}


def _sub_national() -> list[dict[str, str]]:
    return [r for r in statistics_rows() if r["region"] != "全国"]


def _landed(settings: Settings) -> list[dict]:
    return [row for path in sorted((settings.landing_dir / "statistics" / KEY).glob("*.jsonl"))
            for row in read_jsonl(path)]


def _value_in_quote(value: float, quote: str) -> bool:
    numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", quote)}
    return abs(value) in numbers


def test_every_sub_national_figure_of_the_taxonomy_lands_with_its_quote_and_source(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    first = scrape_source(KEY, mirror_settings, "run1")
    landed = _landed(mirror_settings)
    assert first.failed == 0 and first.new == len(landed)
    got = {(r["region_name"], r["indicator"], r["year"], r["measure"], r["source_url"]): r for r in landed}
    assert len(got) == len(landed), "one record per place × statistic × year × measure × release"
    statistics = _taxonomy_statistics()
    expected = [r for r in _sub_national() if r["indicator"] in statistics]
    assert len(_sub_national()) == 95 and len(expected) == 92  # 能源消费总量增速 is no taxonomy statistic
    missing = []
    for row in expected:
        record = got.get((row["region"], row["indicator"], int(row["year"]), row["measure"], row["source_url"]))
        if record is None:
            missing.append((row["region"], row["indicator"], row["year"]))
            continue
        assert record["value"] == float(row["value"]), row
        assert record["unit"] == row["unit"], row
        assert record["quote"] == split_quote(row["quote"])[0], row  # as the source states it, no 【注】
        assert record["source_title"] == row["source_title"]
        full_date = re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["published"])  # 贵州's page shows only 2021-01
        assert record["published"] == (row["published"] if full_date else None), row
        assert re.fullmatch(r"\d{6}", record["region_code"])
    # The one figure its page does not date: 吉林's "过去五年…由44.3%提高到45.2%" on an undated repost whose
    # title names no year (the statistics file infers 2022 from a news conference, in its note).
    assert missing == [("吉林省", "森林覆盖率", "2022")]
    # Nothing is read that its quote does not state; the few figures beyond the file's rows are further
    # figures the same quotes state (青海 新能源装机 2630 万千瓦 in its 2021 sentence, …).
    assert all(_value_in_quote(r["value"], r["quote"]) for r in landed)
    rows = {(r["region"], r["indicator"], int(r["year"]), float(r["value"])) for r in _sub_national()}
    beyond = [r for r in landed if (r["region_name"], r["indicator"], r["year"], r["value"]) not in rows]
    assert [(r["region_name"], r["indicator"], r["year"], r["value"]) for r in beyond] == [
        ("青海省", "新能源装机容量", 2021, 2630.0)]

    mirror.clear_log()
    second = scrape_source(KEY, mirror_settings, "run2")
    assert (second.new, second.changed, second.landing_file) == (0, 0, None)
    fetched = [r for r in mirror.requests(HOST) if r.path != "/robots.txt"]
    assert len(fetched) == 1  # the column page only: every release is listed as before


def test_a_release_page_that_changed_layout_fails_alone_naming_its_url(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    broken = communique_releases()[0]
    mirror.set_page(HOST, broken["path"], "<html><body><p>改版</p></body></html>".encode(), "text/html; charset=utf-8")
    with pytest.raises(ScrapeError) as caught:
        scrape_source(KEY, mirror_settings, "run1")
    message = str(caught.value)
    assert f"[{KEY}]" in message and broken["path"] in message and ".article-content" in message
    landed = _landed(mirror_settings)
    assert landed and all(r["source_url"] != broken["source_url"] for r in landed)  # the others landed


# -- the reading rules, on real sentences of the file ------------------------------------------------


def _read(text: str, title: str, published: str | None = None) -> set[tuple[str, str, int, float, str]]:
    return {(f.place.name, f.statistic, f.year, f.value, f.measure)
            for f in read_release([text], title=title, published=published)}


def test_a_target_inside_the_sentence_is_not_a_figure() -> None:
    text = ("2021 年,全省生产总值(GDP)提前一年实现省第十四次党代会确定的到2022 年7万亿元的奋斗目标,为73516 亿元,"
            "按年平均汇率折算,达1.14 万亿美元,")
    title = "解读《2021年浙江省国民经济和社会发展统计公报》"
    assert _read(text, title) == {("浙江省", "地区生产总值", 2021, 73516.0, "level")}


def test_respectively_pairs_names_and_numbers_in_order() -> None:
    text = "共完成营造林150万亩,森林覆盖率、草原综合植被盖度、湿地保护率分别达到18%、56.7%、56%。"
    assert _read(text, "我区全面完成2022年度造林种草任务 森林覆盖率达18%（宁夏日报）") == {
        ("宁夏回族自治区", "森林覆盖率", 2022, 18.0, "level")}
    text = ("青海全省電源總裝機和清潔能源裝機分別達到5497.08萬千瓦、5107.94萬千瓦,"
            "清潔能源裝機規模突破5000萬千瓦、較2022年底增長23.77%,")
    assert _read(text, "中新社：青海清潔能源裝機規模突破5000萬千瓦", "2024-01-04") == {
        ("青海省", "清洁能源装机容量", 2023, 5107.94, "level")}


def test_a_rise_from_one_level_to_another_gives_the_later_and_a_plan_period_its_last_year() -> None:
    text = ("全省累计完成营造林3954万亩,森林面积由8700万亩增加到9901万亩,森林覆盖率由31%提高到35%,"
            "森林蓄积量由1.44亿立方米增长到1.75亿立方米。")
    title = "河北省林业十三五成就（河北日报）"
    assert _read(text, title, "2021-04-26") == {("河北省", "森林覆盖率", 2020, 35.0, "level")}


def test_a_list_of_places_gives_one_figure_each_and_a_capacity_in_kwh_is_read_as_kw() -> None:
    text = "截至2021年底光伏累计装机容量前三的为山东(3343.4万千瓦)、河北(2921.3万千瓦时)、江苏(1916万千瓦时)"
    assert _read(text, "各省2021光伏建设和运行情况公布") == {
        ("山东省", "光伏发电装机容量", 2021, 3343.4, "level"), ("河北省", "光伏发电装机容量", 2021, 2921.3, "level"),
        ("江苏省", "光伏发电装机容量", 2021, 1916.0, "level")}


def test_traditional_script_with_inline_pinyin_is_read_and_quoted_as_written() -> None:
    text = ("根據地區(qu)生(sheng)產(chan)總(zong)值(zhi)統一(yi)初步核算,"
            "2020年(nian)嘉興市生(sheng)產(chan)總(zong)值(zhi)(GDP)5509.52億(yi)元(yuan),"
            "比上年(nian)增(zeng)(zeng)(zeng)(zeng)(zeng)長3.5%。")
    figures = read_release([text], title="嘉兴各区GDP排行榜", published=None)
    read = [(f.place.name, f.year, f.value, f.unit, f.quote) for f in figures]
    assert read == [("嘉兴市", 2020, 5509.52, "亿元", text)]


def test_a_fall_is_a_negative_change_and_a_short_head_counts_only_for_a_place_its_sentence_names() -> None:
    text = ("2021年,全省规模以上工业单位增加值能耗下降5.8%,其中,"
            "千吨以上和重点监测用能企业单位增加值能耗分别下降6.7%和6.9%。")
    assert _read(text, "数说“浙”五年（浙江日报）", "2022-06-18") == {
        ("浙江省", "规模以上工业单位增加值能耗", 2021, -5.8, "yoy_change")}
    text = ("有7个地区生产总值能耗上升,其中上升幅度最大的是内蒙古,能耗上升6.89%,其次是浙江,能耗上升6.34%,"
            "上升幅度排名第三的是辽宁,能耗上升3.96%;")
    assert _read(text, "北京能耗降幅第一!2020年全国万元地区生产总值能耗降低率发布!", "2021-08-24") == {
        ("内蒙古自治区", "单位GDP能耗", 2020, 6.89, "yoy_change"), ("浙江省", "单位GDP能耗", 2020, 6.34, "yoy_change"),
        ("辽宁省", "单位GDP能耗", 2020, 3.96, "yoy_change")}


def test_tables_read_the_columns_their_header_names_and_never_a_target_column() -> None:
    header = "地区 万元地区生产总值能耗上升或下降(±%) 能源消费总量增速(%) 万元地区生产总值电耗上升或下降(±%)"
    title = "2020年各省、自治区、直辖市万元地区生产总值能耗降低率等指标公报"
    figures = read_release([header, "黑龙江 -1.70 -0.8 0.92", "吉 林 -1.57 0.8 0.83"], title=title,
                           published="2021-08-23")
    assert {(f.place.name, f.statistic, f.year, f.value, f.measure) for f in figures} == {
        ("黑龙江省", "单位GDP能耗", 2020, -1.7, "yoy_change"), ("吉林省", "单位GDP能耗", 2020, -1.57, "yoy_change")}
    header = "指标 | 单位 | 2020年指标 实际值 | 2025年指标 目标值 | 变化幅度"
    row = "非化石能源占能源消费总量比重 | % | 17.4 | 24左右 | 增加6.6左右"
    figures = read_release([header, row], title="海宁市“十四五”节能减排综合工作实施方案", published=None)
    assert [(f.place.name, f.statistic, f.year, f.value, f.quote) for f in figures] == [
        ("海宁市", "非化石能源占能源消费总量比重", 2020, 17.4, row)]


def test_short_county_names_count_only_under_a_place_the_title_names() -> None:
    text = "海宁的GDP为1318亿元,增长达8%;"
    assert _read(text, "嘉兴五县两区GDP排名:2023年经济新亮点") == {("海宁市", "地区生产总值", 2023, 1318.0, "level")}
    assert "海宁" not in Places("2023年经济新亮点").names
    assert not read_paragraph(text, places=Places("2023年经济新亮点"), year=2023, title="2023年经济新亮点")


def test_nbs_asks_for_provinces_by_their_statistical_codes() -> None:
    """Live mode: `regions` turns the esData query to 分省年度数据; a code that is not 12 digits is refused."""
    from scrapers.statistics.nbs import region_params

    assert region_params([]) == [{"text": "全国", "value": "000000000000"}]
    assert region_params([{"name": "浙江省", "code": "330000000000"}]) == [{"text": "浙江省", "value": "330000000000"}]
    with pytest.raises(ValueError, match=r"浙江省.*12-digit"):
        region_params([{"name": "浙江省", "code": "330000"}])
