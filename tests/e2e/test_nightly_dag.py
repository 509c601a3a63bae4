"""End to end: the Airflow DAG, run for real (`airflow dags test`) against the offline mirror.

One mirror and one SMTP server live in this test process; the DAG runs in a subprocess pointed at
them through the same environment variables production uses. The first run must publish real
targets from every mirrored document; a second run over a corrupted page must fail validation,
leave the published file byte-identical, and e-mail the failing expectation.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from carbonpeak_core.paths import DEFAULT_SOURCES, REPO_ROOT
from mirror.server import Mirror, running_mirror
from scrapers.registry import load_sources
from tests.duckdb1 import duckdb1_cli
from tests.smtp import Inbox, smtp_inbox

# Under pytest-xdist the tests of this module share one worker, so its module fixtures are built once.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]



@dataclass
class Deployment:
    env: dict[str, str]
    mirror: Mirror
    inbox: Inbox
    warehouse: Path
    data_dir: Path

    def dag_test(self, **extra_env: str) -> subprocess.CompletedProcess[str]:
        env = self.env | {"CARBONPEAK_BASE_URLS": json.dumps(self.mirror.base_urls)} | extra_env
        command = [sys.executable, "-m", "carbonpeak", "dag-test"]
        # Its own process group, so a hung run is killed with the `airflow dags test` it started.
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True) as proc:
            try:
                out, err = proc.communicate(timeout=600)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                pytest.fail(f"the DAG run did not finish in 600 s:\n{out[-4000:]}\n{err[-4000:]}")
        return subprocess.CompletedProcess(command, proc.returncode, out, err)

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deploy")
    with running_mirror() as mirror, smtp_inbox() as inbox:
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(root / "airflow"),
            "CARBONPEAK_DATA_DIR": str(root / "data"),
            "CARBONPEAK_WAREHOUSE": str(root / "warehouse" / "carbonpeak.duckdb"),
            "CARBONPEAK_RATE_LIMIT": "0",
            "CARBONPEAK_SMTP_HOST": inbox.host,
            "CARBONPEAK_SMTP_PORT": str(inbox.port),
            "CARBONPEAK_MAIL_TO": "analysts@example.org",
            # Links in alerts: where people reach the Airflow UI and the served Data Docs folder.
            "CARBONPEAK_AIRFLOW_BASE_URL": "https://airflow.carbonpeak.test",
            "CARBONPEAK_DOCS_BASE_URL": "https://docs.carbonpeak.test/data-docs",
        }
        yield Deployment(env=env, mirror=mirror, inbox=inbox, warehouse=root / "warehouse" / "carbonpeak.duckdb",
                         data_dir=root / "data")


@pytest.fixture(scope="module")
def first_run(deployment: Deployment) -> subprocess.CompletedProcess[str]:
    proc = deployment.dag_test()
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
    return proc


def test_dag_publishes_every_mirrored_document_with_targets(deployment: Deployment, first_run: object) -> None:
    rows = deployment.query(
        "select d.source_key, d.document_id, d.title, d.url, d.region_name, d.compilation_id, count(t.target_id) "
        "from dim_documents d left join fct_targets t using (document_id, version_hash) "
        "where d.is_current group by all order by d.document_id"
    )
    by_source: dict[str, list[tuple[object, ...]]] = {}
    for row in rows:
        by_source.setdefault(str(row[0]), []).append(row)
    assert set(by_source) == {"jiaxing_fgw", "haining_gov", "carbonpeak_compilation_v7", "govcn_policy_library",
                              "gd_gkmlpt", "zhanjiang_jrj", "bjx_guangfu", "shandong_gov", "fuzhou_gov", "fujian_gov"}

    # The city sites: corpus documents 000-002, each with targets, under the site's own URL.
    city = by_source["jiaxing_fgw"] + by_source["haining_gov"]
    assert len(city) == 3
    for _, document_id, title, url, region_name, _, targets in city:
        assert url.startswith(("https://fgw.jiaxing.gov.cn/art/", "https://www.haining.gov.cn/")), url
        assert title and region_name in {"嘉兴市", "海宁市"}, (document_id, title, region_name)
        assert targets > 0, f"{document_id} ({title}) published without targets"

    # The compilation (corpus 003): every document it holds lands as its own document, placed.
    compiled = by_source["carbonpeak_compilation_v7"]
    assert len(compiled) == 114
    assert all(r[5] for r in compiled)  # each names the compilation it came in
    assert all(r[2] and r[4] for r in compiled), [r for r in compiled if not (r[2] and r[4])][:3]
    assert sum(1 for r in compiled if r[6] > 0) >= 90
    provinces = deployment.query(
        "select count(distinct region_code) from dim_documents where region_level = 'province'")
    assert provinces[0][0] >= 25

    # gov.cn's policy library: the two national documents, 全国.
    national = by_source["govcn_policy_library"]
    assert len(national) == 2 and {r[4] for r in national} == {"全国"} and all(r[6] > 0 for r in national)

    # Guangdong gkmlpt: the compilation's three Guangdong documents as posts, placed by SiteIDCode.
    guangdong = by_source["gd_gkmlpt"] + by_source["zhanjiang_jrj"]
    assert sorted(r[4] for r in guangdong) == ["广东省", "广东省", "湛江市"] and all(r[6] > 0 for r in guangdong)
    assert all("/gkmlpt/content/" in r[3] for r in guangdong)

    # 北极星: seed 000 at its own URL, as news about 嘉兴市.
    [news] = by_source["bjx_guangfu"]
    assert news[3] == "https://guangfu.bjx.com.cn/news/20230525/1308953.shtml" and news[4] == "嘉兴市" and news[6] > 0

    # Real PDFs: two attachments (Hanweb downfile.jsp, TRS oldsrc) and two PDF-only entries, each placed in its
    # issuer's region, each with targets, every one read from the PDF and naming it (the notice pages show only
    # their title and 文号 of their own).
    pdfs = by_source["shandong_gov"] + by_source["fuzhou_gov"] + by_source["fujian_gov"]
    assert sorted(r[4] for r in pdfs) == ["山东省", "山东省", "福州市", "福建省"] and all(r[6] > 0 for r in pdfs)
    unnamed = deployment.query(
        "select count(*) from fct_targets t join dim_documents d using (document_id, version_hash) "
        "where d.source_key in ('shandong_gov', 'fuzhou_gov', 'fujian_gov') and t.attachment_name is null")
    assert unnamed == [(0,)]


def test_make_run_prints_a_short_summary_with_the_real_figures(deployment: Deployment, first_run: object) -> None:
    """What `make run` shows (carbonpeak dag-test): at most 60 lines — a line per source and stage, read from the
    events the Airflow tasks write — and a summary whose figures are the published warehouse's; Airflow's, dbt's and
    GX's output is in the log file it names."""
    proc = first_run
    assert isinstance(proc, subprocess.CompletedProcess)
    out = proc.stdout
    lines = out.splitlines()
    assert len(lines) <= 60, f"{len(lines)} lines:\n{out}"
    sources = re.findall(r"^scrape +(\w+) +(\d+) new, 0 changed", out, re.M)
    registry = {r[0] for r in deployment.query("select distinct source_key from dim_sources")}
    assert {key for key, _ in sources} == registry and len(sources) == len(registry), out
    for stage in ("freshness", "extract", "build", "validate", "publish", "report", "digest"):
        assert re.search(rf"^{stage} ", out, re.M), f"no line for {stage}:\n{out}"
    assert re.search(r"^build +dbt: (\d+)/\1 nodes done", out, re.M), out

    [(documents, targets, versions)] = deployment.query(
        "select (select count(*) from dim_documents where is_current), (select count(*) from fct_targets), "
        "(select count(*) from dim_documents)")
    assert re.search(r"^Run \S+: published$", out, re.M), out
    assert re.search(rf"^  published +{documents:,} new and 0 changed documents; [\d,]+ new targets", out, re.M), out
    assert re.search(rf"^  targets +{targets:,} in {versions:,} document versions$", out, re.M), out
    assert f"  warehouse   {deployment.warehouse}\n" in out
    docs = re.search(r"^  Data Docs +(\S+)$", out, re.M)
    assert docs and Path(docs.group(1)).is_file()
    assert re.search(r"^  e-mail +1 sent \(\[carbonpeak\] [\d,]+ new documents", out, re.M), out  # the digest
    log_file = Path(re.search(r"^  full log +(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    assert log_file.parent == deployment.data_dir / "logs"
    text = log_file.read_text(encoding="utf-8")
    assert "[DAG TEST]" in text and "dbt build output" in text and "Skipping registering" in text
    for noise in ("[DAG TEST]", "Skipping registering", "config_provider", "dbt build output"):
        assert noise not in out + proc.stderr


def test_official_statistics_are_published_beside_the_targets(deployment: Deployment, first_run: object) -> None:
    counts = dict(deployment.query("select source_key, count(*) from fct_indicator_observations group by 1"))
    assert counts == {"nbs_national": 30, "nea_ghs": 9, "nbs_provinces": 51, "stats_communiques": 95}
    [row] = deployment.query(
        "select value, unit, measure, source_url from fct_indicator_observations "
        "where region_name = '全国' and indicator = '非化石能源占能源消费总量比重' "
        "and year = 2024 and measure = 'level'")
    assert row[:3] == (19.8, "%", "level") and str(row[3]).startswith("http")


def test_jiaxing_pv_target_is_published_with_quote_and_source(deployment: Deployment, first_run: object) -> None:
    rows = deployment.query(
        "select t.region_name, t.region_code, t.value, t.unit, t.direction, t.target_year, t.quote, t.source_url, "
        "d.body_text, t.indicator_code, t.value_canonical, t.unit_canonical, i.name_en "
        "from fct_targets t join dim_documents d using (document_id, version_hash) "
        "join dim_indicators i using (indicator_code) "
        "where t.indicator like '%光伏装机%' and t.value = 470 and d.source_key = 'jiaxing_fgw'"
    )
    assert rows, "the 嘉兴 2025 PV target (470 万千瓦) is missing"
    region, code, value, unit, direction, year, quote, url, body, *normalised = rows[0]
    assert (region, code, value, unit, direction, year) == ("嘉兴市", "330400", 470.0, "万千瓦", "reach", 2025)
    assert normalised == ["solar_capacity", 4700.0, "MW", "Solar PV installed capacity"]
    assert "470万千瓦" in quote and quote in body
    assert url.startswith("https://fgw.jiaxing.gov.cn/art/2023/5/5/art_")
    corpus_text = (REPO_ROOT / "mirror/corpus/000_c024b4ef5c96c6e7.txt").read_text(encoding="utf-8")
    assert quote in corpus_text


def test_every_quote_is_an_exact_substring_at_its_offsets(deployment: Deployment, first_run: object) -> None:
    rows = deployment.query(
        "select t.quote, t.quote_start, t.quote_end, d.body_text from fct_targets t "
        "join dim_documents d using (document_id, version_hash)"
    )
    assert len(rows) > 20
    for quote, start, end, body in rows:
        assert body[start:end] == quote


def test_example_queries_are_documented_and_return_rows(deployment: Deployment, first_run: object) -> None:
    queries = sorted((REPO_ROOT / "warehouse" / "queries").glob("*.sql"))
    assert len(queries) >= 8
    for path in queries:
        sql = path.read_text(encoding="utf-8")
        assert sql.startswith("-- "), f"{path.name} does not open with a comment saying what it answers"
        assert deployment.query(sql), f"{path.name} returned no rows"


def test_a_duckdb_1x_client_opens_the_published_warehouse_and_runs_every_query(
        deployment: Deployment, first_run: object) -> None:
    """Analysts' DuckDB 1.x tools (the CLI from PyPI, DBeaver's and R's drivers) read storage versions up to 68;
    the build file is duckdb 2.0's (69). The published file must open in the 1.x CLI, read-only as README says,
    hold tables only (nothing reading a landing file at query time, no staging or intermediate relation), and
    answer every example query with the rows duckdb 2.0 gives."""
    cli = duckdb1_cli()

    def run(sql: str) -> list[dict[str, object]]:
        proc = subprocess.run([str(cli), "-readonly", "-json", str(deployment.warehouse)], input=sql,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and not proc.stderr, proc.stderr[-3000:]
        return json.loads(proc.stdout) if proc.stdout.strip() else []

    relations = run("select table_schema, table_name, table_type from information_schema.tables")
    assert relations and {(r["table_schema"], r["table_type"]) for r in relations} == {("main", "BASE TABLE")}
    names = {str(r["table_name"]) for r in relations}
    assert not {n for n in names if n.startswith(("stg_", "int_"))}
    assert {"fct_targets", "dim_documents", "targets_current", "fct_target_progress"} <= names
    build = deployment.data_dir / "build" / "carbonpeak.duckdb"
    refused = subprocess.run([str(cli), "-readonly", str(build), "-c", "select 1"], capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode != 0 and "version" in refused.stderr  # the reason the published file is rewritten

    queries = sorted((REPO_ROOT / "warehouse" / "queries").glob("*.sql"))
    assert len(queries) >= 11
    for path in queries:
        sql = path.read_text(encoding="utf-8")
        rows = run(sql)
        assert rows, f"{path.name} returned no rows in the DuckDB 1.x client"
        assert len(rows) == len(deployment.query(sql)), path.name


def test_the_readme_queries_run_and_return_rows(deployment: Deployment, first_run: object) -> None:
    """Every ```sql block of the README, statement by statement: what analysts copy first must work."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    statements = [st.strip() for block in blocks for st in block.split(";") if st.strip()]
    statements = [st for st in statements if re.search(r"^\s*select\b", st, flags=re.M | re.I)]
    assert len(statements) >= 5
    for sql in statements:
        assert deployment.query(sql), f"README query returned no rows:\n{sql}"


def _progress(deployment: Deployment, indicator_code: str, target_year: int, **where: object) -> dict[str, object]:
    """The progress rows of one national target, which must agree across the documents restating it."""
    columns = ["comparison", "latest_year", "latest_level", "change_so_far", "gap_to_target", "years_left",
               "pace_from_year", "observed_annual_rate", "required_annual_rate", "rate_unit", "target_met_now",
               "on_track", "figures_used"]
    extra = "".join(f" and {column} = ?" for column in where)
    rows = deployment.query(
        f"select {', '.join(columns)} from fct_target_progress "
        f"where region_code = '100000' and indicator_code = ? and target_year = ?{extra}",
        [indicator_code, target_year, *where.values()])
    assert rows, f"no progress row for the national {indicator_code} target of {target_year}"
    assert len(set(rows)) == 1, rows
    return dict(zip(columns, rows[0], strict=True))


def test_national_targets_show_progress_against_the_official_figures(
        deployment: Deployment, first_run: object) -> None:
    # 非化石能源消费比重 25% by 2030 (a share: percentage points a year). Official levels: 15.9% (2020),
    # 19.8% (2024, the latest): 3.9 pp in 4 years = 0.975 pp/yr against (25 − 19.8) / 6 = 0.8667 needed.
    row = _progress(deployment, "non_fossil_share_energy", 2030, value=25.0)
    assert (row["comparison"], row["latest_year"], row["latest_level"], row["pace_from_year"]) == (
        "level", 2024, 19.8, 2020)
    assert row["gap_to_target"] == pytest.approx(25 - 19.8)
    assert row["observed_annual_rate"] == pytest.approx((19.8 - 15.9) / 4, abs=1e-4)
    assert row["required_annual_rate"] == pytest.approx((25 - 19.8) / 6, abs=1e-4)
    assert (row["rate_unit"], row["target_met_now"], row["on_track"]) == ("pp/yr", False, True)
    # …and 80% by 2060 needs (80 − 19.8) / 36 = 1.672 pp/yr: off track at 0.975.
    row = _progress(deployment, "non_fossil_share_energy", 2060)
    assert row["required_annual_rate"] == pytest.approx(60.2 / 36, abs=1e-4) and row["on_track"] is False

    # 单位GDP能耗 下降13.5% from 2020 to 2025. Official year-on-year changes after 2020: −2.7% (2021) and
    # −0.1% (2022); chained: 0.973 × 0.999 = 0.972027, i.e. −2.7973% in two years (−1.4086%/yr). Still
    # needed: 0.865 / 0.972027 over three years = −3.8138%/yr. The 2020 change (−0.1%) is not in the chain.
    row = _progress(deployment, "energy_intensity_gdp", 2025)
    assert (row["comparison"], row["latest_year"], row["pace_from_year"], row["years_left"]) == (
        "change_from_chained_yoy", 2022, 2020, 3)
    assert row["change_so_far"] == pytest.approx((0.973 * 0.999 - 1) * 100, abs=1e-6)
    assert row["observed_annual_rate"] == pytest.approx(((0.973 * 0.999) ** 0.5 - 1) * 100, abs=1e-4)
    assert row["required_annual_rate"] == pytest.approx(((0.865 / (0.973 * 0.999)) ** (1 / 3) - 1) * 100, abs=1e-4)
    assert (row["target_met_now"], row["on_track"]) == (False, False)
    assert "2021: 单位GDP能耗 -2.7 %" in str(row["figures_used"]) and "2020:" not in str(row["figures_used"])

    # 风电、太阳能发电总装机容量 12亿千瓦 by 2030, by the taxonomy's sum rule: wind 5.2 + solar 8.9 亿千瓦
    # (NEA, end of 2024) = 14.1 亿千瓦 = 1 410 000 MW — already met.
    row = _progress(deployment, "wind_solar_capacity", 2030)
    assert (row["comparison"], row["latest_year"], row["latest_level"]) == ("level", 2024, 1_410_000.0)
    assert row["gap_to_target"] == pytest.approx(1_200_000 - 1_410_000)
    assert (row["rate_unit"], row["target_met_now"], row["on_track"]) == ("%/yr", True, True)

    # 森林覆盖率 24.1% by 2025: one official level (24.02%, 2022) gives a gap but no pace, so no verdict.
    row = _progress(deployment, "forest_coverage", 2025)
    assert (row["latest_year"], row["latest_level"], row["pace_from_year"], row["on_track"]) == (
        2022, 24.02, None, None)

    # Provinces and cities are measured against their own figures too (issue 16), and every other target says why.
    measured = deployment.query(
        "select count(*), count(distinct region_code) from fct_target_progress where comparison is not null")
    assert measured[0][0] >= 35 and measured[0][1] >= 10
    assert deployment.query(
        "select count(*) from fct_target_progress where (comparison is null) = (not_comparable_reason is null)"
    ) == [(0,)]


def test_consistency_lines_up_levels_and_documents(deployment: Deployment, first_run: object) -> None:
    findings = set(deployment.query(
        "select check_kind, region_name, value, compared_region_name, compared_value, finding, is_flagged "
        "from fct_target_consistency where indicator_code in ('energy_intensity_gdp', 'non_fossil_share_energy') "
        "and target_year = 2025"))
    # 单位GDP能耗 cuts from 2020: 广西 13% against the nation's 13.5% is weaker; 海宁 18% against 嘉兴 16% stricter.
    assert ("lower_level_vs_parent", "广西壮族自治区", 13.0, "全国", 13.5, "weaker", True) in findings
    assert ("lower_level_vs_parent", "海宁市", 18.0, "嘉兴市", 16.0, "stricter", False) in findings
    # 吉林省's 实施意见 says a 15.5% non-fossil share by 2025, its 实施方案 17.7%.
    assert ("documents_of_one_region", "吉林省", 15.5, "吉林省", 17.7, "disagree", True) in findings


def test_a_night_with_nothing_new_skips_build_validate_and_publish(deployment: Deployment, first_run: object) -> None:
    """The DAG again, over the same mirror: the `changes` task finds the landing data (and the code) as the last
    publish left them and short-circuits extract, build, validate, publish, digest and report."""
    before = hashlib.sha256(deployment.warehouse.read_bytes()).hexdigest()
    messages = len(deployment.inbox.messages)
    runs_before = set((deployment.data_dir / "landing" / "runs").iterdir())
    proc = deployment.dag_test()
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-6000:]
    [run] = set((deployment.data_dir / "landing" / "runs").iterdir()) - runs_before
    stages = {p.name for p in run.glob("stage__*.json")}
    assert stages == {"stage__freshness.json", "stage__changes.json"}, stages
    event = json.loads((run / "stage__changes.json").read_text(encoding="utf-8"))
    assert json.loads(event["details"])["outcome"] == "no change"
    assert re.search(r"^Run .*: no change since the last publish: nothing built$", proc.stdout, re.M), proc.stdout
    scraped = {p.name.removeprefix("source__").removesuffix(".json") for p in run.glob("source__*.json")}
    assert scraped == set(load_sources(DEFAULT_SOURCES))  # every source was still scraped
    assert hashlib.sha256(deployment.warehouse.read_bytes()).hexdigest() == before
    assert len(deployment.inbox.messages) == messages  # no digest, no alert


@dataclass
class RevisedRun:
    published_sha256: str
    messages_before: int
    proc: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def revised_run(deployment: Deployment, first_run: object) -> RevisedRun:
    """The 嘉兴 site starts serving a corrupted revision of its PV plan: a target year past 2060 (碳中和)
    passes dbt's structural tests but not the GX content rules."""
    before = hashlib.sha256(deployment.warehouse.read_bytes()).hexdigest()
    already = len(deployment.inbox.messages)
    corpus = REPO_ROOT / "mirror/corpus/000_c024b4ef5c96c6e7.txt"
    text = corpus.read_text(encoding="utf-8")
    assert "到2025年，全市光伏装机" in text
    deployment.mirror.replace_text(corpus.name, text.replace("到2025年，全市光伏装机", "到2099年，全市光伏装机", 1))
    # A silent edit (the list is unchanged): the night that rechecks known pages finds it.
    return RevisedRun(before, already, deployment.dag_test(CARBONPEAK_RECHECK_DAYS="0"))


def test_a_failed_validation_blocks_publish_and_sends_an_alert(deployment: Deployment, revised_run: RevisedRun) -> None:
    proc, before, already = revised_run.proc, revised_run.published_sha256, revised_run.messages_before
    assert proc.returncode != 0, "the DAG run should fail at validate"
    assert hashlib.sha256(deployment.warehouse.read_bytes()).hexdigest() == before
    messages = deployment.inbox.wait_for(already + 1)
    alerts = [m for m in messages[already:] if "validate" in m["Subject"]]
    assert alerts, [m["Subject"] for m in messages]
    body = alerts[0].get_content()
    assert "expect_column_values_to_be_between" in body and "target_year" in body
    assert "2099" in body
    # Headers relays and mail clients need; the pipeline's run id (the run log's key), not Airflow's.
    assert alerts[0]["Date"] and alerts[0]["Message-ID"], dict(alerts[0])
    # The inbox keeps the SMTP wire's CRLF line ends.
    [run_id] = re.findall(r"^Run:\s+(\S+)\s*$", body, flags=re.M)
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", run_id), run_id
    assert (deployment.data_dir / "landing" / "runs" / run_id).is_dir(), f"no run log for {run_id}"
    # Links people can open: the failed task's log in the Airflow UI, the Data Docs under their web root.
    [log_url] = re.findall(r"^Log:\s+(\S+)\s*$", body, flags=re.M)
    assert re.fullmatch(r"https://airflow\.carbonpeak\.test/dags/carbonpeak_nightly/runs/[^/]+/tasks/validate"
                        r"\?try_number=1", log_url), log_url
    assert "https://docs.carbonpeak.test/data-docs/index.html" in body
    assert str(deployment.data_dir / "gx") not in body, "the alert shows a worker's file path"


def test_mapped_scrapes_are_named_by_source_key(deployment: Deployment, first_run: object) -> None:
    """The UI lists each mapped scrape under its source key (map_index_template), not as 0..N."""
    import sqlite3

    with sqlite3.connect(Path(deployment.env["AIRFLOW_HOME"]) / "airflow.db") as con:
        rows = con.execute("select map_index, rendered_map_index from task_instance where task_id = 'scrape' "
                           "and map_index >= 0").fetchall()
    from carbonpeak.pipeline import list_sources
    from carbonpeak_core.settings import Settings

    keys = list_sources(Settings())
    assert len(rows) >= len(keys)
    assert {name for _, name in rows} == set(keys), rows


def test_a_failed_validation_is_on_the_console_with_its_expectation(deployment: Deployment,
                                                                    revised_run: RevisedRun) -> None:
    out = revised_run.proc.stdout
    assert re.search(r"^validate +FAILED: StageError: validate: \d+ expectation\(s\) failed", out, re.M), out
    assert "expect_column_values_to_be_between on column target_year" in out and "2099" in out
    assert re.search(r"^Run \S+: FAILED at validate; the published warehouse is unchanged$", out, re.M), out
    assert re.search(r"^  e-mail +1 sent \(\[carbonpeak\] validate failed", out, re.M), out
    assert len(out.splitlines()) <= 60 + 10  # the failing expectations are shown, at most 8 lines of them


def test_documents_say_what_they_are(deployment: Deployment, first_run: object) -> None:
    rows = deployment.query(
        "select document_id, document_type, script, region_level, is_superseded from dim_documents "
        "where source_key in ('jiaxing_fgw', 'haining_gov') order by 1"
    )
    assert rows == [
        ("haining_gov:2435122", "implementation_plan", "simplified", "county", False),   # 海宁市…实施方案
        ("jiaxing_fgw:59023456", "implementation_plan", "simplified", "city", False),    # 清洁生产推行方案
        ("jiaxing_fgw:59412345", "annual_work_plan", "traditional", "city", False),      # 2024年…工作要點
    ]
    assert deployment.query("select count(*) from targets_current") == deployment.query(
        "select count(*) from fct_targets where is_current")
    # a news repost is news, and names the official document it quotes
    news = deployment.query("select document_type, quoted_title from dim_documents where source_key = 'bjx_guangfu'")
    assert news == [("news", "嘉兴市清洁生产推行方案（2022-2025年）")]


def test_a_revised_target_keeps_both_versions(deployment: Deployment, revised_run: RevisedRun) -> None:
    # The refused load is not published, but its build file holds what dbt made of the revision: the
    # landing keeps both versions of the page and fct_target_versions keeps the target of each.
    build = deployment.data_dir / "build" / "carbonpeak.duckdb"
    with duckdb.connect(str(build), read_only=True) as con:
        rows = con.execute(
            "select version_number, change_kind, target_year, value, valid_to is null "
            "from fct_target_versions where document_id = 'jiaxing_fgw:59023456' and value is not distinct from 470 "
            "or (document_id = 'jiaxing_fgw:59023456' and change_kind = 'withdrawn' and previous_value = 470) "
            "order by version_number, change_kind").fetchall()
        versions = con.execute(
            "select count(*) from dim_documents where document_id = 'jiaxing_fgw:59023456'").fetchall()
    assert versions == [(2,)]
    # The page states 到2025年，全市光伏装机达到470万千瓦 twice (the news lead and the 原文 below it); the
    # revision rewrote the first: version 2 adds a 2099 target and still states the 2025 one.
    assert rows == [
        (1, "added", 2025, 470.0, False),      # version 1's row, closed by version 2
        (2, "added", 2099, 470.0, True),       # the revision's year: a new target
        (2, "unchanged", 2025, 470.0, True),   # still stated in version 2
    ]
    # The published warehouse still has the one version it was built from.
    assert deployment.query("select max(version_number) from fct_target_versions "
                            "where document_id = 'jiaxing_fgw:59023456'") == [(1,)]


def test_dbt_docs_generate_documents_every_mart_column(deployment: Deployment, first_run: object,
                                                       tmp_path: Path) -> None:
    # Against the build file of the run above: no new build, only the catalog queries.
    build = deployment.data_dir / "build" / "carbonpeak.duckdb"
    project = REPO_ROOT / "dbt_project"
    env = deployment.env | {"CARBONPEAK_BUILD_PATH": str(build),
                            "CARBONPEAK_LANDING_DIR": str(deployment.data_dir / "landing")}
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "docs", "generate", "--static", "--project-dir", str(project),
         "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert (tmp_path / "target" / "static_index.html").stat().st_size > 100_000
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text(encoding="utf-8"))
    marts = {uid: node for uid, node in manifest["nodes"].items()
             if node["resource_type"] == "model" and node["path"].startswith("marts")}
    assert {"model.carbonpeak.fct_target_progress", "model.carbonpeak.fct_target_consistency",
            "model.carbonpeak.fct_target_versions"} <= set(marts)
    undocumented = []
    for uid, node in marts.items():
        assert node["description"], f"{uid} has no description"
        documented = {name for name, column in node["columns"].items() if column.get("description")}
        undocumented += [f"{node['name']}.{c}" for c in catalog["nodes"][uid]["columns"] if c not in documented]
    assert not undocumented, f"mart columns without a description: {undocumented}"
