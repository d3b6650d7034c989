"""Commendations (表彰): the list, nominations drawn from a computed scheme, and the form that records a
commendation with a snapshot of the figures behind it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.assessment import selectors, services
from xinfang.assessment.models import ScoreRun
from xinfang.orgs.models import Unit

from . import forms as f
from .views import _user


def _run(request: HttpRequest) -> ScoreRun | None:
    wanted = request.GET.get("run") or request.POST.get("run") or ""
    if not wanted.isdigit():
        return None
    run = ScoreRun.objects.select_related("scheme").filter(pk=int(wanted)).first()
    if run is None or not selectors.visible_schemes(request.user).filter(pk=run.scheme_id).exists():
        raise Http404(_("Not found."))
    return run


@login_required
def commendations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    run = _run(request)
    runs = (
        ScoreRun.objects.filter(scheme__in=selectors.visible_schemes(user), scheme__status="published")
        .select_related("scheme")
        .order_by("-computed_at")[:20]
    )
    context = {
        "commendations": selectors.visible_commendations(user)[:200],
        "run": run,
        "runs": runs,
        "nominations": selectors.nominations(run) if run else [],
        "may_record": bool(f.CommendationForm(user=user).fields["by_area"].queryset.exists()),  # type: ignore[attr-defined]
    }
    return render(request, "assessment/commendations.html", context)


def _initial(request: HttpRequest, run: ScoreRun | None) -> dict[str, Any]:
    today = timezone.localdate()
    initial: dict[str, Any] = {"year": run.scheme.year if run else today.year, "decided_on": today}
    if run:
        initial["by_area"] = run.scheme.area_id
    for name in ("unit", "person", "kind"):
        value = request.GET.get(name)
        if value:
            initial[name] = value
    return initial


def _evidence(run: ScoreRun | None, unit: Unit | None, person: User | None) -> dict[str, Any]:
    if run is None or unit is None:
        return {}
    for nomination in selectors.nominations(run):
        same_person = (nomination.person.pk if nomination.person else None) == (person.pk if person else None)
        if nomination.unit.pk == unit.pk and same_person:
            return nomination.evidence
    score = run.scores.filter(unit=unit).first()
    if score is None:
        return {}
    return {
        "scheme": run.scheme.name,
        "run": run.pk,
        "as_of": run.as_of.isoformat(),
        "petition_score": None if score.petition_score is None else str(score.petition_score),
        "rank": score.rank,
        "items": score.items,
    }


@login_required
def commendation_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    run = _run(request)
    form = f.CommendationForm(request.POST or None, user=user, initial=_initial(request, run))
    if not form.fields["by_area"].queryset.exists():  # type: ignore[attr-defined]
        raise Http404(_("Not found."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.commendation_record(
                user=user,
                year=data["year"],
                kind=data["kind"],
                unit=data["unit"],
                person=data.get("person"),
                title=data.get("title", ""),
                citation=data.get("citation", ""),
                by_area=data["by_area"],
                decided_on=data.get("decided_on"),
                evidence=_evidence(run, data["unit"], data.get("person")),
                source_run=run,
            )
            messages.success(request, _("The commendation is recorded with the figures behind it."))
            return redirect("assessment:commendations")
        except services.FieldErrors as error:
            for message in f.put_errors(form, error):
                form.add_error(None, message)
        except scoping.OutOfJurisdiction as error:
            form.add_error(None, str(error))
    return render(request, "assessment/commendation_form.html", {"form": form, "run": run})
