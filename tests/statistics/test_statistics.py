"""The statistics adapters against the offline mirror (real loopback HTTP): NBS's new UUID API and NEA's
list JSON land every figure the mirror serves exactly as the official-statistics file states it, a second
run lands nothing, a missing indicator name fails loudly, and the pipeline publishes the figures."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import pytest

from carbonpeak.pipeline import StageError, run_all, validate
from carbonpeak_core.landing import read_jsonl
from carbonpeak_core.settings import Settings
from mirror import Mirror
from mirror.site import Answer, Request
from mirror.statistics import NBS_API, STATISTICS_CSV, served_rows, split_quote, statistics_rows
from scrapers.runner import ScrapeError, scrape_source

NBS_HOST, NEA_HOST = "data.stats.gov.cn", "www.nea.gov.cn"


def _landed(settings: Settings, key: str) -> list[dict]:
    return [row for path in sorted((settings.landing_dir / "statistics" / key).glob("*.jsonl"))
            for row in read_jsonl(path)]


def _expected(family: str) -> dict[tuple[str, int, str], dict]:
    return {(r["indicator"], int(r["year"]), r["measure"]): r for r in served_rows(family)}


def _assert_exactly_as_in_csv(landed: list[dict], family: str) -> None:
    expected = _expected(family)
    got = {(r["indicator"], r["year"], r["measure"]): r for r in landed}
    assert len(got) == len(landed), "one record per indicator × year × measure"
    assert set(got) == set(expected)
    for cell, row in expected.items():
        record = got[cell]
        assert record["value"] == float(row["value"]), cell
        assert record["unit"] == row["unit"], cell
        assert record["quote"] == split_quote(row["quote"])[0], cell  # without the compiler's 【注：…】
        assert record["source_url"] == row["source_url"], cell
        assert record["published"] == (row["published"] or None), cell
        assert record["region_code"] == "100000" and record["region_name"] == "全国"


def test_the_mirror_serves_a_verified_copy_of_the_statistics_file() -> None:
    readme = (STATISTICS_CSV.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(STATISTICS_CSV.read_bytes()).hexdigest()
    assert re.search(r"sha256: `([0-9a-f]{64})`", readme)[1] == digest  # type: ignore[index]
    rows = statistics_rows()
    assert len(rows) == 141
    # National rows only, each served once per site; 新能源汽车 and second sources stay out.
    assert len(served_rows("nbs")) == 30 and len(served_rows("nea")) == 9
    served = [*served_rows("nbs"), *served_rows("nea")]
    assert all(r in rows and r["region"] == "全国" for r in served)
    assert not {id(r) for r in served_rows("nbs")} & {id(r) for r in served_rows("nea")}
    # 分省年度数据: one row per province cell of the statistics the provincial catalogue has.
    provincial = served_rows("nbs_provinces")
    assert len(provincial) == 51 and all(r in rows and r["region"].endswith(("省", "市", "区")) for r in provincial)
    assert {r["region"] for r in provincial} >= {"浙江省", "北京市", "宁夏回族自治区", "黑龙江省"}


def test_nbs_lands_every_served_row_and_a_second_run_lands_nothing(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    first = scrape_source("nbs_national", mirror_settings, "run1")
    assert (first.new, first.changed, first.failed) == (30, 0, 0)
    assert first.landing_file == "statistics/nbs_national/run1.jsonl"
    _assert_exactly_as_in_csv(_landed(mirror_settings, "nbs_national"), "nbs")
    # Raw bytes were saved before parsing: every landed record points at its esData answer.
    for record in _landed(mirror_settings, "nbs_national"):
        assert (mirror_settings.raw_dir / record["raw_path"]).exists()

    mirror.clear_log()
    second = scrape_source("nbs_national", mirror_settings, "run2")
    assert (second.new, second.changed, second.unchanged, second.landing_file) == (0, 0, 30, None)
    gets = [r for r in mirror.requests(NBS_HOST, method="GET") if r.path != "/robots.txt"]
    assert gets and all(r.status == 304 for r in gets)  # catalogue and indicator lists: not downloaded again
    assert not (mirror_settings.landing_dir / "statistics" / "nbs_national" / "run2.jsonl").exists()


def test_nbs_provincial_series_land_every_served_province_cell(mirror: Mirror, mirror_settings: Settings) -> None:
    """Live mode asks 分省年度数据 (tree code 6) for the 31 provinces by their 统计用区划代码; each cell lands
    with its province."""
    first = scrape_source("nbs_provinces", mirror_settings, "run1")
    assert (first.new, first.changed, first.failed) == (51, 0, 0)
    landed = _landed(mirror_settings, "nbs_provinces")
    got = {(r["region_name"], r["indicator"], r["year"], r["measure"]): r for r in landed}
    assert len(got) == len(landed) == 51
    for row in served_rows("nbs_provinces"):
        record = got[(row["region"], row["indicator"], int(row["year"]), row["measure"])]
        assert (record["value"], record["unit"]) == (float(row["value"]), row["unit"])
        assert record["quote"] == split_quote(row["quote"])[0] and record["source_url"] == row["source_url"]
        assert re.fullmatch(r"\d{2}0000", record["region_code"]) and record["region_code"] != "100000"
    assert len({r["region_code"] for r in landed}) == 30  # every mainland province but 西藏 (no 2020 figure)


def test_nea_lands_every_served_row_and_a_second_run_downloads_nothing(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    first = scrape_source("nea_ghs", mirror_settings, "run1")
    assert (first.new, first.failed) == (9, 0)
    _assert_exactly_as_in_csv(_landed(mirror_settings, "nea_ghs"), "nea")

    mirror.clear_log()
    second = scrape_source("nea_ghs", mirror_settings, "run2")
    assert (second.new, second.changed, second.unchanged, second.landing_file) == (0, 0, 9, None)
    fetched = [r for r in mirror.requests(NEA_HOST) if r.path != "/robots.txt"]
    # The list shows every release as before: column page and list JSON only, both answered 304.
    assert len(fetched) == 2 and all(r.status == 304 for r in fetched)

    mirror.clear_log()  # after the recheck period each release page gets a conditional GET
    third = scrape_source("nea_ghs", mirror_settings.with_(recheck_days=0), "run3")
    assert (third.new, third.changed, third.unchanged, third.landing_file) == (0, 0, 9, None)
    fetched = [r for r in mirror.requests(NEA_HOST) if r.path != "/robots.txt"]
    assert len(fetched) == 2 + 5 and all(r.status == 304 for r in fetched)  # five release pages


def test_nea_asks_at_once_for_a_release_the_list_shows_redated(mirror: Mirror, mirror_settings: Settings) -> None:
    scrape_source("nea_ghs", mirror_settings, "run1")
    (list_path,) = [p for p in mirror.sites[NEA_HOST].files if re.search(r"/ds_[^/]+\.json$", p)]
    listing = json.loads(mirror.sites[NEA_HOST].files[list_path].body)
    redated = listing["datasource"][0]
    redated["publishTime"] = "2099-01-01 00:00:00"  # the site re-dated one release
    mirror.set_page(NEA_HOST, list_path, json.dumps(listing, ensure_ascii=False).encode("utf-8"), "application/json")
    mirror.clear_log()
    scrape_source("nea_ghs", mirror_settings, "run2")
    column = list_path.rsplit("/", 1)[0] + "/"
    asked = [r.path for r in mirror.requests(NEA_HOST) if r.path not in ("/robots.txt", column, list_path)]
    assert asked == [redated["publishUrl"]]  # that release only, not the four the list shows as before


def test_a_missing_indicator_name_fails_naming_source_url_and_name(
    mirror: Mirror, mirror_settings: Settings
) -> None:
    path = f"{NBS_API}/new/queryIndicatorsByCid"
    original = mirror.sites[NBS_HOST].endpoints[path]

    def without_forest_cover(request: Request) -> Answer:
        answer = original(request)
        payload = json.loads(answer.body)
        payload["data"]["list"] = [i for i in payload["data"]["list"] if i["i_showname"] != "森林覆盖率"]
        return Answer(200, answer.content_type, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    mirror.sites[NBS_HOST].endpoints[path] = without_forest_cover
    with pytest.raises(ScrapeError) as caught:
        scrape_source("nbs_national", mirror_settings, "run1")
    message = str(caught.value)
    assert "[nbs_national]" in message and "森林覆盖率" in message
    assert "https://data.stats.gov.cn/dg/website/publicrelease/web/external/new/queryIndicatorsByCid?cid=" in message
    assert not (mirror_settings.landing_dir / "statistics").exists()


def test_the_pipeline_publishes_the_observations_beside_the_documents(
    mirror: Mirror, mirror_settings: Settings, tmp_path: Path
) -> None:
    settings = mirror_settings.with_(warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    report = run_all(settings)
    assert report.published, report.summary()
    assert not {"nbs_national", "nea_ghs", "jiaxing_fgw", "haining_gov"} & set(report.source_errors)
    assert report.sources["nbs_national"]["new"] == 30 and report.sources["nea_ghs"]["new"] == 9
    assert report.sources["stats_communiques"]["new"] == 95 and report.sources["nbs_provinces"]["new"] == 51
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "select source_key, indicator, year, measure, value, unit, quote, source_url, indicator_code "
            "from fct_indicator_observations"
        ).fetchall()
        documents = con.execute("select count(*) from dim_documents").fetchone()
        sources = con.execute("select distinct source_key from dim_documents order by 1").fetchall()
    assert documents is not None and documents[0] > 0
    assert {("haining_gov",), ("jiaxing_fgw",)} <= set(sources)
    national = [r for r in rows if r[0] in ("nbs_national", "nea_ghs")]
    assert len(national) == 39
    by_cell = {(r[0], r[1], r[2], r[3]): r for r in rows}
    for family, key in (("nbs", "nbs_national"), ("nea", "nea_ghs")):
        for (indicator, year, measure), row in _expected(family).items():
            got = by_cell[(key, indicator, year, measure)]
            assert got[4:8] == (float(row["value"]), row["unit"], split_quote(row["quote"])[0], row["source_url"])
    assert by_cell[("nea_ghs", "风电装机容量", 2023, "level")][8] == "wind_capacity"

    # Sub-national figures (stats_communiques) reach the warehouse coded, and measure targets of provinces and
    # cities: the bar is 80 observations and 35 measured targets in 10 regions.
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        sub_national = con.execute(
            "select count(*) from fct_indicator_observations "
            "where region_code <> '100000' and indicator_code is not null and source_url <> '' and quote <> ''"
        ).fetchone()
        measured = con.execute("select count(*), count(distinct region_code) from fct_target_progress "
                               "where comparison is not null").fetchone()
        hebei = con.execute(
            "select distinct latest_year, latest_level, gap_to_target, observed_annual_rate, required_annual_rate, "
            "on_track from fct_target_progress where region_name = '河北省' and indicator_code = 'forest_coverage' "
            "and target_year = 2025").fetchall()
        haining = con.execute(
            "select distinct latest_year, latest_level, gap_to_target, required_annual_rate, on_track "
            "from fct_target_progress where region_name = '海宁市' and indicator_code = 'non_fossil_share_energy' "
            "and target_year = 2025").fetchall()
    assert sub_national is not None and sub_national[0] >= 80
    assert measured is not None and measured[0] >= 35 and measured[1] >= 10
    assert hebei == [(2022, 35.6, 0.9, 0.3, 0.3, True)]  # 35% (2020) → 35.6% (2022), 36.5% by 2025
    assert haining == [(2020, 17.4, 6.6, 1.32, None)]  # 17.4% in 2020, 24% by 2025: one figure, no verdict

    # Great Expectations: an observation whose quote does not state its value fails the load, and the published
    # warehouse stays as it was.
    with duckdb.connect(str(settings.build_path)) as con:
        changed = con.execute("update fct_indicator_observations set value = value + 0.01 where observation_id = "
                              "(select min(observation_id) from fct_indicator_observations)").fetchone()
    assert changed == (1,)
    published = settings.warehouse_path.read_bytes()
    with pytest.raises(StageError) as failure:
        validate(settings)
    assert "quote_states_value" in failure.value.details
    assert settings.warehouse_path.read_bytes() == published


def test_the_build_works_before_any_statistics_have_landed(mirror_settings: Settings, tmp_path: Path) -> None:
    settings = mirror_settings.with_(warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    report = run_all(settings, sources=["haining_gov"])
    assert report.ok and report.published, report.summary()
    assert report.stages["build"]["rows"]["fct_indicator_observations"] == 0
    assert (settings.landing_dir / "statistics" / "_none" / "empty.jsonl").read_bytes() == b""
