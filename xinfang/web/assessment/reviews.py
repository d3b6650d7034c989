"""Trace-back and accountability pages (倒查+问责): the reviews with the year's figures, one review with its
chain of responsibility, and the forms discipline staff record findings and conclude with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts import scoping
from xinfang.assessment import permissions, selectors, services
from xinfang.assessment.models import AccountabilityReview, ReviewStatus, Trigger
from xinfang.core.errors import DomainError

from . import forms as f
from .views import _user


def _review_or_404(request: HttpRequest, pk: int) -> AccountabilityReview:
    try:
        return selectors.get_review(request.user, pk)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.may_read_reviews(user):
        raise Http404(_("Not found."))
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    qs = selectors.visible_reviews(user).filter(year=year)
    status = request.GET.get("status", "")
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    trigger = request.GET.get("trigger", "")
    if trigger in Trigger.values:
        # The JSON list as text holds the quoted code; the same lookup on SQLite and PostgreSQL.
        qs = qs.filter(triggers__icontains=f'"{trigger}"')
    page = Paginator(qs.order_by("-opened_at", "-pk"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "figures": selectors.accountability_figures(user, year),
        "year": year,
        "years": sorted(
            set(selectors.visible_reviews(user).values_list("year", flat=True)) | {year}, reverse=True
        ),
        "status": status,
        "trigger": trigger,
        "statuses": ReviewStatus.choices,
        "triggers": Trigger.choices,
    }
    return render(request, "assessment/reviews.html", context)


def _people(review: AccountabilityReview) -> list[dict[str, Any]]:
    """Everyone the chain names, with the unit where they acted, for the finding form."""
    people: dict[int, dict[str, Any]] = {}
    for matter in review.chain:
        for holding in matter.get("holdings", []):
            for person in holding.get("people", []):
                unit = holding.get("unit") or {}
                people.setdefault(
                    person["id"],
                    {
                        "id": person["id"],
                        "label": f"{person['name']} · {unit.get('name', '')}",
                        "unit_id": unit.get("id"),
                    },
                )
    return list(people.values())


def _detail(request: HttpRequest, review: AccountabilityReview, **forms: Any) -> HttpResponse:
    user = _user(request)
    people = _people(review)
    context = {
        "review": review,
        "findings": list(
            review.findings.select_related("subject_user", "subject_unit", "recorded_by", "supersedes")
        ),
        "current": selectors.current_findings(review),
        "may_decide": permissions.may_decide_review(user, review.area) and review.status == ReviewStatus.OPEN,
        "finding_form": forms.get("finding_form")
        or f.FindingForm(people=people, initial={"expected_version": review.version}),
        "conclude_form": forms.get("conclude_form")
        or f.ConcludeForm(initial={"expected_version": review.version}),
    }
    return render(request, "assessment/review_detail.html", context)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _review_or_404(request, pk))


@login_required
@require_POST
def review_finding(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_or_404(request, pk)
    form = f.FindingForm(request.POST, people=_people(review))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.finding_record(
                review_id=review.pk,
                user=_user(request),
                subject_user=form.subject_user(),
                subject_unit=form.subject_unit(),
                subject_name=data.get("subject_name", ""),
                ground=data.get("ground", ""),
                outcome=data.get("outcome", ""),
                finding=data.get("finding", ""),
                written_feedback=data.get("written_feedback", ""),
                expected_version=data.get("expected_version"),
            )
            messages.success(request, _("The finding is recorded."))
            return redirect("assessment:review_detail", pk=review.pk)
        except services.FieldErrors as error:
            for message in f.put_errors(form, error):
                form.add_error(None, message)
        except DomainError as error:
            form.add_error(None, str(error))
    return _detail(request, review, finding_form=form)


@login_required
@require_POST
def review_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review_or_404(request, pk)
    form = f.ConcludeForm(request.POST)
    if form.is_valid():
        try:
            services.review_conclude(
                review_id=review.pk,
                user=_user(request),
                conclusion=form.cleaned_data.get("conclusion", ""),
                expected_version=form.cleaned_data.get("expected_version"),
            )
            messages.success(request, _("The review is concluded."))
            return redirect("assessment:review_detail", pk=review.pk)
        except services.FieldErrors as error:
            for message in f.put_errors(form, error):
                form.add_error(None, message)
        except DomainError as error:
            form.add_error(None, str(error))
    return _detail(request, review, conclude_form=form)
