"""``manage.py import_units FILE [--dry-run]``: load an administrative tree from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinfang.orgs.importer import units_import_file


class Command(BaseCommand):
    help = "Import units (code, name, kind, parent_code, ...) from a .csv or .xlsx file; all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv or .xlsx file with a header row")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        report = units_import_file(filename=path.name, content=content, dry_run=options["dry_run"])
        if not report.ok:
            for line in report.lines():
                self.stderr.write(line)
            count = len(report.row_errors) + len(report.file_errors)
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(count)d problem must be fixed first.",
                    "Nothing was imported: %(count)d problems must be fixed first.",
                    count,
                )
                % {"count": count}
            )
        counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        if report.dry_run:
            message = _("Dry run: would create %(created)d, update %(updated)d; %(unchanged)d unchanged.")
        else:
            message = _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        self.stdout.write(self.style.SUCCESS(message % counts))
