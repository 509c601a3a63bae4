"""CI gate: targets of the four hand-labelled real PDFs, read from the PDFs themselves by one
`carbonpeak extract` call, score overall F1 ≥ 0.85 on ../shared/gold/pdf, with direction and comparator
≥ 0.95 on the matched pairs; the pdfminer texts beside them (layout spaces, broken lines, footers and
tables read column by column left in) score ≥ 0.85 too.

The PDFs, the gold and the scorer live in ../shared beside the checkout (as in CI); only this test and the
benchmarks read the gold, the extractor never does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.pdf_text_layers import DEFAULT_SHARED, load_scorer

GOLD = DEFAULT_SHARED / "gold" / "pdf"
PDFS = sorted((GOLD / "pdfs").glob("*.pdf"))
MIN_F1 = 0.85
MIN_FIELD = 0.95  # direction and comparator, on the matched pairs

pytestmark = pytest.mark.skipif(
    len(PDFS) != 4 or not (DEFAULT_SHARED / "gold" / "score_targets.py").exists(),
    reason=f"the PDF gold (4 PDFs in pdfs/, the scorer) is not beside the checkout ({GOLD})",
)


def _extract(paths: list[Path]) -> list[dict]:
    script = Path(sys.executable).with_name("carbonpeak")
    proc = subprocess.run([str(script), "extract", *map(str, paths)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    pred = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {p["doc"] for p in pred} <= {p.stem for p in paths}  # doc id = file stem = gold id
    return pred


def test_pdf_gold_texts_beside_the_pdfs_score_at_least_0_85() -> None:
    texts = sorted((GOLD / "texts").glob("*.txt"))
    assert [t.stem for t in texts] == [p.stem for p in PDFS]
    scorer = load_scorer(DEFAULT_SHARED)
    gold = [row for f in sorted(GOLD.glob("*.jsonl")) for row in scorer.load_jsonl(f)]
    result = scorer.score(_extract(texts), gold)
    overall = result["overall"]
    assert overall["f1"] >= MIN_F1, f"overall F1 {overall['f1']:.3f} < {MIN_F1}: {result['per_doc']}"


def test_pdf_gold_f1_through_carbonpeak_extract_is_at_least_0_85() -> None:
    pred = _extract(PDFS)

    scorer = load_scorer(DEFAULT_SHARED)
    gold = [row for f in sorted(GOLD.glob("*.jsonl")) for row in scorer.load_jsonl(f)]
    result = scorer.score(pred, gold)
    per_doc = {doc: f"F1 {d['f1']:.3f} ({d['matched']}/{d['predicted']} pred, {d['gold']} gold)"
               for doc, d in result["per_doc"].items()}
    overall, fields = result["overall"], result["fields_on_matched"]
    assert set(per_doc) == {p.stem for p in PDFS}
    assert overall["f1"] >= MIN_F1, (
        f"overall F1 {overall['f1']:.3f} (P {overall['precision']:.3f}, R {overall['recall']:.3f}) < {MIN_F1}; "
        f"per document: {per_doc}")
    for name in ("direction", "comparator"):
        assert fields[name] >= MIN_FIELD, f"{name} {fields[name]:.3f} < {MIN_FIELD} on matched pairs: {fields}"
