"""Assessment pages: the overview, the printed definitions, schemes (set up, publish, compute, copy), the
league table and each unit's score down to the records it counted. Thin: parse with a form, read through
``assessment.selectors``, write through ``assessment.services``, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.assessment import indicators as ind
from xinfang.assessment import permissions, selectors, services
from xinfang.assessment.facts import GRAIN_LEVEL, facts_state
from xinfang.assessment.models import AssessmentScheme, IndicatorSettings, SchemeStatus, options_for
from xinfang.core.errors import DomainError
from xinfang.petitions.models import Petition

from . import forms as f

DRILL_PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _scheme_or_404(request: HttpRequest, pk: int) -> AssessmentScheme:
    try:
        return selectors.get_scheme(request.user, pk)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    schemes = list(selectors.visible_schemes(user).order_by("-year", "area__path", "name")[:50])
    context = {
        "schemes": schemes,
        "may_create": bool(f.managed_areas(user)),
        "may_read_reviews": permissions.may_read_reviews(user),
        "open_items": selectors.ledger(user).count(),
        "facts": facts_state(),
    }
    return render(request, "assessment/home.html", context)


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    """Every registered indicator with its formula, population, date and switches."""
    user = _user(request)
    area = scoping.home_unit(user)
    area = area.area() if area is not None else None
    options = options_for(area)
    scope = ind.Scope(petitions=None, area=area, today=timezone.localdate(), options=options)
    rows = [
        {
            "indicator": indicator,
            "notes": indicator.notes(scope),
            "model": indicator.model._meta.verbose_name,
        }
        for indicator in ind.registered()
    ]
    settings_rows = IndicatorSettings.objects.select_related("unit").order_by("unit__path")
    context = {
        "rows": rows,
        "area": area,
        "options": options,
        "settings_rows": [
            s for s in settings_rows if scoping.can_see_unit(user, s.unit) or scoping.sees_everything(user)
        ],
        "grain_level": GRAIN_LEVEL,
        "facts": facts_state(),
    }
    return render(request, "assessment/definitions.html", context)


# --- schemes ---------------------------------------------------------------------------------------------


def _scheme_forms(request: HttpRequest, user: User, scheme: AssessmentScheme | None) -> tuple[Any, Any]:
    if request.method == "POST":
        form = f.SchemeForm(request.POST, user=user)
        items = f.ItemFormSet(request.POST, prefix="items")
        return form, items
    if scheme is None:
        today = timezone.localdate()
        areas = f.managed_areas(user)
        initial = {
            "year": today.year,
            "total_points": 100,
            "petition_share": 18,
            "red_list_min": 90,
            "black_list_below": 60,
            "one_time_days": options_for(areas[0] if areas else None).one_time_days,
            "basic_counts": True,
            "area": areas[0].pk if areas else None,
        }
        rows = f.DEFAULT_ITEMS
    else:
        data = services.SchemeData.of(scheme)
        initial = {name: getattr(data, name) for name in f.SchemeForm.base_fields if hasattr(data, name)}
        initial["area"] = scheme.area_id
        initial["expected_version"] = scheme.version
        rows = data.items
    form = f.SchemeForm(initial=initial, user=user)
    items = f.ItemFormSet(initial=f.item_initial(list(rows)), prefix="items")
    return form, items


def _scheme_save(request: HttpRequest, scheme: AssessmentScheme | None) -> HttpResponse:
    user = _user(request)
    form, items = _scheme_forms(request, user, scheme)
    item_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and items.is_valid():
        try:
            data = f.scheme_data(form, items)
            if scheme is None:
                saved = services.scheme_create(user=user, data=data)
                messages.success(request, _("The scheme is saved as a draft."))
            else:
                saved = services.scheme_update(
                    scheme_id=scheme.pk,
                    user=user,
                    data=data,
                    expected_version=form.cleaned_data.get("expected_version"),
                )
                messages.success(request, _("The changes are saved."))
            return redirect("assessment:scheme_detail", pk=saved.pk)
        except services.FieldErrors as error:
            item_errors = error.errors.pop("items", [])
            item_errors += f.put_errors(form, error)
        except DomainError as error:
            form.add_error(None, str(error))
    context = {"form": form, "items": items, "item_errors": item_errors, "scheme": scheme}
    return render(request, "assessment/scheme_form.html", context)


@login_required
def scheme_new(request: HttpRequest) -> HttpResponse:
    if not f.managed_areas(_user(request)):
        raise Http404(_("Not found."))
    return _scheme_save(request, None)


@login_required
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_or_404(request, pk)
    if not permissions.may_manage_schemes(request.user, scheme.area):
        raise Http404(_("Not found."))
    if scheme.status != SchemeStatus.DRAFT:
        messages.error(request, _("A published scheme is not changed; copy it to make a new version."))
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    return _scheme_save(request, scheme)


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_or_404(request, pk)
    run = selectors.latest_run(scheme)
    league = selectors.league(run) if run else []
    context = {
        "scheme": scheme,
        "items": [(item, ind.indicator(item.indicator)) for item in scheme.items.all()],
        "history": services.scheme_history(scheme),
        "events": scheme.events.select_related("actor").order_by("-at", "-pk")[:20],
        "run": run,
        "runs": scheme.runs.order_by("-computed_at")[:10],
        "league": league,
        "red": [s for s in league if s.listing == "red"],
        "black": [s for s in league if s.listing == "black"],
        "may_manage": permissions.may_manage_schemes(request.user, scheme.area),
        "subjects": services.scheme_subjects(scheme),
        "version_form": f.VersionForm(initial={"expected_version": scheme.version}),
    }
    return render(request, "assessment/scheme_detail.html", context)


@login_required
@require_POST
def scheme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_or_404(request, pk)
    form = f.VersionForm(request.POST)
    form.is_valid()
    try:
        services.scheme_publish(
            scheme_id=scheme.pk,
            user=_user(request),
            expected_version=form.cleaned_data.get("expected_version"),
        )
        messages.success(request, _("The scheme is published; it can now be computed."))
    except (DomainError, scoping.OutOfJurisdiction) as error:
        messages.error(request, str(error))
    return redirect("assessment:scheme_detail", pk=scheme.pk)


@login_required
@require_POST
def scheme_compute(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_or_404(request, pk)
    try:
        run = services.scheme_compute(scheme_id=scheme.pk, user=_user(request))
        messages.success(
            request,
            _("Computed for %(n)d units with the figures as of %(date)s.")
            % {"n": run.scores.count(), "date": run.as_of.isoformat()},
        )
    except (DomainError, scoping.OutOfJurisdiction) as error:
        messages.error(request, str(error))
    return redirect(reverse("assessment:scheme_detail", kwargs={"pk": scheme.pk}) + "#league")


@login_required
def scheme_copy(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme_or_404(request, pk)
    user = _user(request)
    if not permissions.may_manage_schemes(user, scheme.area):
        raise Http404(_("Not found."))
    items = list(scheme.items.all())
    initial = {"year": scheme.year + 1, "petition_share": scheme.petition_share}
    form = f.CopyForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.scheme_copy(
                scheme_id=scheme.pk,
                user=user,
                year=form.cleaned_data["year"],
                name=form.cleaned_data.get("name") or "",
                petition_share=form.cleaned_data["petition_share"],
                weights=form.weights(),
            )
            messages.success(request, _("The copy is saved as a draft."))
            return redirect("assessment:scheme_detail", pk=copy.pk)
        except services.FieldErrors as error:
            rest = error.errors.pop("items", [])
            rest += f.put_errors(form, error)
            for message in rest:
                form.add_error(None, message)
    return render(request, "assessment/scheme_copy.html", {"scheme": scheme, "form": form})


# --- a unit's score ---------------------------------------------------------------------------------------


def _score_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.get_score(request.user, pk)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


@login_required
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    score = _score_or_404(request, pk)
    run = score.run
    definitions = {d["code"]: d for d in run.definitions}
    items = []
    for item in score.items:
        drill = reverse("assessment:score_drill", kwargs={"pk": score.pk})
        items.append(
            {
                **item,
                "definition": definitions.get(item["code"], {}),
                "num_url": f"{drill}?code={item['code']}&part=num",
                "den_url": f"{drill}?code={item['code']}&part=den"
                if item["denominator"] is not None
                else None,
            }
        )
    context = {"score": score, "run": run, "scheme": run.scheme, "items": items, "peers": run.scores.count()}
    return render(request, "assessment/score_detail.html", context)


@login_required
def score_drill(request: HttpRequest, pk: int) -> HttpResponse:
    """The records one item of a unit's score counted: numerator or denominator."""
    score = _score_or_404(request, pk)
    code = request.GET.get("code", "")
    part = "den" if request.GET.get("part") == "den" else "num"
    if code not in {item["code"] for item in score.items}:
        raise Http404(_("Not found."))
    indicator, qs = selectors.drill_rows(request.user, score, code, part)
    if indicator.model is Petition:
        qs = qs.select_related("place", "category")
    qs = qs.order_by("-ind_when", "-pk")
    page = Paginator(qs, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"obj": obj, **({} if indicator.model is Petition else indicator.drill_row(obj))}
        for obj in page.object_list
    ]
    item = next(i for i in score.items if i["code"] == code)
    context = {
        "score": score,
        "indicator": indicator,
        "part": part,
        "part_label": indicator.numerator_label if part == "num" else indicator.denominator_label,
        "page": page,
        "rows": rows,
        "is_petition": indicator.model is Petition,
        "item": item,
        "counted": item["numerator"] if part == "num" else item["denominator"],
        "base_query": f"code={code}&part={part}",
    }
    return render(request, "assessment/drill.html", context)
