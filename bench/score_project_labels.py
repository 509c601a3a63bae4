"""Score the extractor on the project-labelled compilation documents: a second dev set and a held-out set.

    .venv/bin/python bench/score_project_labels.py [dev|heldout|all] [--json]

Ten documents of the 003 compilation (mirror/corpus/003_a895838ed2e4cd84.txt, split by
scrapers/compilation_splitter.py) were labelled by the project following ../shared/gold/GUIDELINES.md; the labels
are in tests/extract/labels/{dev,heldout}/ (README there). The extractor runs on each document's text
alone, as `carbonpeak extract PATH --doc-id ID` does, and the predictions go to the shared scorer
(../shared/gold/score_targets.py). The extractor never reads the labels; only this harness does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from carbonpeak.extract import extract_targets
from carbonpeak_core.paths import REPO_ROOT, SHARED
from mirror.site import CORPUS_DIR
from scrapers.compilation_splitter import split_compilation

COMPILATION = CORPUS_DIR / "003_a895838ed2e4cd84.txt"
LABELS = REPO_ROOT / "tests" / "extract" / "labels"
DEFAULT_SHARED = SHARED
# doc id -> the document's full title in the compilation (its header), per half.
HALVES: dict[str, dict[str, str]] = {
    "dev": {
        "003c010_miit_industry_plan": "工业领域碳达峰实施方案",
        "003c024_jilin_peak_plan": "吉林省碳达峰实施方案",
        "003c028_hunan_energy_plan": "湖南省推动能源绿色低碳转型做好碳达峰工作的实施方案",
        "003c086_jiading_peak_plan": "嘉定区碳达峰实施方案",
        "003c100_shijiazhuang_opinions":
            "中共石家庄市委石家庄市人民政府关于完整准确全面贯彻新发展理念认真做好碳达峰碳中和工作的实施意见",
    },
    "heldout": {
        "003c009_mohurd_urban_rural_plan": "城乡建设领域碳达峰实施方案",
        "003c052_jiangxi_peak_plan": "江西省碳达峰实施方案",
        "003c058_guizhou_building_plan_draft": "贵州省城乡建设领域碳达峰实施方案(征求意见稿)",
        "003c105_dazu_peak_plan_draft": "重庆市大足区碳达峰实施方案(征求意见稿)",
        "003c111_liuzhou_opinions_draft":
            "柳州市关于完整准确全面贯彻新发展理念做好碳达峰碳中和工作的实施意见(征求意见稿)",
    },
}


@cache
def texts() -> dict[str, str]:
    """doc id -> the document's text as the compilation splitter cuts it (found by title, not position)."""
    by_title: dict[str, str] = {}
    for d in split_compilation(COMPILATION.read_text(encoding="utf-8")):
        by_title[d.title] = "" if d.title in by_title else d.text  # an ambiguous title matches nothing
    out: dict[str, str] = {}
    for docs in HALVES.values():
        for doc_id, title in docs.items():
            if not by_title.get(title):
                raise LookupError(f"{doc_id}: no single document titled {title!r} in the compilation")
            out[doc_id] = by_title[title]
    return out


def predictions(half: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for doc_id in HALVES[half]:
        rows += [t.as_json() for t in extract_targets(texts()[doc_id], doc_id)]
    return rows


def score(half: str, *, as_json: bool, shared: Path = DEFAULT_SHARED) -> tuple[int, str]:
    """Run the shared scorer on one half ("dev" or "heldout"); returns its exit code and output."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as fh:
        for row in predictions(half):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    command = [sys.executable, str(shared / "gold" / "score_targets.py"), "--pred", fh.name,
               "--gold", str(LABELS / half)] + (["--json"] if as_json else [])
    proc = subprocess.run(command, capture_output=True, text=True)
    Path(fh.name).unlink()
    return proc.returncode, proc.stdout + proc.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("half", nargs="?", choices=["dev", "heldout", "all"], default="all")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    code = 0
    for half in (["dev", "heldout"] if args.half == "all" else [args.half]):
        if not any((LABELS / half).glob("*.jsonl")):
            print(f"== {half}: no labels yet")
            continue
        print(f"== {half}")
        rc, out = score(half, as_json=args.json, shared=args.shared)
        print(out, end="")
        code = code or rc
    return code


if __name__ == "__main__":
    sys.exit(main())
