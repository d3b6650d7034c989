"""Text-intelligence pages: routing and same-matter hints at intake and on the petition page, the
common-issue groups (共性问题) and the early-warning list. Thin: parse, call a selector or service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.analytics import routing, selectors, services
from xinfang.conferences import access as conference_access
from xinfang.conferences import selectors as conference_selectors
from xinfang.conferences import services as conference_services
from xinfang.conferences.models import OPEN_ITEM_STATUSES, AgendaItem, ItemSource, ItemStatus, JointConference
from xinfang.core.errors import DomainError
from xinfang.petitions import selectors as petition_selectors
from xinfang.petitions.models import Petition

from .. import forms as f
from .forms import CategoryCorrectionForm, WarningDayForm

INTAKE_MATCHES = 5


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _petition_or_404(request: HttpRequest, pk: int) -> Petition:
    petition = (
        petition_selectors.visible_petitions(request.user)
        .select_related("place", "category__parent__parent", "current_unit")
        .filter(pk=pk)
        .first()
    )
    if petition is None:
        raise Http404(_("Not found."))
    return petition


@login_required
@require_POST
def intake_suggest(request: HttpRequest) -> HttpResponse:
    """While the desk types the matter: the suggested category and department, and earlier petitions
    (of anyone) on substantially the same matter. A hint only; it never blocks registering."""
    user = _user(request)
    text = " ".join(request.POST.get(name, "").strip() for name in ("subject", "request", "facts")).strip()
    place = f.resolve_place(user, request.POST.get("place", ""), lenient=True)
    suggestion = routing.suggest(text, place if not isinstance(place, str) else None)
    matches = (
        selectors.near_duplicates(user, text, limit=INTAKE_MATCHES) if len(text) >= routing.MIN_TEXT else []
    )
    context = {"suggestion": suggestion, "matches": matches, "asked": bool(text)}
    return render(request, "analytics/partials/intake_suggest.html", context)


def _card_context(
    request: HttpRequest, petition: Petition, form: CategoryCorrectionForm | None = None
) -> dict[str, Any]:
    user = _user(request)
    suggestion = routing.suggest(routing.petition_text(petition), petition.place)
    matches = selectors.near_duplicates(user, routing.petition_text(petition), exclude=[petition.pk])
    chosen = suggestion.best.chosen if suggestion.best else None
    if form is None:
        initial = {"expected_version": petition.version, "category": chosen.pk if chosen else None}
        form = CategoryCorrectionForm(initial=initial)
    return {
        "petition": petition,
        "suggestion": suggestion,
        "differs": bool(
            chosen and petition.category is not None and chosen.top().pk != petition.category.top().pk
        ),
        "matches": matches,
        "other_people": len(
            {m.petition.principal_id for m in matches if m.petition} - {petition.principal_id}
        ),
        "form": form,
        "corrections": list(
            petition.routing_corrections.select_related("from_category", "to_category", "corrected_by")[:5]
        ),
    }


@login_required
@require_GET
def petition_card(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _petition_or_404(request, pk)
    return render(request, "analytics/partials/petition_card.html", _card_context(request, petition))


@login_required
@require_POST
def category_correct(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _petition_or_404(request, pk)
    form = CategoryCorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.category_correct(
                user=_user(request),
                petition_id=petition.pk,
                category=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:  # ConflictError included
            form.add_error("category", str(exc))
        except scoping.OutOfJurisdiction as exc:
            raise Http404(_("Not found.")) from exc
        else:
            if not getattr(request, "htmx", False):
                return redirect("web:petition_detail", pk=pk)
            petition = _petition_or_404(request, pk)
            return render(request, "analytics/partials/petition_card.html", _card_context(request, petition))
    status = 200 if getattr(request, "htmx", False) else 400
    return render(
        request,
        "analytics/partials/petition_card.html",
        _card_context(request, petition, form),
        status=status,
    )


@login_required
@require_GET
def issue_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.common_issue_groups(request.user)
    return render(request, "analytics/issue_list.html", {"groups": groups, "today": timezone.localdate()})


@login_required
@require_GET
def issue_detail(request: HttpRequest, key: int) -> HttpResponse:
    """One common-issue group, its petitions, and the step that sends it to the joint conference agenda."""
    view = selectors.common_issue_group(request.user, key)
    if view is None:
        raise Http404(_("Not found."))
    return render(request, "analytics/issue_detail.html", _issue_context(request, view))


def _area_conference(user: User) -> JointConference | None:
    """The joint conference a group goes to: the nearest active one over the user's own unit."""
    home = scoping.home_unit(user)
    return conference_selectors.conference_for_unit(home) if home else None


def _issue_context(request: HttpRequest, view: selectors.GroupView) -> dict[str, Any]:
    user = _user(request)
    conference = _area_conference(user)
    may_propose = conference is not None and conference_access.proposing_unit(user, conference) is not None
    # Items already carrying some of these petitions: the unit sees where the matter stands instead of
    # sending it twice.
    on_agenda = (
        AgendaItem.objects.filter(petitions__in=view.petition_ids)
        .exclude(status=ItemStatus.RETURNED)
        .select_related("conference__area")
        .distinct()
        .order_by("-proposed_at")
    )
    return {
        "view": view,
        "group": view.group,
        "conference": conference,
        "may_propose": may_propose,
        "on_agenda": list(on_agenda[:5]),
    }


@login_required
@require_POST
def issue_to_conference(request: HttpRequest, key: int) -> HttpResponse:
    """联席会议: propose the group as one agenda item of the user's conference, with all its petitions."""
    user = _user(request)
    view = selectors.common_issue_group(user, key)
    if view is None:
        raise Http404(_("Not found."))
    conference = _area_conference(user)
    if conference is None:
        messages.error(request, _("No active joint conference covers your area."))
        return redirect("analytics:issue_detail", key=key)
    pending = AgendaItem.objects.filter(
        conference=conference, status__in=OPEN_ITEM_STATUSES, petitions__in=view.petition_ids
    ).first()
    if pending is not None:  # a second click, or a colleague was quicker
        messages.info(request, _("These petitions are already on the conference agenda."))
        return redirect("conferences:item", pk=pending.pk)
    try:
        item = conference_services.agenda_item_propose(
            user=user,
            conference_id=conference.pk,
            title=view.agenda_title,
            reasons=view.agenda_reasons,
            petition_ids=view.petition_ids,
            source=ItemSource.COMMON_ISSUE,
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("analytics:issue_detail", key=key)
    messages.success(request, _("The item is sent to the conference's secretariat."))
    return redirect("conferences:item", pk=item.pk)


@login_required
@require_GET
def early_warning(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = WarningDayForm(request.GET or None)
    day = form.day_or(today)
    warning = selectors.early_warning(request.user, day=day)
    return render(request, "analytics/early_warning.html", {"warning": warning, "form": form, "today": today})
