"""``manage.py index_petitions [--rebuild] [--pairs OUT.csv]``: the near-duplicate index, in bulk."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.analytics import selectors, services


class Command(BaseCommand):
    help = (
        "Index the petitions not yet in the near-duplicate index (all with --rebuild); with --pairs, "
        "also write every pair of petitions on substantially the same matter to a CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="re-check every petition's entry")
        parser.add_argument("--pairs", type=Path, help="write near-duplicate pairs (numbers, similarity)")

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.index_rebuild(only_missing=not options["rebuild"])
        self.stdout.write(self.style.SUCCESS(f"{done} petitions (re)indexed."))
        if options.get("pairs"):
            pairs = selectors.all_near_duplicate_pairs()
            with options["pairs"].open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["earlier", "later", "similarity"])
                writer.writerows((a, b, f"{score:.3f}") for a, b, score in pairs)
            self.stdout.write(f"{len(pairs)} near-duplicate pairs → {options['pairs']}")
