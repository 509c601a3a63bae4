"""Re-parsing saved raw pages offline: the same records as the scrape, a parser fix reaching the warehouse
through a rebuild from landing alone, and a damaged or unparseable page reported while the rest land."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from carbonpeak import pipeline
from carbonpeak_core.landing import read_jsonl
from carbonpeak_core.settings import Settings
from mirror import Mirror
from scrapers.families import hanweb, trs
from scrapers.families.common import ParsedDetail
from scrapers.parsing import SelectorError
from scrapers.registry import SourceConfig
from scrapers.reparse import reparse_source
from scrapers.runner import ScrapeError
from tests.city_sites import CITY_SITES
from tests.conftest import CityRuns

# Under pytest-xdist every module that reads the session's shared city runs goes to one worker, which
# builds them once (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("city_runs")

RUN = "29990101T000000Z-reparse"  # sorts after the scrape's run id: this landing wins


@pytest.fixture(scope="module")
def scraped(city_runs: CityRuns) -> Iterator[tuple[Settings, Mirror, int]]:
    """One full run against the mirror (the session's shared first city run, as it stood before its second run:
    tests/conftest.py); everything after is offline: no test of this module reaches the mirror."""
    mirror = city_runs.mirror
    requests = len(mirror.log)
    yield city_runs.after_first, mirror, requests
    assert len(mirror.log) == requests, "a re-parse reached the mirror"


@pytest.fixture
def offline(scraped: tuple[Settings, Mirror, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A copy of the scraped data dir and warehouse, with HTTP sessions made impossible."""
    settings, _, _ = scraped
    shutil.copytree(settings.data_dir, tmp_path / "data")
    shutil.copytree(settings.warehouse_path.parent, tmp_path / "warehouse")

    def no_session(*args: object, **kwargs: object) -> None:
        raise AssertionError("re-parse created an HTTP session")

    monkeypatch.setattr("scrapers.http.PoliteSession.__init__", no_session)
    return settings.with_(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")


def state_of(settings: Settings, key: str) -> dict[str, dict[str, Any]]:
    return json.loads((settings.state_dir / f"{key}.json").read_text(encoding="utf-8"))["documents"]


def landed(settings: Settings, key: str, run_id: str | None = None) -> dict[str, dict[str, Any]]:
    """document_id → landed record: of one run, or of the scrape runs (every file but the re-parse's)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted((settings.landing_dir / "documents" / key).glob("*.jsonl")):
        if (path.stem == run_id) if run_id else (path.stem != RUN):
            out.update({row["document_id"]: row for row in read_jsonl(path)})
    return out


def test_reparse_lands_the_saved_pages_again_offline(offline: Settings) -> None:
    for key in CITY_SITES:
        state = state_of(offline, key)
        summary = reparse_source(key, offline, RUN)
        assert (summary.pages, summary.documents, summary.changed_versions, summary.failed) == (
            len(state), len(state), 0, 0)
        again, scraped = landed(offline, key, RUN), landed(offline, key)
        assert summary.landing_file == f"documents/{key}/{RUN}.jsonl"
        assert sorted(again) == sorted(scraped) == sorted(d["document_id"] for d in state.values())
        for document_id, record in again.items():
            assert record["run_id"] == RUN
            # Same version, bytes, raw file and fetch time; everything the parser gives is identical too.
            assert {**record, "run_id": None} == {**scraped[document_id], "run_id": None}


def test_a_parser_fix_reaches_the_warehouse_by_a_rebuild_from_landing(
    offline: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixed parser gives the Haining page a title and issuer (its body unchanged: the same version), and a
    changed Jiaxing body text becomes a new version."""
    haining_url = next(iter(state_of(offline, "haining_gov")))
    jiaxing_url = sorted(state_of(offline, "jiaxing_fgw"))[0]
    fixed_title = "海宁市“十四五”节能减排综合工作实施方案（修订解析）"
    trs_parse, hanweb_parse = trs.parse_detail, hanweb.parse_detail

    def trs_fixed(text: str, url: str, source: SourceConfig) -> ParsedDetail:
        return dataclasses.replace(trs_parse(text, url, source), title=fixed_title, issuer="海宁市人民政府办公室")

    def hanweb_fixed(text: str, url: str, source: SourceConfig) -> ParsedDetail:
        parsed = hanweb_parse(text, url, source)
        if url != jiaxing_url:
            return parsed
        return dataclasses.replace(parsed, body_text=parsed.body_text + "\n附件：表格")

    monkeypatch.setattr(trs, "parse_detail", trs_fixed)
    monkeypatch.setattr(hanweb, "parse_detail", hanweb_fixed)
    haining = reparse_source("haining_gov", offline, RUN)
    jiaxing = reparse_source("jiaxing_fgw", offline, RUN)
    assert (haining.documents, haining.changed_versions) == (1, 0)
    assert (jiaxing.documents, jiaxing.changed_versions) == (2, 1)
    (record,) = landed(offline, "haining_gov", RUN).values()
    assert (record["url"], record["title"], record["issuer"]) == (haining_url, fixed_title, "海宁市人民政府办公室")

    report = pipeline.run_all(offline, sources=[])
    assert report.ok and report.published, report.summary()
    with duckdb.connect(str(offline.warehouse_path), read_only=True) as con:
        rows = con.execute("select title, issuer, version_number, run_id from dim_documents where url = ?",
                           [haining_url]).fetchall()
        versions = con.execute("select count(*), count(distinct version_hash) from dim_documents where url = ?",
                               [jiaxing_url]).fetchone()
    assert rows == [(fixed_title, "海宁市人民政府办公室", 1, RUN)]  # the same version, corrected metadata
    assert versions == (2, 2)  # the changed body is a second version beside the first


def test_a_corrupted_saved_page_is_reported_and_the_others_land(offline: Settings) -> None:
    state = state_of(offline, "jiaxing_fgw")
    broken_url, intact_url = sorted(state)
    broken_raw = state[broken_url]["raw_path"]
    (offline.raw_dir / broken_raw).write_bytes(b"<html><body>\x00\xff truncated")
    with pytest.raises(ScrapeError) as caught:
        reparse_source("jiaxing_fgw", offline, RUN)
    message = str(caught.value)
    assert "jiaxing_fgw" in message and broken_url in message and broken_raw in message
    assert "content hash" in message
    assert caught.value.failed_urls == (broken_url,)
    summary = caught.value.summary
    assert summary is not None and (summary.pages, summary.documents, summary.failed) == (2, 1, 1)
    assert [r["url"] for r in landed(offline, "jiaxing_fgw", RUN).values()] == [intact_url]


def test_a_page_the_current_parser_rejects_is_reported_and_the_others_land(
    offline: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = state_of(offline, "jiaxing_fgw")
    rejected_url, intact_url = sorted(state)
    hanweb_parse = hanweb.parse_detail

    def stricter(text: str, url: str, source: SourceConfig) -> ParsedDetail:
        if url == rejected_url:
            raise SelectorError(source.key, url, ".article", 0, "at least 1")
        return hanweb_parse(text, url, source)

    monkeypatch.setattr(hanweb, "parse_detail", stricter)
    with pytest.raises(ScrapeError) as caught:
        reparse_source("jiaxing_fgw", offline, RUN)
    assert rejected_url in str(caught.value) and state[rejected_url]["raw_path"] in str(caught.value)
    assert [r["url"] for r in landed(offline, "jiaxing_fgw", RUN).values()] == [intact_url]


def test_reparse_never_overwrites_a_landed_run(offline: Settings) -> None:
    scrape_run = next((offline.landing_dir / "documents" / "haining_gov").glob("*.jsonl"))
    before = scrape_run.read_bytes()
    with pytest.raises(ScrapeError, match="already landed"):
        reparse_source("haining_gov", offline, scrape_run.stem)
    assert scrape_run.read_bytes() == before
