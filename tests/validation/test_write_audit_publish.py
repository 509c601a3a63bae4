"""Write-audit-publish with real parts: the offline mirror, dbt, Great Expectations, an SMTP server.

One clean load is published first; then bad loads are injected into copies of its data. A bad load
must fail validation with the rule named, leave the published warehouse byte-identical, and (through
the pipeline) e-mail the failing expectation. A clean load e-mails a digest of exactly what is new.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from carbonpeak import pipeline
from carbonpeak_core.landing import read_jsonl, write_jsonl
from carbonpeak_core.paths import REPO_ROOT
from carbonpeak_core.settings import Settings, SmtpSettings
from mirror import Mirror, running_mirror
from tests.city_sites import CITY_SITES
from tests.smtp import Inbox, smtp_inbox

CORPUS = REPO_ROOT / "mirror" / "corpus"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Loaded:
    settings: Settings
    mirror: Mirror
    inbox: Inbox
    first: pipeline.RunReport

    def copy(self, root: Path) -> Settings:
        """A private copy of the data and the published warehouse, for one destructive test."""
        shutil.copytree(self.settings.data_dir, root / "data")
        (root / "warehouse").mkdir()
        shutil.copy2(self.settings.warehouse_path, root / "warehouse" / "carbonpeak.duckdb")
        return self.settings.with_(data_dir=root / "data", warehouse_path=root / "warehouse" / "carbonpeak.duckdb")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    root = tmp_path_factory.mktemp("wap")
    with running_mirror() as mirror, smtp_inbox() as inbox:
        settings = Settings(
            data_dir=root / "data", warehouse_path=root / "warehouse" / "carbonpeak.duckdb",
            base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1,
            smtp=SmtpSettings(host=inbox.host, port=inbox.port, mail_to=("analysts@example.org",)),
        )
        first = pipeline.run_all(settings, sources=CITY_SITES)
        assert first.ok, first.summary()
        yield Loaded(settings=settings, mirror=mirror, inbox=inbox, first=first)


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- the digest -------------------------------------------------------------------------------------


def test_a_clean_load_sends_a_digest_of_exactly_the_new_documents_and_targets(loaded: Loaded) -> None:
    [digest] = [m for m in loaded.inbox.wait_for(1) if "failed" not in m["Subject"]]
    documents = query(loaded.settings.warehouse_path,
                      "select d.title, count(t.target_id) from dim_documents d "
                      "left join fct_targets t using (document_id, version_hash) group by all")
    targets = sum(int(n) for _, n in documents)  # type: ignore[call-overload]
    assert len(documents) == 3
    assert digest["Subject"] == f"[carbonpeak] 3 new documents, {targets} new targets"
    body = digest.get_content()
    assert body.count(" published 《") == 3 and "Changed documents" not in body
    for title, count in documents:
        assert f"《{title}》" in body
        assert f"{count} targets, {count} new" in body
    assert "嘉兴市发展和改革委员会 published 《嘉兴市发展和改革委员会关于印发" in body


def test_a_run_with_nothing_new_sends_no_digest(loaded: Loaded) -> None:
    before = len(loaded.inbox.wait_for(1))
    report = pipeline.run_all(loaded.settings, sources=CITY_SITES)
    assert report.ok and report.stages["digest"]["sent"] is False
    assert report.sources["jiaxing_fgw"]["unchanged"] == 2
    assert len(loaded.inbox.messages) == before


def test_a_revised_page_is_reported_as_a_changed_document(loaded: Loaded, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)
    before = len(loaded.inbox.messages)
    text = (CORPUS / "000_c024b4ef5c96c6e7.txt").read_text(encoding="utf-8")
    sentence = "单位GDP能耗较2020年降低16%，"
    assert text.count(sentence) == 1
    loaded.mirror.replace_text("000_c024b4ef5c96c6e7.txt", text.replace(sentence, ""))
    try:  # a silent edit: the run that rechecks known pages (CARBONPEAK_RECHECK_DAYS) finds it
        report = pipeline.run_all(settings.with_(recheck_days=0), sources=CITY_SITES)
    finally:
        loaded.mirror.reset()
    assert report.ok, report.summary()
    [digest] = loaded.inbox.wait_for(before + 1)[before:]
    assert digest["Subject"] == "[carbonpeak] 0 new documents, 1 changed, 0 new targets, 1 withdrawn"
    body = digest.get_content()
    assert "revised (version 2) 《嘉兴市碳达峰碳中和工作领导小组办公室关于印发" in body
    assert "0 new, 1 withdrawn" in body
    versions = query(settings.warehouse_path,
                     "select version_number, is_current from dim_documents where document_id = 'jiaxing_fgw:59023456' "
                     "order by version_number")
    assert versions == [(1, False), (2, True)]


# --- bad loads ----------------------------------------------------------------------------------------


def _mutate_targets(settings: Settings, change: Callable[[list[dict[str, object]]], None]) -> None:
    path = settings.landing_dir / "targets" / "targets.jsonl"
    rows = list(read_jsonl(path))
    change(rows)
    write_jsonl(path, rows)


def _fails_validation(settings: Settings) -> str:
    published = sha256(settings.warehouse_path)
    pipeline.build(settings)
    with pytest.raises(pipeline.StageError) as failure:
        pipeline.validate(settings)
    assert sha256(settings.warehouse_path) == published
    return failure.value.details


def _first(rows: list[dict[str, object]], **match: object) -> dict[str, object]:
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


def test_a_quote_that_is_not_in_its_document_fails(loaded: Loaded, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)

    def shift(rows: list[dict[str, object]]) -> None:
        row = _first(rows, indicator="光伏装机", value=470)
        row["quote_start"] = int(row["quote_start"]) + 1  # type: ignore[call-overload]
        row["quote_end"] = int(row["quote_end"]) + 1  # type: ignore[call-overload]

    _mutate_targets(settings, shift)
    details = _fails_validation(settings)
    assert "expect_column_values_to_be_in_set on column quote_found_verbatim" in details


def test_a_baseline_year_not_before_the_target_year_fails(loaded: Loaded, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)
    _mutate_targets(settings, lambda rows: _first(rows, indicator="单位GDP能耗", value=16).update(baseline_year=2025))
    details = _fails_validation(settings)
    assert "expect_column_pair_values_a_to_be_greater_than_b" in details and "baseline_year" in details


def test_a_share_above_100_percent_fails(loaded: Loaded, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)

    def overflow(rows: list[dict[str, object]]) -> None:
        _first(rows, unit="%", direction="reach").update(value=120.0, value_canonical=120.0)

    _mutate_targets(settings, overflow)
    details = _fails_validation(settings)
    assert "expect_column_values_to_be_between on column value" in details and "120" in details


def test_a_unit_of_the_wrong_dimension_for_its_indicator_fails(loaded: Loaded, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)

    def wrong_unit(rows: list[dict[str, object]]) -> None:
        # An energy-intensity cut restated as a capacity: no plan measures 单位GDP能耗 in MW.
        target = _first(rows, indicator="单位GDP能耗", value=16)
        target.update(unit="万千瓦", unit_canonical="MW", value_canonical=160.0)

    _mutate_targets(settings, wrong_unit)
    details = _fails_validation(settings)
    assert "unit_fits_indicator" in details


def test_a_publish_date_in_the_future_fails(loaded: Loaded, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)
    [path] = (settings.landing_dir / "documents" / "jiaxing_fgw").glob("*.jsonl")
    rows = list(read_jsonl(path))
    rows[0]["publish_date"] = "2099-07-16"
    write_jsonl(path, rows)
    pipeline.extract(settings)
    details = _fails_validation(settings)
    assert "days_since_published" in details


def test_half_the_documents_missing_blocks_publish_and_alerts(loaded: Loaded, tmp_path: Path) -> None:
    settings = loaded.copy(tmp_path)
    published = sha256(settings.warehouse_path)
    before = len(loaded.inbox.messages)
    shutil.rmtree(settings.landing_dir / "documents" / "jiaxing_fgw")  # 2 of the 3 documents vanish

    report = pipeline.run_all(settings, sources=[])

    assert report.failed_stage == "validate" and not report.published
    assert sha256(settings.warehouse_path) == published
    assert query(settings.warehouse_path, "select count(*) from dim_documents") == [(3,)]
    [alert] = loaded.inbox.wait_for(before + 1)[before:]
    assert alert["Subject"] == "[carbonpeak] validate failed"
    body = alert.get_content()
    assert "dim_documents: expect_table_row_count_to_be_between failed (observed 1;" in body
    assert '"min_value": 3' in body
    assert "Data Docs:" in body and "index.html" in body
    assert json.dumps(report.stages, default=str)  # the report stays serialisable for the DAG's XCom
