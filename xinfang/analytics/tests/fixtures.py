"""Small training data made from the demo templates (no external data): a few hundred rows."""

from __future__ import annotations

import random
from pathlib import Path

from django.test import override_settings

from xinfang.analytics import router, store
from xinfang.analytics.training import train_and_store
from xinfang.petitions.demo import ESTATES, FIRMS, ROADS, TEMPLATES

VILLAGES = ["和平村", "兴业村", "庙南社区", "杨庙社区", "三十铺社区", "东城社区"]
EXTRA = ["", "，多次反映无果", "，希望领导重视", "，情况紧急", "，请尽快处理"]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        firm=rng.choice(FIRMS),
        estate=rng.choice(ESTATES),
        road=rng.choice(ROADS),
        village=rng.choice(VILLAGES),
        n=rng.randint(3, 40),
        amount=rng.randint(8, 90) * 1000,
        year=rng.choice([2023, 2024, 2025]),
        meters=rng.choice([300, 450, 600, 800]),
    )


def template_examples(per_template: int = 30, seed: int = 7) -> list[router.Example]:
    """Labelled texts from the demo templates; the property-management one carries a level-2 label."""
    rng = random.Random(seed)
    examples = []
    for level1, _function, subject, request, facts in TEMPLATES:
        level2 = "物业管理" if "物业" in subject else ""
        for _ in range(per_template):
            text = f"{_fill(rng, subject)} {_fill(rng, request)} {_fill(rng, facts)}{rng.choice(EXTRA)}"
            examples.append(router.Example(text=text, level1=level1, level2=level2))
    return examples


def train_small(model_dir: Path, *, per_template: int = 30) -> store.ModelVersion:
    with override_settings(XINFANG_MODEL_DIR=model_dir):
        return train_and_store(template_examples(per_template), source="test templates", with_scores=False)
