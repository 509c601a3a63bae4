"""run_all with the compilation and gov.cn sources publishes the compiled documents, placed by region."""

from __future__ import annotations

import duckdb

from carbonpeak.pipeline import run_all
from carbonpeak_core.settings import Settings
from mirror import Mirror


def test_run_all_publishes_the_compiled_documents(mirror: Mirror, mirror_settings: Settings) -> None:
    settings = mirror_settings.with_(warehouse_path=mirror_settings.data_dir.parent / "warehouse" / "cp.duckdb")
    report = run_all(settings, sources=["carbonpeak_compilation_v7", "govcn_policy_library"])
    assert report.ok and report.published, report.summary()

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        compiled = con.execute(
            "select count(*), count(distinct page_range) from dim_documents where compilation_id = 'shuangtan_v7'"
        ).fetchone()
        provinces = con.execute("""
            select d.issuer, d.region_code, r.region_name, r.region_level
            from dim_documents d left join dim_regions r using (region_code)
            where d.compilation_id is not null and d.issuer like '%省'
        """).fetchall()
        govcn = con.execute(
            "select region_code, count(*) from dim_documents where source_key = 'govcn_policy_library' group by 1"
        ).fetchall()
        duplicates = con.execute("""
            select count(*) from dim_documents a join dim_documents b
              on a.version_hash = b.version_hash and a.source_key < b.source_key
        """).fetchone()
        targets = con.execute("select count(*) from fct_targets").fetchone()
    assert compiled is not None and compiled[0] == 114 and compiled[1] > 100
    assert len(provinces) > 40
    for issuer, code, name, level in provinces:
        assert (level, name) == ("province", issuer), (issuer, code)
    assert govcn == [("100000", 2)]
    assert duplicates == (2,)  # the national documents, from both sources, both kept
    assert targets is not None and targets[0] > 500
