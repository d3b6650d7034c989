"""Writes of the petition agency (信访代理). One transaction each; rows two people may change at once are
locked; bad input raises ``DomainError`` and changes nothing. Whatever concerns a petition is also
written on its timeline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.errors import DomainError, check_version
from xinfang.core.idnumber import validate_id_number
from xinfang.core.phone import validate_phone
from xinfang.orgs.models import ORGAN_KINDS, Unit
from xinfang.petitions import intake
from xinfang.petitions.intake import IntakeData, PersonData
from xinfang.petitions.lifecycle import INTAKE
from xinfang.petitions.models import Category, Petition, Petitioner, PetitionParty
from xinfang.petitions.selectors import get_visible_petition
from xinfang.petitions.services import event_append
from xinfang.petitions.states import Channel, PartyRole

from . import access
from .models import (
    AgencyMandate,
    Agent,
    AgentKind,
    AgentStatus,
    AgentStatusChange,
    AgentTask,
    Claim,
    ClaimKind,
    ClaimPayment,
    MandateUse,
    TaskKind,
)

MAX_AMOUNT = Decimal("10000000")
FORM_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
# Tasks done at a department need to say which one.
TASKS_AT_A_DEPARTMENT = {TaskKind.ACCOMPANY, TaskKind.REPRESENT}


# --- shared checks ---------------------------------------------------------------------------------


def _text(value: str, message: str, *, limit: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required")
    if limit is not None and len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, code="too_long")
    return value


def _not_future(day: dt.date | None, message: str | None = None) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError(message or _("The date cannot be in the future."), code="future")


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Give the amount in yuan, e.g. 3200 or 3200.50."), code="amount") from None
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."), code="amount")
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large for one claim."), code="amount")
    return amount


def _acting_unit(user: User, units: list[Unit]) -> Unit | None:
    """The unit the user acts from on the timeline: their seat that covers one of ``units``."""
    for unit in units:
        for membership in scoping.active_memberships(user):
            if unit.path.startswith(scoping.jurisdiction_root(membership).path):
                return membership.unit
    seats = scoping.active_memberships(user)
    return seats[0].unit if seats else None


def _person(data: PersonData, field_prefix: str) -> PersonData:
    """Validate a person's name, ID number and phone as intake does; messages name the field."""
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors.setdefault(f"{field_prefix}_name", []).append(_("Give the name."))
    elif len(data.name) > 100:
        errors.setdefault(f"{field_prefix}_name", []).append(_("A name may have at most 100 characters."))
    if data.id_number.strip():
        try:
            data.id_number = validate_id_number(data.id_number)
        except ValidationError as exc:
            errors.setdefault(f"{field_prefix}_id_number", []).append(" ".join(exc.messages))
    if data.phone.strip():
        try:
            data.phone = validate_phone(data.phone)
        except ValidationError as exc:
            errors.setdefault(f"{field_prefix}_phone", []).append(" ".join(exc.messages))
    if errors:
        raise intake.IntakeError(errors)
    return data


def _lock_petition(petition_id: int) -> Petition:
    return Petition.objects.select_for_update().get(pk=petition_id)


def _event(petition: Petition, user: User, action: str, *, reason: str = "", **payload: Any) -> None:
    """A timeline row that changes no state; the caller holds the petition lock."""
    petition.version += 1
    petition.save(update_fields=["version", "updated_at"])
    event_append(
        petition=petition,
        action=action,
        actor=user,
        actor_unit=_acting_unit(user, [petition.current_unit, petition.registering_unit]),
        from_state=petition.state,
        to_state=petition.state,
        reason=reason,
        payload=payload,
    )


# --- agents --------------------------------------------------------------------------------------


@transaction.atomic
def agent_register(
    *,
    user: User,
    unit: Unit,
    kind: str,
    person: PersonData,
    certificate_number: str,
    certified_on: dt.date,
    certified_by: str,
    login: User | None = None,
) -> Agent:
    """Certify a village cadre or community worker as agent for ``unit``."""
    if unit is None or not access.may_register_agents(user, unit):
        raise DomainError(
            _("Only petition staff whose jurisdiction covers the unit may certify its agents."),
            code="role_not_allowed",
        )
    if kind not in AgentKind.values:
        raise DomainError(_("Choose what kind of agent this is."), code="kind")
    certificate_number = _text(certificate_number, _("Give the certificate number."), limit=40)
    certified_by = _text(certified_by, _("Say who issued the certificate."), limit=100)
    _not_future(certified_on)
    if Agent.objects.filter(certificate_number=certificate_number).exists():
        raise DomainError(_("Another agent holds this certificate number."), code="duplicate")
    if login is not None:
        if Agent.objects.filter(user=login).exists():
            raise DomainError(_("This login is already an agent."), code="duplicate")
        if not scoping.can_act_in(login, unit, *INTAKE):
            raise DomainError(
                _("The agent's login must hold a post covering the unit they serve."), code="login_unit"
            )
    person = _person(person, "agent")
    person.home_unit = person.home_unit or unit
    petitioner = intake.petitioner_upsert(person)
    if Agent.objects.filter(person=petitioner).exists():
        raise DomainError(_("This person is already an agent."), code="duplicate")
    return Agent.objects.create(
        user=login,
        person=petitioner,
        unit=unit,
        kind=kind,
        certificate_number=certificate_number,
        certified_on=certified_on,
        certified_by=certified_by,
        created_by=user,
    )


def _agent_status_change(
    *, user: User, agent_id: int, status: str, reason: str, expected_version: int | None
) -> Agent:
    reason = _text(reason, _("Give the reason."))
    with transaction.atomic():
        agent = Agent.objects.select_for_update().select_related("unit").get(pk=agent_id)
        if not access.may_register_agents(user, agent.unit):
            raise scoping.OutOfJurisdiction(_("This agent is outside your jurisdiction."))
        check_version(agent, expected_version)
        if agent.status == status:
            raise DomainError(
                _("The agent is already “%(status)s”.") % {"status": AgentStatus(status).label},
                code="unchanged",
            )
        agent.status = status
        agent.version += 1
        agent.save(update_fields=["status", "version"])
        AgentStatusChange.objects.create(agent=agent, status=status, reason=reason, changed_by=user)
    return agent


def agent_suspend(*, user: User, agent_id: int, reason: str, expected_version: int | None = None) -> Agent:
    """A suspended agent cannot use any mandate until reinstated."""
    return _agent_status_change(
        user=user,
        agent_id=agent_id,
        status=AgentStatus.SUSPENDED,
        reason=reason,
        expected_version=expected_version,
    )


def agent_reinstate(*, user: User, agent_id: int, reason: str, expected_version: int | None = None) -> Agent:
    return _agent_status_change(
        user=user,
        agent_id=agent_id,
        status=AgentStatus.ACTIVE,
        reason=reason,
        expected_version=expected_version,
    )


# --- mandates ------------------------------------------------------------------------------------


def _lock_agent_for(user: User, agent_id: int) -> Agent:
    agent = Agent.objects.select_for_update().select_related("unit", "person").filter(pk=agent_id).first()
    if agent is None or not access.may_act_for(user, agent):
        raise scoping.OutOfJurisdiction(_("This agent is outside your jurisdiction."))
    if not agent.is_active:
        raise DomainError(_("This agent is suspended and cannot act."), code="agent_suspended")
    return agent


def _form_problem(upload: UploadedFile | None) -> str:
    if upload is None:
        return _("Upload the entrustment form signed by the principal (PDF or a photo).")
    name = (upload.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in FORM_TYPES:
        return _("The signed form must be a PDF or a photo (JPG, PNG).")
    return intake.attachment_problem(upload)


@transaction.atomic
def mandate_create(
    *,
    user: User,
    agent_id: int,
    principal: PersonData,
    scope: str,
    starts_on: dt.date,
    ends_on: dt.date,
    form: UploadedFile | None,
    covers_appeals: bool = False,
) -> AgencyMandate:
    """Record a principal's signed mandate (代理委托书). A mandate must be in writing (design choice)."""
    agent = _lock_agent_for(user, agent_id)
    scope = _text(scope, _("Describe what the agent is entrusted with."), limit=2000)
    if starts_on is None or ends_on is None:
        raise DomainError(_("Give the period of the mandate."), code="period")
    if ends_on < starts_on:
        raise DomainError(_("The mandate cannot end before it starts."), code="period")
    problem = _form_problem(form)
    if problem:
        raise DomainError(problem, code="form")
    assert form is not None
    if principal.existing is None:
        principal = _person(principal, "principal")
        principal.home_unit = principal.home_unit or agent.unit
    petitioner = intake.petitioner_upsert(principal)
    if petitioner.pk == agent.person_id:
        raise DomainError(_("An agent cannot hold a mandate from themselves."), code="self")
    digest = hashlib.sha256()
    for chunk in form.chunks():
        digest.update(chunk)
    form.seek(0)
    name = (form.name or "form").rsplit("/", 1)[-1]
    mandate = AgencyMandate(
        agent=agent,
        principal=petitioner,
        scope=scope,
        covers_appeals=covers_appeals,
        starts_on=starts_on,
        ends_on=ends_on,
        form_name=name[:200],
        form_content_type=intake.ALLOWED_ATTACHMENT_TYPES[name[name.rfind(".") :].lower()],
        form_size=form.size or 0,
        form_sha256=digest.hexdigest(),
        recorded_by=user,
    )
    mandate.form.save(name, form, save=False)
    mandate.save()
    return mandate


@transaction.atomic
def mandate_revoke(
    *, user: User, mandate_id: int, revoked_on: dt.date, note: str = "", expected_version: int | None = None
) -> AgencyMandate:
    """The principal withdraws the mandate; recorded with the date they did and who recorded it."""
    mandate = AgencyMandate.objects.select_for_update().filter(pk=mandate_id).first()
    if mandate is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    agent = Agent.objects.select_related("unit").get(pk=mandate.agent_id)
    if not access.may_act_for(user, agent):
        raise scoping.OutOfJurisdiction(_("This agent is outside your jurisdiction."))
    check_version(mandate, expected_version)
    if mandate.revoked_on is not None:
        raise DomainError(_("This mandate has already been revoked."), code="revoked")
    if revoked_on is None:
        raise DomainError(_("Give the date the principal revoked the mandate."), code="required")
    _not_future(revoked_on)
    mandate.revoked_on = revoked_on
    mandate.revocation_note = (note or "").strip()[:2000]
    mandate.revocation_recorded_by = user
    mandate.revocation_recorded_at = timezone.now()
    mandate.version += 1
    mandate.save()
    # Open matters filed under the mandate say on their timeline that the agent no longer acts.
    for use in mandate.uses.filter(purpose=MandateUse.Purpose.FILING).select_related("petition"):
        if use.petition.is_open:
            petition = _lock_petition(use.petition_id)
            _event(
                petition,
                user,
                "agency_mandate_revoked",
                reason=mandate.revocation_note,
                mandate=mandate.pk,
                principal_name=mandate.principal.name,
                revoked_on=revoked_on.isoformat(),
            )
    return mandate


# --- filing on behalf ----------------------------------------------------------------------------


@dataclass
class ClaimInput:
    claimant: PersonData
    amount: Any
    kind: str = ClaimKind.UNPAID_WAGES
    debtor: str = ""
    note: str = ""


@dataclass
class FilingData:
    subject: str
    request: str
    place: Unit | None
    facts: str = ""
    category: Category | None = None
    people_count: int = 0
    claims: list[ClaimInput] = field(default_factory=list)


def _usable_mandates(agent: Agent, mandate_ids: list[int], day: dt.date) -> list[AgencyMandate]:
    if not mandate_ids:
        raise DomainError(_("Choose the mandates you file under."), code="mandates")
    mandates = list(
        AgencyMandate.objects.select_for_update()
        .filter(pk__in=mandate_ids, agent=agent)
        .select_related("principal")
        .order_by("pk")
    )
    if len(mandates) != len(set(mandate_ids)):
        raise DomainError(_("A chosen mandate is not one of this agent's."), code="mandates")
    for mandate in mandates:
        if not mandate.in_force_on(day):
            raise DomainError(
                _("The mandate of %(name)s is not in force today (revoked or outside its dates).")
                % {"name": mandate.principal.name},
                code="mandate_not_in_force",
            )
    return mandates


@transaction.atomic
def mandate_file_petition(*, user: User, agent_id: int, mandate_ids: list[int], data: FilingData) -> Petition:
    """Register a petition on the principals' behalf through the real intake (channel 'agent').

    The first mandate's principal is the petitioner; the other principals and every claimant are
    co-petitioners; the agent is recorded as agent. All of them are parties, so repeat detection
    compares each of them. The claims are recorded with the petition.
    """
    agent = _lock_agent_for(user, agent_id)
    mandates = _usable_mandates(agent, mandate_ids, timezone.localdate())
    if data.place is not None and not scoping.can_see_unit(user, data.place):
        raise DomainError(_("The place of the problem is outside your jurisdiction."), code="place")
    principals: list[Petitioner] = []
    for mandate in mandates:
        if mandate.principal not in principals:
            principals.append(mandate.principal)
    by_name = {p.name: p for p in principals}
    for index, claim in enumerate(data.claims):
        person = claim.claimant
        if person.existing is None and not person.id_number.strip() and person.name.strip() in by_name:
            # A claim listed under a principal's name is the principal's own.
            person.existing = by_name[person.name.strip()]
        if claim.claimant.existing is None:
            claim.claimant = _person(claim.claimant, f"claims_{index}")
        _amount(claim.amount)
        if claim.kind not in ClaimKind.values:
            raise DomainError(_("Unknown kind of claim."), code="kind")
    claimants = [intake.petitioner_upsert(claim.claimant) for claim in data.claims]
    others = [p for p in dict.fromkeys(principals[1:] + claimants) if p != principals[0]]
    people = len(others) + 1
    petition = intake.petition_register(
        user=user,
        data=IntakeData(
            channel=Channel.AGENT,
            subject=data.subject,
            request=data.request,
            facts=data.facts,
            place=data.place,  # type: ignore[arg-type]  # None is a field error of the intake service
            category=data.category,
            principal=PersonData(name=principals[0].name, existing=principals[0]),
            co_petitioners=[PersonData(name=p.name, existing=p) for p in others],
            agent=PersonData(name=agent.person.name, existing=agent.person),
            people_count=max(data.people_count, people),
        ),
    )
    for mandate in mandates:
        MandateUse.objects.create(
            mandate=mandate, petition=petition, purpose=MandateUse.Purpose.FILING, used_by=user
        )
    total = Decimal("0")
    for claim, claimant in zip(data.claims, claimants, strict=True):
        total += _claim_create(petition=petition, user=user, claimant=claimant, claim=claim).amount_claimed
    petition = _lock_petition(petition.pk)
    _event(
        petition,
        user,
        "agency_filed",
        agent=agent.pk,
        agent_name=agent.person.name,
        mandates=[m.pk for m in mandates],
        claims=len(data.claims),
        amount=str(total),
    )
    return petition


# --- agent tasks ---------------------------------------------------------------------------------


def _agency_petition(user: User, petition_id: int) -> tuple[Petition, Agent | None]:
    petition = get_visible_petition(user, petition_id)
    return petition, access.petition_agent(petition)


@transaction.atomic
def agent_task_create(
    *,
    user: User,
    petition_id: int,
    kind: str,
    due_on: dt.date,
    department: Unit | None = None,
    note: str = "",
) -> AgentTask:
    petition, agent = _agency_petition(user, petition_id)
    if agent is None:
        raise DomainError(_("This petition has no certified agent."), code="no_agent")
    if not access.may_act_for(user, agent):
        raise DomainError(
            _("Only the agent or petition staff over the agent may plan the agent's work."),
            code="role_not_allowed",
        )
    if kind not in TaskKind.values:
        raise DomainError(_("Choose the kind of task."), code="kind")
    if due_on is None or due_on < timezone.localdate():
        raise DomainError(_("The due date cannot be in the past."), code="due_on")
    if department is not None and department.kind not in ORGAN_KINDS:
        raise DomainError(_("Choose a department or office, not an area."), code="department")
    if kind in TASKS_AT_A_DEPARTMENT and department is None:
        raise DomainError(
            _("Say at which department the petitioner is accompanied or represented."), code="department"
        )
    if not petition.is_open:
        raise DomainError(_("The petition is no longer open."), code="closed")
    petition = _lock_petition(petition.pk)
    task = AgentTask.objects.create(
        petition=petition,
        agent=agent,
        kind=kind,
        due_on=due_on,
        department=department,
        note=(note or "").strip()[:2000],
        created_by=user,
    )
    _event(
        petition,
        user,
        "agent_task_added",
        reason=task.note,
        task=task.pk,
        task_kind=kind,
        task_due_on=due_on.isoformat(),
        department_name=department.name if department else "",
    )
    return task


@transaction.atomic
def agent_task_complete(
    *,
    user: User,
    task_id: int,
    outcome: str,
    department: Unit | None = None,
    expected_version: int | None = None,
) -> AgentTask:
    """Mark a task done with what came of it; for "identify the lead department" name the department."""
    task = AgentTask.objects.filter(pk=task_id).select_related("agent__unit").first()
    if task is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    get_visible_petition(user, task.petition_id)
    if not access.may_act_for(user, task.agent):
        raise DomainError(
            _("Only the agent or petition staff over the agent may close the agent's tasks."),
            code="role_not_allowed",
        )
    outcome = _text(outcome, _("Say what came of it."), limit=2000)
    petition = _lock_petition(task.petition_id)
    task = AgentTask.objects.select_for_update().get(pk=task_id)
    check_version(task, expected_version)
    if task.done_at is not None:
        raise DomainError(_("This task is already done."), code="done")
    if department is not None:
        if department.kind not in ORGAN_KINDS:
            raise DomainError(_("Choose a department or office, not an area."), code="department")
        task.department = department
    overdue = task.is_overdue()
    task.done_at = timezone.now()
    task.done_by = user
    task.outcome = outcome
    task.version += 1
    task.save()
    _event(
        petition,
        user,
        "agent_task_done",
        reason=outcome,
        task=task.pk,
        task_kind=task.kind,
        task_due_on=task.due_on.isoformat(),
        late=overdue,
        department_name=task.department.name if task.department else "",
    )
    return task


# --- claims and payments -------------------------------------------------------------------------


def _claim_create(*, petition: Petition, user: User, claimant: Petitioner, claim: ClaimInput) -> Claim:
    amount = _amount(claim.amount)
    if Claim.objects.filter(petition=petition, claimant=claimant, kind=claim.kind).exists():
        raise DomainError(
            _("%(name)s already has a claim of this kind on this petition.") % {"name": claimant.name},
            code="duplicate",
        )
    try:
        with transaction.atomic():
            return Claim.objects.create(
                petition=petition,
                claimant=claimant,
                kind=claim.kind,
                amount_claimed=amount,
                debtor=(claim.debtor or "").strip()[:200],
                note=(claim.note or "").strip()[:300],
                recorded_by=user,
            )
    except IntegrityError:
        raise DomainError(
            _("%(name)s already has a claim of this kind on this petition.") % {"name": claimant.name},
            code="duplicate",
        ) from None


def _require_work(user: User, petition_id: int) -> Petition:
    petition, agent = _agency_petition(user, petition_id)
    if not access.may_work_on(user, petition, agent):
        raise DomainError(
            _("Only the petition's agent or staff handling it may record its claims."),
            code="role_not_allowed",
        )
    return petition


@transaction.atomic
def claim_add(*, user: User, petition_id: int, claim: ClaimInput) -> Claim:
    """Add one claimant's claim; a claimant who is not yet on the petition joins it as co-petitioner."""
    _require_work(user, petition_id)
    if claim.kind not in ClaimKind.values:
        raise DomainError(_("Unknown kind of claim."), code="kind")
    _amount(claim.amount)
    if claim.claimant.existing is None:
        claim.claimant = _person(claim.claimant, "claimant")
    petition = _lock_petition(petition_id)
    claimant = intake.petitioner_upsert(claim.claimant)
    created = _claim_create(petition=petition, user=user, claimant=claimant, claim=claim)
    joined = not PetitionParty.objects.filter(petition=petition, petitioner=claimant).exists()
    if joined:
        PetitionParty.objects.create(petition=petition, petitioner=claimant, role=PartyRole.CO_PETITIONER)
        people = PetitionParty.objects.filter(petition=petition).exclude(role=PartyRole.AGENT)
        count = people.values("petitioner_id").distinct().count()
        if count > petition.people_count:
            petition.people_count = count
            petition.save(update_fields=["people_count"])
    _event(
        petition,
        user,
        "claim_added",
        claim=created.pk,
        claimant_name=claimant.name,
        claim_kind=created.kind,
        amount=str(created.amount_claimed),
        joined=joined,
    )
    return created


def recovered_of(claim: Claim) -> Decimal:
    total = claim.payments.aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


@transaction.atomic
def claim_payment_record(
    *, user: User, claim_id: int, amount: Any, paid_on: dt.date, note: str = ""
) -> ClaimPayment:
    """Money recovered for a claim, as a new row. The total never exceeds the amount claimed."""
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    _require_work(user, claim.petition_id)
    value = _amount(amount)
    if paid_on is None:
        raise DomainError(_("Give the date the money was paid."), code="required")
    _not_future(paid_on)
    petition = _lock_petition(claim.petition_id)
    # The claim row lock makes two people recording at once add up, never overpay.
    claim = Claim.objects.select_for_update().select_related("claimant").get(pk=claim_id)
    recovered = recovered_of(claim)
    if recovered + value > claim.amount_claimed:
        raise DomainError(
            _("This would recover more than was claimed: at most %(left)s yuan remain of %(claimed)s.")
            % {"left": claim.amount_claimed - recovered, "claimed": claim.amount_claimed},
            code="over_claim",
        )
    payment = ClaimPayment.objects.create(
        claim=claim, amount=value, paid_on=paid_on, note=(note or "").strip()[:300], recorded_by=user
    )
    _event(
        petition,
        user,
        "claim_payment",
        claim=claim.pk,
        claimant_name=claim.claimant.name,
        amount=str(value),
        paid_on=paid_on.isoformat(),
        recovered=str(recovered + value),
        claimed=str(claim.amount_claimed),
    )
    return payment


@transaction.atomic
def claim_payments_record(
    *, user: User, petition_id: int, amounts: list[tuple[int, Any]], paid_on: dt.date, note: str = ""
) -> list[ClaimPayment]:
    """Money recovered on one day for several claims of a petition: all recorded, or none."""
    if not amounts:
        raise DomainError(_("Enter the amount recovered for at least one claim."), code="required")
    claims = {c.pk: c for c in Claim.objects.filter(petition_id=petition_id).select_related("claimant")}
    payments = []
    for claim_id, amount in amounts:
        claim = claims.get(claim_id)
        if claim is None:
            raise DomainError(_("A claim is not one of this petition's."), code="claim")
        try:
            payments.append(
                claim_payment_record(user=user, claim_id=claim_id, amount=amount, paid_on=paid_on, note=note)
            )
        except DomainError as exc:
            raise DomainError(f"{claim.claimant.name}: {exc}", code=exc.code) from None
    return payments


@transaction.atomic
def claim_payment_correct(*, user: User, payment_id: int, reason: str) -> ClaimPayment:
    """Reverse a payment recorded by mistake with a new row of the opposite amount."""
    payment = ClaimPayment.objects.filter(pk=payment_id).select_related("claim").first()
    if payment is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    _require_work(user, payment.claim.petition_id)
    reason = _text(reason, _("Say what was wrong with the payment."), limit=300)
    petition = _lock_petition(payment.claim.petition_id)
    claim = Claim.objects.select_for_update().select_related("claimant").get(pk=payment.claim_id)
    payment = ClaimPayment.objects.get(pk=payment_id)
    if payment.corrects_id is not None:
        raise DomainError(
            _("A correction cannot itself be corrected; record the payment again."), code="correction"
        )
    if ClaimPayment.objects.filter(corrects=payment).exists():
        raise DomainError(_("This payment has already been corrected."), code="corrected")
    correction = ClaimPayment.objects.create(
        claim=claim,
        amount=-payment.amount,
        paid_on=payment.paid_on,
        note=reason,
        corrects=payment,
        recorded_by=user,
    )
    _event(
        petition,
        user,
        "claim_payment_corrected",
        reason=reason,
        claim=claim.pk,
        claimant_name=claim.claimant.name,
        amount=str(correction.amount),
        paid_on=payment.paid_on.isoformat(),
        recovered=str(recovered_of(claim)),
        claimed=str(claim.amount_claimed),
    )
    return correction
