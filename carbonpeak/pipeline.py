"""The pipeline stages — scrape, freshness, extract, build, validate, publish, digest, report — as library functions.

The Airflow DAG and the CLI call these same functions, and each records itself in the run log.
Write-audit-publish: dbt builds a separate *build* DuckDB file, Great Expectations validates it, and
only then are its marts published, by an atomic rename (carbonpeak.warehouse); any failure before that
leaves the published warehouse untouched. One run at a time holds the data directory (carbonpeak.runlock),
and a night whose landing data did not change since the last publish builds nothing (`detect_changes`).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import inspect
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from carbonpeak import console, runlog, warehouse
from carbonpeak.notify import failure_alert
from carbonpeak.runlock import clean_debris, run_lock
from carbonpeak_core.landing import DocumentRecord, TargetRecord, iter_documents, write_jsonl
from carbonpeak_core.settings import Settings

log = logging.getLogger(__name__)


class StageError(RuntimeError):
    """A stage failed; the message says which stage, which source (if any) and why."""

    def __init__(self, stage: str, message: str, *, source_key: str | None = None, details: str = "") -> None:
        self.stage = stage
        self.source_key = source_key
        self.details = details
        where = f" [{source_key}]" if source_key else ""
        super().__init__(f"{stage}{where}: {message}")


def _logged_stage(name: str, *, writer: bool = False
                  ) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Record the stage in the run log (carbonpeak.runlog): start, outcome, duration, figures. A `writer` stage
    (one that writes landing, build or published files) holds the run lock (carbonpeak.runlock) while it runs;
    a stage whose function takes `run_id` is handed it."""

    def wrap(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        wants_run_id = "run_id" in inspect.signature(fn).parameters

        @functools.wraps(fn)
        def run(settings: Settings, *args: Any, run_id: str | None = None, **kwargs: Any) -> dict[str, Any]:
            run_id = run_id or new_run_id()
            with (run_lock(settings, run_id=run_id, what=f"{name} stage") if writer else contextlib.nullcontext(),
                  runlog.logged(settings, run_id, "stage", name) as step):
                result = fn(settings, *args, **kwargs, **({"run_id": run_id} if wants_run_id else {}))
                step.stats = result
                return result

        return run

    return wrap


def new_run_id() -> str:
    """Sortable, file-name-safe run id: UTC timestamp plus a short random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def begin_run(settings: Settings, run_id: str) -> dict[str, Any]:
    """What a run does first, holding the run lock: steps that runs killed earlier left "running" in the run
    log are marked "abandoned", and the temporary files they left are removed."""
    with run_lock(settings, run_id=run_id, what="run"):
        abandoned = runlog.mark_abandoned(settings, run_id)
        debris = clean_debris(settings)
    for event in abandoned:
        log.warning("run %s was killed during its %s %s: marked abandoned", event.run_id, event.kind, event.name)
    if debris:
        log.warning("removed %d unfinished temporary file(s) of killed runs: %s", len(debris),
                    ", ".join(str(p) for p in debris[:10]))
    return {"abandoned": [f"{e.run_id} {e.kind} {e.name}" for e in abandoned], "debris": [str(p) for p in debris]}


def start_run(settings: Settings) -> str:
    """The DAG's first task: a new run id, once `begin_run` has tidied up after killed runs."""
    run_id = new_run_id()
    begin_run(settings, run_id)
    return run_id


# --- scrape ---------------------------------------------------------------------------------------


def list_sources(settings: Settings) -> list[str]:
    from scrapers.registry import load_sources

    return sorted(load_sources(settings.sources_file))


def scrape(source_key: str, settings: Settings, run_id: str, deadline: float | None = None) -> dict[str, Any]:
    """Fetch one source's new and changed documents into raw/ and landing/. Raises on failure.

    A source whose host CARBONPEAK_BASE_URLS does not redirect is scraped on the real site, as the nightly
    DAG does in production: the settings must then name a contact that reaches someone and keep the
    politeness delay on (`Settings.check_real_site`), checked before a single request is made. `deadline`
    (time.monotonic()) is the run's: the source stops at it or at its own CARBONPEAK_SOURCE_BUDGET, whichever
    comes first, and is deferred (ScrapeDeferred) with what it fetched landed."""
    from scrapers.registry import load_sources
    from scrapers.runner import scrape_source

    if source := load_sources(settings.sources_file).get(source_key):
        settings.check_real_site(source.host)
    with (run_lock(settings, run_id=run_id, what=f"scrape of {source_key}", shared=True),
          runlog.logged(settings, run_id, "source", source_key) as step):
        step.stats = asdict(scrape_source(source_key, settings, run_id, deadline=deadline))
    return step.stats


def host_groups(settings: Settings, keys: list[str]) -> list[list[str]]:
    """The sources, grouped so that no two groups share a host (a source's own host or an extra host): groups are
    scraped at once, the sources of one group one after another, so each host sees one polite session at a time."""
    from scrapers.registry import load_sources

    registry = load_sources(settings.sources_file)
    owner: dict[str, int] = {}  # host -> group index
    groups: list[list[str]] = []
    for key in keys:
        source = registry.get(key)
        hosts = {source.host, *source.extra_hosts} if source else {key}
        joined = sorted({owner[h] for h in hosts if h in owner})
        if not joined:
            groups.append([key])
            index = len(groups) - 1
        else:
            index = joined[0]
            groups[index].append(key)
            for other in joined[1:]:  # a source bridging two groups merges them
                groups[index].extend(groups[other])
                groups[other] = []
                owner.update({h: index for h, g in owner.items() if g == other})
        owner.update({h: index for h in hosts})
    return [g for g in groups if g]


def scrape_sources(settings: Settings, run_id: str, sources: list[str] | None = None
                   ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Scrape each source (default: the whole registry), CARBONPEAK_SCRAPE_WORKERS hosts at once, within the run's
    CARBONPEAK_RUN_BUDGET; a broken or deferred one does not stop the others and is e-mailed about. Returns (each
    scraped source's figures, each failed or deferred source's error)."""
    from concurrent.futures import ThreadPoolExecutor

    keys = sources if sources is not None else list_sources(settings)
    deadline = time.monotonic() + settings.run_budget
    results: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}

    def one_group(group: list[str]) -> None:
        for key in group:
            try:
                results[key] = scrape(key, settings, run_id, deadline=deadline)
            except Exception as exc:
                if getattr(exc, "outcome", None) == "deferred":
                    log.warning("source %s deferred: %s", key, exc)
                else:
                    log.exception("source %s failed", key)
                errors[key] = str(exc)
                failure_alert(settings, stage="scrape", source=key, error=exc, run_id=run_id)

    groups = host_groups(settings, keys)
    with ThreadPoolExecutor(max_workers=max(1, min(settings.scrape_workers, len(groups) or 1)),
                            thread_name_prefix="scrape") as pool:
        for future in [pool.submit(one_group, group) for group in groups]:
            future.result()
    order = {key: i for i, key in enumerate(keys)}
    return (dict(sorted(results.items(), key=lambda kv: order[kv[0]])),
            dict(sorted(errors.items(), key=lambda kv: order[kv[0]])))


@_logged_stage("freshness")
def freshness(settings: Settings) -> dict[str, Any]:
    """Alert when a registered source has brought nothing new for CARBONPEAK_FRESHNESS_DAYS days."""
    from carbonpeak.notify import freshness_alert

    stale = runlog.stale_sources(settings, list_sources(settings), settings.freshness_days)
    sent = freshness_alert(settings, stale) if stale else False
    return {"stale_sources": [asdict(s) for s in stale], "alert_sent": sent, "days": settings.freshness_days}


# --- extract --------------------------------------------------------------------------------------


@cache
def _region_names(regions_csv: Path) -> dict[str, str]:
    with regions_csv.open(encoding="utf-8") as fh:
        return {row["region_code"]: row["region_name"] for row in csv.DictReader(fh)}


def _targets_of(doc: DocumentRecord, settings: Settings) -> list[TargetRecord]:
    from carbonpeak.extract import EXTRACTOR_VERSION, extract_targets

    region = _region_names(settings.regions_csv).get(doc.region_code or "")
    published = date.fromisoformat(doc.publish_date) if doc.publish_date else None
    found = extract_targets(doc.body_text, doc.document_id, region=region, title=doc.title,
                            publish_date=published)
    records = []
    for ordinal, t in enumerate(found):
        key = f"{doc.document_id}|{doc.version_hash}|{ordinal}|{t.quote_start}|{t.indicator}|{t.value}"
        records.append(TargetRecord(
            target_id=hashlib.sha256(key.encode()).hexdigest()[:20],
            document_id=doc.document_id, version_hash=doc.version_hash, ordinal=ordinal,
            region=t.region, sector=t.sector, indicator=t.indicator, value=t.value, unit=t.unit,
            direction=t.direction, comparator=t.comparator, target_year=t.target_year,
            baseline_year=t.baseline_year, hedge=t.hedge, quote=t.quote, quote_start=t.quote_start,
            quote_end=t.quote_end, note=t.note, indicator_code=t.indicator_code,
            value_canonical=t.value_canonical, unit_canonical=t.unit_canonical, extractor_version=EXTRACTOR_VERSION,
        ))
    return records


@_logged_stage("extract", writer=True)
def extract(settings: Settings) -> dict[str, Any]:
    """Re-extract targets from every landed document version (cheap, and picks up extractor fixes)."""
    targets: list[TargetRecord] = []
    documents = 0
    for doc in iter_documents(settings.landing_dir):
        documents += 1
        try:
            targets.extend(_targets_of(doc, settings))
        except Exception as exc:
            raise StageError("extract", f"{type(exc).__name__}: {exc} (document {doc.document_id}, {doc.url})",
                             source_key=doc.source_key) from exc
    rows = write_jsonl(settings.landing_dir / "targets" / "targets.jsonl", targets)
    return {"documents": documents, "targets": rows}


# --- build ----------------------------------------------------------------------------------------


def _dbt_failures(target_path: Path) -> str:
    results = target_path / "run_results.json"
    if not results.exists():
        return ""
    lines = []
    for result in json.loads(results.read_text(encoding="utf-8")).get("results", []):
        if result.get("status") in {"error", "fail"}:
            lines.append(f"  {result['unique_id']}: {result.get('status')} — {result.get('message')}")
    return "\n".join(lines)


@_logged_stage("changes")
def detect_changes(settings: Settings) -> dict[str, Any]:
    """Whether tonight's landing data (or the code) differ from what the published warehouse was built from;
    when they do not, a run skips extract, build, validate and publish, and the run log says "no change"."""
    result = warehouse.change_since_publish(settings)
    log.info("%s", result["summary"])
    return result | {"outcome": "changed" if result["changed"] else "no change"}


@_logged_stage("build", writer=True)
def build(settings: Settings, run_id: str | None = None) -> dict[str, Any]:
    """`dbt build` (seeds, models, tests) from the landing files into a fresh build file."""
    documents = list((settings.landing_dir / "documents").glob("*/*.jsonl"))
    if not documents:
        raise StageError("build", f"no landed documents under {settings.landing_dir / 'documents'}")
    if not (settings.landing_dir / "targets" / "targets.jsonl").exists():
        raise StageError("build", "no targets file: run the extract stage first")
    # dbt's read_json fails on a glob that matches no file: until a statistics source has landed a
    # figure, give the statistics glob an empty file to match (it adds no rows).
    if not any((settings.landing_dir / "statistics").glob("*/*.jsonl")):
        write_jsonl(settings.landing_dir / "statistics" / "_none" / "empty.jsonl", [])
    build_path = settings.build_path
    build_path.parent.mkdir(parents=True, exist_ok=True)
    warehouse.forget_build(settings)
    for stale in (build_path, build_path.with_name(build_path.name + ".wal")):
        stale.unlink(missing_ok=True)
    inputs = warehouse.inputs_fingerprint(settings)  # before dbt reads them
    dbt_dir = settings.data_dir / "dbt"
    command = [
        str(Path(sys.executable).with_name("dbt")), "build",
        "--project-dir", str(settings.dbt_project_dir), "--profiles-dir", str(settings.dbt_project_dir),
        "--target-path", str(dbt_dir / "target"), "--log-path", str(dbt_dir / "logs"),
    ]
    env = {
        **os.environ,
        "CARBONPEAK_BUILD_PATH": str(build_path),
        "CARBONPEAK_LANDING_DIR": str(settings.landing_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    started = time.monotonic()
    proc = console.run_dbt(command, cwd=settings.dbt_project_dir, env=env)  # progress as nodes finish
    log.info("dbt build output:\n%s", proc.stdout[-20000:])
    if proc.returncode != 0:
        failures = _dbt_failures(dbt_dir / "target") or proc.stdout[-3000:] + proc.stderr[-2000:]
        raise StageError("build", f"dbt build exited {proc.returncode}", details=failures)
    # dbt is the only writer: it checkpoints on a clean exit, so a leftover write-ahead log means the
    # file is incomplete and must not be validated or published.
    if build_path.with_name(build_path.name + ".wal").exists():
        raise StageError("build", f"dbt left a write-ahead log beside {build_path}; the build file is incomplete")
    import duckdb

    with duckdb.connect(str(build_path), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0]  # type: ignore[index]
                  for t in ("dim_documents", "fct_targets", "fct_indicator_observations")}
    warehouse.record_build(settings, run_id, inputs)
    return {"seconds": round(time.monotonic() - started, 1), "rows": counts, "inputs": inputs["sha256"]}


# --- validate -------------------------------------------------------------------------------------


def _previous_rows(settings: Settings) -> dict[str, int]:
    """Row counts of the last publish for the no-sudden-drop rule: from the publish record (build side). A
    warehouse published before the record existed is read once for them; if it cannot be read (locked by a
    read-write session, damaged), the rule has nothing to compare with this once, and says so in the log."""
    rows = warehouse.previous_rows(settings)
    if rows is not None or not settings.warehouse_path.exists():
        return rows or {}
    from expectations.validate import published_row_counts

    try:
        return published_row_counts(settings.warehouse_path)
    except Exception as exc:
        log.warning("the row counts of %s cannot be read (%s): this load's row counts are not compared with it",
                    settings.warehouse_path, exc)
        return {}


@_logged_stage("validate", writer=True)
def validate(settings: Settings, run_id: str | None = None) -> dict[str, Any]:
    """Great Expectations checkpoints over the build file's marts. Raises StageError on any failure; when every
    suite passes, records the sha256 of the file it read, which is what publish will accept."""
    from expectations.validate import validate_warehouse

    if not settings.build_path.exists():
        raise StageError("validate", f"no build file at {settings.build_path}: run the build stage first")
    warehouse.validation_record_path(settings).unlink(missing_ok=True)
    before = warehouse.sha256_file(settings.build_path)
    report = validate_warehouse(settings.build_path, settings.gx_dir, previous_rows=_previous_rows(settings),
                                max_row_drop=settings.max_row_drop, run_name=run_id or runlog.current_run_id())
    log.info("%s", report.summary())
    if not report.success:
        raise StageError("validate", f"{len(report.failures)} expectation(s) failed", details=report.summary())
    if warehouse.sha256_file(settings.build_path) != before:
        raise StageError("validate", f"the build file {settings.build_path} changed while it was being validated")
    warehouse.record_validation(settings, run_id, before, report.row_counts)
    return {"rows": report.row_counts, "data_docs": str(report.data_docs) if report.data_docs else None,
            "build_sha256": before}


# --- publish --------------------------------------------------------------------------------------




def load_changes(build: Path, published: Path) -> dict[str, Any]:
    """What the build changes against the published warehouse, per current document: new documents,
    new versions, and targets added or withdrawn (a target is the same when its region, indicator,
    value, unit and year are; offsets and ids move when a page is revised)."""
    import duckdb

    with duckdb.connect(str(build), read_only=True) as con:
        if published.exists():
            con.execute(f"attach '{published}' as published (read_only)")
            previous_docs = "select document_id, version_hash from published.dim_documents"
            previous_targets = ("select document_id, region_name, indicator, value, unit, target_year "
                                "from published.fct_targets where is_current")
        else:
            previous_docs = "select null::varchar as document_id, null::varchar as version_hash where false"
            previous_targets = ("select null::varchar as document_id, null::varchar as region_name, "
                                "null::varchar as indicator, null::double as value, null::varchar as unit, "
                                "null::integer as target_year where false")
        same = ("c.document_id = p.document_id and c.indicator = p.indicator and c.value = p.value "
                "and c.unit = p.unit and c.target_year is not distinct from p.target_year "
                "and c.region_name is not distinct from p.region_name")
        rows = con.execute(f"""
            with previous_docs as ({previous_docs}),
            previous_targets as ({previous_targets}),
            current_targets as (select * from fct_targets where is_current),
            added as (
                select c.document_id, count(*) as n
                from current_targets as c anti join previous_targets as p on {same}
                group by c.document_id
            ),
            withdrawn as (
                select p.document_id, count(*) as n
                from previous_targets as p anti join current_targets as c on {same}
                group by p.document_id
            ),
            counted as (select document_id, count(*) as n from current_targets group by document_id)
            select
                d.document_id, d.version_number, d.title, d.issuer, d.region_name,
                cast(d.publish_date as varchar) as publish_date, d.url,
                d.document_id in (select document_id from previous_docs) as seen_before,
                (d.document_id, d.version_hash) in (select (document_id, version_hash) from previous_docs)
                    as version_published,
                coalesce(added.n, 0) as new_targets,
                coalesce(withdrawn.n, 0) as withdrawn_targets,
                coalesce(counted.n, 0) as targets
            from dim_documents as d
            left join added using (document_id)
            left join withdrawn using (document_id)
            left join counted using (document_id)
            where d.is_current
            order by d.publish_date desc nulls last, d.document_id
        """).fetchall()
    columns = ["document_id", "version_number", "title", "issuer", "region_name", "publish_date", "url",
               "seen_before", "version_published", "new_targets", "withdrawn_targets", "targets"]
    documents = [dict(zip(columns, row, strict=True)) for row in rows]
    touched = [d for d in documents if d["new_targets"] or d["withdrawn_targets"]]
    return {
        "new_documents": [d for d in documents if not d["seen_before"]],
        "changed_documents": [d for d in documents if d["seen_before"] and not d["version_published"]],
        # Unchanged documents can gain or lose targets too, when a newer extractor reads them again.
        "reextracted_documents": [d for d in touched if d["version_published"]],
        "new_targets": sum(d["new_targets"] for d in documents),
        "withdrawn_targets": sum(d["withdrawn_targets"] for d in documents),
    }


def _changes(settings: Settings) -> dict[str, Any]:
    """load_changes against the build that was published last (kept on the build side). A warehouse published
    before that copy existed is read instead, once; if it cannot be read, every document counts as new."""
    previous = warehouse.published_build_path(settings)
    if previous.exists() or not settings.warehouse_path.exists():
        return load_changes(settings.build_path, previous)
    try:
        return load_changes(settings.build_path, settings.warehouse_path)
    except Exception as exc:
        log.warning("the published warehouse %s cannot be read to find what changed (%s): the digest lists every "
                    "document as new", settings.warehouse_path, exc)
        return load_changes(settings.build_path, previous)


@_logged_stage("publish", writer=True)
def publish(settings: Settings, run_id: str | None = None) -> dict[str, Any]:
    """Replace the published warehouse with the validated build file's marts, atomically.

    Only the very build file validate passed is published (its sha256, warehouse.validated_record). Its schema
    `main` is written as tables into a temporary file beside the published one, in a storage format DuckDB 1.x
    clients read (warehouse.export_published), fsynced and renamed over the published file, which is never
    opened: readers holding it, even read-write, keep the old inode; new readers see the new file whole. A run
    killed before the rename leaves only its temporary file, which the next run removes.
    """
    src, dst = settings.build_path, settings.warehouse_path
    if not src.exists():
        raise StageError("publish", f"no build file at {src}: run build and validate first")
    if src.with_name(src.name + ".wal").exists():
        raise StageError("publish", f"{src} still has a write-ahead log; it was not closed cleanly")
    try:
        validation, build_sha256 = warehouse.validated_record(settings)
    except warehouse.PublishRefused as exc:
        raise StageError("publish", f"{exc}; the published warehouse {dst} is unchanged") from exc
    dst.parent.mkdir(parents=True, exist_ok=True)
    for stale in dst.parent.glob(f".{dst.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    changes = _changes(settings)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    try:
        tables = warehouse.export_published(src, tmp)
        digest = warehouse.sha256_file(tmp)
        size = tmp.stat().st_size
        warehouse.replace_published(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    warehouse.record_publish(settings, run_id, validation, digest, tables)
    return {"path": str(dst), "bytes": size, "sha256": digest, "build_sha256": build_sha256,
            "storage_version": warehouse.PUBLISHED_STORAGE_VERSION, "tables": tables, "changes": changes}


def report_dir(settings: Settings) -> Path:
    """Where the report of the published warehouse goes: warehouse/report/ beside the warehouse file."""
    return settings.warehouse_path.parent / "report"


@_logged_stage("report")
def report_site(settings: Settings, out_dir: Path | None = None) -> dict[str, Any]:
    """The static report site (carbonpeak.report) of the published warehouse. Reads it only: a failure here
    leaves the published warehouse, and the previous report, as they were."""
    from carbonpeak.report import ReportError, build_report

    try:
        result = build_report(settings.warehouse_path, out_dir or report_dir(settings))
    except ReportError as exc:
        raise StageError("report", str(exc)) from exc
    except Exception as exc:
        raise StageError("report", f"{type(exc).__name__}: {exc} (the published warehouse is unchanged)") from exc
    log.info("%s", result.summary())
    return result.as_dict()


@_logged_stage("digest")
def digest(settings: Settings, changes: dict[str, Any], run_id: str) -> dict[str, Any]:
    """E-mail the nightly digest of new and changed documents and targets; nothing when nothing changed.

    Runs after publish, so a mail that cannot be sent is reported (logged, `mail_error` in the run log's
    details) and never fails the run: the warehouse is published either way."""
    from carbonpeak.notify import digest_mail

    error = None
    try:
        sent = digest_mail(settings, changes, run_id=run_id)
    except Exception as exc:
        sent, error = False, f"{type(exc).__name__}: {exc}"
        log.error("the digest e-mail of run %s was not sent (%s); the warehouse is published: %s",
                  run_id, error, settings.warehouse_path)
    return {"sent": sent, "mail_error": error, "new_documents": len(changes["new_documents"]),
            "changed_documents": len(changes["changed_documents"]),
            "reextracted_documents": len(changes["reextracted_documents"]), "new_targets": changes["new_targets"]}


# --- everything -----------------------------------------------------------------------------------


@dataclass
class RunReport:
    run_id: str
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    source_errors: dict[str, str] = field(default_factory=dict)
    stages: dict[str, Any] = field(default_factory=dict)
    failed_stage: str | None = None
    error: str | None = None
    no_change: bool = False  # nothing landed or changed since the last publish: no build, validate or publish

    @property
    def ok(self) -> bool:
        return self.failed_stage is None and not self.source_errors

    @property
    def published(self) -> bool:
        return "publish" in self.stages

    def summary(self) -> str:
        return json.dumps(asdict(self) | {"ok": self.ok, "published": self.published},
                          ensure_ascii=False, indent=2, default=str)


def run_all(settings: Settings, *, run_id: str | None = None, sources: list[str] | None = None,
            force: bool = False) -> RunReport:
    """Scrape every source (a broken one does not stop the others), check their freshness, then — unless
    nothing changed since the last publish (`detect_changes`; `force` builds anyway) — extract, build,
    validate, publish and send the digest. `sources=[]` rebuilds from the landing data alone. The whole run
    holds the run lock: a second run started meanwhile raises runlock.RunLocked at once, having done nothing."""
    report = RunReport(run_id=run_id or new_run_id())
    with run_lock(settings, run_id=report.run_id, what="run"):
        report.stages["begin"] = begin_run(settings, report.run_id)
        _run_stages(settings, report, sources, force)
    return report


def _run_stages(settings: Settings, report: RunReport, sources: list[str] | None, force: bool) -> None:
    report.sources, report.source_errors = scrape_sources(settings, report.run_id, sources)
    steps: tuple[tuple[str, Callable[..., dict[str, Any]]], ...] = (
        ("freshness", freshness),
        *((("changes", detect_changes),) if not force else ()),
        ("extract", extract), ("build", build), ("validate", validate),
        ("publish", publish), ("digest", lambda s, run_id: digest(s, report.stages["publish"]["changes"],
                                                                     run_id=run_id)),
    )
    for name, stage in steps:
        try:
            report.stages[name] = stage(settings, run_id=report.run_id)
        except Exception as exc:
            log.exception("stage %s failed", name)
            report.failed_stage, report.error = name, str(exc)
            failure_alert(settings, stage=name, error=exc, source=getattr(exc, "source_key", None),
                          run_id=report.run_id, details=getattr(exc, "details", None))
            break
        if name == "changes" and not report.stages[name]["changed"]:
            report.no_change = True
            break
    if report.published:  # the report reads the published warehouse; its failure unpublishes nothing
        try:
            report.stages["report"] = report_site(settings, run_id=report.run_id)
        except Exception as exc:
            log.exception("stage report failed (the warehouse stays published)")
            report.failed_stage = report.failed_stage or "report"
            report.error = report.error or str(exc)
            failure_alert(settings, stage="report", error=exc, run_id=report.run_id)
