"""Writes of the stations app. One transaction each; bad input raises ``DomainError`` and changes nothing.

Set-up (stations, hours, pools, members, unavailability) and rotas are in this module; walk-in visits
and hotline conversions, which touch petitions, are in ``visits.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.calendar import LegalCalendar, years_without_holidays
from xinfang.core.errors import ConflictError, DomainError
from xinfang.orgs.models import AREA_KINDS, Unit

from . import selectors, solver
from .models import (
    Assignment,
    CoverageGap,
    DutyPool,
    OpeningPeriod,
    PeriodKind,
    PoolMember,
    Rota,
    RotaStatus,
    Shift,
    Station,
    StationStatus,
    SwapRequest,
    SwapStatus,
    Unavailability,
    UnavailabilityKind,
    Weekday,
)
from .schedule import Session, month_bounds, opening_shifts, quarter_bounds, sessions_overlap

STATION_PLACE_KINDS = selectors.STATION_PLACE_KINDS
MAX_PEOPLE_PER_SHIFT = 10
# Dates before this are typing mistakes (the first stations of this kind opened in the 2010s).
FIRST_OPENING = dt.date(2000, 1, 1)


def clean_text(value: str, *, limit: int, message: str, code: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(message, code=code)
    if len(value) > limit:
        raise DomainError(
            _("At most %(limit)d characters are allowed here.") % {"limit": limit}, code="too_long"
        )
    return value


def check_version(current: int, expected: int | None, what: str) -> None:
    if expected is not None and current != expected:
        raise ConflictError(
            _("Someone else changed this %(what)s a moment ago. Reload the page, then try again.")
            % {"what": what}
        )


def _lock_station(station_id: int) -> Station:
    station = Station.objects.select_for_update().filter(pk=station_id).first()
    if station is None:
        raise DomainError(_("No such station."), code="not_found")
    return station


def _require_manage(user: User, station: Station) -> None:
    if not selectors.can_manage(user, station):
        if not selectors.visible_stations(user).filter(pk=station.pk).exists():
            raise scoping.OutOfJurisdiction(_("This station is outside your jurisdiction."))
        raise DomainError(
            _("Only the station's managers and the petition offices above it may do this."),
            code="role_not_allowed",
        )


def _sessions(sessions: Iterable[Session]) -> list[Session]:
    result = sorted(set(sessions))
    if not result:
        raise DomainError(_("Give at least one opening session."), code="no_hours")
    for session in result:
        if session.weekday not in Weekday.values:
            raise DomainError(
                _("Stations open Monday to Friday; weekends follow the adjusted working days rule."),
                code="bad_weekday",
            )
        if session.ends <= session.starts:
            raise DomainError(_("A session must end after it starts."), code="bad_hours")
    if sessions_overlap(result):
        raise DomainError(_("Two sessions of the same weekday overlap."), code="overlapping_hours")
    return result


def _serving_area(user: User, units: Sequence[Unit], *, kept: Iterable[int] = ()) -> list[Unit]:
    """The places served; ``kept`` (already served) may stay even where they lie beyond the user's reach."""
    if not units:
        raise DomainError(_("Name at least one place the station serves."), code="no_area")
    kept = set(kept)
    for unit in units:
        if unit.kind not in AREA_KINDS:
            raise DomainError(
                _("%(unit)s is an office, not a place a station can serve.") % {"unit": unit.name},
                code="bad_area",
            )
        if unit.pk not in kept and not scoping.can_see_unit(user, unit):
            raise DomainError(
                _("%(unit)s is outside your jurisdiction.") % {"unit": unit.name}, code="bad_area"
            )
    return list(units)


def _managers(user: User, managers: Sequence[User]) -> list[User]:
    """Managers hold an active post that the appointing officer can see (their own staff or below)."""
    for manager in managers:
        seats = scoping.active_memberships(manager)
        if not manager.is_active or not seats:
            raise DomainError(
                _("%(user)s holds no post and cannot manage a station.") % {"user": manager.display_name()},
                code="bad_manager",
            )
        if not any(scoping.can_see_unit(user, seat.unit) for seat in seats):
            raise DomainError(
                _("%(user)s works outside your jurisdiction.") % {"user": manager.display_name()},
                code="bad_manager",
            )
    return list(managers)


def _adjusted(value: int | None) -> int | None:
    if value is not None and value not in Weekday.values:
        raise DomainError(
            _("Adjusted working days follow a weekday from Monday to Friday."), code="bad_weekday"
        )
    return value


def _place(user: User, unit: Unit) -> Unit:
    """Where a station sits: a community, village, compound or street the officer may act in."""
    if unit.kind not in STATION_PLACE_KINDS:
        raise DomainError(
            _("A station sits in a community, village, compound or street, not in %(unit)s.")
            % {"unit": unit.name},
            code="bad_place",
        )
    if not scoping.can_act_in(user, unit, *selectors.MANAGE_ROLES):
        raise DomainError(
            _("%(unit)s is outside the jurisdiction of your petition office.") % {"unit": unit.name},
            code="bad_place",
        )
    return unit


def _opened_on(value: dt.date) -> dt.date:
    latest = timezone.localdate() + dt.timedelta(days=366)
    if not FIRST_OPENING <= value <= latest:
        raise DomainError(
            _("Give an opening date between %(first)s and %(last)s.")
            % {"first": FIRST_OPENING, "last": latest},
            code="bad_date",
        )
    return value


def _status(value: str) -> str:
    if value not in StationStatus.values:
        raise DomainError(_("Unknown station status."), code="bad_status")
    return value


def _name(value: str) -> str:
    return clean_text(value, limit=100, message=_("Give the station a name."), code="no_name")


def _address(value: str) -> str:
    return clean_text(value, limit=200, message="", code="", required=False)


def _replace_hours(station: Station, sessions: list[Session]) -> bool:
    """Make ``sessions`` the weekly hours; old sessions stay, inactive. False when nothing changed."""
    if sessions == station_sessions(station):
        return False
    OpeningPeriod.objects.filter(station=station, is_active=True).update(is_active=False)
    OpeningPeriod.objects.bulk_create(
        [
            OpeningPeriod(station=station, weekday=s.weekday, starts_at=s.starts, ends_at=s.ends)
            for s in sessions
        ]
    )
    return True


@transaction.atomic
def station_create(
    *,
    user: User,
    name: str,
    unit: Unit,
    opened_on: dt.date,
    serving_area: Sequence[Unit],
    sessions: Iterable[Session],
    address: str = "",
    adjusted_workday_as: int | None = Weekday.MONDAY,
    managers: Sequence[User] = (),
    status: str = StationStatus.OPEN,
) -> Station:
    """Open a station (暖心驿站) at ``unit`` (a community, village or street) with its weekly hours.

    Petition officers (county or street) whose jurisdiction covers the place set stations up.
    """
    if not scoping.has_role(user, *selectors.MANAGE_ROLES):
        raise DomainError(
            _("Only petition offices whose jurisdiction covers the place may set up a station."),
            code="role_not_allowed",
        )
    station = Station.objects.create(
        name=_name(name),
        unit=_place(user, unit),
        address=_address(address),
        opened_on=_opened_on(opened_on),
        status=_status(status),
        adjusted_workday_as=_adjusted(adjusted_workday_as),
        created_by=user,
    )
    station.serving_area.set(_serving_area(user, serving_area))
    station.managers.set(_managers(user, managers))
    _replace_hours(station, _sessions(sessions))
    return station


@transaction.atomic
def station_update(
    *,
    user: User,
    station_id: int,
    name: str,
    address: str,
    opened_on: dt.date,
    status: str,
    serving_area: Sequence[Unit],
    adjusted_workday_as: int | None,
    unit: Unit | None = None,
    sessions: Iterable[Session] | None = None,
    managers: Sequence[User] | None = None,
    expected_version: int | None = None,
) -> Station:
    """Change a station's particulars and weekly hours (``None``: leave that part as it is).

    The station's managers and the petition offices above it may do this; moving the station
    elsewhere and appointing its managers are for the petition offices only. New hours apply to the
    next rota generated; rotas already published keep their shifts.
    """
    station = _lock_station(station_id)
    _require_manage(user, station)
    check_version(station.version, expected_version, _("station"))
    officer = selectors.can_appoint_managers(user, station)
    if unit is not None and unit.pk != station.unit_id:
        if not officer:
            raise DomainError(_("Only the petition office above the station may move it."), code="bad_place")
        station.unit = _place(user, unit)
    station.name = _name(name)
    station.address = _address(address)
    station.opened_on = _opened_on(opened_on)
    station.status = _status(status)
    station.adjusted_workday_as = _adjusted(adjusted_workday_as)
    wanted_hours = _sessions(sessions) if sessions is not None else None
    area = _serving_area(user, serving_area, kept=station.serving_area.values_list("pk", flat=True))
    current_managers = set(station.managers.values_list("pk", flat=True))
    if managers is not None and {m.pk for m in managers} != current_managers:
        if not officer:
            raise DomainError(
                _("Only the petition office above the station appoints its managers."), code="bad_manager"
            )
        station.managers.set(_managers(user, managers))
    station.version += 1
    station.save()
    station.serving_area.set(area)
    if wanted_hours is not None:
        _replace_hours(station, wanted_hours)
    return station


def station_sessions(station: Station) -> list[Session]:
    return [
        Session(weekday=p.weekday, starts=p.starts_at, ends=p.ends_at)
        for p in station.opening_periods.filter(is_active=True).order_by("weekday", "starts_at")
    ]


def _weekdays(weekdays: Iterable[int]) -> list[int]:
    result = sorted(set(weekdays))
    if any(day not in Weekday.values for day in result):
        raise DomainError(_("Weekdays run from Monday (0) to Friday (4)."), code="bad_weekday")
    return result


def _people_per_shift(value: int) -> int:
    if not 1 <= value <= MAX_PEOPLE_PER_SHIFT:
        raise DomainError(
            _("A pool sends 1 to %(max)d people per shift.") % {"max": MAX_PEOPLE_PER_SHIFT},
            code="bad_people_per_shift",
        )
    return value


@transaction.atomic
def pool_create(
    *,
    user: User,
    station_id: int,
    unit: Unit,
    people_per_shift: int = 1,
    weekdays: Iterable[int] = (),
    name: str = "",
) -> DutyPool:
    """Add an organisation that supplies duty staff (e.g. the district petition bureau)."""
    station = _lock_station(station_id)
    _require_manage(user, station)
    if not scoping.can_see_unit(user, unit):
        raise DomainError(_("%(unit)s is outside your jurisdiction.") % {"unit": unit.name}, code="bad_unit")
    if DutyPool.objects.filter(station=station, unit=unit, is_active=True).exists():
        raise DomainError(
            _("%(unit)s already supplies staff to this station.") % {"unit": unit.name}, code="duplicate_pool"
        )
    position = (DutyPool.objects.filter(station=station).aggregate(p=Max("position"))["p"] or 0) + 1
    return DutyPool.objects.create(
        station=station,
        unit=unit,
        name=clean_text(name or unit.name, limit=100, message="", code="", required=False),
        people_per_shift=_people_per_shift(people_per_shift),
        weekdays=_weekdays(weekdays),
        position=position,
    )


def _lock_pool(pool_id: int) -> DutyPool:
    # Only the pool's row: callers that need the whole station lock it themselves, first.
    locked = DutyPool.objects.select_for_update(of=("self",)).select_related("station", "unit")
    pool = locked.filter(pk=pool_id).first()
    if pool is None:
        raise DomainError(_("No such duty pool."), code="not_found")
    return pool


@transaction.atomic
def pool_update(
    *,
    user: User,
    pool_id: int,
    people_per_shift: int,
    weekdays: Iterable[int],
    is_active: bool = True,
    name: str = "",
    expected_version: int | None = None,
) -> DutyPool:
    """Change how many people a pool sends and on which weekdays, or stand it down (is_active)."""
    pool = _lock_pool(pool_id)
    _require_manage(user, pool.station)
    check_version(pool.version, expected_version, _("duty pool"))
    if is_active and not pool.is_active:
        others = DutyPool.objects.filter(station=pool.station, unit=pool.unit, is_active=True)
        if others.exclude(pk=pool.pk).exists():
            raise DomainError(
                _("%(unit)s already supplies staff to this station.") % {"unit": pool.unit.name},
                code="duplicate_pool",
            )
    pool.name = clean_text(name or pool.unit.name, limit=100, message="", code="", required=False)
    pool.people_per_shift = _people_per_shift(people_per_shift)
    pool.weekdays = _weekdays(weekdays)
    pool.is_active = is_active
    pool.version += 1
    pool.save()
    return pool


def has_seat_in(person: User, unit: Unit) -> bool:
    """A seat in the organisation itself or in one of its own offices: a street's 信访办 counts for the
    street, a community under the street does not (it is an area of its own)."""
    return any(selectors.works_for(m.unit, unit) for m in scoping.active_memberships(person))


@transaction.atomic
def pool_member_add(
    *, user: User, pool_id: int, person: User, joined_on: dt.date | None = None
) -> PoolMember:
    """Put a staff member of the pool's organisation on its duty list. One pool per person and station."""
    station_id = DutyPool.objects.filter(pk=pool_id).values_list("station_id", flat=True).first()
    if station_id is None:
        raise DomainError(_("No such duty pool."), code="not_found")
    # The station is locked, not only the pool: two pools of one station must not list one person twice.
    _lock_station(station_id)
    pool = _lock_pool(pool_id)
    _require_manage(user, pool.station)
    if not pool.is_active:
        raise DomainError(_("This pool no longer supplies staff."), code="pool_inactive")
    joined_on = joined_on or timezone.localdate()
    if not FIRST_OPENING <= joined_on <= timezone.localdate() + dt.timedelta(days=366):
        raise DomainError(_("Give a date within a year from today, or an earlier one."), code="bad_date")
    if not person.is_active or not has_seat_in(person, pool.unit):
        raise DomainError(
            _("%(person)s holds no post in %(unit)s.") % {"person": person, "unit": pool.unit.name},
            code="no_seat",
        )
    listed = PoolMember.objects.filter(pool__station=pool.station, user=person).select_related("pool")
    for member in listed.filter(left_on__isnull=True):
        raise DomainError(
            _("%(person)s is already on the duty list of %(pool)s at this station.")
            % {"person": person.display_name(), "pool": member.pool.name},
            code="already_listed",
        )
    for member in listed.filter(left_on__gte=joined_on):
        raise DomainError(
            _("%(person)s is on the duty list of %(pool)s until %(day)s; add them again from the day after.")
            % {"person": person.display_name(), "pool": member.pool.name, "day": member.left_on},
            code="already_listed",
        )
    return PoolMember.objects.create(pool=pool, user=person, joined_on=joined_on, added_by=user)


@transaction.atomic
def pool_member_leave(*, user: User, member_id: int, left_on: dt.date | None = None) -> PoolMember:
    """Someone leaves a duty list; ``left_on`` is their last day on it. The row stays: who served when
    is kept, and rotas already published keep their duties until the rota is generated again."""
    member = (
        PoolMember.objects.select_for_update(of=("self",))
        .select_related("pool__station")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise DomainError(_("No such pool member."), code="not_found")
    _require_manage(user, member.pool.station)
    if member.left_on is not None:
        raise DomainError(_("This person has already left the duty list."), code="already_left")
    left_on = left_on or timezone.localdate()
    if left_on < member.joined_on:
        raise DomainError(_("Leaving cannot come before joining."), code="bad_date")
    if left_on > timezone.localdate() + dt.timedelta(days=366):
        raise DomainError(_("Give a date within a year from today, or an earlier one."), code="bad_date")
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    return member


@transaction.atomic
def unavailability_record(
    *, user: User, person: User, starts_on: dt.date, ends_on: dt.date, kind: str, reason: str = ""
) -> Unavailability:
    """Days ``person`` cannot be on duty; the next rota generated leaves them out on those days."""
    if not selectors.may_record_absence(user, person):
        raise DomainError(
            _("Only the person and the managers of their station may record this."), code="role_not_allowed"
        )
    if ends_on < starts_on:
        raise DomainError(_("The last day cannot come before the first."), code="bad_range")
    if (ends_on - starts_on).days > 366:
        raise DomainError(_("Record at most a year at a time."), code="bad_range")
    if kind not in UnavailabilityKind.values:
        raise DomainError(_("Choose the kind of absence."), code="bad_kind")
    return Unavailability.objects.create(
        user=person,
        starts_on=starts_on,
        ends_on=ends_on,
        kind=kind,
        reason=clean_text(reason, limit=200, message="", code="", required=False),
        recorded_by=user,
    )


@transaction.atomic
def unavailability_cancel(*, user: User, unavailability_id: int) -> Unavailability:
    """Withdraw a recorded absence (the row stays, marked cancelled); the next rota counts the person."""
    item = Unavailability.objects.select_for_update().filter(pk=unavailability_id).first()
    if item is None or not selectors.visible_unavailability(user).filter(pk=unavailability_id).exists():
        raise scoping.OutOfJurisdiction(_("This record is outside your jurisdiction."))
    if not selectors.may_record_absence(user, item.user):
        raise DomainError(
            _("Only the person and the managers of their station may record this."), code="role_not_allowed"
        )
    if item.cancelled_at is not None:
        raise DomainError(_("This absence was already cancelled."), code="already_cancelled")
    item.cancelled_at = timezone.now()
    item.cancelled_by = user
    item.save(update_fields=["cancelled_at", "cancelled_by"])
    return item


# --- rotas --------------------------------------------------------------------------------------


def period_bounds(period_kind: str, year: int, number: int) -> tuple[dt.date, dt.date]:
    if not 2000 <= year <= 2100:
        raise DomainError(_("Choose a year between 2000 and 2100."), code="bad_period")
    if period_kind == PeriodKind.MONTH and 1 <= number <= 12:
        return month_bounds(year, number)
    if period_kind == PeriodKind.QUARTER and 1 <= number <= 4:
        return quarter_bounds(year, number)
    raise DomainError(_("Choose a month (1-12) or a quarter (1-4)."), code="bad_period")


def build_problem(station: Station, start: dt.date, end: dt.date) -> tuple[solver.Problem, list[DutyPool]]:
    """The generator's input, read from the database: shifts, pools, leave and duty elsewhere."""
    shifts = opening_shifts(
        start=start,
        end=end,
        sessions=station_sessions(station),
        adjusted_as=station.adjusted_workday_as,
        calendar=LegalCalendar(),
    )
    pools = list(DutyPool.objects.filter(station=station, is_active=True).order_by("position", "pk"))
    members = (
        PoolMember.objects.filter(pool__in=pools, joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .order_by("pk")
    )
    by_pool: dict[int, list[solver.Member]] = {pool.pk: [] for pool in pools}
    for member in members:
        by_pool[member.pool_id].append(
            solver.Member(person=member.user_id, joined_on=member.joined_on, left_on=member.left_on)
        )
    people = sorted({m.person for ms in by_pool.values() for m in ms})
    unavailable: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for item in Unavailability.objects.filter(
        user_id__in=people, cancelled_at__isnull=True, starts_on__lte=end, ends_on__gte=start
    ).order_by("user_id", "starts_on", "pk"):
        unavailable.setdefault(item.user_id, []).append((item.starts_on, item.ends_on))
    busy = tuple(
        solver.Busy(person=a.user_id, starts_at=a.shift.starts_at, ends_at=a.shift.ends_at)
        for a in Assignment.objects.filter(
            user_id__in=people,
            is_current=True,
            shift__rota__status=RotaStatus.CURRENT,
            shift__date__gte=start,
            shift__date__lte=end,
        )
        .exclude(shift__rota__station=station)
        .select_related("shift")
        .order_by("user_id", "shift__starts_at", "pk")
    )
    problem = solver.Problem(
        shifts=tuple(shifts),
        pools=tuple(
            solver.Pool(
                key=pool.pk,
                need=pool.people_per_shift,
                members=tuple(by_pool[pool.pk]),
                weekdays=frozenset(pool.weekdays or ()),
            )
            for pool in pools
        ),
        unavailable={person: tuple(ranges) for person, ranges in unavailable.items()},
        busy=busy,
    )
    return problem, pools


def problem_digest(problem: solver.Problem) -> str:
    """A fingerprint of everything the generator reads: equal inputs give equal fingerprints."""
    data: dict[str, Any] = {
        "shifts": [
            (s.starts_at.isoformat(), s.ends_at.isoformat(), s.pattern_weekday) for s in problem.shifts
        ],
        "pools": [
            (
                p.key,
                p.need,
                sorted(p.weekdays),
                [(m.person, str(m.joined_on), str(m.left_on)) for m in p.members],
            )
            for p in problem.pools
        ],
        "unavailable": sorted((k, [(str(a), str(b)) for a, b in v]) for k, v in problem.unavailable.items()),
        "busy": [(b.person, b.starts_at.isoformat(), b.ends_at.isoformat()) for b in problem.busy],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def rota_generate(*, user: User, station_id: int, period_kind: str, year: int, number: int) -> Rota:
    """Generate and publish a new version of the rota for a month or a quarter.

    The previous version of the same period is superseded (kept, readable) and its pending swaps are
    cancelled. Shortfalls come back as coverage gaps on the rota, not as an error. A period in a year
    whose official holidays are not known yet is generated all the same (Monday to Friday open) and
    the rota records that year in ``years_without_holidays``, so its pages warn until it is redone.
    """
    station = _lock_station(station_id)
    _require_manage(user, station)
    if station.status != StationStatus.OPEN:
        raise DomainError(_("The station is not open; no rota can be made for it."), code="station_not_open")
    start, end = period_bounds(period_kind, year, number)
    if end < station.opened_on:
        raise DomainError(_("The station had not opened yet in that period."), code="before_opening")
    overlapping = (
        Rota.objects.filter(
            station=station, status=RotaStatus.CURRENT, starts_on__lte=end, ends_on__gte=start
        )
        .exclude(starts_on=start, ends_on=end)
        .first()
    )
    if overlapping is not None:
        raise DomainError(
            _("The current rota %(from)s to %(until)s overlaps this period; regenerate that one instead.")
            % {"from": overlapping.starts_on, "until": overlapping.ends_on},
            code="overlapping_rota",
        )
    start = max(start, station.opened_on)
    problem, _pools = build_problem(station, start, end)
    solution = solver.solve(problem)
    previous = Rota.objects.filter(station=station, starts_on=start, ends_on=end)
    number_next = (previous.aggregate(n=Max("number"))["n"] or 0) + 1
    for old in previous.filter(status=RotaStatus.CURRENT):
        old.status = RotaStatus.SUPERSEDED
        old.save(update_fields=["status"])
        SwapRequest.objects.filter(rota=old, status=SwapStatus.PENDING).update(
            status=SwapStatus.CANCELLED,
            decided_at=timezone.now(),
            decided_by=user,
            decision_note=_("The rota was regenerated."),
        )
    rota = Rota.objects.create(
        station=station,
        period_kind=period_kind,
        starts_on=start,
        ends_on=end,
        number=number_next,
        status=RotaStatus.CURRENT,
        generated_by=user,
        input_digest=problem_digest(problem),
        shift_count=len(problem.shifts),
        gap_count=len(solution.gaps),
        years_without_holidays=years_without_holidays(start, end),
    )
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                rota=rota,
                date=s.date,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                pattern_weekday=s.pattern_weekday,
                is_adjusted_workday=s.adjusted,
            )
            for s in problem.shifts
        ]
    )
    shift_pk = {slot.index: row.pk for slot, row in zip(problem.shifts, shifts, strict=True)}
    Assignment.objects.bulk_create(
        [
            Assignment(shift_id=shift_pk[index], pool_id=pool, user_id=person)
            for index, pool, person in solution.assignments
        ]
    )
    CoverageGap.objects.bulk_create(
        [
            CoverageGap(
                rota=rota,
                shift_id=shift_pk[gap.shift],
                pool_id=gap.pool,
                needed=gap.needed,
                filled=gap.filled,
            )
            for gap in solution.gaps
        ]
    )
    return rota


# --- swaps --------------------------------------------------------------------------------------


def _duty_problem(assignment: Assignment, person: User, shift: Shift) -> str:
    """Why ``person`` cannot take ``shift`` in place of ``assignment``'s holder, or ''."""
    day = shift.date
    listed = PoolMember.objects.filter(pool_id=assignment.pool_id, user=person, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)
    )
    if not listed.exists():
        return _("%(person)s is not on the duty list of this pool on %(day)s.") % {
            "person": person,
            "day": day,
        }
    if Unavailability.objects.filter(
        user=person, cancelled_at__isnull=True, starts_on__lte=day, ends_on__gte=day
    ).exists():
        return _("%(person)s is recorded as unavailable on %(day)s.") % {"person": person, "day": day}
    clash = Assignment.objects.filter(
        user=person,
        is_current=True,
        shift__rota__status=RotaStatus.CURRENT,
        shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at,
    )
    if clash.exists():
        return _("%(person)s is already on duty at that time.") % {"person": person}
    return ""


def _swap_problems(first: Assignment, second: Assignment) -> list[str]:
    problems = []
    if not (first.is_current and second.is_current):
        problems.append(_("One of these duties has changed since; reload the rota."))
        return problems
    if first.shift.rota_id != second.shift.rota_id or first.shift.rota.status != RotaStatus.CURRENT:
        problems.append(_("Only duties of the same current rota can be swapped."))
    if first.pool_id != second.pool_id:
        problems.append(_("Only two people of the same pool can swap, so each organisation keeps its share."))
    if first.user_id == second.user_id:
        problems.append(_("Choose two different people."))
    now = timezone.now()
    if min(first.shift.starts_at, second.shift.starts_at) <= now:
        problems.append(_("A duty that has started or passed cannot be swapped."))
    if problems:
        return problems
    for holder, other in ((first, second), (second, first)):
        problem = _duty_problem(holder, holder.user, other.shift)
        if problem:
            problems.append(problem)
    return problems


def _assignment(pk: int, *, lock: bool = False) -> Assignment:
    qs = Assignment.objects.select_for_update() if lock else Assignment.objects.all()
    found = qs.filter(pk=pk).first()
    if found is None:
        raise DomainError(_("No such duty."), code="not_found")
    return found


@transaction.atomic
def swap_request(*, user: User, first_id: int, second_id: int, reason: str) -> SwapRequest:
    """Ask to exchange two duties of one pool; the station manager approves or rejects."""
    first, second = _assignment(first_id), _assignment(second_id)
    station = first.shift.rota.station
    if not selectors.visible_stations(user).filter(pk=station.pk).exists():
        raise scoping.OutOfJurisdiction(_("This station is outside your jurisdiction."))
    if user.pk not in (first.user_id, second.user_id) and not selectors.can_manage(user, station):
        raise DomainError(
            _("Only one of the two people on duty, or a manager, may ask for this swap."),
            code="role_not_allowed",
        )
    reason = clean_text(reason, limit=200, message=_("Say why the duties are swapped."), code="no_reason")
    problems = _swap_problems(first, second)
    if problems:
        raise DomainError(" ".join(problems), code="swap_not_possible")
    return SwapRequest.objects.create(
        rota=first.shift.rota, first=first, second=second, reason=reason, requested_by=user
    )


def _lock_swap(swap_id: int, user: User, expected_version: int | None) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update().filter(pk=swap_id).first()
    if swap is None:
        raise DomainError(_("No such swap request."), code="not_found")
    station = swap.rota.station
    if not selectors.visible_stations(user).filter(pk=station.pk).exists():
        raise scoping.OutOfJurisdiction(_("This station is outside your jurisdiction."))
    check_version(swap.version, expected_version, _("swap request"))
    if swap.status != SwapStatus.PENDING:
        raise DomainError(
            _("This swap request was already decided: %(status)s.") % {"status": swap.get_status_display()},
            code="already_decided",
        )
    return swap


def _decide(swap: SwapRequest, user: User, status: str, note: str) -> SwapRequest:
    swap.status = status
    swap.decided_by = user
    swap.decided_at = timezone.now()
    swap.decision_note = note
    swap.version += 1
    swap.save()
    return swap


@transaction.atomic
def swap_approve(
    *, user: User, swap_id: int, note: str = "", expected_version: int | None = None
) -> SwapRequest:
    """The station manager approves: both duties change hands, the counts per person stay the same."""
    swap = _lock_swap(swap_id, user, expected_version)
    if not selectors.is_manager(user, swap.rota.station):
        raise DomainError(_("Only a manager of this station may decide on swaps."), code="role_not_allowed")
    note = clean_text(note, limit=200, message="", code="", required=False)
    first, second = _assignment(swap.first_id, lock=True), _assignment(swap.second_id, lock=True)
    # The duties are released first so that each person's check sees the other's shift free.
    Assignment.objects.filter(pk__in=[first.pk, second.pk]).update(is_current=False, ended_by_swap=swap)
    problems = _swap_problems(first, second)
    if problems:
        raise DomainError(" ".join(problems), code="swap_not_possible")
    Assignment.objects.create(
        shift=second.shift, pool_id=first.pool_id, user=first.user, created_by_swap=swap
    )
    Assignment.objects.create(
        shift=first.shift, pool_id=second.pool_id, user=second.user, created_by_swap=swap
    )
    return _decide(swap, user, SwapStatus.APPROVED, note)


@transaction.atomic
def swap_reject(*, user: User, swap_id: int, note: str, expected_version: int | None = None) -> SwapRequest:
    swap = _lock_swap(swap_id, user, expected_version)
    if not selectors.is_manager(user, swap.rota.station):
        raise DomainError(_("Only a manager of this station may decide on swaps."), code="role_not_allowed")
    note = clean_text(note, limit=200, message=_("Say why the swap is rejected."), code="no_reason")
    return _decide(swap, user, SwapStatus.REJECTED, note)


@transaction.atomic
def swap_cancel(*, user: User, swap_id: int, expected_version: int | None = None) -> SwapRequest:
    swap = _lock_swap(swap_id, user, expected_version)
    if user.pk != swap.requested_by_id and not selectors.is_manager(user, swap.rota.station):
        raise DomainError(_("Only who asked for the swap may withdraw it."), code="role_not_allowed")
    return _decide(swap, user, SwapStatus.CANCELLED, "")
