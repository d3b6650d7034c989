"""``manage.py refresh_assessment [--full] [--today YYYY-MM-DD]``: bring the indicator fact table up to date
and open (or rebuild) the trace-back reviews. Run it after the deadline sweeper, e.g. from the same cron
line (``sweep_deadlines --once && refresh_assessment``) every few minutes, and at least once a day.

Safe to run as several processes: the fact refresh locks its state row, and a review is opened once per
petition (its one-to-one row is the backstop).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xinfang.assessment.facts import facts_refresh
from xinfang.assessment.traceback import reviews_sweep


class Command(BaseCommand):
    help = "Refresh the assessment fact table (incrementally) and open the trace-back reviews."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild the whole fact table")
        parser.add_argument("--today", help="as of this date, YYYY-MM-DD (tests and backfills)")
        parser.add_argument("--no-reviews", action="store_true", help="refresh the facts only")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(
                    _("“%(value)s” is not a date like 2025-03-31.") % {"value": options["today"]}
                ) from error
        result = facts_refresh(today=today, full=options["full"])
        self.stdout.write(
            f"facts {'rebuilt' if result.full else 'refreshed'} as of {result.as_of}: "
            f"{result.grains} units, {result.rows} rows, {result.seconds:.2f} s"
        )
        if not options["no_reviews"]:
            opened, rebuilt = reviews_sweep(today=today)
            self.stdout.write(f"reviews opened {opened}, rebuilt {rebuilt}")
