"""On a few hundred rows of the real labelled messages (../shared/data; skipped when absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from xinfang.analytics import router

LABELLED = Path(__file__).resolve().parents[4] / "shared" / "data" / "tipdm2020c" / "messages_labeled.csv"
pytestmark = pytest.mark.skipif(not LABELLED.exists(), reason="shared evaluation data not present")


def test_a_model_trained_on_400_real_messages_routes_a_held_out_share_far_better_than_chance():
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[::7][:400]
    scores = router.evaluate([router.Example(r["subject"] + r["body"], r["category"]) for r in rows])
    assert scores["macro_f1"] > 0.6  # 7 classes: chance is about 0.14
    assert len(scores["per_class_f1"]) == 7
