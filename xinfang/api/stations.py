"""Reception stations (暖心驿站): stations, rotas and swaps, walk-ins, hotline tickets, figures."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.stations import hotline, selectors, services, visits
from xinfang.stations.models import Assignment, DutyPool, PoolMember, Rota, Visit
from xinfang.stations.schedule import Session

from .errors import COMMON_ERRORS, WRITE_ERRORS
from .stations_schemas import (
    HotlineImportOut,
    PoolIn,
    PoolMemberIn,
    PoolMemberLeaveIn,
    PoolMemberOut,
    PoolOut,
    PoolUpdateIn,
    RaisedPetitionOut,
    RotaIn,
    RotaOut,
    RotaSummaryOut,
    SessionIn,
    SignalOut,
    SignalPage,
    SignalToPetitionIn,
    StationFiguresOut,
    StationIn,
    StationOut,
    StationUpdateIn,
    SummonsIn,
    SummonsOut,
    SwapDecisionIn,
    SwapIn,
    SwapOut,
    UnavailabilityIn,
    UnavailabilityOut,
    VisitConcludeIn,
    VisitIn,
    VisitOut,
    VisitToPetitionIn,
    figures_out,
    member_out,
    pool_out,
    rota_out,
    signal_out,
    station_out,
    visit_out,
)

router = Router(tags=["stations"])


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _visible_unit(user: User, unit_id: int) -> Unit:
    return scoping.require_unit(user, get_object_or_404(Unit, pk=unit_id))


@router.get("/stations", response={200: list[StationOut], **COMMON_ERRORS})
def list_stations(request: HttpRequest) -> list[StationOut]:
    stations = selectors.visible_stations(request.user).select_related("unit").order_by("name")
    return [station_out(s) for s in stations[:200]]


@router.get("/stations/{station_id}", response={200: StationOut, **COMMON_ERRORS})
def get_station(request: HttpRequest, station_id: int) -> StationOut:
    return station_out(selectors.get_visible_station(request.user, station_id))


def _units(ids: list[int]) -> list[Unit]:
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=ids)}
    if len(units) != len(set(ids)):
        raise DomainError(_("A unit named here does not exist."), code="bad_area")
    return [units[pk] for pk in dict.fromkeys(ids)]


def _people(ids: list[int]) -> list[User]:
    people = {person.pk: person for person in User.objects.filter(pk__in=ids)}
    if len(people) != len(set(ids)):
        raise DomainError(_("A person named here does not exist."), code="bad_manager")
    return [people[pk] for pk in dict.fromkeys(ids)]


def _sessions(sessions: list[SessionIn]) -> list[Session]:
    return [Session(weekday=s.weekday, starts=s.starts, ends=s.ends) for s in sessions]


@router.post("/stations", response={201: StationOut, **WRITE_ERRORS})
def create_station(request: HttpRequest, payload: StationIn) -> Status:
    """Set up a station: petition officers (county, street) whose jurisdiction covers the place."""
    station = services.station_create(
        user=_actor(request),
        name=payload.name,
        unit=get_object_or_404(Unit, pk=payload.unit_id),
        address=payload.address,
        opened_on=payload.opened_on,
        status=payload.status,
        serving_area=_units(payload.serving_area),
        sessions=_sessions(payload.sessions),
        adjusted_workday_as=payload.adjusted_workday_as,
        managers=_people(payload.manager_ids),
    )
    return Status(201, station_out(station))


@router.put("/stations/{station_id}", response={200: StationOut, **WRITE_ERRORS})
def update_station(request: HttpRequest, station_id: int, payload: StationUpdateIn) -> StationOut:
    """The station's managers and the petition offices above it; moving it and appointing its managers
    are for the petition offices. New hours apply to the next rota generated."""
    selectors.get_visible_station(request.user, station_id)
    station = services.station_update(
        user=_actor(request),
        station_id=station_id,
        name=payload.name,
        address=payload.address,
        opened_on=payload.opened_on,
        status=payload.status,
        serving_area=_units(payload.serving_area),
        adjusted_workday_as=payload.adjusted_workday_as,
        unit=get_object_or_404(Unit, pk=payload.unit_id) if payload.unit_id is not None else None,
        sessions=_sessions(payload.sessions) if payload.sessions is not None else None,
        managers=_people(payload.manager_ids) if payload.manager_ids is not None else None,
        expected_version=payload.expected_version,
    )
    return station_out(station)


@router.get("/stations/{station_id}/pools", response={200: list[PoolOut], **COMMON_ERRORS})
def list_pools(request: HttpRequest, station_id: int) -> list[PoolOut]:
    """Every pool, stood-down ones too, with everyone who has been on its list (``left_on`` set)."""
    station = selectors.get_visible_station(request.user, station_id)
    pools = DutyPool.objects.filter(station=station).order_by("-is_active", "position", "pk")
    return [pool_out(pool, current_only=False) for pool in pools]


@router.post("/stations/{station_id}/pools", response={201: PoolOut, **WRITE_ERRORS})
def create_pool(request: HttpRequest, station_id: int, payload: PoolIn) -> Status:
    selectors.get_visible_station(request.user, station_id)
    pool = services.pool_create(
        user=_actor(request),
        station_id=station_id,
        unit=get_object_or_404(Unit, pk=payload.unit_id),
        name=payload.name,
        people_per_shift=payload.people_per_shift,
        weekdays=payload.weekdays,
    )
    return Status(201, pool_out(pool))


def _visible_pool(user: User, pool_id: int) -> DutyPool:
    pool = DutyPool.objects.filter(pk=pool_id, station__in=selectors.visible_stations(user)).first()
    if pool is None:
        raise scoping.OutOfJurisdiction("")
    return pool


@router.put("/pools/{pool_id}", response={200: PoolOut, **WRITE_ERRORS})
def update_pool(request: HttpRequest, pool_id: int, payload: PoolUpdateIn) -> PoolOut:
    _visible_pool(_actor(request), pool_id)
    pool = services.pool_update(
        user=_actor(request),
        pool_id=pool_id,
        name=payload.name,
        people_per_shift=payload.people_per_shift,
        weekdays=payload.weekdays,
        is_active=payload.is_active,
        expected_version=payload.expected_version,
    )
    return pool_out(pool)


@router.post("/pools/{pool_id}/members", response={201: PoolMemberOut, **WRITE_ERRORS})
def add_pool_member(request: HttpRequest, pool_id: int, payload: PoolMemberIn) -> Status:
    """Put a staff member of the pool's organisation on its duty list (one pool per person and station)."""
    _visible_pool(_actor(request), pool_id)
    person = User.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise DomainError(_("No such staff member."), code="no_seat")
    member = services.pool_member_add(
        user=_actor(request), pool_id=pool_id, person=person, joined_on=payload.joined_on
    )
    return Status(201, member_out(member))


@router.post("/pool-members/{member_id}/leave", response={200: PoolMemberOut, **WRITE_ERRORS})
def leave_pool(request: HttpRequest, member_id: int, payload: PoolMemberLeaveIn) -> PoolMemberOut:
    """The person leaves the duty list after ``left_on``; the record stays."""
    visible = PoolMember.objects.filter(
        pk=member_id, pool__station__in=selectors.visible_stations(request.user)
    )
    if not visible.exists():
        raise scoping.OutOfJurisdiction("")
    member = services.pool_member_leave(user=_actor(request), member_id=member_id, left_on=payload.left_on)
    return member_out(member)


class FiguresQuery(Schema):
    months: int = 12


@router.get("/stations/{station_id}/figures", response={200: StationFiguresOut, **COMMON_ERRORS})
def get_station_figures(
    request: HttpRequest, station_id: int, query: Query[FiguresQuery]
) -> StationFiguresOut:
    """Walk-ins, resolved on the spot, petitions raised; hotline complaints in equal windows before and
    after the opening (whole months; the opening month left out unless opened on the 1st)."""
    station = selectors.get_visible_station(request.user, station_id)
    months = max(1, min(query.months, 60))
    return figures_out(selectors.station_figures(station, months=months))


@router.get("/stations/{station_id}/rotas", response={200: list[RotaSummaryOut], **COMMON_ERRORS})
def list_rotas(request: HttpRequest, station_id: int) -> list[Rota]:
    station = selectors.get_visible_station(request.user, station_id)
    return list(Rota.objects.filter(station=station).order_by("-starts_on", "-number")[:100])


@router.post("/stations/{station_id}/rotas", response={201: RotaOut, **WRITE_ERRORS})
def generate_rota(request: HttpRequest, station_id: int, payload: RotaIn) -> Status:
    selectors.get_visible_station(request.user, station_id)
    rota = services.rota_generate(
        user=_actor(request),
        station_id=station_id,
        period_kind=payload.period_kind,
        year=payload.year,
        number=payload.number,
    )
    return Status(201, rota_out(rota))


@router.get("/rotas/{rota_id}", response={200: RotaOut, **COMMON_ERRORS})
def get_rota(request: HttpRequest, rota_id: int) -> RotaOut:
    return rota_out(selectors.visible_rota(request.user, rota_id))


@router.post("/rotas/{rota_id}/swaps", response={201: SwapOut, **WRITE_ERRORS})
def request_swap(request: HttpRequest, rota_id: int, payload: SwapIn) -> Status:
    rota = selectors.visible_rota(request.user, rota_id)
    for pk in (payload.first_id, payload.second_id):
        if not Assignment.objects.filter(pk=pk, shift__rota=rota).exists():
            raise scoping.OutOfJurisdiction("")
    swap = services.swap_request(
        user=_actor(request), first_id=payload.first_id, second_id=payload.second_id, reason=payload.reason
    )
    return Status(201, SwapOut.from_swap(swap))


@router.post("/swaps/{swap_id}/approve", response={200: SwapOut, **WRITE_ERRORS})
def approve_swap(request: HttpRequest, swap_id: int, payload: SwapDecisionIn) -> SwapOut:
    selectors.visible_swap(request.user, swap_id)
    swap = services.swap_approve(
        user=_actor(request), swap_id=swap_id, note=payload.note, expected_version=payload.expected_version
    )
    return SwapOut.from_swap(swap)


@router.post("/swaps/{swap_id}/reject", response={200: SwapOut, **WRITE_ERRORS})
def reject_swap(request: HttpRequest, swap_id: int, payload: SwapDecisionIn) -> SwapOut:
    selectors.visible_swap(request.user, swap_id)
    swap = services.swap_reject(
        user=_actor(request), swap_id=swap_id, note=payload.note, expected_version=payload.expected_version
    )
    return SwapOut.from_swap(swap)


@router.post("/stations/{station_id}/unavailability", response={201: UnavailabilityOut, **WRITE_ERRORS})
def record_unavailability(request: HttpRequest, station_id: int, payload: UnavailabilityIn) -> Status:
    station = selectors.get_visible_station(request.user, station_id)
    person = (
        User.objects.filter(
            pk=payload.person_id,
            duty_pool_seats__pool__station=station,
            duty_pool_seats__left_on__isnull=True,
        )
        .distinct()
        .first()
    )
    if person is None:
        raise scoping.OutOfJurisdiction("")
    item = services.unavailability_record(
        user=_actor(request),
        person=person,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        kind=payload.kind,
        reason=payload.reason,
    )
    return Status(201, UnavailabilityOut.from_orm(item))


@router.get("/stations/{station_id}/unavailability", response={200: list[UnavailabilityOut], **COMMON_ERRORS})
def list_unavailability(request: HttpRequest, station_id: int) -> list[UnavailabilityOut]:
    """Absences of the people on the station's duty lists, cancelled ones included, latest first."""
    station = selectors.get_visible_station(request.user, station_id)
    listed = PoolMember.objects.filter(pool__station=station).values("user_id")
    items = selectors.visible_unavailability(request.user).filter(user_id__in=listed)
    return [UnavailabilityOut.from_orm(item) for item in items.order_by("-starts_on", "-pk")[:500]]


@router.post("/unavailability/{unavailability_id}/cancel", response={200: UnavailabilityOut, **WRITE_ERRORS})
def cancel_unavailability(request: HttpRequest, unavailability_id: int) -> UnavailabilityOut:
    """Withdraw an absence: the person, or a manager of a station whose duty list has them."""
    item = services.unavailability_cancel(user=_actor(request), unavailability_id=unavailability_id)
    return UnavailabilityOut.from_orm(item)


@router.get("/stations/{station_id}/visits", response={200: list[VisitOut], **COMMON_ERRORS})
def list_visits(request: HttpRequest, station_id: int) -> list[VisitOut]:
    station = selectors.get_visible_station(request.user, station_id)
    qs = Visit.objects.filter(station=station).select_related("visitor", "place")[:200]
    return [visit_out(v) for v in qs]


@router.post("/stations/{station_id}/visits", response={201: VisitOut, **WRITE_ERRORS})
def register_visit(request: HttpRequest, station_id: int, payload: VisitIn) -> Status:
    station = selectors.get_visible_station(request.user, station_id)
    place = _visible_unit(_actor(request), payload.place_id) if payload.place_id else station.unit
    visit = visits.visit_register(
        user=_actor(request),
        station_id=station.pk,
        visitor=visits.Visitor(
            name=payload.visitor_name,
            id_number=payload.visitor_id_number,
            phone=payload.visitor_phone,
            address=payload.visitor_address,
        ),
        subject=payload.subject,
        notes=payload.notes,
        place=place,
        people_count=payload.people_count,
    )
    return Status(201, visit_out(visit))


@router.get("/visits/{visit_id}", response={200: VisitOut, **COMMON_ERRORS})
def get_visit(request: HttpRequest, visit_id: int) -> VisitOut:
    return visit_out(selectors.get_visible_visit(request.user, visit_id))


@router.post("/visits/{visit_id}/conclude", response={200: VisitOut, **WRITE_ERRORS})
def conclude_visit(request: HttpRequest, visit_id: int, payload: VisitConcludeIn) -> VisitOut:
    selectors.get_visible_visit(request.user, visit_id)
    visit = visits.visit_conclude(
        user=_actor(request),
        visit_id=visit_id,
        outcome=payload.outcome,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return visit_out(visit)


@router.post("/visits/{visit_id}/summons", response={201: SummonsOut, **WRITE_ERRORS})
def summon_department(request: HttpRequest, visit_id: int, payload: SummonsIn) -> Status:
    selectors.get_visible_visit(request.user, visit_id)
    summons = visits.visit_summon(
        user=_actor(request),
        visit_id=visit_id,
        department=_visible_unit(_actor(request), payload.department_id),
        task=payload.task,
        due_on=payload.due_on,
        expected_version=payload.expected_version,
    )
    return Status(201, SummonsOut.from_orm(summons))


@router.post("/visits/{visit_id}/petition", response={201: RaisedPetitionOut, **WRITE_ERRORS})
def visit_to_petition(request: HttpRequest, visit_id: int, payload: VisitToPetitionIn) -> Status:
    selectors.get_visible_visit(request.user, visit_id)
    petition = visits.visit_to_petition(
        user=_actor(request),
        visit_id=visit_id,
        request=payload.request,
        petition_type=payload.petition_type,
        expected_version=payload.expected_version,
    )
    return Status(
        201, RaisedPetitionOut(id=petition.pk, number=petition.number, query_code=petition.query_code)
    )


class SignalQuery(Schema):
    unit: int | None = None
    month: str = ""
    limit: int = 100
    offset: int = 0


@router.get("/hotline-signals", response={200: SignalPage, **COMMON_ERRORS})
def list_signals(request: HttpRequest, query: Query[SignalQuery]) -> SignalPage:
    qs = selectors.visible_signals(request.user).select_related("unit")
    if query.unit is not None:
        root = _visible_unit(_actor(request), query.unit)
        qs = qs.filter(unit__path__startswith=root.path)
    if query.month:
        try:
            year, month = (int(p) for p in query.month.split("-", 1))
            first = dt.date(year, month, 1)
            qs = qs.filter(received_at__date__gte=first, received_at__date__lt=selectors.add_months(first, 1))
        except ValueError:
            qs = qs.none()
    limit, offset = max(1, min(query.limit, 500)), max(0, query.offset)
    items = qs.order_by("-received_at", "-pk")[offset : offset + limit]
    return SignalPage(count=qs.count(), items=[signal_out(s) for s in items])


@router.get("/hotline-signals/{signal_id}", response={200: SignalOut, **COMMON_ERRORS})
def get_signal(request: HttpRequest, signal_id: int) -> SignalOut:
    return signal_out(selectors.get_visible_signal(request.user, signal_id))


@router.post("/hotline-imports", response={200: HotlineImportOut, **WRITE_ERRORS})
def import_signals(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> HotlineImportOut:
    """All or nothing: a file with any row error writes nothing and the report names each row."""
    report, _batch = hotline.hotline_import(
        user=_actor(request), filename=file.name or "", content=file.read(), dry_run=dry_run
    )
    return HotlineImportOut.from_report(report)


@router.post("/hotline-signals/{signal_id}/petition", response={201: RaisedPetitionOut, **WRITE_ERRORS})
def signal_to_petition(request: HttpRequest, signal_id: int, payload: SignalToPetitionIn) -> Status:
    selectors.get_visible_signal(request.user, signal_id)
    petition = visits.signal_to_petition(
        user=_actor(request),
        signal_id=signal_id,
        confirmed_grievance=payload.confirmed_grievance,
        principal=visits.Visitor(
            name=payload.principal_name, phone=payload.principal_phone, id_number=payload.principal_id_number
        ),
        subject=payload.subject,
        request=payload.request,
        expected_version=payload.expected_version,
    )
    return Status(
        201, RaisedPetitionOut(id=petition.pk, number=petition.number, query_code=petition.query_code)
    )
