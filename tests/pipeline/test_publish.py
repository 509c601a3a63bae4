"""Publishing swaps the validated build in atomically; readers of the old file are not disturbed, and the old file
is never opened: a reader holding it read-write, or a damaged old file, stops nothing. Only the very build file
that validate passed is published, as tables only, in a storage format DuckDB 1.x reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from carbonpeak import warehouse
from carbonpeak.pipeline import StageError, publish
from carbonpeak_core.settings import Settings


def _make_db(path: Path, label: str) -> None:
    """A database with a marker row and the (empty) marts publish compares to find what changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
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


def _validated(settings: Settings) -> None:
    """What validate records when every suite passed: the sha256 of the build file it read."""
    warehouse.record_validation(settings, "test-run", warehouse.sha256_file(settings.build_path), {})


def _storage_version(path: Path) -> int:
    """The storage version number in a DuckDB file's main header (bytes 12-19, after the magic bytes DUCK)."""
    head = path.read_bytes()[:20]
    assert head[8:12] == b"DUCK", head
    return int.from_bytes(head[12:20], "little")


def test_publish_replaces_the_warehouse_and_open_readers_keep_the_old_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    _make_db(settings.warehouse_path, "old")
    _make_db(settings.build_path, "new")
    _validated(settings)

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
    _validated(settings)
    settings.build_path.with_name(settings.build_path.name + ".wal").write_bytes(b"pending")
    with pytest.raises(StageError, match="write-ahead log"):
        publish(settings)
    assert not settings.warehouse_path.exists()


def test_publish_refuses_a_build_that_did_not_pass_validation(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    _make_db(settings.warehouse_path, "old")
    before = settings.warehouse_path.read_bytes()
    _make_db(settings.build_path, "new")
    with pytest.raises(StageError, match=r"has not passed validation .*run `carbonpeak validate`"):
        publish(settings)
    # Validated, then changed (a second build, a hand edit): not the file that passed.
    _validated(settings)
    with duckdb.connect(str(settings.build_path)) as con:
        con.execute("update marker set label = 'edited'")
    with pytest.raises(StageError, match="changed after it was validated"):
        publish(settings)
    assert settings.warehouse_path.read_bytes() == before
    assert not list(settings.warehouse_path.parent.glob(".*.tmp"))


def test_the_published_file_is_tables_of_the_marts_only_in_a_format_duckdb_1_reads(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    _make_db(settings.build_path, "new")
    landing = tmp_path / "landing.jsonl"
    landing.write_text('{"document_id": "a:1"}\n', encoding="utf-8")
    with duckdb.connect(str(settings.build_path)) as con:
        # The build's layout: staging reads landing files at query time, in a schema of its own; a mart view.
        con.execute("create schema staging")
        con.execute(f"create view staging.stg_documents as select * from read_json('{landing}')")
        con.execute("create schema seeds")
        con.execute("create table seeds.units as select 'MW' as unit")
        con.execute("create view targets_current as select * from fct_targets where is_current")
    _validated(settings)

    result = publish(settings)
    landing.unlink()  # a landing file moved away after publish changes nothing for analysts

    assert _storage_version(settings.build_path) > 68  # duckdb 2.0's own format, which 1.x clients refuse
    assert _storage_version(settings.warehouse_path) == 64  # DuckDB v1.0.0's, read by every 1.x client
    assert result["storage_version"] == "v1.0.0"
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        relations = con.execute("select table_schema, table_name, table_type from information_schema.tables "
                                "order by table_name").fetchall()
        assert con.execute("select label from marker").fetchall() == [("new",)]
    assert relations == [("main", name, "BASE TABLE") for name in
                         ("dim_documents", "fct_targets", "marker", "targets_current")]


READ_WRITE_READER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])  # read-write: holds DuckDB's lock on the file
con.execute("set checkpoint_threshold = '1GB'")
con.execute("insert into marker values ('written by an analyst')")  # lands in the write-ahead log
print("holding", flush=True)
time.sleep(120)
"""


def test_publish_replaces_a_warehouse_locked_by_a_read_write_reader(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    _make_db(settings.warehouse_path, "old")
    _make_db(settings.build_path, "new")
    _validated(settings)
    with subprocess.Popen([sys.executable, "-c", READ_WRITE_READER, str(settings.warehouse_path)],
                          stdout=subprocess.PIPE, text=True) as reader:
        try:
            assert reader.stdout is not None and reader.stdout.readline().strip() == "holding"
            with pytest.raises(duckdb.IOException, match="lock"):  # what publish used to die on
                duckdb.connect(str(settings.warehouse_path), read_only=True)
            result = publish(settings)
            assert _label(settings.warehouse_path) == "new"  # new readers open the new file (no stale WAL)
        finally:
            reader.kill()
    assert _label(settings.warehouse_path) == "new"
    assert result["sha256"] == warehouse.sha256_file(settings.warehouse_path)


def test_publish_replaces_a_truncated_warehouse(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", warehouse_path=tmp_path / "warehouse" / "carbonpeak.duckdb")
    _make_db(settings.warehouse_path, "old")
    settings.warehouse_path.write_bytes(settings.warehouse_path.read_bytes()[:5000])
    with pytest.raises(duckdb.Error):  # what publish used to die on
        duckdb.connect(str(settings.warehouse_path), read_only=True).execute("select * from marker")
    _make_db(settings.build_path, "new")
    _validated(settings)
    publish(settings)
    assert _label(settings.warehouse_path) == "new"
    record = json.loads(warehouse.publish_record_path(settings).read_text(encoding="utf-8"))
    assert record["published_sha256"] == warehouse.sha256_file(settings.warehouse_path)
