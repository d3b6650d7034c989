"""Load a three-level content taxonomy (level1, level2, level3 columns) from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.petitions.taxonomy import load_taxonomy_rows, read_rows


class Command(BaseCommand):
    help = "Load a content taxonomy (columns level1, level2, level3; CSV or XLSX). Existing entries are kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        created = load_taxonomy_rows(read_rows(path))
        self.stdout.write(self.style.SUCCESS(f"{created} categories added from {path}."))
