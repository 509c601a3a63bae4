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
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from carbonpeak.mirror.server import Mirror, running_mirror
from carbonpeak.settings import REPO_ROOT
from tests.smtp import Inbox, smtp_inbox

pytestmark = pytest.mark.e2e



@dataclass
class Deployment:
    env: dict[str, str]
    mirror: Mirror
    inbox: Inbox
    warehouse: Path
    data_dir: Path

    def dag_test(self) -> subprocess.CompletedProcess[str]:
        env = self.env | {"CARBONPEAK_BASE_URLS": json.dumps(self.mirror.base_urls)}
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
    assert set(by_source) == {"jiaxing_fgw", "haining_gov", "carbonpeak_compilation_v7", "govcn_policy_library"}

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


def test_official_statistics_are_published_beside_the_targets(deployment: Deployment, first_run: object) -> None:
    counts = dict(deployment.query("select source_key, count(*) from fct_indicator_observations group by 1"))
    assert counts == {"nbs_national": 30, "nea_ghs": 9}
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
        "where t.indicator like '%光伏装机%' and t.value = 470"
    )
    assert rows, "the 嘉兴 2025 PV target (470 万千瓦) is missing"
    region, code, value, unit, direction, year, quote, url, body, *normalised = rows[0]
    assert (region, code, value, unit, direction, year) == ("嘉兴市", "330400", 470.0, "万千瓦", "reach", 2025)
    assert normalised == ["solar_capacity", 4700.0, "MW", "Solar PV installed capacity"]
    assert "470万千瓦" in quote and quote in body
    assert url.startswith("https://fgw.jiaxing.gov.cn/art/2023/5/5/art_")
    corpus_text = (REPO_ROOT / "carbonpeak/mirror/corpus/000_c024b4ef5c96c6e7.txt").read_text(encoding="utf-8")
    assert quote in corpus_text


def test_every_quote_is_an_exact_substring_at_its_offsets(deployment: Deployment, first_run: object) -> None:
    rows = deployment.query(
        "select t.quote, t.quote_start, t.quote_end, d.body_text from fct_targets t "
        "join dim_documents d using (document_id, version_hash)"
    )
    assert len(rows) > 20
    for quote, start, end, body in rows:
        assert body[start:end] == quote


def test_example_queries_return_rows(deployment: Deployment, first_run: object) -> None:
    queries = sorted((REPO_ROOT / "warehouse" / "queries").glob("*.sql"))
    assert len(queries) >= 3
    for path in queries:
        assert deployment.query(path.read_text(encoding="utf-8")), f"{path.name} returned no rows"


def test_a_failed_validation_blocks_publish_and_sends_an_alert(deployment: Deployment, first_run: object) -> None:
    before = hashlib.sha256(deployment.warehouse.read_bytes()).hexdigest()
    already = len(deployment.inbox.messages)
    # The site starts serving a corrupted page: a target year past 2060 (碳中和) passes dbt's
    # structural tests but not the GX content rules.
    corpus = REPO_ROOT / "carbonpeak/mirror/corpus/000_c024b4ef5c96c6e7.txt"
    text = corpus.read_text(encoding="utf-8")
    assert "到2025年，全市光伏装机" in text
    deployment.mirror.replace_text(corpus.name, text.replace("到2025年，全市光伏装机", "到2099年，全市光伏装机", 1))

    proc = deployment.dag_test()

    assert proc.returncode != 0, "the DAG run should fail at validate"
    assert hashlib.sha256(deployment.warehouse.read_bytes()).hexdigest() == before
    messages = deployment.inbox.wait_for(already + 1)
    alerts = [m for m in messages[already:] if "validate" in m["Subject"]]
    assert alerts, [m["Subject"] for m in messages]
    body = alerts[0].get_content()
    assert "expect_column_values_to_be_between" in body and "target_year" in body
    assert "2099" in body


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
