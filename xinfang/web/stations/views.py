"""Station pages: list, station page with figures, rota calendar with swaps, walk-ins, hotline tickets.

Thin: parse with a form, read through ``xinfang.stations.selectors``, write through the services.
Anything outside the user's reach answers 404 like a missing page.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.core.idnumber import mask_id_number
from xinfang.core.phone import mask_phone
from xinfang.core.services import personal_data_reveal
from xinfang.core.xlsx import XLSX_CONTENT_TYPE
from xinfang.orgs.importer import ImportReport
from xinfang.petitions import selectors as petition_selectors
from xinfang.petitions.lifecycle import INTAKE
from xinfang.stations import documents, hotline, selectors, services, visits
from xinfang.stations.models import (
    Assignment,
    DepartmentSummons,
    DutyPool,
    HotlineSignal,
    PeriodKind,
    PoolMember,
    Rota,
    RotaStatus,
    Station,
    Unavailability,
    Visit,
    VisitOutcome,
    Weekday,
)

from . import forms as f

MAX_ROW_ERRORS = 200


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def not_found_outside(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Out of jurisdiction reads as not found: the existence of a record is itself information."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except scoping.OutOfJurisdiction as exc:
            raise Http404(_("Not found.")) from exc

    return wrapper


def _station(request: HttpRequest, pk: int) -> Station:
    return selectors.get_visible_station(request.user, pk)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- stations ------------------------------------------------------------------------------------


@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    stations = (
        selectors.visible_stations(request.user)
        .select_related("unit")
        .annotate(
            visit_count=Count("visits", distinct=True),
            resolved_count=Count("visits", filter=Q(visits__outcome=VisitOutcome.RESOLVED), distinct=True),
        )
        .order_by("name")
    )
    context = {"stations": stations, "may_create": selectors.may_create_station(request.user)}
    return render(request, "stations/list.html", context)


def _hours(station: Station) -> list[tuple[str, str]]:
    by_day: dict[int, list[str]] = {}
    for session in services.station_sessions(station):
        by_day.setdefault(session.weekday, []).append(f"{session.starts:%H:%M}-{session.ends:%H:%M}")
    return [(str(Weekday(day).label), "、".join(hours)) for day, hours in sorted(by_day.items())]


@login_required
@not_found_outside
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    user = _user(request)
    now = timezone.now()
    pools = [
        (
            pool,
            PoolMember.objects.filter(pool=pool, left_on__isnull=True).select_related("user").order_by("pk"),
        )
        for pool in station.pools.filter(is_active=True).select_related("unit").order_by("position", "pk")
    ]
    context = {
        "station": station,
        "hours": _hours(station),
        "serving_area": list(station.serving_area.order_by("path")),
        "managers": list(station.managers.order_by("username")),
        "pools": pools,
        "on_duty": selectors.on_duty_at(station, now),
        "figures": selectors.station_figures(station),
        "visits": list(Visit.objects.filter(station=station).select_related("visitor")[:8]),
        "open_summons": list(
            DepartmentSummons.objects.filter(visit__station=station, done_at__isnull=True).select_related(
                "department", "visit"
            )
        ),
        "may_manage": selectors.can_manage(user, station),
        "may_staff": selectors.can_staff_desk(user, station),
        "today": timezone.localdate(),
        "adjusted_label": Weekday(station.adjusted_workday_as).label
        if station.adjusted_workday_as is not None
        else None,
    }
    return render(request, "stations/detail.html", context)


@login_required
@not_found_outside
def station_figures(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    try:
        months = max(1, min(int(request.GET.get("months", "12")), 60))
    except ValueError:
        months = 12
    figures = selectors.station_figures(station, months=months)
    highest = max(
        [c for window in (figures.before, figures.after) if window for _m, c in window.counts] or [1]
    )
    context = {"station": station, "figures": figures, "months": months, "highest": max(highest, 1)}
    return render(request, "stations/figures.html", context)


# --- set-up --------------------------------------------------------------------------------------

# Which form field a service's error code belongs beside; other codes show above the form.
STATION_FIELD_OF = {
    "no_name": "name",
    "bad_place": "unit",
    "no_area": "serving_area",
    "bad_area": "serving_area",
    "bad_manager": "managers",
    "bad_weekday": "adjusted_workday_as",
    "bad_status": "status",
    "bad_date": "opened_on",
}
POOL_FIELD_OF = {
    "bad_unit": "unit",
    "duplicate_pool": "unit",
    "bad_people_per_shift": "people_per_shift",
    "bad_weekday": "weekdays",
}
MEMBER_FIELD_OF = {"no_seat": "person", "already_listed": "person", "bad_date": "joined_on"}


def _error_beside(form: Any, exc: DomainError, fields: dict[str, str]) -> None:
    field = fields.get(getattr(exc, "code", ""))
    form.add_error(field if field in form.fields else None, str(exc))


def _require_manage(request: HttpRequest, station: Station) -> User:
    """Set-up pages are for those who may manage the station; to anyone else they do not exist."""
    user = _user(request)
    if not selectors.can_manage(user, station):
        raise Http404(_("Not found."))
    return user


@login_required
@require_http_methods(["GET", "POST"])
def station_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.may_create_station(user):
        raise Http404(_("Not found."))
    form = f.StationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            station = services.station_create(
                user=user,
                name=d["name"],
                unit=d["unit"],
                address=d["address"],
                opened_on=d["opened_on"],
                status=d["status"],
                serving_area=list(d["serving_area"]),
                adjusted_workday_as=d["adjusted_workday_as"],
                sessions=d["sessions"],
                managers=list(d.get("managers") or []),
            )
        except DomainError as exc:
            _error_beside(form, exc, STATION_FIELD_OF)
        else:
            messages.success(request, _("Station set up. Now add the organisations that send duty staff."))
            return redirect("stations:pools", pk=station.pk)
    context = {"form": form, "station": None}
    return render(request, "stations/station_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_outside
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    user = _require_manage(request, station)
    form = f.StationForm(request.POST or None, user=user, station=station)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.station_update(
                user=user,
                station_id=station.pk,
                name=d["name"],
                unit=d["unit"] if form.may_appoint else None,
                address=d["address"],
                opened_on=d["opened_on"],
                status=d["status"],
                serving_area=list(d["serving_area"]),
                adjusted_workday_as=d["adjusted_workday_as"],
                sessions=d["sessions"],
                managers=list(d["managers"]) if "managers" in form.fields else None,
                expected_version=d["expected_version"],
            )
        except DomainError as exc:
            _error_beside(form, exc, STATION_FIELD_OF)
        else:
            messages.success(request, _("Station saved. New hours apply to the next rota generated."))
            return redirect("stations:detail", pk=station.pk)
    context = {"form": form, "station": station}
    return render(request, "stations/station_form.html", context, status=400 if form.errors else 200)


def pools_context(request: HttpRequest, station: Station, **bound: Any) -> dict[str, Any]:
    """The pools page: each pool with its edit form, its members (each with a leave form), former
    members and an add-member form. ``bound`` replaces a form by its key after a failed submission."""
    user = _user(request)
    today = timezone.localdate()
    listed_now = set(
        PoolMember.objects.filter(pool__station=station, left_on__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    pools = []
    for pool in station.pools.select_related("unit").order_by("-is_active", "position", "pk"):
        members = list(pool.members.select_related("user", "added_by").order_by("joined_on", "pk"))
        current = [m for m in members if m.left_on is None or m.left_on >= today]
        candidates = [p for p in selectors.pool_candidates(pool) if p.pk not in listed_now]
        pools.append(
            {
                "pool": pool,
                "edit": bound.get(f"edit-{pool.pk}") or f.PoolEditForm(pool=pool),
                "add": bound.get(f"add-{pool.pk}") or f.MemberAddForm(pool=pool, people=candidates),
                "members": [
                    (m, bound.get(f"leave-{m.pk}") or f.MemberLeaveForm(member_id=m.pk)) for m in current
                ],
                "former": [m for m in members if m not in current],
                "weekdays": [Weekday(day).label for day in pool.weekdays or []],
            }
        )
    return {
        "station": station,
        "pools": pools,
        "new_pool": bound.get("new") or f.PoolForm(user=user, prefix="new"),
        "today": today,
    }


@login_required
@not_found_outside
def pools(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    _require_manage(request, station)
    return render(request, "stations/pools.html", pools_context(request, station))


def _pools_url(station: Station, anchor: str = "") -> str:
    return reverse("stations:pools", args=[station.pk]) + (f"#{anchor}" if anchor else "")


@login_required
@require_POST
@not_found_outside
def pool_new(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    user = _require_manage(request, station)
    form = f.PoolForm(request.POST, user=user, prefix="new")
    if form.is_valid():
        d = form.cleaned_data
        try:
            pool = services.pool_create(
                user=user,
                station_id=station.pk,
                unit=d["unit"],
                name=d["name"],
                people_per_shift=d["people_per_shift"],
                weekdays=d["weekdays"],
            )
        except DomainError as exc:
            _error_beside(form, exc, POOL_FIELD_OF)
        else:
            messages.success(
                request, _("%(pool)s added; now put its people on the duty list.") % {"pool": pool.name}
            )
            return redirect(_pools_url(station, f"pool-{pool.pk}"))
    context = pools_context(request, station, new=form)
    return render(request, "stations/pools.html", context, status=400)


def _station_pool(request: HttpRequest, pool_id: int) -> tuple[Station, Any]:
    pool = DutyPool.objects.filter(pk=pool_id, station__in=selectors.visible_stations(request.user)).first()
    if pool is None:
        raise Http404(_("Not found."))
    return _station(request, pool.station_id), pool


@login_required
@require_POST
@not_found_outside
def pool_edit(request: HttpRequest, pool_id: int) -> HttpResponse:
    station, pool = _station_pool(request, pool_id)
    user = _require_manage(request, station)
    form = f.PoolEditForm(request.POST, pool=pool)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.pool_update(
                user=user,
                pool_id=pool.pk,
                name=d["name"],
                people_per_shift=d["people_per_shift"],
                weekdays=d["weekdays"],
                is_active=d["is_active"],
                expected_version=d["expected_version"],
            )
        except DomainError as exc:
            _error_beside(form, exc, POOL_FIELD_OF)
        else:
            messages.success(request, _("Duty pool saved."))
            return redirect(_pools_url(station, f"pool-{pool.pk}"))
    context = pools_context(request, station, **{f"edit-{pool.pk}": form})
    return render(request, "stations/pools.html", context, status=400)


@login_required
@require_POST
@not_found_outside
def member_add(request: HttpRequest, pool_id: int) -> HttpResponse:
    station, pool = _station_pool(request, pool_id)
    user = _require_manage(request, station)
    people = selectors.pool_candidates(pool)
    form = f.MemberAddForm(request.POST, pool=pool, people=people)
    if form.is_valid():
        person = next(p for p in people if str(p.pk) == form.cleaned_data["person"])
        try:
            services.pool_member_add(
                user=user, pool_id=pool.pk, person=person, joined_on=form.cleaned_data["joined_on"]
            )
        except DomainError as exc:
            _error_beside(form, exc, MEMBER_FIELD_OF)
        else:
            messages.success(
                request,
                _("%(person)s is on the duty list of %(pool)s.")
                % {"person": person.display_name(), "pool": pool.name},
            )
            return redirect(_pools_url(station, f"pool-{pool.pk}"))
    context = pools_context(request, station, **{f"add-{pool.pk}": form})
    return render(request, "stations/pools.html", context, status=400)


@login_required
@require_POST
@not_found_outside
def member_leave(request: HttpRequest, member_id: int) -> HttpResponse:
    member = (
        PoolMember.objects.filter(pk=member_id, pool__station__in=selectors.visible_stations(request.user))
        .select_related("user", "pool")
        .first()
    )
    if member is None:
        raise Http404(_("Not found."))
    station = _station(request, member.pool.station_id)
    user = _require_manage(request, station)
    form = f.MemberLeaveForm(request.POST, member_id=member.pk)
    if form.is_valid():
        try:
            services.pool_member_leave(user=user, member_id=member.pk, left_on=form.cleaned_data["left_on"])
        except DomainError as exc:
            form.add_error("left_on" if exc.code == "bad_date" else None, str(exc))
        else:
            messages.success(
                request,
                _("%(person)s leaves the duty list after %(day)s; generate published rotas again.")
                % {"person": member.user.display_name(), "day": form.cleaned_data["left_on"]},
            )
            return redirect(_pools_url(station, f"pool-{member.pool_id}"))
    context = pools_context(request, station, **{f"leave-{member.pk}": form})
    return render(request, "stations/pools.html", context, status=400)


# --- rota ----------------------------------------------------------------------------------------


def _month_arg(request: HttpRequest) -> tuple[int, int]:
    text = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in text.split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    today = timezone.localdate()
    return today.year, today.month


def _rota_for(station: Station, year: int, month: int, version: str | None) -> Rota | None:
    first = dt.date(year, month, 1)
    rotas = Rota.objects.filter(
        station=station, starts_on__lte=first + dt.timedelta(days=27), ends_on__gte=first
    )
    if version and version.isdigit():
        return rotas.filter(number=int(version)).order_by("-starts_on").first()
    return rotas.filter(status=RotaStatus.CURRENT).order_by("-starts_on").first()


def _calendar_weeks(year: int, month: int, view: selectors.RotaView | None) -> list[list[dict[str, Any]]]:
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "shifts": view.days.get(day, []) if view is not None and day.month == month else [],
                }
                for day in week
            ]
        )
    return weeks


def rota_context(request: HttpRequest, station: Station, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    year, month = _month_arg(request)
    rota = _rota_for(station, year, month, request.GET.get("version"))
    view = selectors.rota_view(rota) if rota is not None else None
    first = dt.date(year, month, 1)
    previous = selectors.add_months(first, -1)
    following = selectors.add_months(first, 1)
    duties: list[tuple[int, str]] = []
    if view is not None and rota is not None and rota.status == RotaStatus.CURRENT:
        now = timezone.now()
        for assignment in (
            Assignment.objects.filter(shift__rota=rota, is_current=True, shift__starts_at__gt=now)
            .select_related("shift", "user", "pool")
            .order_by("shift__starts_at", "pool__position", "user_id")
        ):
            start = timezone.localtime(assignment.shift.starts_at)
            duties.append(
                (
                    assignment.pk,
                    f"{start:%m-%d %H:%M} {assignment.user.display_name()} · {assignment.pool.name}",
                )
            )
    versions = (
        list(
            Rota.objects.filter(station=station, starts_on=rota.starts_on, ends_on=rota.ends_on).order_by(
                "-number"
            )
        )
        if rota is not None
        else []
    )
    month_end = following - dt.timedelta(days=1)
    context = {
        "station": station,
        "rota": rota,
        "view": view,
        "holiday_warnings": selectors.holiday_warnings(start=first, end=month_end, rota=rota),
        "generate_warnings": selectors.holiday_warnings(
            start=following, end=selectors.add_months(following, 1) - dt.timedelta(days=1)
        ),
        "versions": versions,
        "weeks": _calendar_weeks(year, month, view),
        "weekday_names": [Weekday(d).label for d in range(5)] + [_("Saturday"), _("Sunday")],
        "month": first,
        "previous": previous,
        "following": following,
        "may_manage": selectors.can_manage(user, station),
        "is_manager": selectors.is_manager(user, station),
        "generate_form": f.GenerateRotaForm(
            initial={"period_kind": PeriodKind.MONTH, "year": following.year, "number": following.month}
        ),
        "swap_form": f.SwapRequestForm(duties=duties),
        "may_swap": bool(duties)
        and (selectors.can_manage(user, station) or selectors.is_on_duty_list(user, station)),
    }
    context.update(extra)
    return context


@login_required
@not_found_outside
def rota_page(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    return render(request, "stations/rota.html", rota_context(request, station))


@login_required
@require_POST
@not_found_outside
def rota_generate(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    form = f.GenerateRotaForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rota = services.rota_generate(
                user=_user(request),
                station_id=station.pk,
                period_kind=data["period_kind"],
                year=data["year"],
                number=data["number"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            for warning in selectors.holiday_warnings(start=rota.starts_on, end=rota.ends_on):
                messages.warning(request, warning)
            if rota.gap_count:
                messages.warning(
                    request,
                    _("Rota version %(version)d published with %(gaps)d coverage gaps, marked below.")
                    % {"version": rota.number, "gaps": rota.gap_count},
                )
            else:
                messages.success(request, _("Rota version %(version)d published.") % {"version": rota.number})
            return redirect(reverse("stations:rota", args=[station.pk]) + f"?month={rota.starts_on:%Y-%m}")
    context = rota_context(request, station, generate_form=form)
    return render(request, "stations/rota.html", context, status=400)


@login_required
@not_found_outside
def rota_export(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    year, month = _month_arg(request)
    rota = _rota_for(station, year, month, request.GET.get("version"))
    if rota is None:
        raise Http404(_("Not found."))
    body = documents.rota_xlsx(selectors.rota_view(rota))
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="rota-{rota.starts_on:%Y-%m}-v{rota.number}.xlsx"'
    )
    return response


@login_required
@require_POST
@not_found_outside
def swap_request(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    context = rota_context(request, station)
    form = f.SwapRequestForm(request.POST, duties=list(context["swap_form"].fields["first"].choices)[1:])
    if form.is_valid():
        try:
            services.swap_request(
                user=_user(request),
                first_id=int(form.cleaned_data["first"]),
                second_id=int(form.cleaned_data["second"]),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Swap requested; the station manager decides."))
            return redirect(_rota_url(request, station))
    context["swap_form"] = form
    return render(request, "stations/rota.html", context, status=400)


def _rota_url(request: HttpRequest, station: Station) -> str:
    month = request.GET.get("month", "")
    url = reverse("stations:rota", args=[station.pk])
    return f"{url}?month={month}" if month else url


@login_required
@require_POST
@not_found_outside
def swap_decide(request: HttpRequest, swap_id: int, decision: str) -> HttpResponse:
    swap = selectors.visible_swap(request.user, swap_id)
    form = f.SwapDecisionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    actions: dict[str, Callable[..., Any]] = {
        "approve": services.swap_approve,
        "reject": services.swap_reject,
        "cancel": services.swap_cancel,
    }
    action = actions.get(decision)
    if action is None:
        raise Http404(_("Not found."))
    kwargs: dict[str, Any] = {
        "user": _user(request),
        "swap_id": swap.pk,
        "expected_version": data.get("expected_version"),
    }
    if decision != "cancel":
        kwargs["note"] = data.get("note", "")
    try:
        action(**kwargs)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        done = {"approve": _("Swap approved."), "reject": _("Swap rejected."), "cancel": _("Swap withdrawn.")}
        messages.success(request, done[decision])
    url = reverse("stations:rota", args=[swap.rota.station_id]) + f"?month={swap.rota.starts_on:%Y-%m}"
    return redirect(url + "#swaps")


# --- absences ------------------------------------------------------------------------------------


def _listed_people(station: Station) -> list[tuple[int, str]]:
    members = PoolMember.objects.filter(pool__station=station, left_on__isnull=True).select_related(
        "user", "pool"
    )
    return [
        (m.user_id, f"{m.user.display_name()} · {m.pool.name}")
        for m in members.order_by("pool__position", "pk")
    ]


@login_required
@require_http_methods(["GET", "POST"])
@not_found_outside
def absences(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    user = _user(request)
    people = _listed_people(station)
    if not selectors.can_manage(user, station):
        people = [(p, n) for p, n in people if p == user.pk]
    form = f.AbsenceForm(request.POST or None, people=people)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.unavailability_record(
                    user=user,
                    person=User.objects.get(pk=int(data["person"])),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    kind=data["kind"],
                    reason=data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Absence recorded; it counts from the next rota generated."))
                return redirect("stations:absences", pk=station.pk)
        status = 400
    records = Unavailability.objects.filter(
        user_id__in=[p for p, _n in _listed_people(station)],
        ends_on__gte=timezone.localdate() - dt.timedelta(days=90),
    ).select_related("user", "recorded_by")
    rows = [
        (record, record.cancelled_at is None and selectors.may_record_absence(user, record.user))
        for record in records.order_by("-starts_on")
    ]
    context = {
        "station": station,
        "form": form,
        "records": rows,
        "may_record": bool(people),
    }
    return render(request, "stations/absences.html", context, status=status)


@login_required
@require_POST
@not_found_outside
def absence_cancel(request: HttpRequest, pk: int, absence_id: int) -> HttpResponse:
    station = _station(request, pk)
    try:
        services.unavailability_cancel(user=_user(request), unavailability_id=absence_id)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Absence cancelled; the next rota generated counts the person again."))
    return redirect("stations:absences", pk=station.pk)


# --- visits --------------------------------------------------------------------------------------


@login_required
@not_found_outside
def visit_list(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    qs = Visit.objects.filter(station=station).select_related("visitor", "petition")
    outcome = request.GET.get("outcome", "")
    if outcome in VisitOutcome.values:
        qs = qs.filter(outcome=outcome)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    context = {
        "station": station,
        "page": page,
        "outcome": outcome,
        "outcomes": VisitOutcome.choices,
        "may_staff": selectors.can_staff_desk(_user(request), station),
    }
    return _no_store(render(request, "stations/visit_list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
@not_found_outside
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    user = _user(request)
    if not selectors.can_staff_desk(user, station):
        raise Http404(_("Not found."))
    form = f.VisitForm(request.POST or None, user=user, station=station)
    if request.method == "POST" and form.is_valid():
        visit = _register_visit(request, form, station)
        if visit is not None:
            messages.success(request, _("Visit registered."))
            return redirect("stations:visit_detail", visit_id=visit.pk)
    context = {"station": station, "form": form, "on_duty": selectors.on_duty_at(station, timezone.now())}
    return render(request, "stations/visit_new.html", context, status=400 if form.errors else 200)


def _register_visit(request: HttpRequest, form: f.VisitForm, station: Station) -> Visit | None:
    d = form.cleaned_data
    user = _user(request)
    try:
        with transaction.atomic():
            visit = visits.visit_register(
                user=user,
                station_id=station.pk,
                visitor=visits.Visitor(
                    name=d["visitor_name"],
                    id_number=d["visitor_id_number"],
                    phone=d["visitor_phone"],
                    address=d["visitor_address"],
                ),
                subject=d["subject"],
                notes=d["notes"],
                place=d["place"],
                category=d["category"],
                people_count=d["people_count"],
            )
            if d["outcome"] == VisitOutcome.RESOLVED:
                try:
                    visits.visit_conclude(
                        user=user, visit_id=visit.pk, outcome=VisitOutcome.RESOLVED, note=d["outcome_note"]
                    )
                except DomainError as exc:
                    raise visits.VisitError({"outcome_note": [str(exc)]}) from exc
    except visits.VisitError as exc:
        for field, problems in exc.errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
        return None
    except DomainError as exc:
        form.add_error(None, str(exc))
        return None
    return visit


def visit_context(request: HttpRequest, visit: Visit, **forms: Any) -> dict[str, Any]:
    user = _user(request)
    version = {"expected_version": visit.version}
    open_outcome = visit.outcome in (VisitOutcome.PENDING, VisitOutcome.SUMMONED)
    context = {
        "visit": visit,
        "station": visit.station,
        "id_masked": mask_id_number(visit.visitor.id_number),
        "phone_masked": mask_phone(visit.visitor.phone),
        "duty_staff": list(visit.duty_staff.order_by("username")),
        "summons": list(visit.summons.select_related("department", "done_by")),
        "may_staff": selectors.can_staff_desk(user, visit.station),
        "open_outcome": open_outcome,
        "conclude_form": f.ConcludeForm(initial=version),
        "summon_form": f.SummonForm(initial=version, user=user),
        "petition_form": f.ToPetitionForm(initial={**version, "request": visit.subject}),
        "petition_visible": visit.petition_id is not None
        and petition_selectors.visible_petitions(user).filter(pk=visit.petition_id).exists(),
        "open_form": "",
    }
    context.update(forms)
    return context


@login_required
@not_found_outside
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.get_visible_visit(request.user, visit_id)
    return _no_store(render(request, "stations/visit_detail.html", visit_context(request, visit)))


@login_required
@require_POST
@not_found_outside
def visit_act(request: HttpRequest, visit_id: int, action: str) -> HttpResponse:
    visit = selectors.get_visible_visit(request.user, visit_id)
    user = _user(request)
    forms_by_action = {"conclude": f.ConcludeForm, "summon": f.SummonForm, "petition": f.ToPetitionForm}
    form_class = forms_by_action.get(action)
    if form_class is None:
        raise Http404(_("Not found."))
    form = form_class(request.POST, user=user) if form_class is f.SummonForm else form_class(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "conclude":
                visits.visit_conclude(
                    user=user,
                    visit_id=visit.pk,
                    outcome=d["outcome"],
                    note=d["note"],
                    expected_version=d["expected_version"],
                )
                messages.success(request, _("Outcome recorded."))
            elif action == "summon":
                visits.visit_summon(
                    user=user,
                    visit_id=visit.pk,
                    department=d["department"],
                    task=d["task"],
                    due_on=d["due_on"],
                    expected_version=d["expected_version"],
                )
                messages.success(request, _("Department summoned."))
            else:
                petition = visits.visit_to_petition(
                    user=user,
                    visit_id=visit.pk,
                    request=d["request"],
                    petition_type=d["petition_type"],
                    expected_version=d["expected_version"],
                )
                messages.success(
                    request,
                    _("Registered as %(number)s. Query code for the petitioner: %(code)s")
                    % {"number": petition.number, "code": petition.query_code},
                )
            return redirect("stations:visit_detail", visit_id=visit.pk)
        except visits.VisitError as exc:
            for field, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except DomainError as exc:
            form.add_error(None, str(exc))
    context = visit_context(request, visit, **{f"{action}_form": form, "open_form": action})
    return _no_store(render(request, "stations/visit_detail.html", context, status=400))


@login_required
@require_POST
@not_found_outside
def visit_reveal(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Open the visitor's full ID or phone: a reason is required and the opening is logged."""
    visit = selectors.get_visible_visit(request.user, visit_id)
    form = f.RevealForm(request.POST)
    value, error = None, ""
    if form.is_valid():
        try:
            value = personal_data_reveal(
                user=request.user,
                obj=visit.visitor,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                ip=request.META.get("REMOTE_ADDR", ""),
            )
        except DomainError as exc:
            error = str(exc)
    else:
        error = _("Give a reason for opening the full value.")
    context = {"visit": visit, "value": value, "error": error, "field": form.data.get("field", "")}
    return _no_store(
        render(request, "stations/_reveal.html", context, status=200 if value is not None else 400)
    )


@login_required
@require_POST
@not_found_outside
def summons_done(request: HttpRequest, summons_id: int) -> HttpResponse:
    summons = selectors.visible_summonses(request.user).filter(pk=summons_id).select_related("visit").first()
    if summons is None:
        raise Http404(_("Not found."))
    form = f.SummonsDoneForm(request.POST)
    form.is_valid()
    try:
        visits.summons_complete(
            user=_user(request), summons_id=summons.pk, result=form.cleaned_data.get("result", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded what the department did."))
    if selectors.visible_visits(request.user).filter(pk=summons.visit_id).exists():
        return redirect("stations:visit_detail", visit_id=summons.visit_id)
    return redirect("stations:summons_list")


@login_required
def summons_list(request: HttpRequest) -> HttpResponse:
    """Tasks for departments: what a station asked them to come and do."""
    items = (
        selectors.visible_summonses(request.user)
        .select_related("department", "visit__station")
        .order_by("done_at", "due_on")
    )
    return render(
        request, "stations/summons_list.html", {"items": items[:200], "today": timezone.localdate()}
    )


# --- hotline -------------------------------------------------------------------------------------


@login_required
def hotline_list(request: HttpRequest) -> HttpResponse:
    form = f.HotlineFilterForm(request.GET or None)
    qs = selectors.visible_signals(request.user).select_related("unit", "petition")
    if form.is_valid():
        text = form.cleaned_data.get("q", "").strip()
        if text:
            qs = qs.filter(
                Q(ticket_id__icontains=text) | Q(text__icontains=text) | Q(area_text__icontains=text)
            )
        month = form.cleaned_data.get("month", "")
        try:
            year, number = (int(p) for p in month.split("-", 1))
            qs = qs.filter(received_at__year=year, received_at__month=number)
        except ValueError:
            pass
    page = Paginator(qs.order_by("-received_at", "-pk"), 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "may_import": selectors.may_import_hotline(request.user)}
    return render(request, "stations/hotline_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request: HttpRequest) -> HttpResponse:
    if not selectors.may_import_hotline(request.user):
        raise Http404(_("Not found."))
    form = f.HotlineImportForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report, _batch = hotline.hotline_import(
                user=_user(request),
                filename=upload.name or "",
                content=upload.read(),
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        if report is not None and not report.ok:
            status = 400
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "report": report,
        "row_errors": report.row_errors[:MAX_ROW_ERRORS] if report else [],
        "more_errors": max(0, len(report.row_errors) - MAX_ROW_ERRORS) if report else 0,
        "headers": hotline.template_headers(),
        "example": hotline.template_rows(),
    }
    return render(request, "stations/hotline_import.html", context, status=status)


def signal_context(request: HttpRequest, signal: HotlineSignal, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    context = {
        "signal": signal,
        "form": f.ConvertSignalForm(
            initial={"expected_version": signal.version, "subject": signal.text[:60], "request": signal.text}
        ),
        "may_convert": signal.petition_id is None and scoping.can_act_in(user, signal.unit, *INTAKE),
        "petition_visible": signal.petition_id is not None
        and petition_selectors.visible_petitions(user).filter(pk=signal.petition_id).exists(),
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
@not_found_outside
def hotline_detail(request: HttpRequest, signal_id: int) -> HttpResponse:
    signal = selectors.get_visible_signal(request.user, signal_id)
    if request.method == "GET":
        return render(request, "stations/hotline_detail.html", signal_context(request, signal))
    form = f.ConvertSignalForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            petition = visits.signal_to_petition(
                user=_user(request),
                signal_id=signal.pk,
                confirmed_grievance=d["confirmed_grievance"],
                principal=visits.Visitor(
                    name=d["principal_name"], phone=d["principal_phone"], id_number=d["principal_id_number"]
                ),
                subject=d["subject"],
                request=d["request"],
                expected_version=d["expected_version"],
            )
        except visits.VisitError as exc:
            for field, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Registered as %(number)s.") % {"number": petition.number})
            return redirect("stations:hotline_detail", signal_id=signal.pk)
    context = signal_context(request, signal, form=form)
    return render(request, "stations/hotline_detail.html", context, status=400)
