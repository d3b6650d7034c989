"""Staff pages. Thin: parse, ask the scoping module and selectors, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.core.xlsx import XLSX_CONTENT_TYPE, build_xlsx
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.selectors import ancestors, children, search_units


def _visible_unit_or_404(request: HttpRequest, unit_id: int) -> Unit:
    unit = get_object_or_404(Unit, pk=unit_id)
    if not scoping.can_see_unit(request.user, unit):
        raise Http404(_("Not found."))
    return unit


def _filtered_units(request: HttpRequest) -> QuerySet[Unit]:
    qs = scoping.visible_units(request.user)
    kind = request.GET.get("kind", "")
    if kind in UnitKind.values:
        qs = qs.filter(kind=kind)
    return search_units(qs, request.GET.get("q", "")).order_by("path")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from .petitions.views import workbench_context

    memberships = scoping.active_memberships(request.user)
    seats = [(m, scoping.jurisdiction_root(m)) for m in memberships]
    context = {"seats": seats, "unit_count": scoping.visible_units(request.user).count()}
    return render(request, "web/home.html", {**context, **workbench_context(request.user)})


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_filtered_units(request), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/unit_list.html",
        {
            "page": page,
            "kinds": UnitKind.choices,
            "q": request.GET.get("q", ""),
            "kind": request.GET.get("kind", ""),
        },
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _visible_unit_or_404(request, unit_id)
    context = {
        "unit": unit,
        "ancestors": ancestors(unit),
        "children": children(unit),
        "members": unit.memberships.filter(is_active=True).select_related("user"),
    }
    return render(request, "web/unit_detail.html", context)


@login_required
def unit_export(request: HttpRequest) -> HttpResponse:
    headers = [_("Code"), _("Name"), _("Kind"), _("Level"), _("Division code"), _("Parent code")]
    units = list(_filtered_units(request)[:50000])
    by_path = {u.path: u for u in Unit.objects.filter(path__in={u.path[: -Unit.steplen] for u in units})}
    rows = []
    for unit in units:
        parent = by_path.get(unit.path[: -Unit.steplen])
        rows.append(
            [
                unit.code,
                unit.name,
                unit.get_kind_display(),
                unit.level,
                unit.division_code,
                parent.code if parent else "",
            ]
        )
    body = build_xlsx(title=_("Units"), headers=headers, rows=rows)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="units-{stamp}.xlsx"'
    return response
