"""The leader dashboard: the §6 indicators of an area for a period, monthly trends, a ranking of the
areas below and a breakdown by category. Every figure links to the list of the petitions it counted.

Everyone sees their own jurisdiction: the petitions come from ``visible_petitions`` and the area must lie
in the viewer's jurisdiction. Thin views: parse the parameters, ask ``assessment.figures`` (the fact
table when it can answer exactly, else the indicators' QuerySets), render. The switches default to the
locality's ``IndicatorSettings``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts import scoping
from xinfang.assessment import indicators as ind
from xinfang.assessment.facts import facts_state
from xinfang.assessment.figures import FACTS, Figures
from xinfang.assessment.models import options_for
from xinfang.core.xlsx import XLSX_CONTENT_TYPE, build_xlsx
from xinfang.orgs.models import AREA_KINDS, Unit
from xinfang.orgs.selectors import ancestors
from xinfang.petitions.models import Category, ClockStatus
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import State

PERIODS = {
    "month": gettext_lazy("This month"),
    "quarter": gettext_lazy("This quarter"),
    "year": gettext_lazy("This year"),
    "custom": gettext_lazy("Custom"),
}
HEADLINE = [
    "timely_acceptance",
    "timely_forwarding",
    "on_time",
    "participation",
    "satisfaction",
    "repeat",
    "one_time",
]
CHARTS: list[tuple[str, Promise, list[str]]] = [
    ("timeliness", gettext_lazy("Timeliness"), ["timely_acceptance", "on_time"]),
    ("evaluation", gettext_lazy("Evaluation"), ["participation", "satisfaction"]),
    ("resolution", gettext_lazy("Resolution"), ["one_time", "repeat"]),
]
DRILL_PAGE_SIZE = 50
# How the counted clock of a drill-down row ended.
OUTCOMES: dict[str, Promise] = {
    ClockStatus.MET: gettext_lazy("Met"),
    ClockStatus.MISSED: gettext_lazy("Met late"),
    ClockStatus.RUNNING: gettext_lazy("Overdue, still open"),
    ClockStatus.CANCELLED: gettext_lazy("Stopped"),
}


# --- parameters ---------------------------------------------------------------------------------


def home_area(user: Any) -> Unit | None:
    """The area of the viewer's main seat (an organ's seat counts for its area)."""
    if scoping.sees_everything(user):
        membership = scoping.primary_membership(user)
        return (
            scoping.jurisdiction_root(membership).area()
            if membership
            else Unit.objects.filter(depth=1).first()
        )
    membership = scoping.primary_membership(user)
    return scoping.jurisdiction_root(membership).area() if membership else None


def area_allowed(user: Any, unit: Unit) -> bool:
    if not unit.is_area:
        return False
    if scoping.can_see_unit(user, unit):
        return True
    # A department's seat covers the department only; its dashboard shows its area, restricted to the
    # petitions the department may see.
    return any(root.area().pk == unit.pk for root in scoping.jurisdiction_roots(user))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_for(kind: str, today: dt.date, start: dt.date | None, last: dt.date | None) -> ind.Period:
    if kind == "custom" and start and last and last >= start:
        return ind.Period(start, last + dt.timedelta(days=1))
    if kind == "year":
        return ind.Period(dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1))
    if kind == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start_q = dt.date(today.year, first_month, 1)
        end_q = dt.date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
        return ind.Period(start_q, end_q)
    return ind.Period(
        today.replace(day=1), dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    )


@dataclass
class Params:
    area: Unit
    period_kind: str
    period: ind.Period
    options: ind.Options
    scope: ind.Scope
    today: dt.date
    errors: list[str]
    figures: Figures | None = None

    @property
    def read(self) -> Figures:
        assert self.figures is not None
        return self.figures

    def query(self, **extra: Any) -> str:
        values: dict[str, Any] = {
            "area": self.area.pk,
            "period": self.period_kind,
            "basic": int(self.options.basic_counts),
            "unrated": int(self.options.unrated_counts),
        }
        if self.period_kind == "custom":
            values["from"] = self.period.start.isoformat()
            values["to"] = self.period.last_day.isoformat()
        values.update({k: v for k, v in extra.items() if v is not None})
        return urlencode(values)

    def with_period(self, period: ind.Period) -> str:
        """The same view restricted to ``period`` (a custom range)."""
        values = {
            "area": self.area.pk,
            "period": "custom",
            "from": period.start.isoformat(),
            "to": period.last_day.isoformat(),
            "basic": int(self.options.basic_counts),
            "unrated": int(self.options.unrated_counts),
        }
        return urlencode(values)


def parse(request: HttpRequest) -> Params:
    user = request.user
    today = timezone.localdate()
    errors: list[str] = []
    area = home_area(user)
    wanted = request.GET.get("area")
    if wanted:
        try:
            chosen = Unit.objects.filter(pk=int(wanted)).first()
        except ValueError:
            chosen = None
        if chosen is None or not area_allowed(user, chosen):
            raise Http404(_("Not found."))
        area = chosen
    if area is None:
        raise Http404(_("You hold no post with a jurisdiction."))
    kind = request.GET.get("period", "month")
    if kind not in PERIODS:
        kind = "month"
    start, last = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if kind == "custom" and not (start and last and last >= start):
        errors.append(_("Give a custom period as two dates, the first not after the second."))
        kind = "month"
    period = period_for(kind, today, start, last)
    local = options_for(area)
    options = ind.Options(
        basic_counts=request.GET.get("basic", "1" if local.basic_counts else "0") != "0",
        unrated_counts=request.GET.get("unrated", "1" if local.unrated_counts else "0") == "1",
        one_time_days=local.one_time_days,
    )
    scope = ind.Scope(petitions=visible_petitions(user), area=area, today=today, options=options)
    return Params(area, kind, period, options, scope, today, errors, Figures(scope, user=user))


# --- the dashboard ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """One figure with its drill-down links."""

    figure: ind.Figure
    num_url: str
    den_url: str | None


def _drill_url(params: Params, code: str, part: str, **extra: Any) -> str:
    return reverse("dashboard:drill") + "?" + params.query(code=code, part=part, **extra)


def _cell(
    params: Params,
    code: str,
    num: int,
    den: int | None,
    *,
    area: Unit | None = None,
    period: ind.Period | None = None,
    **extra: Any,
) -> Cell:
    indicator = ind.indicator(code)
    base = params
    if area is not None or period is not None:
        base = Params(
            area or params.area,
            "custom" if period else params.period_kind,
            period or params.period,
            params.options,
            params.scope,
            params.today,
            [],
        )
    return Cell(
        figure=ind.Figure(indicator, num, den),
        num_url=_drill_url(base, code, "num", **extra),
        den_url=_drill_url(base, code, "den", **extra) if den is not None else None,
    )


def _headline(params: Params) -> list[tuple[ind.Figure, str, str | None]]:
    rows = []
    for code in HEADLINE:
        figure = params.read.figure(code, params.period)
        rows.append(
            (
                figure,
                _drill_url(params, code, "num"),
                _drill_url(params, code, "den") if figure.denominator is not None else None,
            )
        )
    return rows


def _states(params: Params) -> list[tuple[str, str, int, str]]:
    counts = params.read.counts_by("received", params.period, "state")
    order = {value: index for index, value in enumerate(State.values)}
    return [
        (state, str(State(state).label), n, _drill_url(params, "received", "num", state=state))
        for state, n in sorted(counts.items(), key=lambda item: order.get(item[0], 99))
    ]


def _bypass(params: Params) -> list[tuple[str, int, str]]:
    counts = params.read.counts_by("bypass", params.period, "bypass_destination_level")
    rows = []
    for level, n in sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        label = ind.BYPASS_LEVELS.get(level, _("Unknown level")) if level is not None else _("Unknown level")
        key = "none" if level is None else level
        rows.append((str(label), n, _drill_url(params, "bypass", "num", level=key)))
    return rows


def _charts(params: Params) -> list[dict[str, Any]]:
    months = ind.months_back(params.today, 12)
    charts = []
    for key, title, codes in CHARTS:
        series: list[dict[str, Any]] = []
        for code in codes:
            indicator = ind.indicator(code)
            points: list[dict[str, Any]] = []
            for month, num, den in params.read.trend(code, months):
                figure = ind.Figure(indicator, num, den or 0)
                rate = figure.rate
                drill = reverse("dashboard:drill") + "?" + params.with_period(month) + "&code=" + code
                points.append(
                    {
                        "month": month.start.strftime("%Y-%m"),
                        "value": None if rate is None else round(100 * rate, 1),
                        "num": num,
                        "den": den,
                        "num_url": drill + "&part=num",
                        "den_url": drill + "&part=den",
                    }
                )
            series.append({"code": code, "name": str(indicator.label), "points": points})
        rows = [
            {"month": point["month"], "cells": [s["points"][index] for s in series]}
            for index, point in enumerate(series[0]["points"])
        ]
        charts.append({"key": key, "title": str(title), "series": series, "rows": rows})
    return charts


def _area_link(params: Params, unit: Unit) -> str:
    """The dashboard of ``unit`` for the same period and switches."""
    same = Params(unit, params.period_kind, params.period, params.options, params.scope, params.today, [])
    return reverse("dashboard:index") + "?" + same.query()


def _ranking(params: Params) -> list[dict[str, Any]]:
    """The areas one level below, by on-time completion, then satisfaction (no data last)."""
    area = params.area
    kids = list(
        Unit.objects.filter(
            path__startswith=area.path, depth=area.depth + 1, kind__in=AREA_KINDS, is_active=True
        ).order_by("path")
    )
    if not kids:
        return []
    on_time = params.read.grouped("on_time", params.period, "child")
    satisfaction = params.read.grouped("satisfaction", params.period, "child")
    rows: list[dict[str, Any]] = []
    for kid in kids:
        cells = [
            _cell(params, "on_time", *on_time.get(kid.path, (0, 0)), area=kid),
            _cell(params, "satisfaction", *satisfaction.get(kid.path, (0, 0)), area=kid),
        ]
        rows.append({"unit": kid, "link": _area_link(params, kid), "cells": cells})

    def sort_key(row: dict[str, Any]) -> tuple[bool, float, float, str]:
        on_time_rate, satisfaction_rate = (cell.figure.rate for cell in row["cells"])
        return (on_time_rate is None, -(on_time_rate or 0), -(satisfaction_rate or 0), row["unit"].path)

    rows.sort(key=sort_key)
    for index, row in enumerate(rows, start=1):
        row["rank"] = index if row["cells"][0].figure.rate is not None else None
    return rows


def _categories(params: Params) -> list[dict[str, Any]]:
    """Received, on-time completion and satisfaction per top-level category."""
    received = params.read.grouped("received", params.period, "category")
    on_time = params.read.grouped("on_time", params.period, "category")
    satisfaction = params.read.grouped("satisfaction", params.period, "category")
    keys = set(received) | set(on_time) | set(satisfaction)
    names = dict(Category.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", "name"))
    rows: list[dict[str, Any]] = []
    for k in keys:
        value = "none" if k is None else k
        rows.append(
            {
                "name": names.get(k) or _("Uncategorised"),
                "received": _cell(params, "received", received.get(k, (0, None))[0], None, category=value),
                "cells": [
                    _cell(params, "on_time", *on_time.get(k, (0, 0)), category=value),
                    _cell(params, "satisfaction", *satisfaction.get(k, (0, 0)), category=value),
                ],
            }
        )
    rows.sort(key=lambda row: (-row["received"].figure.numerator, str(row["name"])))
    return rows


def _area_trail(params: Params, user: Any) -> list[tuple[Unit, str]]:
    trail = [u for u in ancestors(params.area, include_self=True) if area_allowed(user, u)]
    return [(u, _area_link(params, u)) for u in trail]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    params = parse(request)
    context = {
        "params": params,
        "periods": PERIODS,
        "headline": _headline(params),
        "states": _states(params),
        "bypass": _bypass(params),
        "bypass_figure": params.read.figure("bypass", params.period),
        "bypass_url": _drill_url(params, "bypass", "num"),
        "charts": _charts(params),
        "ranking": _ranking(params),
        "categories": _categories(params),
        "trail": _area_trail(params, request.user),
        "definitions": [ind.indicator(code) for code in [*HEADLINE, "bypass", "received"]],
    }
    state = facts_state()
    context["facts_at"] = state.refreshed_at if state and FACTS in params.read.sources else None
    return render(request, "dashboard/index.html", context)


# --- drill-down --------------------------------------------------------------------------------------


def drill_queryset(params: Params, request: HttpRequest) -> tuple[ind.Indicator, str, Any]:
    """The petitions one figure counted: the indicator's numerator or denominator, plus a group key."""
    code = request.GET.get("code", "")
    part = request.GET.get("part", "num")
    try:
        indicator = ind.indicator(code)
    except LookupError:
        raise Http404(_("Not found.")) from None
    if part == "den":
        qs = indicator.denominator(params.scope, params.period)
        if qs is None:
            raise Http404(_("Not found."))
    else:
        part = "num"
        qs = indicator.numerator(params.scope, params.period)
    state = request.GET.get("state")
    if state:
        qs = qs.filter(state=state)
    category = request.GET.get("category")
    if category:
        qs = qs.filter(ind.category_q(None if category == "none" else _int_or_404(category)))
    level = request.GET.get("level")
    if level:
        qs = qs.filter(bypass_destination_level=None if level == "none" else _int_or_404(level))
    return indicator, part, qs


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404(_("Not found.")) from None


@login_required
def drill(request: HttpRequest) -> HttpResponse:
    params = parse(request)
    indicator, part, qs = drill_queryset(params, request)
    qs = qs.select_related("category", "place").order_by("-ind_when", "-pk")
    if request.GET.get("format") == "xlsx":
        return _drill_xlsx(indicator, part, qs, params)
    page = Paginator(qs, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    has_outcome = isinstance(indicator, ind.ClockIndicator)
    if has_outcome:
        for petition in page.object_list:
            status = getattr(petition, "ind_status", "")
            petition.outcome = (status, OUTCOMES.get(status, ""))
    filters = {k: request.GET.get(k, "") for k in ("state", "category", "level") if request.GET.get(k)}
    base_query = params.query(code=indicator.code, part=part, **filters)
    context = {
        "params": params,
        "indicator": indicator,
        "part": part,
        "part_label": indicator.numerator_label if part == "num" else indicator.denominator_label,
        "page": page,
        "has_outcome": has_outcome,
        "filters": _filter_labels(filters),
        "base_query": base_query,
        "back": reverse("dashboard:index") + "?" + params.query(),
    }
    return render(request, "dashboard/drill.html", context)


def _filter_labels(filters: dict[str, str]) -> list[str]:
    labels = []
    if "state" in filters and filters["state"] in State.values:
        labels.append(str(State(filters["state"]).label))
    if "category" in filters:
        value = filters["category"]
        name = (
            None
            if value == "none"
            else Category.objects.filter(pk=_int_or_404(value)).values_list("name", flat=True).first()
        )
        labels.append(name or _("Uncategorised"))
    if "level" in filters:
        value = filters["level"]
        labels.append(
            str(ind.BYPASS_LEVELS.get(int(value), _("Unknown level")))
            if value != "none"
            else _("Unknown level")
        )
    return labels


def _drill_xlsx(indicator: ind.Indicator, part: str, qs: Any, params: Params) -> HttpResponse:
    headers = [
        _("Number"),
        _("Subject"),
        _("State"),
        _("Received"),
        str(indicator.date_label),
        _("Category"),
        _("Place of the problem"),
    ]
    rows = (
        [
            p.number,
            p.subject,
            str(State(p.state).label),
            timezone.localdate(p.received_at),
            p.ind_when,
            p.category.name if p.category else "",
            p.place.name,
        ]
        for p in qs.iterator(chunk_size=500)
    )
    content = build_xlsx(title=str(indicator.label), headers=headers, rows=rows)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"{indicator.code}-{part}-{params.period.start.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
