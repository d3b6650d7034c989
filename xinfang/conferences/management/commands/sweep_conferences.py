"""``manage.py sweep_conferences [--today YYYY-MM-DD]``: one pass of the conference sweep (run it from cron).

Rule meetings, meeting notices at their lead time, overdue decisions and escalations flagged to the
convenors. Several copies may run at once (see ``xinfang.conferences.sweep``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xinfang.conferences.sweep import sweep_once


class Command(BaseCommand):
    help = "Schedule rule meetings, send meeting notices, flag overdue decisions and escalations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="sweep as of this date, YYYY-MM-DD (tests and backfills)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                message = _("“%(value)s” is not a date like 2025-03-31.") % {"value": options["today"]}
                raise CommandError(message) from error
        result = sweep_once(today=today)
        self.stdout.write(
            f"scheduled={result.scheduled} notified={result.notified} "
            f"overdue_decisions={result.overdue_decisions} overdue_escalations={result.overdue_escalations} "
            f"overdue_leader_cases={result.overdue_leader_cases}"
        )
