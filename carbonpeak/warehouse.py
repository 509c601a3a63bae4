"""The published warehouse: which build may be published, how the published file is written, and what the last
publish was built from.

- **The validation record** (`<build file>.validated.json`): validate writes it only when every suite passed,
  with the sha256 of the very build file it read; publish refuses a build file without one, or whose bytes are
  no longer the ones validated.
- **The published file**: the build file's schema `main` (the marts; staging, intermediate models and seeds are
  in schemas of their own) copied as tables, and nothing else, into a new DuckDB file in storage format
  `PUBLISHED_STORAGE_VERSION`, which every DuckDB from 1.0 on reads (the build file, written by duckdb 2.0, is
  read by 2.0 only). It is renamed over the old published file, which is never opened.
- **The publish record** (`<data>/build/published.json`) and the build file that was published
  (`<data>/build/published.duckdb`): the landing fingerprint and row counts of the last publish, for the
  no-change check and the no-sudden-drop rule, and the marts the next digest compares against — all on the
  build side, so a published file that an analyst has locked, or that was damaged, stops nothing.
- **The landing fingerprint**: a hash of everything a build reads (the landed documents and official figures)
  and of the code that turns them into the warehouse (extractor, dbt project, expectations). The same
  fingerprint as the last publish means the night's build would publish the same warehouse: no build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carbonpeak_core import paths
from carbonpeak_core.landing import fsync_dir, sha256_file, write_json
from carbonpeak_core.settings import Settings

log = logging.getLogger(__name__)

# DuckDB 2.0 writes storage version 69, which DuckDB 1.x clients (the CLI 1.5.6 on PyPI, DBeaver's and R's
# drivers) refuse. v1.0.0 (storage version 64) is read by every DuckDB from 1.0 on; measured on the mirror
# warehouse: 8.7 MB against 5.5 MB in v1.3.0+ format (newer compression) and the same ~1 s to write.
PUBLISHED_STORAGE_VERSION = "v1.0.0"
PUBLISHED_SCHEMA = "main"

# What a build reads besides the landing data: the code that turns it into the warehouse.
_CODE = (
    (paths.DBT_PROJECT, ("dbt_project.yml", "profiles.yml", "models/**/*", "macros/**/*", "seeds/**/*",
                         "tests/**/*")),
    (paths.REPO_ROOT / "expectations", ("**/*.py",)),
    (Path(__file__).resolve().parent / "extract", ("**/*.py", "**/*.csv", "**/*.json", "**/*.txt")),
)


class PublishRefused(RuntimeError):
    """The build file may not be published: it has not passed validation, or changed since."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- where the records live ---------------------------------------------------------------------------------


def build_record_path(settings: Settings) -> Path:
    """Written by build: the run and the landing fingerprint the build file was made from."""
    return settings.build_path.with_name(settings.build_path.name + ".json")


def validation_record_path(settings: Settings) -> Path:
    """Written by validate, only when it passed: the sha256 of the build file it read."""
    return settings.build_path.with_name(settings.build_path.name + ".validated.json")


def publish_record_path(settings: Settings) -> Path:
    return settings.build_path.parent / "published.json"


def published_build_path(settings: Settings) -> Path:
    """A copy of the build file that was published last (the digest compares the next build with it)."""
    return settings.build_path.parent / "published.duckdb"


def read_record(path: Path) -> dict[str, Any] | None:
    """A record written by this module, or None when there is none (or it is unreadable: then it counts as none,
    which only ever means more work — a build, a refused publish — never less)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s): treated as absent", path, exc)
        return None
    return record if isinstance(record, dict) else None


# --- the landing fingerprint --------------------------------------------------------------------------------


def _landing_files(settings: Settings) -> list[Path]:
    landing = settings.landing_dir
    files = [*landing.glob("documents/*/*.jsonl"), *landing.glob("statistics/*/*.jsonl")]
    return sorted(p for p in files if p.stat().st_size > 0)  # an empty file adds no row


def inputs_fingerprint(settings: Settings) -> dict[str, Any]:
    """sha256 over every non-empty landed document and statistics file (name and content) and over the code a
    build runs; the run log is left out (every run adds to it, and it is no reason to publish)."""
    digest = hashlib.sha256()
    files = _landing_files(settings)
    size = 0
    for path in files:
        digest.update(f"landing/{path.relative_to(settings.landing_dir).as_posix()}\0{sha256_file(path)}\n".encode())
        size += path.stat().st_size
    code = 0
    for root, patterns in _CODE:
        for path in sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()}):
            if "__pycache__" in path.parts:
                continue
            digest.update(f"code/{root.name}/{path.relative_to(root).as_posix()}\0{sha256_file(path)}\n".encode())
            code += 1
    return {"sha256": digest.hexdigest(), "landing_files": len(files), "landing_bytes": size, "code_files": code}


# --- build and validation records ---------------------------------------------------------------------------


def forget_build(settings: Settings) -> None:
    """A new build starts: the records of the previous build file no longer describe anything."""
    for path in (build_record_path(settings), validation_record_path(settings)):
        path.unlink(missing_ok=True)


def record_build(settings: Settings, run_id: str | None, inputs: dict[str, Any]) -> None:
    write_json(build_record_path(settings), {"run_id": run_id, "built_at": _now(), "inputs": inputs})


def record_validation(settings: Settings, run_id: str | None, build_sha256: str, rows: dict[str, int]) -> None:
    built = read_record(build_record_path(settings)) or {}
    write_json(validation_record_path(settings), {
        "build_sha256": build_sha256, "validated_at": _now(), "run_id": run_id, "rows": rows,
        "built_by_run": built.get("run_id"), "inputs": built.get("inputs"),
    })


def validated_record(settings: Settings) -> tuple[dict[str, Any], str]:
    """The validation record of the build file as it is now, and the file's sha256; PublishRefused when the
    file has not passed validation or has changed since."""
    record = read_record(validation_record_path(settings))
    if record is None:
        raise PublishRefused(
            f"the build file {settings.build_path} has not passed validation (no record at "
            f"{validation_record_path(settings)}): run `carbonpeak validate`, and publish only once it passes")
    digest = sha256_file(settings.build_path)
    if record.get("build_sha256") != digest:
        raise PublishRefused(
            f"the build file {settings.build_path} changed after it was validated (sha256 {digest[:12]}…, "
            f"validated {str(record.get('build_sha256'))[:12]}…): run `carbonpeak validate` again")
    return record, digest


# --- the published file -------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_published(build: Path, out: Path) -> dict[str, int]:
    """Write `out`: every table and view of the build file's schema `main` as a table (a view is evaluated now,
    so nothing in `out` reads a file at query time), in storage format PUBLISHED_STORAGE_VERSION. Returns each
    table's row count, read back from `out`."""
    import duckdb

    out.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"attach {_literal(str(build))} as build (read_only)")
        relations = [name for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'build' and schema_name = ? "
            "union select view_name from duckdb_views() where database_name = 'build' and schema_name = ? "
            "and not internal order by 1", [PUBLISHED_SCHEMA, PUBLISHED_SCHEMA]).fetchall()]
        if not relations:
            raise PublishRefused(f"the build file {build} has no table in its schema {PUBLISHED_SCHEMA}")
        con.execute(f"attach {_literal(str(out))} as published (storage_version '{PUBLISHED_STORAGE_VERSION}')")
        for name in relations:
            con.execute(f"create table published.main.{_quote(name)} as "
                        f"select * from build.{PUBLISHED_SCHEMA}.{_quote(name)}")
        con.execute("detach published")
    with duckdb.connect(str(out), read_only=True) as con:
        return {name: int(con.execute(f"select count(*) from {_quote(name)}").fetchone()[0])  # type: ignore[index]
                for name in relations}


def replace_published(tmp: Path, dst: Path) -> None:
    """Rename `tmp` over the published file without opening the old one: a reader holding the old file (even
    read-write, with its lock) keeps its inode; new readers get the new file whole."""
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
    wal = dst.with_name(dst.name + ".wal")
    if wal.exists():
        # A read-write session on the old file left its write-ahead log: DuckDB would try to replay it onto
        # the new file and refuse to open it ("WAL does not match database file").
        log.warning("removing %s, the write-ahead log of a read-write session on the replaced warehouse (open "
                    "the warehouse read-only: `duckdb -readonly`)", wal)
        wal.unlink(missing_ok=True)
    os.replace(tmp, dst)
    fsync_dir(dst.parent)


def record_publish(settings: Settings, run_id: str | None, validation: dict[str, Any], published_sha256: str,
                   tables: dict[str, int]) -> None:
    """After the rename: keep the published build for the next digest, then the record the no-change check
    reads. A publish killed before this leaves the old record, so the next run builds again (never less work)."""
    copy = published_build_path(settings)
    tmp = copy.with_name(f".{copy.name}.{os.getpid()}.tmp")
    with settings.build_path.open("rb") as src, tmp.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, copy)
    write_json(publish_record_path(settings), {
        "run_id": run_id, "published_at": _now(), "path": str(settings.warehouse_path),
        "published_sha256": published_sha256, "storage_version": PUBLISHED_STORAGE_VERSION, "tables": tables,
        "build_sha256": validation.get("build_sha256"), "built_by_run": validation.get("built_by_run"),
        "inputs": validation.get("inputs"), "rows": validation.get("rows"),
    })


def previous_rows(settings: Settings) -> dict[str, int] | None:
    """Row counts of each suite's model at the last publish, from its record (None: no record yet)."""
    record = read_record(publish_record_path(settings))
    rows = record.get("rows") if record else None
    return {str(k): int(v) for k, v in rows.items()} if isinstance(rows, dict) else None


def change_since_publish(settings: Settings) -> dict[str, Any]:
    """Whether the landing data (or the code) differ from what the last publish was built from."""
    inputs = inputs_fingerprint(settings)
    record = read_record(publish_record_path(settings))
    published = (record or {}).get("inputs") or {}
    changed = not (record and published.get("sha256") == inputs["sha256"] and settings.warehouse_path.exists())
    if not record:
        summary = "nothing published yet"
    elif not settings.warehouse_path.exists():
        summary = f"the published warehouse {settings.warehouse_path} is missing"
    elif changed:
        summary = (f"the landing data or the code changed since the publish of run {record.get('run_id')} "
                   f"({record.get('published_at')})")
    else:
        summary = (f"no change since the publish of run {record.get('run_id')} ({record.get('published_at')}): "
                   "no build, validate or publish")
    return {"changed": changed, "summary": summary, "inputs": inputs,
            "published_by_run": (record or {}).get("run_id")}
