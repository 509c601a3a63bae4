"""The `carbonpeak` console script: the extractor contract used to score it, and the stage commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from carbonpeak_core.paths import REPO_ROOT

CORPUS = REPO_ROOT / "mirror" / "corpus"
GUIDELINE_FIELDS = ["doc", "region", "sector", "indicator", "value", "unit", "direction", "comparator",
                    "target_year", "baseline_year", "quote", "note"]


def _carbonpeak(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("carbonpeak")
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=120)


def test_extract_prints_one_json_object_per_target_with_the_guideline_fields() -> None:
    path = CORPUS / "000_c024b4ef5c96c6e7.txt"
    proc = _carbonpeak("extract", str(path), "--doc-id", "000_c024b4ef5c96c6e7")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) > 10
    text = path.read_text(encoding="utf-8")
    for record in records:
        assert list(record)[: len(GUIDELINE_FIELDS)] == GUIDELINE_FIELDS
        assert record["doc"] == "000_c024b4ef5c96c6e7"
        assert text[record["quote_start"]: record["quote_end"]] == record["quote"]
    pv = [r for r in records if r["value"] == 470 and r["unit"] == "万千瓦"]
    assert pv and pv[0]["region"] == "嘉兴市" and pv[0]["target_year"] == 2025 and pv[0]["direction"] == "reach"


def test_stage_failure_exits_non_zero_with_a_clear_message(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("carbonpeak")
    env = {"CARBONPEAK_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([str(script), "build"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "build: no landed documents under" in proc.stderr
