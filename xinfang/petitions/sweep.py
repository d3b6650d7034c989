"""The deadline sweeper: warnings and overdue reminders for running clocks, and closure of matters whose
appeal window lapsed (domain.md §3-4).

Safe to run as N processes on N machines (design.md): each pass claims rows instead of assuming it is
alone. On PostgreSQL a batch is read with ``SELECT … FOR UPDATE SKIP LOCKED``, so sweepers split the work
without waiting on each other; on every database the flag is set by a conditional ``UPDATE`` that only
one process can win, and the unique (clock, kind) constraint on ``Reminder`` is the last backstop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xinfang.core.models import Limit

from . import clocks
from .lifecycle import TRANSITIONS
from .models import Clock, ClockStatus, Petition, PetitionEvent, Reminder
from .services import event_append
from .states import State

# Days before a due date at which the responsible unit is warned (settings.XINFANG["DEADLINE_WARNING_DAYS"]).
DEFAULT_WARNING_DAYS = 3
DEFAULT_BATCH_SIZE = 500

# The event reason of a closure by the sweeper, by the window that decided it (appeal windows first),
# translated when the event is written.
LAPSED_REASONS = {
    Limit.RE_REVIEW_REQUEST: gettext_noop("Re-review window lapsed."),
    Limit.REVIEW_REQUEST: gettext_noop("Review window lapsed."),
    Limit.EVALUATION_WINDOW: gettext_noop("Evaluation window lapsed."),
}
# The petitioner's windows. Nobody is late when they run out, so they raise no reminders; their lapse
# closes the matter instead.
APPEAL_WINDOWS = frozenset(LAPSED_REASONS)
# The objection period is the handler's option, not a duty: its end is nobody's delay either.
NO_REMINDER_KINDS = APPEAL_WINDOWS | {Limit.OBJECTION}

Stop = Callable[[], bool]
M = TypeVar("M", bound=Model)


@dataclass
class SweepResult:
    """What one pass did: reminders raised and matters closed by this process only."""

    warned: int = 0
    overdue: int = 0
    closed: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(
            self.warned + other.warned, self.overdue + other.overdue, self.closed + other.closed
        )


def warning_days() -> int:
    """The configured warning lead time in days; a locality sets it in ``settings.XINFANG``."""
    value = getattr(settings, "XINFANG", {}).get("DEADLINE_WARNING_DAYS")
    return DEFAULT_WARNING_DAYS if value is None else int(value)


def sweep_once(
    *,
    today: dt.date | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    warn_days: int | None = None,
    stop: Stop | None = None,
) -> SweepResult:
    """One pass over every due row. ``stop`` is checked between batches so a signal ends the pass cleanly."""
    today = today or timezone.localdate()
    warn_days = warning_days() if warn_days is None else warn_days
    if warn_days < 0:
        raise ValueError("warn_days must be zero or more")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    should_stop = stop or (lambda: False)
    duty_clocks = Clock.objects.filter(status=ClockStatus.RUNNING).exclude(kind__in=NO_REMINDER_KINDS)
    overdue = _raise_reminders(
        duty_clocks.filter(overdue_at__isnull=True, due_on__lt=today),
        flag="overdue_at",
        kind=Reminder.Kind.OVERDUE,
        batch_size=batch_size,
        stop=should_stop,
    )
    # An already-passed deadline gets only the overdue reminder, never a late "approaching" one.
    warned = _raise_reminders(
        duty_clocks.filter(
            warned_at__isnull=True, due_on__gte=today, due_on__lte=today + dt.timedelta(days=warn_days)
        ),
        flag="warned_at",
        kind=Reminder.Kind.APPROACHING,
        batch_size=batch_size,
        stop=should_stop,
    )
    closed = _close_lapsed(today=today, batch_size=batch_size, stop=should_stop)
    return SweepResult(warned=warned, overdue=overdue, closed=closed)


# --- claiming ------------------------------------------------------------------------------------


def _claiming(qs: QuerySet[M]) -> QuerySet[M]:
    """Lock the selected rows, skipping those another sweeper holds, where the database can.

    SQLite has no row locks (its transactions take the whole database); there the conditional update in
    the caller is what keeps one winner.
    """
    features = connection.features
    if not features.has_select_for_update:
        return qs
    return qs.select_for_update(
        skip_locked=features.has_select_for_update_skip_locked,
        of=("self",) if features.has_select_for_update_of else (),
    )


def _raise_reminders(
    candidates: QuerySet[Clock], *, flag: str, kind: str, batch_size: int, stop: Stop
) -> int:
    """Raise ``kind`` once per candidate clock, in batches; return how many this process raised.

    Batches walk the primary key upwards, so rows skipped (locked elsewhere) or lost to another process
    are not read again in this pass and the loop always ends.
    """
    raised = 0
    last_pk = 0
    while not stop():
        with transaction.atomic():
            batch = list(
                _claiming(candidates.filter(pk__gt=last_pk).select_related("petition").order_by("pk"))[
                    :batch_size
                ]
            )
            claimed = [clock for clock in batch if _claim(clock, flag=flag)]
            raised += _create_reminders(claimed, kind=kind)
        if len(batch) < batch_size:
            break
        last_pk = batch[-1].pk
    return raised


def _claim(clock: Clock, *, flag: str) -> bool:
    """Only the process whose UPDATE finds the flag still empty (and the clock still running) owns it."""
    updated = Clock.objects.filter(
        pk=clock.pk, status=ClockStatus.RUNNING, **{f"{flag}__isnull": True}
    ).update(**{flag: timezone.now()})
    return updated == 1


def _create_reminders(claimed: list[Clock], *, kind: str) -> int:
    """One reminder per claimed clock; a reminder that already exists (the flag was lost, say by a restore
    from backup) is kept and not counted. ``ignore_conflicts`` lets the unique (clock, kind) constraint
    drop a duplicate without aborting the batch."""
    if not claimed:
        return 0
    existing = set(Reminder.objects.filter(clock__in=claimed, kind=kind).values_list("clock_id", flat=True))
    fresh = [clock for clock in claimed if clock.pk not in existing]
    Reminder.objects.bulk_create(
        [
            Reminder(
                unit_id=clock.unit_id,
                petition_id=clock.petition_id,
                clock=clock,
                kind=kind,
                message=_reminder_message(clock, kind)[:300],
            )
            for clock in fresh
        ],
        ignore_conflicts=True,
    )
    return len(fresh)


def _limit_label(kind: str) -> str:
    try:
        return str(Limit(kind).label)
    except ValueError:  # a kind no longer in the enum still gets a readable reminder
        return kind


def _reminder_message(clock: Clock, kind: str) -> str:
    values = {
        "number": clock.petition.number,
        "limit": _limit_label(clock.kind),
        "date": clock.due_on.isoformat(),
    }
    if kind == Reminder.Kind.OVERDUE:
        return _("Petition %(number)s: the deadline “%(limit)s” passed on %(date)s.") % values
    return _("Petition %(number)s: the deadline “%(limit)s” falls on %(date)s.") % values


# --- closing matters whose appeal window lapsed --------------------------------------------------


def _running_windows() -> QuerySet[Clock]:
    return Clock.objects.filter(status=ClockStatus.RUNNING, kind__in=APPEAL_WINDOWS)


def lapsed_petitions(today: dt.date) -> QuerySet[Petition]:
    """Closable matters with a running window that ran out before ``today`` and none still open.

    replied: the review and evaluation windows; evaluated: the review window; settled: the evaluation
    window; review_decided: the re-review window. A request in time would have changed the state.
    """
    windows = _running_windows().filter(petition=OuterRef("pk"))
    lapsed = Exists(windows.filter(due_on__lt=today)) | _settled_and_rated()
    return (
        Petition.objects.filter(state__in=TRANSITIONS["close"].sources)
        .filter(lapsed)
        .exclude(Exists(windows.filter(due_on__gte=today)))
    )


def _settled_and_rated() -> Q:
    """A settled matter has no appeal window; once the petitioner has rated it, nothing is left open."""
    settled = PetitionEvent.objects.filter(petition=OuterRef("pk"), action="settle")
    any_window = _running_windows().filter(petition=OuterRef("pk"))
    return Q(state=State.EVALUATED) & Exists(settled) & ~Exists(any_window)


def _close_lapsed(*, today: dt.date, batch_size: int, stop: Stop) -> int:
    closed = 0
    last_pk = 0
    while not stop():
        ids = list(
            lapsed_petitions(today)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        for petition_id in ids:
            closed += int(petition_close_lapsed(petition_id=petition_id, today=today))
            if stop():
                return closed
        if len(ids) < batch_size:
            break
        last_pk = ids[-1]
    return closed


def petition_close_lapsed(*, petition_id: int, today: dt.date | None = None) -> bool:
    """办结 by the system once the appeal window lapsed; the event has no actor.

    ``services.petition_close`` needs a user with a role, so this is its system twin, built from the same
    parts: lock the row (skipping it if someone holds it), check the transition table, stop the clocks,
    bump the version and append the event. Returns False when there was nothing to do here.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        petition = _claiming(Petition.objects.filter(pk=petition_id)).first()
        if petition is None:  # locked by a user or another sweeper: a later pass sees it again
            return False
        if petition.state not in TRANSITIONS["close"].sources:
            return False
        # Re-check under the lock: a request may have been recorded since the candidate query ran.
        windows = list(_running_windows().filter(petition=petition))
        if any(clock.due_on >= today for clock in windows):
            return False
        settled = not windows and lapsed_petitions(today).filter(pk=petition.pk).exists()
        if not windows and not settled:
            return False
        priority = list(LAPSED_REASONS)
        window = min(windows, key=lambda clock: priority.index(Limit(clock.kind))) if windows else None
        from_state = petition.state
        clocks.clocks_stop(petition=petition, on=today, cancel=True)
        petition.state = State.CLOSED
        petition.version += 1
        petition.closed_at = timezone.now()
        petition.save()
        event_append(
            petition=petition,
            action="close",
            actor=None,
            actor_unit=None,
            from_state=from_state,
            to_state=State.CLOSED,
            reason=_(LAPSED_REASONS[Limit(window.kind)]) if window else _("Settled and rated."),
            payload={
                "system": "sweep_deadlines",
                "window": window.kind if window else "",
                "due_on": window.due_on.isoformat() if window else "",
            },
        )
    return True
