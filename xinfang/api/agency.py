"""Petition agency (信访代理): agents, mandates, filing on behalf, tasks, claims and payments, ledger.

Reads are scoped through the agency selectors (``scoping`` and ``visible_petitions``); every write is a
service. Something outside the caller's reach answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.agency import selectors, services
from xinfang.agency.models import Agent, AgentTask, Claim, ClaimPayment
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import intake
from xinfang.petitions.intake import PersonData
from xinfang.petitions.models import Category

from . import agency_schemas as s
from .errors import COMMON_ERRORS, WRITE_ERRORS
from .petition_schemas import ErrorWithFieldsOut

router = Router(tags=["agency"])

FIELD_ERRORS = {**WRITE_ERRORS, 400: ErrorWithFieldsOut}


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _unit(user: User, unit_id: int) -> Unit:
    return scoping.require_unit(user, get_object_or_404(Unit, pk=unit_id))


def _person(data: s.AgencyPersonIn) -> PersonData:
    return PersonData(name=data.name, id_number=data.id_number, phone=data.phone)


def _fields_error(exc: intake.IntakeError) -> Any:
    return Status(400, {"detail": str(exc), "code": "invalid", "errors": exc.errors})


def _agent(user: User, agent_id: int) -> Agent:
    return selectors.get_visible_agent(user, agent_id)


# --- agents --------------------------------------------------------------------------------------


class AgentFilter(Schema):
    unit: int | None = None
    limit: int = 100
    offset: int = 0


@router.get("/agency/agents", response={200: s.AgentPage, **COMMON_ERRORS})
def list_agents(request: HttpRequest, filters: Query[AgentFilter]) -> s.AgentPage:
    user = _actor(request)
    qs = selectors.visible_agents(user).order_by("unit__path", "pk")
    if filters.unit is not None:
        from xinfang.orgs.selectors import prefix_lookup

        qs = qs.filter(prefix_lookup("unit__path", _unit(user, filters.unit).path))
    limit, offset = max(1, min(filters.limit, 500)), max(0, filters.offset)
    return s.AgentPage(count=qs.count(), items=[s.agent_out(a) for a in qs[offset : offset + limit]])


@router.post("/agency/agents", response={201: s.AgentOut, **FIELD_ERRORS})
def create_agent(request: HttpRequest, body: s.AgentIn) -> Any:
    """Certify a village cadre or community worker as agent of a unit (petition staff over the unit)."""
    user = _actor(request)
    unit = _unit(user, body.unit_id)
    login = None
    if body.login_id is not None:
        login = User.objects.filter(pk=body.login_id, is_active=True).first()
        if login is None:
            raise DomainError(_("Unknown login."), code="login")
    try:
        agent = services.agent_register(
            user=user,
            unit=unit,
            kind=body.kind,
            person=_person(body.person),
            certificate_number=body.certificate_number,
            certified_on=body.certified_on,
            certified_by=body.certified_by,
            login=login,
        )
    except intake.IntakeError as exc:
        return _fields_error(exc)
    return Status(201, s.agent_out(agent))


@router.get("/agency/agents/{agent_id}", response={200: s.CaseloadOut, **COMMON_ERRORS})
def get_agent(request: HttpRequest, agent_id: int) -> s.CaseloadOut:
    """The agent with their caseload: mandates in force, open tasks, matters, money."""
    user = _actor(request)
    agent = _agent(user, agent_id)
    today = timezone.localdate()
    load = selectors.caseload(user, agent, today)
    return s.CaseloadOut(
        agent=s.agent_out(agent),
        mandates_in_force=[s.mandate_out(m, today) for m in load["mandates"]],
        open_tasks=[s.task_out(t, today) for t, _late in load["tasks"]],
        matters=[s.matter_out(p, totals) for p, totals in load["matters"]],
        totals=s.totals_out(load["totals"]),
    )


@router.post("/agency/agents/{agent_id}/suspend", response={200: s.AgentOut, **WRITE_ERRORS})
def suspend_agent(request: HttpRequest, agent_id: int, body: s.StatusIn) -> s.AgentOut:
    user = _actor(request)
    _agent(user, agent_id)
    agent = services.agent_suspend(
        user=user, agent_id=agent_id, reason=body.reason, expected_version=body.expected_version
    )
    return s.agent_out(_agent(user, agent.pk))


@router.post("/agency/agents/{agent_id}/reinstate", response={200: s.AgentOut, **WRITE_ERRORS})
def reinstate_agent(request: HttpRequest, agent_id: int, body: s.StatusIn) -> s.AgentOut:
    user = _actor(request)
    _agent(user, agent_id)
    agent = services.agent_reinstate(
        user=user, agent_id=agent_id, reason=body.reason, expected_version=body.expected_version
    )
    return s.agent_out(_agent(user, agent.pk))


# --- mandates ------------------------------------------------------------------------------------


@router.get("/agency/agents/{agent_id}/mandates", response={200: list[s.MandateOut], **COMMON_ERRORS})
def list_mandates(request: HttpRequest, agent_id: int) -> list[s.MandateOut]:
    user = _actor(request)
    agent = _agent(user, agent_id)
    today = timezone.localdate()
    return [
        s.mandate_out(m, today) for m in selectors.visible_mandates(user).filter(agent=agent).order_by("pk")
    ]


@router.post("/agency/agents/{agent_id}/mandates", response={201: s.MandateOut, **FIELD_ERRORS})
def create_mandate(
    request: HttpRequest, agent_id: int, form: File[UploadedFile], data: Form[s.MandateIn]
) -> Any:
    """Record a principal's mandate with the signed entrustment form (PDF or photo) as ``form``."""
    user = _actor(request)
    _agent(user, agent_id)
    try:
        mandate = services.mandate_create(
            user=user,
            agent_id=agent_id,
            principal=PersonData(
                name=data.principal_name, id_number=data.principal_id_number, phone=data.principal_phone
            ),
            scope=data.scope,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            form=form,
            covers_appeals=data.covers_appeals,
        )
    except intake.IntakeError as exc:
        return _fields_error(exc)
    return Status(201, s.mandate_out(selectors.get_visible_mandate(user, mandate.pk), timezone.localdate()))


@router.get("/agency/mandates/{mandate_id}", response={200: s.MandateOut, **COMMON_ERRORS})
def get_mandate(request: HttpRequest, mandate_id: int) -> s.MandateOut:
    return s.mandate_out(selectors.get_visible_mandate(_actor(request), mandate_id), timezone.localdate())


@router.post("/agency/mandates/{mandate_id}/revoke", response={200: s.MandateOut, **WRITE_ERRORS})
def revoke_mandate(request: HttpRequest, mandate_id: int, body: s.RevokeIn) -> s.MandateOut:
    """The principal revoked the mandate on ``revoked_on``; it can no longer be used from that day."""
    user = _actor(request)
    selectors.get_visible_mandate(user, mandate_id)
    services.mandate_revoke(
        user=user,
        mandate_id=mandate_id,
        revoked_on=body.revoked_on,
        note=body.note,
        expected_version=body.expected_version,
    )
    return s.mandate_out(selectors.get_visible_mandate(user, mandate_id), timezone.localdate())


@router.post("/agency/agents/{agent_id}/filings", response={201: s.FilingOut, **FIELD_ERRORS})
def file_petition(request: HttpRequest, agent_id: int, body: s.FilingIn) -> Any:
    """Register a petition on the principals' behalf (channel agent), with each claimant's claim."""
    user = _actor(request)
    _agent(user, agent_id)
    place = Unit.objects.filter(pk=body.place_id).first()
    category = (
        Category.objects.filter(pk=body.category_id, is_active=True).first() if body.category_id else None
    )
    if body.category_id is not None and category is None:
        return _fields_error(intake.IntakeError({"category": [_("Unknown category.")]}))
    data = services.FilingData(
        subject=body.subject,
        request=body.request,
        facts=body.facts,
        place=place,
        category=category,
        claims=[
            services.ClaimInput(
                claimant=PersonData(name=line.name, id_number=line.id_number),
                amount=line.amount,
                kind=line.kind,
                debtor=line.debtor,
            )
            for line in body.claims
        ],
    )
    try:
        petition = services.mandate_file_petition(
            user=user, agent_id=agent_id, mandate_ids=list(dict.fromkeys(body.mandate_ids)), data=data
        )
    except intake.IntakeError as exc:
        return _fields_error(exc)
    return Status(
        201,
        s.FilingOut(
            petition_id=petition.pk,
            number=petition.number,
            query_code=petition.query_code,
            claims=petition.claims.count(),
        ),
    )


# --- tasks ---------------------------------------------------------------------------------------


@router.get("/agency/petitions/{petition_id}/tasks", response={200: list[s.AgentTaskOut], **COMMON_ERRORS})
def list_tasks(request: HttpRequest, petition_id: int) -> list[s.AgentTaskOut]:
    petition = selectors.get_agency_petition(_actor(request), petition_id)
    today = timezone.localdate()
    return [
        s.task_out(t, today)
        for t in petition.agent_tasks.select_related("department").order_by("due_on", "pk")
    ]


def _department(user: User, department_id: int | None) -> Unit | None:
    """Any department or office a task may take the agent to (the service refuses areas)."""
    if department_id is None:
        return None
    return get_object_or_404(Unit, pk=department_id, is_active=True)


@router.post("/agency/petitions/{petition_id}/tasks", response={201: s.AgentTaskOut, **WRITE_ERRORS})
def create_task(request: HttpRequest, petition_id: int, body: s.TaskIn) -> Any:
    user = _actor(request)
    selectors.get_agency_petition(user, petition_id)
    task = services.agent_task_create(
        user=user,
        petition_id=petition_id,
        kind=body.kind,
        due_on=body.due_on,
        department=_department(user, body.department_id),
        note=body.note,
    )
    return Status(201, s.task_out(task, timezone.localdate()))


@router.post("/agency/tasks/{task_id}/done", response={200: s.AgentTaskOut, **WRITE_ERRORS})
def complete_task(request: HttpRequest, task_id: int, body: s.TaskDoneIn) -> s.AgentTaskOut:
    user = _actor(request)
    task = get_object_or_404(AgentTask, pk=task_id)
    selectors.get_agency_petition(user, task.petition_id)
    task = services.agent_task_complete(
        user=user,
        task_id=task_id,
        outcome=body.outcome,
        department=_department(user, body.department_id),
        expected_version=body.expected_version,
    )
    return s.task_out(AgentTask.objects.select_related("department").get(pk=task.pk), timezone.localdate())


# --- claims and payments -------------------------------------------------------------------------


@router.get("/agency/petitions/{petition_id}/claims", response={200: list[s.ClaimOut], **COMMON_ERRORS})
def list_claims(request: HttpRequest, petition_id: int) -> list[s.ClaimOut]:
    petition = selectors.get_agency_petition(_actor(request), petition_id)
    claims = selectors.with_recovered(petition.claims.select_related("claimant")).order_by("pk")
    return [s.claim_out(c) for c in claims]


def _claim_out(claim_id: int) -> s.ClaimOut:
    return s.claim_out(selectors.with_recovered(Claim.objects.select_related("claimant")).get(pk=claim_id))


@router.post("/agency/petitions/{petition_id}/claims", response={201: s.ClaimOut, **FIELD_ERRORS})
def create_claim(request: HttpRequest, petition_id: int, body: s.ClaimIn) -> Any:
    """Add a claimant's claim; a claimant not yet on the petition joins it as co-petitioner."""
    user = _actor(request)
    selectors.get_agency_petition(user, petition_id)
    try:
        claim = services.claim_add(
            user=user,
            petition_id=petition_id,
            claim=services.ClaimInput(
                claimant=_person(body.claimant), amount=body.amount, kind=body.kind, debtor=body.debtor
            ),
        )
    except intake.IntakeError as exc:
        return _fields_error(exc)
    return Status(201, _claim_out(claim.pk))


def _visible_claim(user: User, claim_id: int) -> Claim:
    claim = get_object_or_404(Claim, pk=claim_id)
    selectors.get_agency_petition(user, claim.petition_id)
    return claim


@router.post("/agency/claims/{claim_id}/payments", response={201: s.ClaimOut, **WRITE_ERRORS})
def record_payment(request: HttpRequest, claim_id: int, body: s.PaymentIn) -> Any:
    """Money recovered: a new row; the recovered total never exceeds the amount claimed."""
    user = _actor(request)
    _visible_claim(user, claim_id)
    services.claim_payment_record(
        user=user, claim_id=claim_id, amount=body.amount, paid_on=body.paid_on, note=body.note
    )
    return Status(201, _claim_out(claim_id))


@router.post("/agency/payments/{payment_id}/correct", response={201: s.ClaimOut, **WRITE_ERRORS})
def correct_payment(request: HttpRequest, payment_id: int, body: s.PaymentCorrectionIn) -> Any:
    """Reverse a mistaken payment with a new row of the opposite amount."""
    user = _actor(request)
    payment = get_object_or_404(ClaimPayment, pk=payment_id)
    _visible_claim(user, payment.claim_id)
    services.claim_payment_correct(user=user, payment_id=payment_id, reason=body.reason)
    return Status(201, _claim_out(payment.claim_id))


# --- ledger and totals ---------------------------------------------------------------------------


@router.get("/agency/ledger", response={200: s.LedgerOut, **COMMON_ERRORS})
def get_ledger(request: HttpRequest, unit: int) -> s.LedgerOut:
    """台账 of a village or community: mandates of its agents, matters about it, claims, money."""
    user = _actor(request)
    area = _unit(user, unit)
    ledger = selectors.ledger(user, area)
    today = timezone.localdate()
    return s.LedgerOut(
        unit_id=area.pk,
        unit_name=area.name,
        totals=s.totals_out(ledger["totals"]),
        matters=[s.matter_out(p, totals) for p, totals in ledger["matters"]],
        claims=[s.claim_out(c) for c, _status in ledger["claims"]],
        mandates=[s.mandate_out(m, today) for m in ledger["mandates"]],
        by_claimant=s.groups_out(ledger["by_petitioner"]),
    )


@router.get("/agency/totals", response={200: s.OverviewOut, **COMMON_ERRORS})
def get_totals(request: HttpRequest) -> s.OverviewOut:
    """Money recovered through agency matters the caller may see, by village and by agent."""
    overview = selectors.agency_totals(_actor(request))
    return s.OverviewOut(
        totals=s.totals_out(overview["totals"]),
        by_village=s.groups_out(overview["by_village"]),
        by_agent=s.groups_out(overview["by_agent"]),
    )
