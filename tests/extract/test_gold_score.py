"""CI gate: the extractor's overall F1 on the five hand-labelled dev documents stays at or above 0.99.

The scorer and the gold live in ../shared (beside the checkout, as on every developer machine and in
CI); only this test and bench/score_dev_gold.py read them — the extractor never does.
"""

from __future__ import annotations

import json

import pytest

from bench.score_dev_gold import DEFAULT_SHARED, DEV_DOCUMENTS, score

MIN_F1 = 0.99  # issue 12: the clean-text dev gold stays >= 0.99 while PDF text is worked on


@pytest.mark.skipif(not (DEFAULT_SHARED / "gold" / "score_targets.py").exists(),
                    reason=f"the dev gold is not beside the checkout ({DEFAULT_SHARED})")
def test_overall_f1_on_the_dev_gold_is_at_least_0_99() -> None:
    code, out = score(DEFAULT_SHARED, as_json=True)
    assert code == 0, out
    result = json.loads(out)
    assert set(result["per_doc"]) == set(DEV_DOCUMENTS)
    overall = result["overall"]["f1"]
    per_doc = {doc: round(d["f1"], 3) for doc, d in result["per_doc"].items()}
    assert overall >= MIN_F1, f"overall F1 {overall:.3f} < {MIN_F1}; per document: {per_doc}"
