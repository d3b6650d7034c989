"""``manage.py sweep_deadlines [--once] [--interval SECONDS] [--today YYYY-MM-DD]``: the deadline sweeper.

Run as many copies as you like (design.md): passes claim rows, so two sweepers never raise the same
reminder or close the same matter twice. SIGTERM or SIGINT ends the loop between batches.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.petitions.sweep import DEFAULT_BATCH_SIZE, sweep_once

logger = logging.getLogger("xinfang.sweep")

DEFAULT_INTERVAL = 300
# How quickly an idle sweeper notices SIGTERM.
STOP_POLL_SECONDS = 0.2


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("“%(value)s” is not a date like 2025-03-31.") % {"value": value}) from error


class StopRequest:
    """A flag a signal handler may set. No locks: a handler that takes a lock the interrupted code holds
    (as ``threading.Event.set`` does) can deadlock the process."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds``, waking early on a stop request; True when one came."""
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, STOP_POLL_SECONDS))
        return self.requested


def _refresh_connections() -> None:
    """Honour CONN_MAX_AGE and drop broken connections between passes, as a request cycle would.

    Never inside a caller's transaction (``call_command`` from a test or a script), which it would break.
    """
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = "Raise deadline warnings and overdue reminders, and close matters whose appeal window lapsed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--interval", type=float, default=DEFAULT_INTERVAL, help="seconds between passes (default 300)"
        )
        parser.add_argument("--today", help="sweep as of this date, YYYY-MM-DD (tests and backfills)")
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows claimed per transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else None
        interval = options["interval"]
        batch_size = options["batch_size"]
        if interval <= 0:
            raise CommandError(_("The interval must be a positive number of seconds."))
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        stopping = StopRequest()
        restore = self._trap_signals(stopping)
        try:
            while True:
                try:
                    self._pass(today=today, batch_size=batch_size, stopping=stopping)
                except DatabaseError:
                    if options["once"]:
                        raise
                    # The database went away or a batch failed; it rolled back, so the next pass retries.
                    logger.exception("sweep pass failed; retrying in %.0f s", interval)
                    _refresh_connections()
                if options["once"] or stopping.sleep(interval):
                    break
        finally:
            restore()
        if stopping():
            logger.info("sweeper stopped by signal")

    def _pass(self, *, today: dt.date | None, batch_size: int, stopping: StopRequest) -> None:
        _refresh_connections()
        day = today or timezone.localdate()
        started = time.monotonic()
        result = sweep_once(today=day, batch_size=batch_size, stop=stopping)
        logger.info(
            "sweep pass today=%s warned=%d overdue=%d closed=%d seconds=%.2f",
            day.isoformat(),
            result.warned,
            result.overdue,
            result.closed,
            time.monotonic() - started,
        )

    @staticmethod
    def _trap_signals(stopping: StopRequest) -> Callable[[], None]:
        """Turn SIGTERM and SIGINT into a stop request; no-op off the main thread (signals only go there)."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def request_stop(signum: int, frame: Any) -> None:
            stopping.requested = True

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        return restore
