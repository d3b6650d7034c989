"""``manage.py classify_petitions IN.csv OUT.csv``: the active model's category for every row."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.analytics import router, store
from xinfang.analytics.training import TrainingDataError, read_csv_rows

BATCH = 500
ADDED = ("category", "confidence")


class Command(BaseCommand):
    help = (
        "Read a CSV with a 'text' column and write it again with the predicted 'category' (level 1, or "
        "'level1/level2' where the model knows level 2) and its 'confidence'. Every other column is kept; "
        "an input column already called 'category' or 'confidence' is kept as 'input_category' / "
        "'input_confidence'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("output", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = store.load_active()
        if loaded is None:
            raise CommandError("No routing model is trained yet: run 'manage.py train_router' first.")
        version, model = loaded
        try:
            columns, rows = read_csv_rows(options["input"])
        except TrainingDataError as exc:
            raise CommandError(str(exc)) from exc
        if "text" not in columns:
            raise CommandError(f"{options['input']} has no 'text' column; found: {', '.join(columns)}")
        renamed = {c: f"input_{c}" for c in columns if c in ADDED}
        out_columns = [renamed.get(c, c) for c in columns] + list(ADDED)
        with options["output"].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=out_columns)
            writer.writeheader()
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                predictions = router.predict(model, [(row.get("text") or "") for row in chunk])
                for row, prediction in zip(chunk, predictions, strict=True):
                    out = {renamed.get(k, k): v for k, v in row.items() if k is not None}
                    best = prediction.best
                    use_level2 = best.level2 and best.level2_probability >= 0.5 * best.probability
                    out["category"] = (
                        f"{best.level1}{router.SEPARATOR}{best.level2}" if use_level2 else best.level1
                    )
                    out["confidence"] = f"{best.probability:.4f}"
                    writer.writerow(out)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(rows)} rows classified with model version {version.version} → {options['output']}"
            )
        )
