"""Publishing swaps the validated build file in atomically; readers of the old file are not disturbed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from carbonpeak.pipeline import StageError, publish
from carbonpeak_core.settings import Settings


def _make_db(path: Path, label: str) -> None:
    """A database with a marker row and the (empty) marts publish compares to find what changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table marker(label varchar)")
        con.execute("insert into marker values (?)", [label])
        con.execute("create table dim_documents(document_id varchar, version_hash varchar, version_number int, "
                    "is_current boolean, title varchar, issuer varchar, region_name varchar, publish_date date, "
                    "url varchar)")
        con.execute("create table fct_targets(target_id varchar, document_id varchar, version_hash varchar, "
                    "is_current boolean, region_name varchar, indicator varchar, value double, unit varchar, "
                    "target_year int)")


def _label(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return str(con.execute("select label from marker").fetchone()[0])  # type: ignore[index]


def test_publish_replaces_the_warehouse_and_open_readers_keep_the_old_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    _make_db(settings.warehouse_path, "old")
    _make_db(settings.build_path, "new")

    reader = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        result = publish(settings)
        # The reader opened before the swap still sees a whole, consistent old database.
        assert reader.execute("select label from marker").fetchone() == ("old",)
    finally:
        reader.close()

    assert _label(settings.warehouse_path) == "new"
    assert result["bytes"] == settings.warehouse_path.stat().st_size
    assert result["changes"]["new_documents"] == [] and result["changes"]["new_targets"] == 0
    assert not list(settings.warehouse_path.parent.glob(".*.tmp")), "no temporary file is left behind"


def test_publish_refuses_a_missing_build(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    with pytest.raises(StageError, match="no build file"):
        publish(settings)
    assert not settings.warehouse_path.exists()


def test_publish_refuses_a_build_with_an_unmerged_write_ahead_log(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    _make_db(settings.build_path, "new")
    settings.build_path.with_name(settings.build_path.name + ".wal").write_bytes(b"pending")
    with pytest.raises(StageError, match="write-ahead log"):
        publish(settings)
    assert not settings.warehouse_path.exists()
