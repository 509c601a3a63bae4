"""Validate the marts of a DuckDB file with Great Expectations checkpoints; build the Data Docs.

Each mart is read through a read-only DuckDB connection into a pandas frame (GX's SQL route to
DuckDB loses result rows upstream), then validated by a checkpoint in a file-backed GX context under
`gx_dir`; the HTML Data Docs are rendered once per validation, after every suite has run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from expectations.load import LoadFacts
from expectations.registry import SUITES, suite_module


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    expectation: str
    column: str | None
    observed: str
    expected: str
    unexpected_count: int | None

    def describe(self) -> str:
        where = f" on column {self.column}" if self.column else ""
        count = f", {self.unexpected_count} rows" if self.unexpected_count is not None else ""
        return (
            f"{self.suite}: {self.expectation}{where} failed "
            f"(observed {self.observed}; expected {self.expected}{count})"
        )


@dataclass
class ValidationReport:
    success: bool
    row_counts: dict[str, int] = field(default_factory=dict)
    failures: list[FailedExpectation] = field(default_factory=list)
    data_docs: Path | None = None

    def summary(self) -> str:
        head = "passed" if self.success else f"FAILED ({len(self.failures)} expectations)"
        lines = [f"validation {head}; rows: {json.dumps(self.row_counts, ensure_ascii=False)}"]
        lines += [f"  - {f.describe()}" for f in self.failures]
        if self.data_docs:
            lines.append(f"  Data Docs: {self.data_docs}")
        return "\n".join(lines)


_EXPECTED_KEYS = ("min_value", "max_value", "value_set", "regex", "column_list", "column_A", "column_B",
                  "row_condition")


def _failure(suite: str, result: Any) -> FailedExpectation:
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    res = result.result or {}
    observed = res.get("observed_value")
    if observed is None and res.get("partial_unexpected_list") is not None:
        observed = res["partial_unexpected_list"][:5]
    expected = {k: kwargs[k] for k in _EXPECTED_KEYS if kwargs.get(k) is not None}
    return FailedExpectation(
        suite=suite,
        expectation=config.type,
        column=kwargs.get("column"),
        observed=json.dumps(observed, ensure_ascii=False, default=str),
        expected=json.dumps(expected, ensure_ascii=False, default=str) if expected else "to hold",
        unexpected_count=res.get("unexpected_count"),
    )


def read_frames(db_path: Path, models: list[str]) -> dict[str, Any]:
    """Each suite's frame (its QUERY over the build file) through one read-only connection."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {model: con.execute(suite_module(model).QUERY).df() for model in models}


def published_row_counts(published: Path | None) -> dict[str, int]:
    """Row counts of every suite's model in the published warehouse, for the no-sudden-drop rule."""
    if published is None or not published.exists():
        return {}
    counts: dict[str, int] = {}
    with duckdb.connect(str(published), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
        for model in SUITES:
            if model in tables:
                counts[model] = int(con.execute(f'select count(*) from "{model}"').fetchone()[0])  # type: ignore[index]
    return counts


def validate_warehouse(db_path: Path, gx_dir: Path, *, published: Path | None = None,
                       previous_rows: dict[str, int] | None = None,
                       max_row_drop: float = 0.2, today: date | None = None,
                       run_name: str | None = None) -> ValidationReport:
    """Run every suite's checkpoint over the build file; the row counts it may not fall far below are
    `previous_rows` (the pipeline keeps them from the last publish) or else those of `published`, the warehouse
    it would replace. `run_name` (the pipeline's run id) names the run in the Data Docs."""
    import great_expectations as gx  # heavy (seconds): only when validating
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.data_docs import configure_site, make_offline

    previous = previous_rows if previous_rows is not None else published_row_counts(published)
    facts = LoadFacts(today=today or date.today(), previous_rows=previous, max_row_drop=max_row_drop)
    frames = read_frames(db_path, sorted(SUITES))
    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_dir))
    # Progress bars would flood Airflow task logs with carriage returns.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    configure_site(context)
    datasource = context.data_sources.add_or_update_pandas(name="carbonpeak_marts")
    report = ValidationReport(success=True)
    for model, frame in frames.items():
        report.row_counts[model] = len(frame)
        asset = next((a for a in datasource.assets if a.name == model), None)
        if asset is None:
            asset = datasource.add_dataframe_asset(name=model)
        batch_def = next((b for b in asset.batch_definitions if b.name == "whole"), None)
        if batch_def is None:
            batch_def = asset.add_batch_definition_whole_dataframe("whole")
        suite = context.suites.add_or_update(suite_module(model).build_suite(facts))
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=f"{model}_nightly", data=batch_def, suite=suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=f"{model}_checkpoint",
                validation_definitions=[definition],
                actions=[],  # Data Docs are rendered once, after every suite has run (below)
                result_format={"result_format": "SUMMARY"},
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame},
                                run_id=RunIdentifier(run_name=run_name) if run_name else None)
        for run_result in result.run_results.values():
            for exp_result in run_result.results:
                if not exp_result.success:
                    report.failures.append(_failure(model, exp_result))
        report.success = report.success and bool(result.success)
    # One render of the site for all suites: an UpdateDataDocsAction on each checkpoint re-rendered the
    # whole site once per suite.
    context.build_data_docs()
    docs = gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    if docs.exists():
        make_offline(docs.parent)
    report.data_docs = docs if docs.exists() else None
    return report
