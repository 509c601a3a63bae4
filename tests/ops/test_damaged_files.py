"""Damaged files name themselves: a landing JSON-lines file cut off mid-character, and a scrape state file cut off
mid-object, each fail with the file, the source and what to do, instead of a bare decode error."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbonpeak import pipeline
from carbonpeak_core.landing import DocumentRecord, LandingFileError, iter_documents, write_jsonl
from carbonpeak_core.settings import Settings
from scrapers.runstate import ScrapeError

ROW = DocumentRecord(document_id="jiaxing_fgw:59023456", version_hash="h", source_key="jiaxing_fgw",
                     family="hanweb", url="https://fgw.jiaxing.gov.cn/art/2023/5/5/art_1229496556_59023456.html",
                     title="嘉兴市清洁生产推行方案", issuer=None, doc_number=None, publish_date=None,
                     region_code="330400",
                     site_id_code=None, site_name=None, column_name=None, body_text="嘉兴市清洁生产推行方案",
                     content_hash="c", raw_path="r", fetched_at="2026-01-01T00:00:00+00:00", run_id="run1")


def test_a_truncated_landing_file_names_the_file_the_line_and_the_repair(tmp_path: Path) -> None:
    path = tmp_path / "landing" / "documents" / "jiaxing_fgw" / "run1.jsonl"
    write_jsonl(path, [ROW, ROW])
    data = path.read_bytes()
    path.write_bytes(data[:-40] + b"\xe8")  # cut inside the second line, mid-character
    with pytest.raises(LandingFileError) as caught:
        list(iter_documents(tmp_path / "landing"))
    message = str(caught.value)
    assert str(path) in message and "line 2" in message
    assert "carbonpeak reparse jiaxing_fgw" in message
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(LandingFileError, match=r"run1\.jsonl, line 2"):
        pipeline.extract(settings, run_id="run2")


def test_a_corrupt_state_file_names_the_file_the_source_and_the_repair(mirror_settings: Settings) -> None:
    state = mirror_settings.state_dir / "jiaxing_fgw.json"
    state.parent.mkdir(parents=True)
    state.write_text('{"documents": {\n "https://fgw.jiaxing.gov.cn/a": {"etag": "x",', encoding="utf-8")
    with pytest.raises(ScrapeError) as caught:
        pipeline.scrape("jiaxing_fgw", mirror_settings, "run1")
    message = str(caught.value)
    assert message.startswith("[jiaxing_fgw] state file ") and str(state) in message
    assert "move it aside" in message and message.count("jiaxing_fgw]") == 1
