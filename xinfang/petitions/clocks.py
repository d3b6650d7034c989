"""Starting and stopping the clocks of one petition. Due dates come from ``xinfang.core.deadlines`` only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from xinfang.core.deadlines import due_date
from xinfang.core.models import Limit
from xinfang.orgs.models import Unit

from .models import Clock, ClockStatus, Petition


def clock_start(
    *, petition: Petition, limit: Limit, unit: Unit, start: dt.date, excluded_days: int = 0
) -> Clock:
    """Start ``limit`` for ``unit``; ``start`` is the trigger day (not counted)."""
    due = due_date(limit, start=start, unit=unit, excluded_days=excluded_days)
    return Clock.objects.create(
        petition=petition,
        kind=limit.value,
        unit=unit,
        started_on=start,
        due_on=due,
        excluded_days=excluded_days,
    )


def clocks_stop(
    *, petition: Petition, kinds: Iterable[str] | None = None, on: dt.date | None = None, cancel: bool = False
) -> list[Clock]:
    """Stop running clocks: met when stopped by their due date, met late otherwise, or cancelled."""
    on = on or timezone.localdate()
    qs = petition.clocks.filter(status=ClockStatus.RUNNING)
    if kinds is not None:
        qs = qs.filter(kind__in=[str(k) for k in kinds])
    stopped = []
    now = timezone.now()
    for clock in qs.select_for_update():
        if cancel:
            clock.status = ClockStatus.CANCELLED
        else:
            clock.status = ClockStatus.MET if on <= clock.due_on else ClockStatus.MISSED
        clock.stopped_at = now
        clock.save(update_fields=["status", "stopped_at"])
        stopped.append(clock)
    return stopped


def running_clock(petition: Petition, limit: Limit) -> Clock | None:
    return (
        petition.clocks.filter(status=ClockStatus.RUNNING, kind=limit.value).order_by("-started_on").first()
    )


def clock_extend(*, clock: Clock, days: int) -> Clock:
    clock.extended_days = days
    clock.due_on = due_date(
        Limit(clock.kind),
        start=clock.started_on,
        unit=clock.unit,
        extra_days=days,
        excluded_days=clock.excluded_days,
    )
    clock.save(update_fields=["extended_days", "due_on"])
    return clock


def clock_exclude_days(*, clock: Clock, days: int) -> Clock:
    """Days that do not count (hearing days of a 复核) push the due date back."""
    clock.excluded_days = days
    clock.due_on = due_date(
        Limit(clock.kind),
        start=clock.started_on,
        unit=clock.unit,
        extra_days=clock.extended_days,
        excluded_days=days,
    )
    clock.save(update_fields=["excluded_days", "due_on"])
    return clock
