"""Input and output schemas of the stations API. Personal data goes out masked only."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from xinfang.core.idnumber import mask_id_number
from xinfang.core.phone import mask_phone
from xinfang.orgs.importer import ImportReport
from xinfang.stations import selectors, services
from xinfang.stations.models import (
    DepartmentSummons,
    DutyPool,
    HotlineSignal,
    PeriodKind,
    PoolMember,
    Rota,
    Station,
    StationStatus,
    SwapRequest,
    Unavailability,
    Visit,
)

from .petition_schemas import Day, Id, Line, Name


def _local_time(value: dt.time) -> dt.time:
    # Opening hours are wall-clock times in Asia/Shanghai; an offset would make them incomparable.
    if value.tzinfo is not None:
        raise ValueError("must be a local time without a UTC offset, e.g. 08:30")
    return value


LocalTime = Annotated[dt.time, AfterValidator(_local_time)]


class SessionOut(Schema):
    weekday: int
    starts: str
    ends: str


class PoolMemberOut(Schema):
    id: int
    user_id: int
    name: str
    joined_on: dt.date
    left_on: dt.date | None


def member_out(member: PoolMember) -> PoolMemberOut:
    return PoolMemberOut(
        id=member.pk,
        user_id=member.user_id,
        name=member.user.display_name(),
        joined_on=member.joined_on,
        left_on=member.left_on,
    )


class PoolOut(Schema):
    id: int
    name: str
    unit_id: int
    people_per_shift: int
    weekdays: list[int]
    is_active: bool
    version: int
    members: list[PoolMemberOut]


def pool_out(pool: DutyPool, *, current_only: bool = True) -> PoolOut:
    """A pool with the people on its list now, or (``current_only=False``) everyone who ever was."""
    members = pool.members.select_related("user").order_by("joined_on", "pk")
    if current_only:
        members = members.filter(left_on__isnull=True)
    return PoolOut(
        id=pool.pk,
        name=pool.name,
        unit_id=pool.unit_id,
        people_per_shift=pool.people_per_shift,
        weekdays=list(pool.weekdays or []),
        is_active=pool.is_active,
        version=pool.version,
        members=[member_out(m) for m in members],
    )


class StationOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_name: str
    address: str
    opened_on: dt.date
    status: str
    adjusted_workday_as: int | None
    serving_area: list[int]
    manager_ids: list[int]
    sessions: list[SessionOut]
    pools: list[PoolOut]
    version: int


def station_out(station: Station) -> StationOut:
    return StationOut(
        id=station.pk,
        name=station.name,
        unit_id=station.unit_id,
        unit_name=station.unit.name,
        address=station.address,
        opened_on=station.opened_on,
        status=station.status,
        adjusted_workday_as=station.adjusted_workday_as,
        serving_area=list(station.serving_area.values_list("pk", flat=True)),
        manager_ids=list(station.managers.values_list("pk", flat=True)),
        sessions=[
            SessionOut(weekday=s.weekday, starts=f"{s.starts:%H:%M}", ends=f"{s.ends:%H:%M}")
            for s in services.station_sessions(station)
        ],
        pools=[pool_out(pool) for pool in station.pools.filter(is_active=True).order_by("position", "pk")],
        version=station.version,
    )


class SessionIn(Schema):
    weekday: int = Field(description="0 = Monday … 4 = Friday")
    starts: LocalTime
    ends: LocalTime


class StationIn(Schema):
    name: Name
    unit_id: Id = Field(description="Where the station sits: a street, community, village or compound")
    address: Line = ""
    opened_on: Day
    status: StationStatus = StationStatus.OPEN
    adjusted_workday_as: int | None = Field(
        0, description="Adjusted working weekend days (调休) open with this weekday's hours; null: closed"
    )
    serving_area: list[Id] = Field(description="Units whose residents the station serves")
    sessions: list[SessionIn] = Field(description="Weekly opening sessions; each one is a duty shift")
    manager_ids: list[Id] = []


class StationUpdateIn(Schema):
    """The whole station; ``unit_id``, ``sessions`` and ``manager_ids`` may be left out (unchanged)."""

    name: Name
    address: Line = ""
    opened_on: Day
    status: StationStatus
    adjusted_workday_as: int | None
    serving_area: list[Id]
    unit_id: Id | None = None
    sessions: list[SessionIn] | None = None
    manager_ids: list[Id] | None = None
    expected_version: int | None = None


class PoolIn(Schema):
    unit_id: Id = Field(description="The organisation that supplies duty staff")
    name: Name = ""
    people_per_shift: int = 1
    weekdays: list[int] = Field([], description="Weekdays (0 = Monday) on duty; empty: every opening day")


class PoolUpdateIn(Schema):
    name: Name = ""
    people_per_shift: int
    weekdays: list[int] = []
    is_active: bool = True
    expected_version: int | None = None


class PoolMemberIn(Schema):
    person_id: Id
    joined_on: Day | None = None


class PoolMemberLeaveIn(Schema):
    left_on: Day | None = Field(None, description="Last day on the list; default today")


class RotaIn(Schema):
    period_kind: PeriodKind = PeriodKind.MONTH
    year: int
    number: int = Field(description="Month (1-12) or quarter (1-4)")


class RotaSummaryOut(Schema):
    id: int
    period_kind: str
    starts_on: dt.date
    ends_on: dt.date
    number: int
    status: str
    shift_count: int
    gap_count: int
    generated_at: dt.datetime
    input_digest: str
    years_without_holidays: list[int] = Field(
        description="Years of the period whose official holidays were unknown when the rota was generated"
    )


class DutyOut(Schema):
    assignment_id: int
    pool_id: int
    user_id: int
    name: str


class GapOut(Schema):
    pool_id: int
    needed: int
    filled: int


class ShiftOut(Schema):
    id: int
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    adjusted_workday: bool
    duties: list[DutyOut]
    gaps: list[GapOut]


class CountOut(Schema):
    pool_id: int
    user_id: int
    name: str
    shifts: int


class RotaOut(RotaSummaryOut):
    station_id: int
    shifts: list[ShiftOut]
    counts: list[CountOut]
    pending_swaps: int
    warnings: list[str] = Field(description="What to fix before relying on the rota, e.g. missing holidays")


def rota_out(rota: Rota) -> RotaOut:
    view = selectors.rota_view(rota)
    shifts = []
    for day in sorted(view.days):
        for item in view.days[day]:
            shift = item.shift
            shifts.append(
                ShiftOut(
                    id=shift.pk,
                    date=shift.date,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    adjusted_workday=shift.is_adjusted_workday,
                    duties=[
                        DutyOut(
                            assignment_id=a.pk, pool_id=pool.pk, user_id=a.user_id, name=a.user.display_name()
                        )
                        for pool, assignments, _gap in item.rows
                        for a in assignments
                    ],
                    gaps=[
                        GapOut(pool_id=pool.pk, needed=gap.needed, filled=gap.filled)
                        for pool, _assignments, gap in item.rows
                        if gap is not None
                    ],
                )
            )
    counts = [
        CountOut(pool_id=pool.pk, user_id=user.pk, name=user.display_name(), shifts=number)
        for pool, rows in view.pool_counts
        for user, number in rows
    ]
    return RotaOut(
        id=rota.pk,
        station_id=rota.station_id,
        period_kind=rota.period_kind,
        starts_on=rota.starts_on,
        ends_on=rota.ends_on,
        number=rota.number,
        status=rota.status,
        shift_count=rota.shift_count,
        gap_count=rota.gap_count,
        generated_at=rota.generated_at,
        input_digest=rota.input_digest,
        shifts=shifts,
        counts=counts,
        pending_swaps=sum(1 for s in view.swaps if s.status == "pending"),
        years_without_holidays=list(rota.years_without_holidays or []),
        warnings=selectors.holiday_warnings(start=rota.starts_on, end=rota.ends_on, rota=rota),
    )


class SwapIn(Schema):
    first_id: int = Field(description="Assignment given away")
    second_id: int = Field(description="Assignment taken instead (same pool)")
    reason: str = ""


class SwapDecisionIn(Schema):
    note: str = ""
    expected_version: int | None = None


class SwapOut(Schema):
    id: int
    rota_id: int
    first_id: int
    second_id: int
    reason: str
    status: str
    requested_by_id: int
    decided_by_id: int | None
    decided_at: dt.datetime | None
    decision_note: str
    version: int

    @staticmethod
    def from_swap(swap: SwapRequest) -> SwapOut:
        return SwapOut(
            id=swap.pk,
            rota_id=swap.rota_id,
            first_id=swap.first_id,
            second_id=swap.second_id,
            reason=swap.reason,
            status=swap.status,
            requested_by_id=swap.requested_by_id,
            decided_by_id=swap.decided_by_id,
            decided_at=swap.decided_at,
            decision_note=swap.decision_note,
            version=swap.version,
        )


class UnavailabilityIn(Schema):
    person_id: int
    starts_on: dt.date
    ends_on: dt.date
    kind: str = "leave"
    reason: str = ""


class UnavailabilityOut(Schema):
    id: int
    user_id: int
    starts_on: dt.date
    ends_on: dt.date
    kind: str
    reason: str
    cancelled_at: dt.datetime | None

    @staticmethod
    def from_orm(item: Unavailability) -> UnavailabilityOut:  # type: ignore[override]
        return UnavailabilityOut(
            id=item.pk,
            user_id=item.user_id,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
            kind=item.kind,
            reason=item.reason,
            cancelled_at=item.cancelled_at,
        )


class VisitIn(Schema):
    visitor_name: str
    visitor_id_number: str = ""
    visitor_phone: str = ""
    visitor_address: str = ""
    subject: str
    notes: str = ""
    place_id: int | None = None
    people_count: int = 1


class VisitOut(Schema):
    id: int
    station_id: int
    visited_at: dt.datetime
    visitor_name: str
    visitor_id_number_masked: str
    visitor_phone_masked: str
    subject: str
    notes: str
    place_id: int
    people_count: int
    duty_staff_ids: list[int]
    outcome: str
    outcome_note: str
    petition_id: int | None
    version: int


def visit_out(visit: Visit) -> VisitOut:
    return VisitOut(
        id=visit.pk,
        station_id=visit.station_id,
        visited_at=visit.visited_at,
        visitor_name=visit.visitor.name,
        visitor_id_number_masked=mask_id_number(visit.visitor.id_number),
        visitor_phone_masked=mask_phone(visit.visitor.phone),
        subject=visit.subject,
        notes=visit.notes,
        place_id=visit.place_id,
        people_count=visit.people_count,
        duty_staff_ids=list(visit.duty_staff.values_list("pk", flat=True)),
        outcome=visit.outcome,
        outcome_note=visit.outcome_note,
        petition_id=visit.petition_id,
        version=visit.version,
    )


class VisitConcludeIn(Schema):
    outcome: str = Field(description="resolved or mediation")
    note: str
    expected_version: int | None = None


class SummonsIn(Schema):
    department_id: int
    task: str
    due_on: dt.date
    expected_version: int | None = None


class SummonsOut(Schema):
    id: int
    visit_id: int
    department_id: int
    task: str
    due_on: dt.date
    done_at: dt.datetime | None

    @staticmethod
    def from_orm(summons: DepartmentSummons) -> SummonsOut:  # type: ignore[override]
        return SummonsOut(
            id=summons.pk,
            visit_id=summons.visit_id,
            department_id=summons.department_id,
            task=summons.task,
            due_on=summons.due_on,
            done_at=summons.done_at,
        )


class VisitToPetitionIn(Schema):
    request: str
    petition_type: str = ""
    expected_version: int | None = None


class RaisedPetitionOut(Schema):
    id: int
    number: str
    query_code: str


class SignalOut(Schema):
    id: int
    ticket_id: str
    received_at: dt.datetime
    area_text: str
    unit_id: int
    kind: str
    category: str
    text: str
    satisfaction: str
    petition_id: int | None
    version: int


def signal_out(signal: HotlineSignal) -> SignalOut:
    return SignalOut(
        id=signal.pk,
        ticket_id=signal.ticket_id,
        received_at=signal.received_at,
        area_text=signal.area_text,
        unit_id=signal.unit_id,
        kind=signal.kind,
        category=signal.category,
        text=signal.text,
        satisfaction=signal.satisfaction,
        petition_id=signal.petition_id,
        version=signal.version,
    )


class SignalPage(Schema):
    count: int
    items: list[SignalOut]


class SignalToPetitionIn(Schema):
    confirmed_grievance: bool
    principal_name: str
    principal_phone: str = ""
    principal_id_number: str = ""
    subject: str
    request: str
    expected_version: int | None = None


class RowErrorOut(Schema):
    row: int
    ticket_id: str
    messages: list[str]


class HotlineImportOut(Schema):
    ok: bool
    dry_run: bool
    created: int
    already_imported: int
    file_errors: list[str]
    row_errors: list[RowErrorOut]

    @staticmethod
    def from_report(report: ImportReport) -> HotlineImportOut:
        return HotlineImportOut(
            ok=report.ok,
            dry_run=report.dry_run,
            created=report.created,
            already_imported=report.unchanged,
            file_errors=report.file_errors,
            row_errors=[
                RowErrorOut(row=e.row, ticket_id=e.code, messages=e.messages) for e in report.row_errors
            ],
        )


class MonthCountOut(Schema):
    month: str
    complaints: int


class WindowOut(Schema):
    first_month: str
    last_month: str
    months: int
    total: int
    per_month: float
    highest: int
    counts: list[MonthCountOut]


class StationFiguresOut(Schema):
    visits: int
    resolved_on_the_spot: int
    resolved_rate: float | None
    petitions_raised: int
    referred_to_mediation: int
    departments_summoned: int
    not_concluded: int
    hotline_before: WindowOut | None
    hotline_after: WindowOut | None
    computed_at: dt.datetime


def _window(window: selectors.HotlineWindow | None) -> WindowOut | None:
    if window is None:
        return None
    return WindowOut(
        first_month=f"{window.first:%Y-%m}",
        last_month=f"{window.last:%Y-%m}",
        months=window.months,
        total=window.total,
        per_month=round(window.per_month, 2),
        highest=window.highest,
        counts=[MonthCountOut(month=f"{m:%Y-%m}", complaints=c) for m, c in window.counts],
    )


def figures_out(figures: selectors.StationFigures) -> StationFiguresOut:
    return StationFiguresOut(
        visits=figures.visits,
        resolved_on_the_spot=figures.resolved,
        resolved_rate=figures.resolved_rate,
        petitions_raised=figures.petitions,
        referred_to_mediation=figures.mediation,
        departments_summoned=figures.summoned,
        not_concluded=figures.pending,
        hotline_before=_window(figures.before),
        hotline_after=_window(figures.after),
        computed_at=timezone.now(),
    )
