"""``manage.py train_router [--csv FILE] [--no-scores]``: train a new version of the routing model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.analytics.training import (
    TrainingDataError,
    examples_from_csv,
    examples_from_database,
    train_and_store,
)


class Command(BaseCommand):
    help = (
        "Train the routing model from the petitions' categories (staff corrections weigh more) or from a "
        "CSV with 'text' and 'category' columns; the new version is stored and made active."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, help="train from this CSV instead of the database")
        parser.add_argument("--no-scores", action="store_true", help="skip the hold-out evaluation")

    def handle(self, *args: Any, **options: Any) -> None:
        source_file: Path | None = options.get("csv")
        try:
            if source_file is not None:
                examples = examples_from_csv(source_file)
                source = f"csv:{source_file.name}"
            else:
                examples = examples_from_database()
                source = "database"
            version = train_and_store(examples, source=source, with_scores=not options["no_scores"])
        except TrainingDataError as exc:
            raise CommandError(str(exc)) from exc
        meta = version.meta
        self.stdout.write(
            self.style.SUCCESS(
                f"Routing model version {meta['version']} trained on {meta['rows']} rows "
                f"({len(meta['labels'])} labels, {meta['corrections']} corrected) "
                f"in {meta['training_seconds']} s; "
                f"now active. Stored in {version.path}"
            )
        )
        self.stdout.write(json.dumps(meta["scores"], ensure_ascii=False))
