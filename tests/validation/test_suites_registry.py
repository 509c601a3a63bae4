"""Every mart has a Great Expectations suite (or a reasoned opt-out), and every suite names a real model."""

from __future__ import annotations

from datetime import date

from carbonpeak_core.paths import REPO_ROOT
from expectations.load import LoadFacts
from expectations.registry import OPT_OUT, SUITES, suite_module

MODELS = REPO_ROOT / "dbt_project" / "models"


def test_every_mart_has_a_suite_or_a_reasoned_opt_out() -> None:
    marts = {p.stem for p in (MODELS / "marts").rglob("*.sql")}
    assert marts, "no marts found"
    missing = marts - set(SUITES) - set(OPT_OUT)
    assert not missing, f"marts without a suite or an opt-out: {sorted(missing)}"
    assert all(len(reason) > 20 for reason in OPT_OUT.values())
    assert not set(SUITES) & set(OPT_OUT)


def test_every_suite_names_a_real_model_and_queries_it() -> None:
    models = {p.stem for p in MODELS.rglob("*.sql")}
    for name in SUITES:
        module = suite_module(name)
        assert name in models, f"suite {name} names no dbt model"
        assert module.MODEL == name
        assert name in module.QUERY
        assert module.build_suite(LoadFacts(today=date.today())).name == name


def test_the_row_band_follows_the_published_warehouse() -> None:
    facts = LoadFacts(today=date.today(), previous_rows={"fct_targets": 195}, max_row_drop=0.2)
    assert facts.min_rows("fct_targets") == 156
    assert facts.min_rows("dim_documents") == 1  # nothing published yet: at least one row
