"""Score the extractor on the dev gold: run `carbonpeak extract` logic over the five dev documents and
hand the predictions to the project's scorer (../shared/gold/score_targets.py).

    .venv/bin/python bench/score_dev_gold.py [--shared ../shared] [--json]

The extractor never sees the gold; only this harness and the scorer read it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from carbonpeak.extract import extract_targets
from carbonpeak_core.paths import SHARED

# doc id -> text path relative to shared/ (the 003 slices are cut from the compilation: gold/texts/SLICES.md)
DEV_DOCUMENTS = {
    "000_c024b4ef5c96c6e7": "corpus/000_c024b4ef5c96c6e7.txt",
    "001_473853afd590c8d8": "corpus/001_473853afd590c8d8.txt",
    "002_c46747e1f312a09b": "corpus/002_c46747e1f312a09b.txt",
    "003_national_opinions": "gold/texts/003_national_opinions.txt",
    "003_national_2030_action_plan": "gold/texts/003_national_2030_action_plan.txt",
}
DEFAULT_SHARED = SHARED


def predictions(shared: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for doc_id, relative in DEV_DOCUMENTS.items():
        text = (shared / relative).read_text(encoding="utf-8")
        rows += [t.as_json() for t in extract_targets(text, doc_id)]
    return rows


def score(shared: Path, *, as_json: bool) -> tuple[int, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as fh:
        for row in predictions(shared):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    command = [sys.executable, str(shared / "gold" / "score_targets.py"), "--pred", fh.name,
               "--gold", str(shared / "gold")] + (["--json"] if as_json else [])
    proc = subprocess.run(command, capture_output=True, text=True)
    Path(fh.name).unlink()
    return proc.returncode, proc.stdout + proc.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    code, out = score(args.shared, as_json=args.json)
    print(out, end="")
    return code


if __name__ == "__main__":
    sys.exit(main())
