"""Reads of stations, rotas, visits and hotline signals, always scoped through ``accounts.scoping``.

A station is visible to staff whose jurisdiction covers its location, and to its managers and the
people on its duty lists (a district bureau officer on duty in a community sees that station).
Hotline signals are scoped by the area they were mapped to; department summonses also by the
department they are addressed to.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import Membership, Role
from xinfang.core.calendar import COVERED_YEARS, years_without_holidays
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.selectors import path_prefix_q

from .models import (
    Assignment,
    CoverageGap,
    DepartmentSummons,
    DutyPool,
    HotlineSignal,
    PoolMember,
    Rota,
    RotaStatus,
    Shift,
    SignalKind,
    Station,
    SwapRequest,
    SwapStatus,
    Unavailability,
    Visit,
    VisitOutcome,
)

# Roles that set up and run stations in their jurisdiction, besides the station's own managers.
MANAGE_ROLES = (Role.COUNTY_OFFICER, Role.TOWN_OFFICER, Role.SYSTEM_ADMIN)
# Where a station may sit: a street, a community or village, a compound (小区) or villager group.
STATION_PLACE_KINDS = (UnitKind.TOWN, UnitKind.VILLAGE, UnitKind.GROUP)
# Roles that import hotline files for their jurisdiction.
HOTLINE_ROLES = (Role.COUNTY_OFFICER, Role.TOWN_OFFICER, Role.SYSTEM_ADMIN)


def _user_pk(user: Any) -> int | None:
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


def visible_stations(user: Any) -> QuerySet[Station]:
    if scoping.sees_everything(user):
        return Station.objects.all()
    pk = _user_pk(user)
    if pk is None or not user.is_active:
        return Station.objects.none()
    on_duty_list = PoolMember.objects.filter(user_id=pk, left_on__isnull=True, pool__is_active=True)
    condition = (
        scoping.jurisdiction_q(user, "unit__path")
        | Q(managers__pk=pk)
        | Q(pk__in=on_duty_list.values("pool__station_id"))
    )
    return Station.objects.filter(pk__in=Station.objects.filter(condition).values("pk"))


def get_visible_station(user: Any, pk: int) -> Station:
    station = visible_stations(user).select_related("unit").filter(pk=pk).first()
    if station is None:
        raise scoping.OutOfJurisdiction(_("This station is outside your jurisdiction."))
    return station


def is_manager(user: Any, station: Station) -> bool:
    """The station's own managers: they approve swaps (and may run everything else)."""
    if scoping.sees_everything(user):
        return True
    pk = _user_pk(user)
    return pk is not None and station.managers.filter(pk=pk).exists()


def can_appoint_managers(user: Any, station: Station) -> bool:
    """Petition officers (county, street) whose jurisdiction covers the station's place: they set the
    station up, move it and appoint its managers."""
    return scoping.can_act_in(user, station.unit, *MANAGE_ROLES)


def can_manage(user: Any, station: Station) -> bool:
    """Who runs a station: its managers and the petition officers above it (``can_appoint_managers``).

    They edit its particulars and hours, its pools and their members, record and cancel absences and
    generate rotas. Everyone else who sees the station (duty staff, leaders) only reads.
    """
    return is_manager(user, station) or can_appoint_managers(user, station)


def may_create_station(user: Any) -> bool:
    return scoping.has_role(user, *MANAGE_ROLES)


def station_places(user: Any) -> QuerySet[Unit]:
    """Where the user may set up a station: streets, communities, villages and compounds in the
    jurisdiction of the user's petition-office seats."""
    places = Unit.objects.filter(kind__in=STATION_PLACE_KINDS, is_active=True)
    return scoping.scope_queryset(user, places, path_field="path", roles=MANAGE_ROLES).order_by("path")


def works_for(seat: Unit, organisation: Unit) -> bool:
    """A seat in ``organisation`` or in one of its own offices, not in an area under it."""
    return seat.is_within(organisation) and seat.area().pk == organisation.area().pk


def pool_candidates(pool: DutyPool) -> list[Any]:
    """Staff who may go on a pool's duty list: an active seat in its organisation or one of its own
    offices (not in the communities or villages under a street)."""
    seats = (
        Membership.objects.filter(
            is_active=True, user__is_active=True, unit__is_active=True, unit__path__startswith=pool.unit.path
        )
        .select_related("user", "unit")
        .order_by("user__full_name", "user__username", "pk")
    )
    people: dict[int, Any] = {}
    for seat in seats:
        if seat.user_id not in people and works_for(seat.unit, pool.unit):
            people[seat.user_id] = seat.user
    return list(people.values())


def may_record_absence(user: Any, person: Any) -> bool:
    """The person themselves, or a manager of a station whose duty list has them now."""
    if _user_pk(user) is None:
        return False
    if user.pk == person.pk or scoping.sees_everything(user):
        return True
    stations = Station.objects.filter(
        pools__members__user=person, pools__members__left_on__isnull=True
    ).distinct()
    return any(can_manage(user, station) for station in stations)


def visible_unavailability(user: Any) -> QuerySet[Unavailability]:
    """Absences of the user, and of the people listed (now or before) at the stations the user sees."""
    if scoping.sees_everything(user):
        return Unavailability.objects.all()
    pk = _user_pk(user)
    if pk is None:
        return Unavailability.objects.none()
    listed = PoolMember.objects.filter(pool__station__in=visible_stations(user)).values("user_id")
    return Unavailability.objects.filter(Q(user_id=pk) | Q(user_id__in=listed))


def is_on_duty_list(user: Any, station: Station) -> bool:
    pk = _user_pk(user)
    return (
        pk is not None
        and PoolMember.objects.filter(
            pool__station=station, pool__is_active=True, user_id=pk, left_on__isnull=True
        ).exists()
    )


def can_staff_desk(user: Any, station: Station) -> bool:
    """Register walk-ins and conclude them: duty staff, managers and those who run the station."""
    return can_manage(user, station) or is_on_duty_list(user, station)


def visible_visits(user: Any) -> QuerySet[Visit]:
    return Visit.objects.filter(station__in=visible_stations(user))


def get_visible_visit(user: Any, pk: int) -> Visit:
    visit = (
        visible_visits(user)
        .select_related("station__unit", "visitor", "place", "category", "recorded_by", "petition")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise scoping.OutOfJurisdiction(_("This visit is outside your jurisdiction."))
    return visit


def visible_summonses(user: Any) -> QuerySet[DepartmentSummons]:
    """Summonses of visits the user can see, and those addressed to a department in their reach."""
    if scoping.sees_everything(user):
        return DepartmentSummons.objects.all()
    addressed = scoping.jurisdiction_q(user, "department__path")
    return DepartmentSummons.objects.filter(Q(visit__in=visible_visits(user)) | addressed).distinct()


def visible_signals(user: Any) -> QuerySet[HotlineSignal]:
    return scoping.scope_queryset(user, HotlineSignal.objects.all(), path_field="unit__path")


def get_visible_signal(user: Any, pk: int) -> HotlineSignal:
    signal = visible_signals(user).select_related("unit", "petition").filter(pk=pk).first()
    if signal is None:
        raise scoping.OutOfJurisdiction(_("This hotline ticket is outside your jurisdiction."))
    return signal


def may_import_hotline(user: Any) -> bool:
    return scoping.has_role(user, *HOTLINE_ROLES)


# --- rotas --------------------------------------------------------------------------------------


def current_rota(station: Station, day: dt.date) -> Rota | None:
    return (
        Rota.objects.filter(station=station, status=RotaStatus.CURRENT, starts_on__lte=day, ends_on__gte=day)
        .order_by("-number")
        .first()
    )


def visible_rota(user: Any, pk: int) -> Rota:
    rota = Rota.objects.filter(pk=pk, station__in=visible_stations(user)).select_related("station").first()
    if rota is None:
        raise scoping.OutOfJurisdiction(_("This rota is outside your jurisdiction."))
    return rota


def visible_swap(user: Any, pk: int) -> SwapRequest:
    swap = (
        SwapRequest.objects.filter(pk=pk, rota__station__in=visible_stations(user))
        .select_related("rota__station")
        .first()
    )
    if swap is None:
        raise scoping.OutOfJurisdiction(_("This swap request is outside your jurisdiction."))
    return swap


def on_duty_at(station: Station, moment: dt.datetime) -> list[Any]:
    """The people the current rota puts on duty at ``moment`` (empty outside opening hours)."""
    assignments = Assignment.objects.filter(
        is_current=True,
        shift__rota__station=station,
        shift__rota__status=RotaStatus.CURRENT,
        shift__starts_at__lte=moment,
        shift__ends_at__gt=moment,
    ).select_related("user")
    return [a.user for a in assignments.order_by("pool__position", "pool_id", "user_id")]


@dataclass
class DayShift:
    shift: Shift
    people: dict[int, list[Assignment]]  # pool id -> assignments
    gaps: dict[int, CoverageGap]
    # (pool, its people, its gap or None) in pool order, for pages and the export
    rows: list[tuple[DutyPool, list[Assignment], CoverageGap | None]] = field(default_factory=list)


@dataclass
class RotaView:
    """A rota laid out for its page and its export: shifts by date, counts per person, gaps."""

    rota: Rota
    pools: list[DutyPool]
    days: dict[dt.date, list[DayShift]]
    counts: dict[int, list[tuple[Any, int]]]  # pool id -> [(user, shifts)]
    gap_count: int
    pool_counts: list[tuple[DutyPool, list[tuple[Any, int]]]] = field(default_factory=list)
    swaps: list[SwapRequest] = field(default_factory=list)


def rota_view(rota: Rota) -> RotaView:
    pools = list(DutyPool.objects.filter(station=rota.station).order_by("position", "pk"))
    shifts = list(
        Shift.objects.filter(rota=rota)
        .order_by("starts_at")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(is_current=True)
                .select_related("user")
                .order_by("user_id"),
                to_attr="current",
            )
        )
    )
    gaps: dict[int, dict[int, CoverageGap]] = defaultdict(dict)
    for gap in CoverageGap.objects.filter(rota=rota):
        gaps[gap.shift_id][gap.pool_id] = gap
    days: dict[dt.date, list[DayShift]] = defaultdict(list)
    tally: Counter[tuple[int, int]] = Counter()
    users: dict[int, Any] = {}
    for shift in shifts:
        people: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in shift.current:
            people[assignment.pool_id].append(assignment)
            tally[(assignment.pool_id, assignment.user_id)] += 1
            users[assignment.user_id] = assignment.user
        shift_gaps = gaps.get(shift.pk, {})
        rows = [(pool, people.get(pool.pk, []), shift_gaps.get(pool.pk)) for pool in pools]
        days[shift.date].append(DayShift(shift=shift, people=dict(people), gaps=shift_gaps, rows=rows))
    members = (
        PoolMember.objects.filter(pool__in=pools, joined_on__lte=rota.ends_on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=rota.starts_on))
        .select_related("user")
    )
    counts: dict[int, list[tuple[Any, int]]] = {pool.pk: [] for pool in pools}
    listed = set()
    for member in members.order_by("pk"):
        if (member.pool_id, member.user_id) in listed:
            continue
        listed.add((member.pool_id, member.user_id))
        counts[member.pool_id].append((member.user, tally.get((member.pool_id, member.user_id), 0)))
    for (pool_id, user_id), number in sorted(tally.items()):
        if (pool_id, user_id) not in listed:  # left the list after the rota was made
            counts.setdefault(pool_id, []).append((users[user_id], number))
    swaps = list(
        SwapRequest.objects.filter(rota=rota)
        .select_related(
            "first__user", "first__shift", "second__user", "second__shift", "requested_by", "decided_by"
        )
        .order_by("-requested_at", "-pk")
    )
    return RotaView(
        rota=rota,
        pools=pools,
        days=dict(days),
        counts=counts,
        gap_count=sum(len(v) for v in gaps.values()),
        swaps=swaps,
        pool_counts=[(pool, counts.get(pool.pk, [])) for pool in pools],
    )


def _years_text(years: list[int]) -> str:
    return "、".join(str(year) for year in years)


def holiday_warnings(*, start: dt.date, end: dt.date, rota: Rota | None = None) -> list[str]:
    """What the rota page and the generator say when a period lies beyond the known holidays.

    ``start``..``end`` is the period looked at; ``rota`` (if any) is the version shown, which remembers
    the years it was generated without holiday data.
    """
    warnings = []
    missing = years_without_holidays(start, end)
    if missing:
        warnings.append(
            _(
                "No official holidays are known for %(years)s yet: the built-in calendar ends with %(last)d "
                "and no administrator has entered that year's holidays. Until then every Monday to Friday "
                "counts as a working day, so holidays are not skipped and adjusted working weekends (调休) "
                "are missing. An administrator enters the holidays of the State Council's notice under "
                "Administration › Core › Holiday overrides; then generate the rota again."
            )
            % {"years": _years_text(missing), "last": COVERED_YEARS.stop - 1}
        )
    if rota is not None and rota.years_without_holidays:
        entered = [year for year in rota.years_without_holidays if year not in missing]
        if entered:
            warnings.append(
                _(
                    "This version was generated before the official holidays of %(years)s were entered. "
                    "Generate it again so that holidays are skipped and adjusted working days added."
                )
                % {"years": _years_text(entered)}
            )
    return warnings


def pending_swaps(station: Station) -> QuerySet[SwapRequest]:
    return SwapRequest.objects.filter(
        rota__station=station, rota__status=RotaStatus.CURRENT, status=SwapStatus.PENDING
    )


# --- figures ------------------------------------------------------------------------------------


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class HotlineWindow:
    """Complaints per calendar month over ``months`` whole months from ``first`` (a 1st of a month)."""

    first: dt.date
    months: int
    counts: list[tuple[dt.date, int]]

    @property
    def last(self) -> dt.date:
        return add_months(self.first, self.months) - dt.timedelta(days=1)

    @property
    def total(self) -> int:
        return sum(count for _month, count in self.counts)

    @property
    def per_month(self) -> float:
        return self.total / self.months if self.months else 0.0

    @property
    def highest(self) -> int:
        return max((count for _month, count in self.counts), default=0)


@dataclass
class StationFigures:
    visits: int
    resolved: int
    petitions: int
    mediation: int
    summoned: int
    pending: int
    before: HotlineWindow | None
    after: HotlineWindow | None

    @property
    def resolved_rate(self) -> float | None:
        return self.resolved / self.visits if self.visits else None

    @property
    def change(self) -> float | None:
        """Relative change of the monthly complaints, after against before (-0.8 = 80 % fewer)."""
        if self.before is None or self.after is None or not self.before.total:
            return None
        return self.after.per_month / self.before.per_month - 1


DEFAULT_WINDOW_MONTHS = 12


def hotline_windows(
    station: Station, *, months: int | None = None, today: dt.date | None = None
) -> tuple[HotlineWindow | None, HotlineWindow | None]:
    """Equal windows of whole months before and after the station opened.

    The opening month is left out unless the station opened on its 1st (it is part before, part
    after). "After" ends with the last complete month; its length (at most ``months``, default 12)
    is also the length of "before", which ends with the month before the opening month.
    """
    today = today or timezone.localdate()
    opened = station.opened_on
    opening_month = opened.replace(day=1)
    after_first = opening_month if opened.day == 1 else add_months(opening_month, 1)
    this_month = today.replace(day=1)
    available = (this_month.year - after_first.year) * 12 + this_month.month - after_first.month
    length = min(months or DEFAULT_WINDOW_MONTHS, available)
    if length < 1:
        return None, None
    before_first = add_months(opening_month, -length)
    return (
        _window(station, before_first, length),
        _window(station, after_first, length),
    )


def _window(station: Station, first: dt.date, months: int) -> HotlineWindow:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(add_months(first, months), dt.time.min, tzinfo=zone)
    rows = (
        serving_area_complaints(station)
        .filter(received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month = {_as_month(row["month"]): row["n"] for row in rows}
    counts = [(add_months(first, i), by_month.get(add_months(first, i), 0)) for i in range(months)]
    return HotlineWindow(first=first, months=months, counts=counts)


def _as_month(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def serving_area_complaints(station: Station) -> QuerySet[HotlineSignal]:
    """Hotline complaints (投诉) about any place of the station's serving area."""
    return HotlineSignal.objects.filter(
        path_prefix_q(list(station.serving_area.all()), field="unit__path"), kind=SignalKind.COMPLAINT
    )


def station_figures(
    station: Station, *, months: int | None = None, today: dt.date | None = None
) -> StationFigures:
    outcomes = dict(
        Visit.objects.filter(station=station).values_list("outcome").annotate(n=Count("pk")).order_by()
    )
    before, after = hotline_windows(station, months=months, today=today)
    return StationFigures(
        visits=sum(outcomes.values()),
        resolved=outcomes.get(VisitOutcome.RESOLVED, 0),
        petitions=outcomes.get(VisitOutcome.PETITION, 0),
        mediation=outcomes.get(VisitOutcome.MEDIATION, 0),
        summoned=outcomes.get(VisitOutcome.SUMMONED, 0),
        pending=outcomes.get(VisitOutcome.PENDING, 0),
        before=before,
        after=after,
    )
