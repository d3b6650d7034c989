"""Agency pages (信访代理): agents and their caseload, mandates, filing on behalf, the agency side of a
petition (tasks, claims, payments), a village's ledger (台账) with its XLSX export, totals recovered.

Thin: parse with a form, read through the agency selectors (which scope through ``scoping`` and
``visible_petitions``), write through a service, render. Something outside the user's reach answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.agency import access, selectors, services
from xinfang.agency.models import Agent, AgentStatus, AgentTask, ClaimPayment, MandateUse
from xinfang.core.errors import DomainError
from xinfang.core.idnumber import mask_id_number
from xinfang.core.phone import mask_phone
from xinfang.core.xlsx import XLSX_CONTENT_TYPE
from xinfang.orgs.models import Unit, UnitKind
from xinfang.petitions.intake import IntakeError
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import visible_petitions

from ..forms import area_place_labels
from ..shortcuts import no_store, or_404, staff_user
from . import forms as f
from .ledger import ledger_xlsx


def _field_errors(form: Any, exc: DomainError, fields: dict[str, str] | None = None) -> None:
    """A service refusal beside the field it is about, else at the top of the form; typed input stays."""
    if isinstance(exc, IntakeError):
        for name, problems in exc.errors.items():
            target = (fields or {}).get(name, name)
            for problem in problems:
                form.add_error(target if target in form.fields else None, problem)
        return
    field = (fields or {}).get(exc.code)
    form.add_error(field if field in form.fields else None, str(exc))


# --- agents --------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """An agent lands on their caseload; everyone else on the agents of their jurisdiction."""
    agent = selectors.agent_of(request.user)
    if agent is not None:
        return redirect("agency:agent_detail", agent_id=agent.pk)
    return redirect("agency:agent_list")


@login_required
def agent_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    today = timezone.localdate()
    agents = list(selectors.visible_agents(user).order_by("unit__path", "person__name"))
    counts = selectors.mandates_in_force(agents, today)
    overview = selectors.agency_totals(user)
    by_agent = {row.obj.pk: row.totals for row in overview["by_agent"] if row.obj is not None}
    rows = [(a, counts.get(a.pk, 0), by_agent.get(a.pk)) for a in agents]
    may_certify = any(access.may_register_agents(user, root) for root in scoping.jurisdiction_roots(user))
    return render(
        request,
        "agency/agent_list.html",
        {"rows": rows, "may_certify": may_certify or scoping.sees_everything(user), "overview": overview},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agent_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = f.AgentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            agent = services.agent_register(
                user=user,
                unit=d["unit"],
                kind=d["kind"],
                person=form.person(),
                certificate_number=d["certificate_number"],
                certified_on=d["certified_on"],
                certified_by=d["certified_by"],
                login=d["login"],
            )
        except DomainError as exc:
            _field_errors(
                form,
                exc,
                {
                    "agent_name": "name",
                    "agent_id_number": "id_number",
                    "agent_phone": "phone",
                    "duplicate": "certificate_number",
                    "login_unit": "login",
                },
            )
        else:
            messages.success(request, _("%(name)s is certified as agent.") % {"name": agent.person.name})
            return redirect("agency:agent_detail", agent_id=agent.pk)
    return render(request, "agency/agent_form.html", {"form": form})


@login_required
def agent_detail(request: HttpRequest, agent_id: int) -> HttpResponse:
    """The agent's caseload: mandates in force, tasks by due date, matters and their states, money."""
    user = staff_user(request)
    agent = or_404(selectors.get_visible_agent, user, agent_id)
    today = timezone.localdate()
    mandates = [
        (m, selectors.mandate_state(m, today))
        for m in selectors.visible_mandates(user).filter(agent=agent).order_by("-starts_on", "-pk")
    ]
    context = {
        "agent": agent,
        "load": selectors.caseload(user, agent, today),
        "all_mandates": [(m, state, selectors.mandate_state_label(state)) for m, state in mandates],
        "may_act": access.may_act_for(user, agent),
        "may_certify": access.may_register_agents(user, agent.unit),
        "status_form": f.StatusForm(initial={"expected_version": agent.version}),
        "phone_masked": mask_phone(agent.person.phone),
        "status_changes": agent.status_changes.select_related("changed_by").order_by("changed_at"),
        "today": today,
    }
    return no_store(render(request, "agency/agent_detail.html", context))


@login_required
@require_POST
def agent_status(request: HttpRequest, agent_id: int) -> HttpResponse:
    user = staff_user(request)
    agent = or_404(selectors.get_visible_agent, user, agent_id)
    form = f.StatusForm(request.POST)
    suspend = agent.status == AgentStatus.ACTIVE
    if form.is_valid():
        change = services.agent_suspend if suspend else services.agent_reinstate
        try:
            or_404(
                lambda: change(
                    user=user,
                    agent_id=agent.pk,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["expected_version"],
                )
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Agent suspended.") if suspend else _("Agent reinstated."))
    else:
        messages.error(request, _("Give the reason."))
    return redirect("agency:agent_detail", agent_id=agent.pk)


# --- mandates ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mandate_create(request: HttpRequest, agent_id: int) -> HttpResponse:
    user = staff_user(request)
    agent = or_404(selectors.get_visible_agent, user, agent_id)
    if not access.may_act_for(user, agent):
        raise PermissionDenied(_("Only the agent or petition staff over the agent may record mandates."))
    form = f.MandateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            mandate = services.mandate_create(
                user=user,
                agent_id=agent.pk,
                principal=form.principal(),
                scope=d["scope"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                form=d["form"],
                covers_appeals=d["covers_appeals"],
            )
        except DomainError as exc:
            _field_errors(form, exc, {"form": "form", "period": "ends_on", "self": "principal_name"})
        else:
            messages.success(request, _("Mandate of %(name)s recorded.") % {"name": mandate.principal.name})
            return redirect("agency:mandate_detail", mandate_id=mandate.pk)
    return render(request, "agency/mandate_form.html", {"form": form, "agent": agent})


def _mandate_context(
    request: HttpRequest, mandate: Any, revoke_form: f.RevokeForm | None = None
) -> dict[str, Any]:
    user = staff_user(request)
    state = selectors.mandate_state(mandate, timezone.localdate())
    uses = mandate.uses.filter(petition__in=visible_petitions(user).values("pk")).select_related(
        "petition", "used_by"
    )
    return {
        "mandate": mandate,
        "state": state,
        "state_label": selectors.mandate_state_label(state),
        "uses": uses,
        "principal_id_masked": mask_id_number(mandate.principal.id_number),
        "principal_phone_masked": mask_phone(mandate.principal.phone),
        "may_act": access.may_act_for(user, mandate.agent),
        "revoke_form": revoke_form or f.RevokeForm(initial={"expected_version": mandate.version}),
    }


@login_required
def mandate_detail(request: HttpRequest, mandate_id: int) -> HttpResponse:
    mandate = or_404(selectors.get_visible_mandate, staff_user(request), mandate_id)
    return no_store(render(request, "agency/mandate_detail.html", _mandate_context(request, mandate)))


@login_required
@require_POST
def mandate_revoke(request: HttpRequest, mandate_id: int) -> HttpResponse:
    user = staff_user(request)
    mandate = or_404(selectors.get_visible_mandate, user, mandate_id)
    form = f.RevokeForm(request.POST)
    if form.is_valid():
        try:
            or_404(
                lambda: services.mandate_revoke(
                    user=user,
                    mandate_id=mandate.pk,
                    revoked_on=form.cleaned_data["revoked_on"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["expected_version"],
                )
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The revocation is recorded; the mandate can no longer be used."))
            return redirect("agency:mandate_detail", mandate_id=mandate.pk)
    context = _mandate_context(request, mandate, revoke_form=form)
    return no_store(render(request, "agency/mandate_detail.html", context, status=400))


@login_required
def mandate_form_download(request: HttpRequest, mandate_id: int) -> HttpResponseBase:
    mandate = or_404(selectors.get_visible_mandate, staff_user(request), mandate_id)
    response = FileResponse(
        mandate.form.open("rb"),
        as_attachment=True,
        filename=mandate.form_name,
        content_type=mandate.form_content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- filing on behalf ----------------------------------------------------------------------------


def _mandate_choices(agent: Agent) -> list[tuple[int, str]]:
    today = timezone.localdate()
    mandates = agent.mandates.filter(selectors.in_force_q(today)).select_related("principal").order_by("pk")
    return [(m.pk, f"{m.principal.name} · {m.starts_on:%Y-%m-%d} – {m.ends_on:%Y-%m-%d}") for m in mandates]


@login_required
@require_http_methods(["GET", "POST"])
def file_petition(request: HttpRequest, agent_id: int) -> HttpResponse:
    """群众动嘴、干部跑腿: the agent registers the matter for the principals, with each claim."""
    user = staff_user(request)
    agent = or_404(selectors.get_visible_agent, user, agent_id)
    if not access.may_act_for(user, agent):
        raise PermissionDenied(_("Only the agent or petition staff over the agent may file on behalf."))
    choices = _mandate_choices(agent)
    initial = {"place": next((label for label, u in area_place_labels(user) if u.pk == agent.unit_id), "")}
    form = f.FilingForm(request.POST or None, user=user, mandate_choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.FilingData(
            subject=d["subject"],
            request=d["request"],
            facts=d["facts"],
            place=form.place_unit,
            category=d["category"],
            claims=d["claim_inputs"],
        )
        try:
            petition = services.mandate_file_petition(
                user=user, agent_id=agent.pk, mandate_ids=d["mandates"], data=data
            )
        except DomainError as exc:
            _field_errors(
                form,
                exc,
                {
                    "mandates": "mandates",
                    "mandate_not_in_force": "mandates",
                    "place": "place",
                    "duplicate": "claims",
                    "amount": "claims",
                },
            )
        else:
            messages.success(
                request,
                _("Registered as %(number)s. Query code for the petitioner: %(code)s")
                % {"number": petition.number, "code": petition.query_code},
            )
            return redirect("agency:matter", petition_id=petition.pk)
    context = {"form": form, "agent": agent, "places": area_place_labels(user), "has_mandates": bool(choices)}
    return render(request, "agency/file_form.html", context)


# --- the agency side of a petition ---------------------------------------------------------------


def _claims(petition: Petition) -> list[Any]:
    claims = list(selectors.with_recovered(petition.claims.select_related("claimant")).order_by("pk"))
    for claim in claims:
        claim.outstanding = claim.amount_claimed - claim.recovered  # type: ignore[attr-defined]
    return claims


def _matter_context(request: HttpRequest, petition: Petition, **forms_: Any) -> dict[str, Any]:
    user = staff_user(request)
    agent = access.petition_agent(petition)
    claims = _claims(petition)
    payments: dict[int, list[ClaimPayment]] = {}
    for payment in (
        ClaimPayment.objects.filter(claim__petition=petition)
        .select_related("recorded_by")
        .order_by("paid_on", "pk")
    ):
        payments.setdefault(payment.claim_id, []).append(payment)
    corrected = set(
        ClaimPayment.objects.filter(claim__petition=petition, corrects__isnull=False).values_list(
            "corrects_id", flat=True
        )
    )
    today = timezone.localdate()
    tasks = [(t, t.is_overdue(today)) for t in petition.agent_tasks.select_related("department", "done_by")]
    may_work = access.may_work_on(user, petition, agent)
    open_claims = [c for c in claims if c.outstanding > 0]
    payments_form = forms_.get("payments_form") or f.PaymentsForm(claims=open_claims)
    return {
        "petition": petition,
        "agent": agent,
        "uses": MandateUse.objects.filter(petition=petition).select_related("mandate__principal", "used_by"),
        "tasks": tasks,
        "claims": [
            {
                "claim": c,
                "status": selectors.paid_status(c.amount_claimed, c.recovered),
                "payments": payments.get(c.pk, []),
            }
            for c in claims
        ],
        "corrected": corrected,
        "totals": selectors.totals_of(claims),
        "may_work": may_work,
        "may_plan": agent is not None and access.may_act_for(user, agent) and petition.is_open,
        "task_form": forms_.get("task_form") or f.TaskForm(user=user),
        "claim_form": forms_.get("claim_form") or f.ClaimForm(),
        "payments_form": payments_form,
        "payment_rows": [(c, payments_form[f"amount_{c.pk}"]) for c in payments_form.claims],
        "done_form": f.TaskDoneForm(),
        "today": today,
    }


def _matter(request: HttpRequest, petition_id: int) -> Petition:
    return or_404(selectors.get_agency_petition, staff_user(request), petition_id)


@login_required
def matter(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = _matter(request, petition_id)
    return no_store(render(request, "agency/matter.html", _matter_context(request, petition)))


def _back_to_matter(petition: Petition, anchor: str) -> HttpResponse:
    return redirect(reverse("agency:matter", args=[petition.pk]) + f"#{anchor}")


@login_required
@require_POST
def task_create(request: HttpRequest, petition_id: int) -> HttpResponse:
    user = staff_user(request)
    petition = _matter(request, petition_id)
    form = f.TaskForm(request.POST, user=user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.agent_task_create(
                user=user,
                petition_id=petition.pk,
                kind=d["kind"],
                due_on=d["due_on"],
                department=d["department"],
                note=d["note"],
            )
        except DomainError as exc:
            _field_errors(form, exc, {"due_on": "due_on", "department": "department", "kind": "kind"})
        else:
            messages.success(request, _("Task added."))
            return _back_to_matter(petition, "tasks")
    return no_store(
        render(request, "agency/matter.html", _matter_context(request, petition, task_form=form), status=400)
    )


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    user = staff_user(request)
    task = AgentTask.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404(_("Not found."))
    petition = _matter(request, task.petition_id)
    form = f.TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            services.agent_task_complete(
                user=user,
                task_id=task.pk,
                outcome=form.cleaned_data["outcome"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Task done."))
    else:
        messages.error(request, _("Say what came of it."))
    return _back_to_matter(petition, "tasks")


@login_required
@require_POST
def claim_create(request: HttpRequest, petition_id: int) -> HttpResponse:
    user = staff_user(request)
    petition = _matter(request, petition_id)
    form = f.ClaimForm(request.POST)
    if form.is_valid():
        try:
            services.claim_add(user=user, petition_id=petition.pk, claim=form.claim())
        except DomainError as exc:
            _field_errors(
                form,
                exc,
                {
                    "claimant_name": "claimant_name",
                    "claimant_id_number": "claimant_id_number",
                    "amount": "amount",
                    "duplicate": "claimant_name",
                },
            )
        else:
            messages.success(request, _("Claim added."))
            return _back_to_matter(petition, "claims")
    return no_store(
        render(request, "agency/matter.html", _matter_context(request, petition, claim_form=form), status=400)
    )


@login_required
@require_POST
def payments_record(request: HttpRequest, petition_id: int) -> HttpResponse:
    user = staff_user(request)
    petition = _matter(request, petition_id)
    claims = [c for c in _claims(petition) if c.outstanding > 0]
    form = f.PaymentsForm(request.POST, claims=claims)
    if form.is_valid():
        try:
            services.claim_payments_record(
                user=user,
                petition_id=petition.pk,
                amounts=form.amounts(),
                paid_on=form.cleaned_data["paid_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Payments recorded."))
            return _back_to_matter(petition, "claims")
    return no_store(
        render(
            request, "agency/matter.html", _matter_context(request, petition, payments_form=form), status=400
        )
    )


@login_required
@require_POST
def payment_correct(request: HttpRequest, payment_id: int) -> HttpResponse:
    user = staff_user(request)
    payment = ClaimPayment.objects.filter(pk=payment_id).select_related("claim").first()
    if payment is None:
        raise Http404(_("Not found."))
    petition = _matter(request, payment.claim.petition_id)
    form = f.CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.claim_payment_correct(
                user=user, payment_id=payment.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The payment is reversed by a correction."))
    else:
        messages.error(request, _("Say what was wrong with the payment."))
    return _back_to_matter(petition, "claims")


# --- ledger and totals ---------------------------------------------------------------------------


def _ledger_unit(request: HttpRequest, user: User) -> tuple[f.LedgerForm, Unit | None]:
    form = f.LedgerForm(request.GET or None, user=user)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["unit"]
    agent = selectors.agent_of(user)
    default = agent.unit if agent is not None else None
    if default is None:
        roots = scoping.jurisdiction_roots(user)
        villages = [r for r in roots if r.kind == UnitKind.VILLAGE]
        default = villages[0] if villages else (roots[0].area() if roots else None)
    if default is not None and not scoping.can_see_unit(user, default):
        default = None
    return f.LedgerForm(initial={"unit": default}, user=user), default


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form, unit = _ledger_unit(request, user)
    context: dict[str, Any] = {"form": form, "unit": unit}
    if unit is not None:
        context["ledger"] = selectors.ledger(user, unit)
        context["today"] = timezone.localdate()
    return no_store(render(request, "agency/ledger.html", context))


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    _form, unit = _ledger_unit(request, user)
    if unit is None:
        raise Http404(_("Not found."))
    body = ledger_xlsx(selectors.ledger(user, unit), today=timezone.localdate())
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="agency-ledger-{unit.code}-{timezone.localdate()}.xlsx"'
    )
    return no_store(response)


@login_required
def totals(request: HttpRequest) -> HttpResponse:
    return render(request, "agency/totals.html", {"overview": selectors.agency_totals(staff_user(request))})
