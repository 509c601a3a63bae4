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
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from carbonpeak import pipeline
from carbonpeak.notify import failure_alert
from carbonpeak.settings import LiveModeError, Settings


@contextlib.contextmanager
def _maybe_mirror(settings: Settings, use_mirror: bool, live: bool = False) -> Iterator[Settings]:
    """With --mirror, serve the offline mirror on loopback and point the sources at it. With --live, the
    settings as they are, once `Settings.check_live` has found them fit for the real sites."""
    if live:
        yield settings.check_live()
        return
    if not use_mirror:
        yield settings
        return
    from carbonpeak.mirror.server import running_mirror

    with running_mirror() as mirror:
        for host, url in sorted(mirror.base_urls.items()):
            logging.getLogger("carbonpeak").info("mirror: %s -> %s", host, url)
        # Politeness delays protect real sites; our own loopback mirror needs none unless asked for.
        rate = settings.rate_limit if os.environ.get("CARBONPEAK_RATE_LIMIT") else 0.0
        yield settings.with_(base_urls={**settings.base_urls, **mirror.base_urls}, rate_limit=rate)


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from scrapers.registry import load_sources

    for key, source in sorted(load_sources(settings.sources_file).items()):
        print(f"{key}\t{source.family}\t{source.base_url}\t{source.name}")
    return 0


def cmd_scrape(args: argparse.Namespace, settings: Settings) -> int:
    run_id = args.run_id or pipeline.new_run_id()
    with _maybe_mirror(settings, args.mirror, args.live) as s:
        results, errors = pipeline.scrape_sources(s, run_id, args.sources or None)
    for summary in results.values():
        _print(summary)
    for error in errors.values():
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    if args.path is None:  # the pipeline stage: every landed document
        _print(pipeline.extract(settings))
        return 0
    from carbonpeak.extract import extract_targets

    text = Path(args.path).read_text(encoding="utf-8")
    published = date.fromisoformat(args.publish_date) if args.publish_date else None
    doc_id = args.doc_id or Path(args.path).stem
    for target in extract_targets(text, doc_id, region=args.region, title=args.title, publish_date=published):
        print(json.dumps(target.as_json(), ensure_ascii=False))
    return 0


def _stage(fn: Callable[[Settings], dict[str, Any]]) -> Callable[[argparse.Namespace, Settings], int]:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            _print(fn(settings))
        except pipeline.StageError as exc:
            print(f"error: {exc}\n{exc.details}", file=sys.stderr)
            failure_alert(settings, stage=exc.stage, error=exc, source=exc.source_key, details=exc.details)
            return 1
        return 0

    return run


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    with _maybe_mirror(settings, args.mirror, args.live) as s:
        report = pipeline.run_all(s, sources=args.sources or None)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    report = pipeline.run_all(settings, sources=[])
    print(report.summary())
    return 0 if report.ok else 1


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


def cmd_mirror(args: argparse.Namespace, settings: Settings) -> int:
    from carbonpeak.mirror.server import serve_forever

    serve_forever()
    return 0


def cmd_dag_test(args: argparse.Namespace, settings: Settings) -> int:
    from carbonpeak.airflow_local import dag_test

    with _maybe_mirror(settings, args.mirror) as s:
        code = dag_test(base_urls=s.base_urls, rate_limit=s.rate_limit)
    if code == 0:
        print(f"\nPublished warehouse: {s.warehouse_path}\nTry:\n  {sys.executable} -c \"import duckdb; "
              f"print(duckdb.connect('{s.warehouse_path}', read_only=True).sql("
              "'select region_name, indicator, value, unit, target_year, quote from fct_targets limit 10'))\"")
    return code


def _add_site_choice(parser: argparse.ArgumentParser) -> None:
    sites = parser.add_mutually_exclusive_group()
    sites.add_argument("--mirror", action="store_true", help="scrape the offline mirror on 127.0.0.1")
    sites.add_argument("--live", action="store_true",
                       help="scrape the real sites (refused while CARBONPEAK_BASE_URLS redirects a host; "
                            "needs CARBONPEAK_CONTACT)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carbonpeak", description=__doc__)
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING… (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("sources", help="list the registered sources").set_defaults(fn=cmd_sources)

    p = sub.add_parser("scrape", help="fetch new and changed documents of some or all sources")
    p.add_argument("sources", nargs="*", help="source keys (default: all)")
    p.add_argument("--run-id")
    _add_site_choice(p)
    p.set_defaults(fn=cmd_scrape)

    p = sub.add_parser("extract", help="targets of one text file as JSON lines; without PATH, of all landed documents")
    p.add_argument("path", nargs="?", help="a UTF-8 text file")
    p.add_argument("--doc-id", help="document id written into every record (default: file stem)")
    p.add_argument("--region", help="jurisdiction, if known (e.g. 嘉兴市)")
    p.add_argument("--title", help="document title, if known")
    p.add_argument("--publish-date", help="YYYY-MM-DD, if known")
    p.set_defaults(fn=cmd_extract)

    sub.add_parser("build", help="dbt build into the build file").set_defaults(fn=_stage(pipeline.build))
    sub.add_parser("validate", help="Great Expectations over the build file").set_defaults(
        fn=_stage(pipeline.validate))
    sub.add_parser("publish", help="replace the published warehouse with the build file").set_defaults(
        fn=_stage(pipeline.publish))

    p = sub.add_parser("run", help="every stage: scrape, extract, build, validate, publish")
    p.add_argument("sources", nargs="*", help="source keys (default: all)")
    _add_site_choice(p)
    p.set_defaults(fn=cmd_run)

    sub.add_parser("rebuild", help="extract, build, validate, publish from the landing data alone").set_defaults(
        fn=cmd_rebuild)

    p = sub.add_parser("reparse", help="re-parse every saved raw page with the current parser (no requests)")
    p.add_argument("sources", nargs="*", help="source keys (default: all)")
    p.set_defaults(fn=cmd_reparse)

    p = sub.add_parser("release", help="a dated Parquet + metadata export of the published warehouse")
    p.add_argument("--out", help="folder for releases (default: $CARBONPEAK_DATA_DIR/releases)")
    p.set_defaults(fn=cmd_release)

    sub.add_parser("mirror", help="serve the offline mirror until Ctrl-C").set_defaults(fn=cmd_mirror)

    p = sub.add_parser("dag-test", help="run the Airflow DAG once (local AIRFLOW_HOME, SQLite)")
    p.add_argument("--mirror", action="store_true", help="scrape the offline mirror on 127.0.0.1")
    p.set_defaults(fn=cmd_dag_test)
    return parser


def main(argv: list[str] | None = None) -> int:
    # `carbonpeak extract … | head` should end quietly when the reader goes away.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.fn(args, Settings.from_env()))
    except LiveModeError as exc:
        print(f"error: --live: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
