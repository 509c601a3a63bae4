"""export_release: a dated, versioned, self-describing export of the published warehouse's marts.

`<releases>/carbonpeak-<YYYY-MM-DD>.<N>/` holds one Parquet and one CSV file per mart, `metadata.json` (in the
spirit of OWID snapshots: release id, creation time, the warehouse's sha256, per-file rows/bytes/
sha256/columns, every current source document with its URL and access date, extractor versions,
licence) and a README. A release is built in a hidden temporary folder and renamed into place, so a
failed export leaves no half release; an existing release is never overwritten (N counts up).

The marts are the warehouse's tables (information_schema) that are dbt models under
`dbt_project/models/marts/` — not seeds, not the staging/intermediate views, and not the run-log
marts under `marts/operations/`, which are for operators rather than part of the dataset.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from carbonpeak_core.landing import fsync_dir, sha256_file
from carbonpeak_core.settings import Settings

LICENCE = {
    "id": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "applies_to": "the compiled dataset: the selection of documents, the extracted and normalised targets, "
    "the indicator taxonomy and the table structure",
    "note": "The source documents are official publications of the issuing bodies named in each document's "
    "`issuer`, linked by `url`. Their text (dim_documents.body_text, fct_targets.quote) is reproduced for "
    "reference and remains their publication; cite the issuing body for it.",
}
OPERATIONS_FOLDER = "operations"  # marts/operations/: the pipeline run log, not part of the dataset
_NAME = re.compile(r"^carbonpeak-(\d{4}-\d{2}-\d{2})\.(\d+)$")


class ReleaseError(RuntimeError):
    """An export that could not be made; nothing was written."""


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# A mart the build keeps as a view (targets_current) only filters another mart, whose file has its rows; the
# published warehouse holds it as a table (tables only), the release leaves it out.
_VIEW = re.compile(r"materialized\s*=\s*['\"]view['\"]")


def mart_models(settings: Settings) -> set[str]:
    """Names of the dbt models under models/marts/, the run-log folder and the views excluded."""
    marts = settings.dbt_project_dir / "models" / "marts"
    return {p.stem for p in marts.rglob("*.sql") if OPERATIONS_FOLDER not in p.relative_to(marts).parts[:-1]
            and not _VIEW.search(p.read_text(encoding="utf-8"))}


def mart_tables(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """The warehouse's mart tables, from its information_schema: base tables that are mart models."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    models = mart_models(settings)
    return [name for (name,) in rows if name in models]


@contextmanager
def _open_published(path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, str, int]]:
    """A read-only connection to the published warehouse, and the sha256 and size of the very file it reads.

    Publishing renames a new file over the old one; hashing an open handle and checking afterwards that
    the path still names that inode makes sure the hash and the data belong to the same warehouse.
    """
    for _ in range(5):
        with path.open("rb") as fh:
            con = duckdb.connect(str(path), read_only=True)
            held = os.fstat(fh.fileno())
            current = os.stat(path)
            if (held.st_ino, held.st_dev) != (current.st_ino, current.st_dev):
                con.close()  # replaced between our open and DuckDB's: try again
                continue
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        try:
            yield con, digest.hexdigest(), held.st_size
        finally:
            con.close()
        return
    raise ReleaseError(f"{path} kept being replaced while opening it; try again")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = current_schema() and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [{"name": name, "type": dtype} for name, dtype in rows]


def _sources(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every current document, grouped by site (source_key): url, title, issuer, publish date, access date."""
    rows = con.execute("""
        select source_key, site_name, family, document_id, url, title, issuer,
               cast(publish_date as varchar), strftime(fetched_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ')
        from dim_documents
        where is_current
        order by source_key, publish_date nulls last, document_id
    """).fetchall()
    sites: dict[str, dict[str, Any]] = {}
    for source_key, site_name, family, document_id, url, title, issuer, published, fetched in rows:
        site = sites.setdefault(source_key, {"source_key": source_key, "site_name": site_name, "family": family,
                                             "documents": []})
        site["site_name"] = site["site_name"] or site_name
        site["documents"].append({"document_id": document_id, "url": url, "title": title, "issuer": issuer,
                                  "publish_date": published, "accessed": fetched})
    return list(sites.values())


def _readme(release_id: str, files: list[dict[str, Any]], grains: dict[str, str]) -> str:
    lines = [
        f"# {release_id}",
        "",
        "Quantitative targets stated in Chinese carbon-peak (碳达峰) policy documents, compiled by carbonpeak",
        "from official government websites. One Parquet and one CSV file (UTF-8, header row) per table;",
        "`metadata.json` lists every file's",
        "rows, columns and sha256, every source document (URL, issuer, access date) and the extractor version.",
        "",
        "## Files",
        "",
    ]
    for f in files:
        lines.append(f"- `{f['name']}` — {f['rows']} rows. {grains.get(f['table'], '')}".rstrip())
    lines += [
        "",
        "## Opening the files",
        "",
        "```sh",
        "duckdb -c \"select * from 'fct_targets.parquet' limit 10\"",
        "```",
        "",
        "or in Python: `pandas.read_parquet('fct_targets.parquet')`; the CSV files open in any spreadsheet",
        "(`pandas.read_csv('fct_targets.csv')`). Join `fct_targets` to `dim_documents` on",
        "(`document_id`, `version_hash`); `is_current` marks the newest version of each document and the",
        "targets stated in it.",
        "",
        "## Licence",
        "",
        f"{LICENCE['id']} ({LICENCE['url']}) for {LICENCE['applies_to']}. {LICENCE['note']}",
        "",
    ]
    return "\n".join(lines)


def _grains(settings: Settings) -> dict[str, str]:
    """Each mart's description from the dbt schema files ("Grain: …"), for the README."""
    import yaml

    out: dict[str, str] = {}
    for path in (settings.dbt_project_dir / "models" / "marts").glob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            if model.get("name") and model.get("description"):
                out[model["name"]] = " ".join(str(model["description"]).split())
    return out


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One export at a time per releases folder, so two exports on one day cannot pick the same N."""
    with (folder / ".release.lock").open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _next_release_id(folder: Path, day: date) -> str:
    taken = [int(m.group(2)) for p in folder.iterdir() if (m := _NAME.match(p.name)) and m.group(1) == day.isoformat()]
    return f"carbonpeak-{day.isoformat()}.{max(taken, default=0) + 1}"




def export_release(settings: Settings, out_dir: Path | None = None, *, today: date | None = None) -> Path:
    """Export the published warehouse's marts as a new release folder; returns its path.

    Raises ReleaseError when there is no published warehouse (nothing is created then).
    """
    warehouse = settings.warehouse_path
    if not warehouse.is_file():
        raise ReleaseError(f"no published warehouse at {warehouse}: run the pipeline (publish stage) first")
    folder = out_dir if out_dir is not None else settings.data_dir / "releases"
    day = today or datetime.now(UTC).date()
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        for stale in folder.glob(".carbonpeak-*.tmp"):  # left by an export that was killed
            shutil.rmtree(stale, ignore_errors=True)
        release_id = _next_release_id(folder, day)
        final = folder / release_id
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=f".{release_id}.", suffix=".tmp"))
        try:
            _write_release(settings, warehouse, tmp, release_id)
            if final.exists():  # cannot happen under the lock; never overwrite a release regardless
                raise ReleaseError(f"{final} already exists")
            os.rename(tmp, final)
            fsync_dir(folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final


def _write_release(settings: Settings, warehouse: Path, dest: Path, release_id: str) -> None:
    created_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    files: list[dict[str, Any]] = []
    with _open_published(warehouse) as (con, warehouse_sha256, warehouse_bytes):
        tables = mart_tables(con, settings)
        if not tables:
            raise ReleaseError(f"{warehouse} holds none of the mart tables {sorted(mart_models(settings))}")
        for table in tables:
            rows = con.execute(f"select count(*) from {_quote_ident(table)}").fetchone()
            columns = _columns(con, table)
            # Parquet for tools that read it; CSV beside it (UTF-8, header row, RFC 4180 quoting) for the rest.
            for fmt, options in (("parquet", "format parquet"), ("csv", "format csv, header true")):
                target = dest / f"{table}.{fmt}"
                con.execute(
                    f"copy (select * from {_quote_ident(table)} order by all) "
                    f"to {_quote_literal(str(target))} ({options})"
                )
                files.append({"name": target.name, "table": table, "format": fmt,
                              "rows": int(rows[0]) if rows else 0, "bytes": target.stat().st_size,
                              "sha256": sha256_file(target), "columns": columns})
        sources = _sources(con) if "dim_documents" in tables else []
        extractor_versions = (
            [v for (v,) in con.execute("select distinct extractor_version from fct_targets "
                                       "where extractor_version is not null order by 1").fetchall()]
            if "fct_targets" in tables else []
        )
    metadata = {
        "release_id": release_id,
        "title": "carbonpeak: quantitative targets in China's carbon-peak policy documents",
        "created_at": created_at,
        "warehouse": {"file": warehouse.name, "bytes": warehouse_bytes, "sha256": warehouse_sha256},
        "files": files,
        "extractor_versions": extractor_versions,
        "sources": sources,
        "licence": LICENCE,
    }
    (dest / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (dest / "README.md").write_text(_readme(release_id, files, _grains(settings)), encoding="utf-8")
    for path in dest.iterdir():
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
