"""Release exports of the published warehouse: Parquet files that read back whole, metadata whose hashes and
sources match, a new numbered folder for each export of the day, and nothing at all when there is no warehouse."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from carbonpeak import pipeline
from carbonpeak.release import ReleaseError, export_release
from carbonpeak_core.settings import Settings
from mirror import running_mirror
from tests.city_sites import CITY_SITES

# Under pytest-xdist the tests of this module share one worker, so its module fixture is built once.
pytestmark = pytest.mark.xdist_group("release")

DAY = date(2030, 1, 15)
MARTS = {"dim_documents", "fct_targets", "dim_regions", "dim_indicators", "fct_indicator_observations",
         "fct_target_progress", "fct_target_consistency", "fct_target_versions"}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("release")
    with running_mirror() as mirror:
        settings = Settings(data_dir=root / "data", warehouse_path=root / "warehouse" / "carbonpeak.duckdb",
                            base_urls=mirror.base_urls, rate_limit=0, timeout=5, max_retries=1)
        report = pipeline.run_all(settings, sources=[*CITY_SITES, "nbs_national", "nea_ghs"])  # every mart has rows
        assert report.ok and report.published, report.summary()
    return settings


@pytest.fixture(scope="module")
def release(published: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    folder = export_release(published, tmp_path_factory.mktemp("releases"), today=DAY)
    yield folder, json.loads((folder / "metadata.json").read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_one_parquet_file_per_mart_reads_back_whole(published: Settings, release: tuple[Path, dict[str, Any]]) -> None:
    folder, metadata = release
    assert folder.name == "carbonpeak-2030-01-15.1" == metadata["release_id"]
    assert {p.name for p in folder.iterdir()} == (
        {f"{m}.parquet" for m in MARTS} | {f"{m}.csv" for m in MARTS} | {"metadata.json", "README.md"})
    files = {f["name"]: f for f in metadata["files"]}
    with duckdb.connect(str(published.warehouse_path), read_only=True) as con:
        for mart in MARTS:
            path = folder / f"{mart}.parquet"
            rows = con.execute(f"select count(*) from {mart}").fetchone()
            columns = [c[0] for c in con.execute(f"describe {mart}").fetchall()]
            back = con.execute(f"select count(*) from read_parquet('{path}')").fetchone()
            assert rows is not None and rows[0] > 0 and back == rows
            csv = folder / f"{mart}.csv"  # CSV beside Parquet: the same rows, a header row of the same columns
            assert con.execute(f"select count(*) from read_csv('{csv}', header=true)").fetchone() == rows
            assert csv.read_text(encoding="utf-8").splitlines()[0].split(",") == columns
            entry = files[path.name]
            assert entry["rows"] == rows[0] and entry["bytes"] == path.stat().st_size
            assert entry["sha256"] == sha256(path)
            assert [c["name"] for c in entry["columns"]] == columns
        # The Parquet holds the same rows, not just as many.
        assert not con.execute(
            f"select * from fct_targets except select * from read_parquet('{folder / 'fct_targets.parquet'}')"
        ).fetchall()


def test_metadata_names_the_warehouse_every_source_document_and_the_licence(
    published: Settings, release: tuple[Path, dict[str, Any]]
) -> None:
    folder, metadata = release
    assert metadata["warehouse"]["sha256"] == sha256(published.warehouse_path)
    assert metadata["created_at"].endswith("Z")
    with duckdb.connect(str(published.warehouse_path), read_only=True) as con:
        current = con.execute("select source_key, url, title, issuer from dim_documents where is_current").fetchall()
        versions = [v for (v,) in con.execute("select distinct extractor_version from fct_targets").fetchall()]
    listed = [(site["source_key"], d["url"], d["title"], d["issuer"])
              for site in metadata["sources"] for d in site["documents"]]
    assert sorted(listed) == sorted(current) and len(current) == 3
    assert {site["source_key"] for site in metadata["sources"]} == {"jiaxing_fgw", "haining_gov"}
    assert all(d["accessed"] and d["url"].startswith("https://") for s in metadata["sources"] for d in s["documents"])
    assert metadata["extractor_versions"] == sorted(versions)
    assert metadata["licence"]["id"] == "CC-BY-4.0" and "issuing bodies" in metadata["licence"]["note"]
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "duckdb -c" in readme and all(f"{m}.parquet" in readme for m in MARTS) and "Grain" in readme


def test_a_second_export_the_same_day_is_a_new_release(
    published: Settings, release: tuple[Path, dict[str, Any]]
) -> None:
    first, metadata = release
    second = export_release(published, first.parent, today=DAY)
    assert second.name == "carbonpeak-2030-01-15.2" and first.exists()
    assert json.loads((first / "metadata.json").read_text(encoding="utf-8")) == metadata  # untouched
    assert export_release(published, first.parent, today=date(2030, 1, 16)).name == "carbonpeak-2030-01-16.1"
    assert not [p for p in first.parent.iterdir() if p.name.endswith(".tmp")]


def test_no_published_warehouse_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    with pytest.raises(ReleaseError, match=r"no published warehouse at .*carbonpeak\.duckdb"):
        export_release(settings)
    with pytest.raises(ReleaseError, match="no published warehouse"):
        export_release(settings, tmp_path / "out", today=DAY)
    assert not (tmp_path / "data").exists() and not (tmp_path / "out").exists()


def test_a_failed_export_leaves_no_half_release(
    published: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr("carbonpeak.release._readme", broken)  # fails after the Parquet files are written
    with pytest.raises(OSError, match="disk full"):
        export_release(published, tmp_path / "out", today=DAY)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [".release.lock"]
