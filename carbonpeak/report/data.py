"""What the report shows, read once from the published warehouse through a read-only connection.

Plain rows (dicts) grouped for the pages: regions with targets, indicators with targets, their documents,
progress, consistency findings, per-source freshness and the changes of the latest publish. Nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb

Row = dict[str, Any]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
    cursor = con.execute(sql, params) if params else con.execute(sql)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass
class ReportData:
    regions: dict[str, Row]  # every division: region_code → dim_regions row
    indicators: dict[str, Row]  # indicator_code → dim_indicators row
    targets: list[Row]  # current targets
    documents: dict[str, Row]  # current documents by document_id
    progress: list[Row]  # fct_target_progress rows that measure a target
    consistency: list[Row]
    sources: list[Row]
    runs: list[Row]
    changes: list[Row]  # fct_target_versions rows of the latest week, with their document
    changes_since: Any = None
    counts: Row = field(default_factory=dict)

    def targets_by_region(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for t in self.targets:
            if t["region_code"]:
                out[t["region_code"]].append(t)
        return out

    def targets_by_indicator(self) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for t in self.targets:
            if t["indicator_code"]:
                out[t["indicator_code"]].append(t)
        return out

    @cached_property
    def region_pages(self) -> set[str]:
        """Regions that get a page: those with current targets."""
        return {t["region_code"] for t in self.targets if t["region_code"]}

    def region_en(self, code: str | None) -> str | None:
        region = self.regions.get(code or "")
        return region["name_en"] if region else None


def load(warehouse: Path) -> ReportData:
    """Read everything the pages need from the published warehouse (read-only)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {name for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = current_schema()").fetchall()}
        regions = {r["region_code"]: r for r in _rows(con, """
            select region_code, region_name, name_en, region_level, parent_code, parent_name, parent_name_en,
                   province_code, city_code
            from dim_regions""")}
        indicators = {r["indicator_code"]: r for r in _rows(con, "select * from dim_indicators")}
        targets = _rows(con, """
            select t.target_id, t.document_id, t.region_code, t.region_name, t.region_name_en, t.sector,
                   t.indicator, t.indicator_code, t.indicator_name_en, t.value, t.unit, t.value_canonical,
                   t.unit_canonical, t.direction, t.comparator, t.target_year, t.baseline_year, t.hedge, t.quote,
                   t.document_title, t.publish_date, t.source_url, t.attachment_name, r.region_level
            from fct_targets as t left join dim_regions as r using (region_code)
            where t.is_current
            order by t.region_code, t.indicator_code, t.target_year, t.value""")
        documents = {d["document_id"]: d for d in _rows(con, """
            select document_id, version_number, title, document_type, issuer, doc_number, publish_date, url,
                   source_key, site_name, region_code, region_name, region_name_en, region_level
            from dim_documents where is_current
            order by publish_date desc nulls last, document_id""")}
        progress = _rows(con, """
            select * from fct_target_progress where comparison is not null
            order by region_code, indicator_code, target_year""")
        consistency = _rows(con, """
            select * from fct_target_consistency
            order by region_code, indicator_code, check_kind, finding, compared_region_code""")
        sources = _rows(con, "select * from dim_sources order by source_key") if "dim_sources" in tables else []
        runs = (_rows(con, "select * from fct_pipeline_runs order by started_at desc limit 5")
                if "fct_pipeline_runs" in tables else [])
        # What changed since the last publish: versions fetched after the last run that published (the run log
        # in this warehouse ends before the run that built it); on a first publish, everything.
        since = (con.execute("select max(coalesce(finished_at, started_at)) from fct_pipeline_runs "
                             "where publish_status = 'success'").fetchone()
                 if "fct_pipeline_runs" in tables else None)
        changes = _rows(con, """
            select v.valid_from, v.change_kind, v.document_id, d.title, d.url, v.version_number, v.region_code,
                   v.region_name, v.region_name_en, v.indicator, v.indicator_code, v.indicator_name_en,
                   v.previous_value, v.value, v.unit, v.target_year, v.quote
            from fct_target_versions as v
            inner join dim_documents as d using (document_id, version_hash)
            where v.change_kind <> 'unchanged' and ($since::timestamptz is null or v.valid_from > $since)
            order by v.valid_from desc, v.document_id, v.region_code, v.indicator""",
            {"since": since[0] if since else None})
        counts = _rows(con, """
            select (select count(*) from dim_documents where is_current) as documents,
                   (select count(*) from dim_documents) as versions,
                   (select count(*) from fct_targets where is_current) as targets,
                   (select count(*) from fct_indicator_observations) as observations""")[0]
    return ReportData(regions=regions, indicators=indicators, targets=targets, documents=documents,
                      progress=progress, consistency=consistency, sources=sources, runs=runs, changes=changes,
                      changes_since=since[0] if since else None, counts=counts)
