"""Checklists closed in a loop (清单+闭环): checklists of an area, their items, evidence, verification by a
second person with the return visit, and the ledger of open items per unit (台账)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.accounts import scoping
from xinfang.assessment import permissions, selectors, services
from xinfang.assessment.models import Checklist, ChecklistItem, ItemState
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit

from . import forms as f
from .views import _user


def _checklist_or_404(request: HttpRequest, pk: int) -> Checklist:
    try:
        return selectors.get_checklist(request.user, pk)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


def _item_or_404(request: HttpRequest, pk: int) -> ChecklistItem:
    try:
        return selectors.get_item(request.user, pk)
    except scoping.OutOfJurisdiction as exc:
        raise Http404(_("Not found.")) from exc


@login_required
def checklists(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    qs = selectors.visible_checklists(user).order_by("-created_at")
    areas = f.ChecklistForm(user=user).fields["area"]
    context = {
        "checklists": qs[:100],
        "may_create": bool(areas.queryset.exists()),  # type: ignore[attr-defined]
        "today": timezone.localdate(),
    }
    return render(request, "assessment/checklists.html", context)


@login_required
def checklist_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = f.ChecklistForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.checklist_create(user=user, **form.cleaned_data)
            messages.success(request, _("The checklist is made; add its items."))
            return redirect("assessment:checklist_detail", pk=checklist.pk)
        except services.FieldErrors as error:
            for message in f.put_errors(form, error):
                form.add_error(None, message)
    return render(request, "assessment/checklist_form.html", {"form": form})


def _detail(
    request: HttpRequest,
    checklist: Checklist,
    *,
    add_form: Any = None,
    item_forms: dict[int, Any] | None = None,
) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    for item in checklist.items.select_related(
        "owner_unit", "owner", "petition", "submitted_by", "verified_by"
    ):
        forms_of = (item_forms or {}).get(item.pk, {})
        rows.append(
            {
                "item": item,
                "overdue": item.is_overdue(today),
                "may_submit": item.state != ItemState.CLOSED and services.may_submit(user, item),
                "may_verify": item.state == ItemState.SUBMITTED
                and permissions.may_keep_checklists(user, checklist.area)
                and user.pk not in {item.owner_id, item.submitted_by_id},
                "evidence_form": forms_of.get("evidence")
                or f.EvidenceForm(initial={"expected_version": item.version}),
                "verify_form": forms_of.get("verify")
                or f.VerifyForm(initial={"expected_version": item.version}),
                "events": item.events.select_related("actor").order_by("at", "pk"),
            }
        )
    context = {
        "checklist": checklist,
        "rows": rows,
        "may_keep": permissions.may_keep_checklists(user, checklist.area),
        "add_form": add_form or f.ItemAddForm(area=checklist.area),
        "closed": sum(1 for r in rows if r["item"].state == ItemState.CLOSED),
    }
    return render(request, "assessment/checklist_detail.html", context)


@login_required
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _checklist_or_404(request, pk))


@login_required
@require_POST
def checklist_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist_or_404(request, pk)
    user = _user(request)
    form = f.ItemAddForm(request.POST, area=checklist.area)
    if form.is_valid():
        data = form.cleaned_data
        petition_id = None
        number = (data.get("petition_number") or "").strip()
        if number:
            found = selectors.petitions_of(user).filter(number=number).values_list("pk", flat=True).first()
            petition_id = found if found is not None else 0
        try:
            services.checklist_item_add(
                checklist_id=checklist.pk,
                user=user,
                title=data.get("title", ""),
                owner_unit=data.get("owner_unit"),
                owner=data.get("owner"),
                due_on=data.get("due_on"),
                detail=data.get("detail", ""),
                petition_id=petition_id,
            )
            messages.success(request, _("The item is added."))
            return redirect("assessment:checklist_detail", pk=checklist.pk)
        except services.FieldErrors as error:
            error.errors["petition_number"] = error.errors.pop("petition", [])
            for message in f.put_errors(form, error):
                form.add_error(None, message)
        except (DomainError, scoping.OutOfJurisdiction) as error:
            form.add_error(None, str(error))
    return _detail(request, checklist, add_form=form)


@login_required
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    form = f.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.checklist_item_submit(
                item_id=item.pk,
                user=_user(request),
                evidence_text=form.cleaned_data.get("evidence_text", ""),
                upload=form.cleaned_data.get("evidence_file"),
                expected_version=form.cleaned_data.get("expected_version"),
            )
            messages.success(request, _("The evidence is submitted; a second person will verify it."))
            return redirect("assessment:checklist_detail", pk=item.checklist_id)
        except services.FieldErrors as error:
            for message in f.put_errors(form, error):
                form.add_error(None, message)
        except DomainError as error:
            form.add_error(None, str(error))
    return _detail(request, item.checklist, item_forms={item.pk: {"evidence": form}})


@login_required
@require_POST
def item_verify(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    form = f.VerifyForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.checklist_item_verify(
                item_id=item.pk,
                user=_user(request),
                accept=accept,
                return_visit=form.cleaned_data.get("return_visit", ""),
                note=form.cleaned_data.get("note", ""),
                expected_version=form.cleaned_data.get("expected_version"),
            )
            messages.success(
                request,
                _("The item is verified and closed.") if accept else _("The item is returned to its owner."),
            )
            return redirect("assessment:checklist_detail", pk=item.checklist_id)
        except services.FieldErrors as error:
            for message in f.put_errors(form, error):
                form.add_error(None, message)
        except DomainError as error:
            form.add_error(None, str(error))
    return _detail(request, item.checklist, item_forms={item.pk: {"verify": form}})


@login_required
def item_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    from django.http import FileResponse

    item = _item_or_404(request, pk)
    if not item.evidence_file:
        raise Http404(_("Not found."))
    return FileResponse(
        item.evidence_file.open("rb"), as_attachment=True, filename=item.evidence_name or "evidence"
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unit = None
    wanted = request.GET.get("unit", "")
    if wanted.isdigit():
        unit = Unit.objects.filter(pk=int(wanted)).first()
        if unit is None or not scoping.can_see_unit(user, unit):
            raise Http404(_("Not found."))
    today = timezone.localdate()
    items = selectors.ledger(user, unit)
    rows = [{"item": item, "overdue": item.is_overdue(today)} for item in items[:500]]
    context = {
        "rows": rows,
        "summary": selectors.ledger_summary(items, today),
        "unit": unit,
        "overdue": sum(1 for r in rows if r["overdue"]),
        "today": today,
    }
    return render(request, "assessment/ledger.html", context)
