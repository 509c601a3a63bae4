"""The `carbonpeak` command: one subcommand per pipeline stage, `run` for all, and the extractor contract.

Every subcommand calls the same library function the Airflow DAG calls (carbonpeak.pipeline).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from carbonpeak import console, pipeline
from carbonpeak.notify import failure_alert
from carbonpeak.runlock import RunLocked
from carbonpeak_core.settings import LiveModeError, Settings

# `carbonpeak run` (or a stage) refused because another run holds the data directory: try again later
# (sysexits' EX_TEMPFAIL), distinct from 1, a run that failed.
EXIT_LOCKED = 75


def _sites(settings: Settings, live: bool) -> Settings:
    """With --live, the settings once `Settings.check_live` has found them fit for the real sites; else as
    they are (CARBONPEAK_BASE_URLS may point hosts elsewhere: the offline mirror, `python -m mirror`)."""
    return settings.check_live() if live else settings


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from scrapers.registry import load_sources

    for key, source in sorted(load_sources(settings.sources_file).items()):
        print(f"{key}\t{source.family}\t{source.base_url}\t{source.name}")
    return 0


def cmd_scrape(args: argparse.Namespace, settings: Settings) -> int:
    run_id = args.run_id or pipeline.new_run_id()
    with console.listening(console.Console(sys.stderr).handle):  # a line per source on stderr; JSON on stdout
        results, errors = pipeline.scrape_sources(_sites(settings, args.live), run_id, args.sources or None)
    for summary in results.values():
        _print(summary)
    for error in errors.values():
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


# -- `carbonpeak extract PATH...` ---------------------------------------------------------------------

_HINTS = {
    "pdf": "The PDF is damaged, encrypted or not a PDF at all: open it in a PDF viewer, download it again, "
           "or remove its password",
    "docx": "It is not a readable Word 2007+ document: open it in Word or LibreOffice and save it as .docx again",
    "txt": "Save it as UTF-8 text",
    "html": "Save the page again from the browser (as HTML only)",
}


@dataclass
class _FileTargets:
    """What one file gave: its targets as JSON lines, warnings, or the reason it failed."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def html_text(content: bytes) -> tuple[str, str | None, str | None]:
    """(body text, title, publish date YYYY-MM-DD) of a saved web page: the visible text of <body> as the
    site families read a page body (scrapers.parsing.clean_text), the gov meta title and date when present."""
    from bs4 import Tag

    from scrapers.parsing import clean_text, decode_html, gov_meta, parse_date, soup_of, text_of

    soup = soup_of(decode_html(content))
    meta = gov_meta(soup)
    head_title = soup.find("title")
    title = meta.get("ArticleTitle") or (text_of(head_title).split("_")[0].strip()
                                         if isinstance(head_title, Tag) else "") or None
    node = soup.body or soup
    return clean_text(node), title, parse_date(meta.get("PubDate"))


def _read_error(path: str, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file. Check the path"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a folder, not a file. Give the files in it (e.g. {path.rstrip('/')}/*.pdf)"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied. Make the file readable for this user"
    return f"{path}: cannot be read: {exc.strerror or exc}"


def _extract_file(path: str, doc_id: str, region: str | None, title: str | None,
                  published: date | None, explain: bool = False) -> _FileTargets:
    """The targets of one file; never raises, so one bad file does not stop the others."""
    from carbonpeak.extract import extract_targets
    from scrapers.textlayer import ConversionError, FileText
    from scrapers.textlayer.files import READABLE, content_text, file_kind

    out = _FileTargets()
    kind = "unknown"
    try:
        content = Path(path).read_bytes()
        kind = file_kind(Path(path), content)
        if kind == "html":
            text, page_title, page_date = html_text(content)
            title = title or page_title
            if published is None and page_date:
                published = date.fromisoformat(page_date)
            result = FileText(text, "html")
        else:
            result = content_text(content, kind)
    except OSError as exc:
        out.error = _read_error(path, exc)
        return out
    except ConversionError as exc:
        hint = _HINTS.get(kind, f"carbonpeak extract reads {READABLE}: convert the file to one of these "
                                "(a .doc or .wps file: save it as .docx)")
        out.error = f"{path}: {str(exc).rstrip('.')}. {hint}"
        return out
    except Exception as exc:  # a reader's bug must not cost the other files their targets
        out.error = f"{path}: reading it failed ({type(exc).__name__}: {exc}). Please report this with the file"
        return out
    if result.needs_ocr:
        pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
        out.warnings.append(f"{path}: no text layer on its {pages} (a scanned PDF?): no targets read. Run OCR on "
                            "it (e.g. ocrmypdf) and extract the result")
        return out
    try:
        skipped: list[Any] | None = [] if explain else None
        found = extract_targets(result.text, doc_id, region=region, title=title, publish_date=published,
                                explain=skipped)
    except Exception as exc:
        out.error = f"{path}: the extractor failed ({type(exc).__name__}: {exc}). Please report this with the file"
        return out
    out.lines = [json.dumps(t.as_json(), ensure_ascii=False) for t in found]
    # --explain: after the targets, every number that became none, with the exclusion rule that dropped it.
    out.lines += [json.dumps({"skipped": True, **asdict(m)}, ensure_ascii=False) for m in skipped or []]
    return out


def _extract_files(paths: list[str], doc_ids: list[str], region: str | None, title: str | None,
                   published: date | None, explain: bool = False) -> Iterator[_FileTargets]:
    """Each file's targets, in the order of `paths`. Several files are read in worker processes, one per core
    (largest first, so that one big PDF does not finish last)."""
    if len(paths) == 1:
        yield _extract_file(paths[0], doc_ids[0], region, title, published, explain)
        return
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import carbonpeak.extract  # noqa: F401  imported once here, inherited by the forked workers

    def size(path: str) -> int:
        with contextlib.suppress(OSError):
            return os.stat(path).st_size
        return 0

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    pool = ProcessPoolExecutor(max_workers=min(len(paths), cores), initializer=_worker_init, initargs=(os.getpid(),))
    finished = False
    try:
        futures: dict[int, Future[_FileTargets]] = {}
        for i in sorted(range(len(paths)), key=lambda i: -size(paths[i])):
            futures[i] = pool.submit(_extract_file, paths[i], doc_ids[i], region, title, published, explain)
        for i, path in enumerate(paths):
            try:
                yield futures[i].result()
            except BrokenProcessPool as exc:  # the worker died (out of memory, a crash inside a C library)
                yield _FileTargets(error=f"{path}: the process reading it died ({exc}). Try this file on its own")
        finished = True
    finally:  # interrupted (Ctrl-C, a closed pipe): the files not yet started are not read
        pool.shutdown(wait=finished, cancel_futures=True)


def _worker_init(parent: int) -> None:
    """Workers end with the command: Ctrl-C is the parent's to handle, and when the parent dies (killed, or
    by SIGPIPE when the reader of its output goes away) its workers get SIGTERM (Linux) instead of waiting
    forever for work that will not come."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    if not args.paths:  # the pipeline stage: every landed document
        _print(pipeline.extract(settings))
        return 0
    if args.doc_id and len(args.paths) > 1:
        print(f"error: --doc-id names one document, but {len(args.paths)} paths were given. Drop --doc-id (each "
              "document's id is then its file stem) or extract one path at a time", file=sys.stderr)
        return 2
    published = args.publish_date
    doc_ids = [args.doc_id] if args.doc_id else [Path(p).stem for p in args.paths]
    repeated = sorted({d for d in doc_ids if doc_ids.count(d) > 1})
    if repeated:
        print(f"warning: several files share the document id {', '.join(repeated)} (their file stem): their "
              "targets carry the same doc", file=sys.stderr)
    failed: list[str] = []
    done = 0
    outcomes = _extract_files(args.paths, doc_ids, args.region, args.title, published, args.explain)
    try:
        for path, outcome in zip(args.paths, outcomes, strict=True):
            for line in outcome.lines:
                print(line)
            for warning in outcome.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            if outcome.error:
                print(f"error: {outcome.error}", file=sys.stderr)
                failed.append(path)
            done += 1
    except KeyboardInterrupt:
        outcomes.close()
        print(f"interrupted after {done} of {len(args.paths)} files", file=sys.stderr)
        return 130
    if failed:
        print(f"{len(failed)} of {len(args.paths)} files failed; the targets of the others were printed",
              file=sys.stderr)
    return 1 if failed else 0


def _stage(fn: Callable[[Settings], dict[str, Any]]) -> Callable[[argparse.Namespace, Settings], int]:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            with console.listening(console.Console(sys.stderr).handle):  # progress on stderr; JSON on stdout
                result = fn(settings)
            _print(result)
        except pipeline.StageError as exc:
            print(f"error: {exc}\n{exc.details}", file=sys.stderr)
            failure_alert(settings, stage=exc.stage, error=exc, source=exc.source_key, details=exc.details)
            return 1
        return 0

    return run


def _run_for_people(args: argparse.Namespace, settings: Settings, sources: list[str] | None,
                    force: bool = False) -> int:
    """`run` and `rebuild`: a line per source and stage as they finish, then the summary (`--json`: the run's
    whole report as JSON instead of the summary)."""
    logs: console.LogSetup | None = getattr(args, "log_setup", None)
    out = console.Console()
    out.print(f"carbonpeak {args.command}: full log in {logs.path}" if logs else f"carbonpeak {args.command}")
    with console.listening(out.handle):
        report = pipeline.run_all(settings, sources=sources, force=force)
    if args.json:
        print(report.summary())
    else:
        out.print(out.summary(settings, logs.path if logs else None, counter=logs.counter if logs else None))
    return 0 if report.ok else 1


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    return _run_for_people(args, _sites(settings, args.live), args.sources or None)


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    return _run_for_people(args, settings, [], force=True)


def cmd_reparse(args: argparse.Namespace, settings: Settings) -> int:
    from scrapers.reparse import reparse_source

    run_id = pipeline.new_run_id()
    failed = 0
    for key in args.sources or pipeline.list_sources(settings):
        try:
            _print(asdict(reparse_source(key, settings, run_id)))
        except Exception as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
    print("Re-parsed into the landing zone; `carbonpeak rebuild` publishes the result.", file=sys.stderr)
    return 1 if failed else 0


def cmd_release(args: argparse.Namespace, settings: Settings) -> int:
    from carbonpeak.release import ReleaseError, export_release

    try:
        print(export_release(settings, Path(args.out) if args.out else None))
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out) if args.out else pipeline.report_dir(settings)
    try:
        result = pipeline.report_site(settings, out)
    except pipeline.StageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Report of {settings.warehouse_path}: {result['pages']} pages ({result['regions']} regions, "
          f"{result['indicators']} indicators, {result['bytes'] / 1e6:.1f} MB) in {result['seconds']:.1f} s\n"
          f"Open {result['index']} in a browser (it works offline, from file://).")
    return 0


def cmd_dag_test(args: argparse.Namespace, settings: Settings) -> int:
    """The DAG once under `airflow dags test`: Airflow's output goes to the log file; the console shows the lines
    the tasks report (read from their events file) and the summary."""
    from carbonpeak.airflow_local import dag_test

    logs: console.LogSetup | None = getattr(args, "log_setup", None)
    out = console.Console()
    out.print(f"Airflow DAG carbonpeak_nightly, once (airflow dags test); full log in {logs.path}" if logs else
              "Airflow DAG carbonpeak_nightly, once (airflow dags test)")
    code = dag_test(base_urls=settings.base_urls, rate_limit=settings.rate_limit,
                    log_file=logs.path if logs else None, on_event=out.handle,
                    events_dir=console.events_file(settings, "_").parent)
    # A failed step is in the summary already; anything else that failed the Airflow run is only in the log.
    failed_step = any(e.get("status") == "failed" and e.get("kind") in ("stage", "source") for e in out.events)
    extra = None if code == 0 or failed_step else f"airflow dags test exited {code}: see the full log"
    out.print(out.summary(settings, logs.path if logs else None, extra_failure=extra))
    if code == 0:
        out.print(f"  try         {sys.executable} -c \"import duckdb; print(duckdb.connect("
                  f"'{settings.warehouse_path}', read_only=True).sql('select region_name, indicator, value, unit, "
                  "target_year from fct_targets limit 10'))\"")
    return code


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _add_site_choice(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--live", action="store_true",
                       help="scrape the real sites (refused while CARBONPEAK_BASE_URLS redirects a host; "
                            "needs CARBONPEAK_CONTACT)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carbonpeak", description=__doc__)
    parser.add_argument("--log-level", default=None,
                        help="DEBUG, INFO, WARNING…: of the full log file under $CARBONPEAK_DATA_DIR/logs/ for the "
                             "pipeline commands (default DEBUG), of stderr for the others (default INFO)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="pipeline commands: print every log record (INFO and above) on stderr too")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("sources", help="list the registered sources").set_defaults(fn=cmd_sources)

    p = sub.add_parser("scrape", help="fetch new and changed documents of some or all sources")
    p.add_argument("sources", nargs="*", help="source keys (default: all)")
    p.add_argument("--run-id")
    _add_site_choice(p)
    p.set_defaults(fn=cmd_scrape)

    p = sub.add_parser("extract", help="targets of files as JSON lines (.pdf, .docx, .html, .txt); without PATH, "
                                       "of all landed documents",
                       description="Print one JSON object per target found in each file, file after file. A file "
                                   "that cannot be read is reported on stderr and the others still extract (exit "
                                   "status 1). Without PATH: the pipeline stage, over every landed document.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files to read: .pdf, .docx, .html/.htm, .txt (UTF-8 or GBK); several in one call")
    p.add_argument("--doc-id", help="document id written into every record (default: the file stem; "
                                    "only with a single PATH)")
    p.add_argument("--region", help="jurisdiction, if known (e.g. 嘉兴市)")
    p.add_argument("--title", help="document title, if known")
    p.add_argument("--publish-date", type=_iso_date, help="YYYY-MM-DD, if known")
    p.add_argument("--explain", action="store_true",
                   help="after each file's targets, one object per number that became no target: "
                        '{"skipped": true, "rule": …, "reason": …, "context": …}')
    p.set_defaults(fn=cmd_extract)

    sub.add_parser("build", help="dbt build into the build file").set_defaults(fn=_stage(pipeline.build))
    sub.add_parser("validate", help="Great Expectations over the build file").set_defaults(
        fn=_stage(pipeline.validate))
    sub.add_parser("publish", help="replace the published warehouse with the build file").set_defaults(
        fn=_stage(pipeline.publish))

    p = sub.add_parser("run", help="every stage: scrape, extract, build, validate, publish")
    p.add_argument("sources", nargs="*", help="source keys (default: all)")
    p.add_argument("--json", action="store_true", help="print the run's whole report as JSON instead of the summary")
    _add_site_choice(p)
    p.set_defaults(fn=cmd_run)

    p = sub.add_parser("rebuild", help="extract, build, validate, publish from the landing data alone")
    p.add_argument("--json", action="store_true", help="print the run's whole report as JSON instead of the summary")
    p.set_defaults(fn=cmd_rebuild)

    p = sub.add_parser("reparse", help="re-parse every saved raw page with the current parser (no requests)")
    p.add_argument("sources", nargs="*", help="source keys (default: all)")
    p.set_defaults(fn=cmd_reparse)

    p = sub.add_parser("release", help="a dated Parquet + CSV + metadata export of the published warehouse")
    p.add_argument("--out", help="folder for releases (default: $CARBONPEAK_DATA_DIR/releases)")
    p.set_defaults(fn=cmd_release)

    p = sub.add_parser("report", help="a static site of the published warehouse: index, a page per region and "
                                      "per indicator, charts (Chinese and English)")
    p.add_argument("--out", help="folder to write the site to (default: warehouse/report/ beside the warehouse)")
    p.set_defaults(fn=cmd_report)

    p = sub.add_parser("dag-test", help="run the Airflow DAG once (local AIRFLOW_HOME, SQLite)")
    p.set_defaults(fn=cmd_dag_test)
    return parser


# Pipeline commands: their whole log goes to a file, the console gets a line per step (carbonpeak.console).
_LOGGED_TO_FILE = {"scrape", "extract", "build", "validate", "publish", "run", "rebuild", "reparse", "release",
                   "report", "dag-test"}


def main(argv: list[str] | None = None) -> int:
    # `carbonpeak extract … | head` should end quietly when the reader goes away.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command in _LOGGED_TO_FILE and not (args.command == "extract" and args.paths):
            args.log_setup = console.setup_logging(settings, args.command, level=args.log_level or "DEBUG",
                                                   verbose=args.verbose)
        else:
            logging.basicConfig(level=(args.log_level or "INFO").upper(),
                                format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return int(args.fn(args, settings))
    except LiveModeError as exc:
        print(f"error: --live: {exc}", file=sys.stderr)
        return 2
    except RunLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    finally:
        if getattr(args, "log_setup", None):
            args.log_setup.close()


if __name__ == "__main__":
    sys.exit(main())
