"""Schemas of the agency API and the functions that fill them. Personal data leaves masked only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from xinfang.agency import selectors
from xinfang.agency.models import (
    AgencyMandate,
    Agent,
    AgentKind,
    AgentTask,
    Claim,
    ClaimKind,
    ClaimPayment,
    TaskKind,
)
from xinfang.core.idnumber import mask_id_number
from xinfang.core.phone import mask_phone

from .petition_schemas import Day, Id, Line, Name, Short, Text, VersionIn

Amount = Annotated[Decimal, Field(gt=0, le=10_000_000, max_digits=12, decimal_places=2)]
Reason = Annotated[Text, Field(max_length=2000)]


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')):.2f}"


# --- agents and mandates -------------------------------------------------------------------------


class AgencyPersonIn(Schema):
    name: Name
    id_number: Annotated[Text, Field(max_length=30)] = ""
    phone: Annotated[Text, Field(max_length=40)] = ""


class AgentIn(Schema):
    unit_id: Id
    kind: AgentKind
    person: AgencyPersonIn
    certificate_number: Annotated[Text, Field(max_length=40)]
    certified_on: Day
    certified_by: Name
    login_id: Id | None = None


class AgentOut(Schema):
    id: int
    name: str
    phone_masked: str
    unit_id: int
    unit_name: str
    kind: str
    kind_label: str
    certificate_number: str
    certified_on: dt.date
    certified_by: str
    status: str
    status_label: str
    login: str | None
    version: int


def agent_out(agent: Agent) -> AgentOut:
    return AgentOut(
        id=agent.pk,
        name=agent.person.name,
        phone_masked=mask_phone(agent.person.phone),
        unit_id=agent.unit_id,
        unit_name=agent.unit.name,
        kind=agent.kind,
        kind_label=str(agent.get_kind_display()),
        certificate_number=agent.certificate_number,
        certified_on=agent.certified_on,
        certified_by=agent.certified_by,
        status=agent.status,
        status_label=str(agent.get_status_display()),
        login=agent.user.username if agent.user is not None else None,
        version=agent.version,
    )


class AgentPage(Schema):
    count: int
    items: list[AgentOut]


class StatusIn(VersionIn):
    reason: Reason


class MandateIn(Schema):
    principal_name: Name
    principal_id_number: Annotated[Text, Field(max_length=30)] = ""
    principal_phone: Annotated[Text, Field(max_length=40)] = ""
    scope: Reason
    starts_on: Day
    ends_on: Day
    covers_appeals: bool = False


class MandateOut(Schema):
    id: int
    agent_id: int
    agent_name: str
    principal_name: str
    principal_id_number_masked: str
    scope: str
    covers_appeals: bool
    starts_on: dt.date
    ends_on: dt.date
    state: str
    form_name: str
    form_sha256: str
    revoked_on: dt.date | None
    revocation_note: str
    version: int


def mandate_out(mandate: AgencyMandate, today: dt.date) -> MandateOut:
    return MandateOut(
        id=mandate.pk,
        agent_id=mandate.agent_id,
        agent_name=mandate.agent.person.name,
        principal_name=mandate.principal.name,
        principal_id_number_masked=mask_id_number(mandate.principal.id_number),
        scope=mandate.scope,
        covers_appeals=mandate.covers_appeals,
        starts_on=mandate.starts_on,
        ends_on=mandate.ends_on,
        state=selectors.mandate_state(mandate, today),
        form_name=mandate.form_name,
        form_sha256=mandate.form_sha256,
        revoked_on=mandate.revoked_on,
        revocation_note=mandate.revocation_note,
        version=mandate.version,
    )


class RevokeIn(VersionIn):
    revoked_on: Day
    note: Reason = ""


# --- filings, tasks, claims ----------------------------------------------------------------------


class ClaimLineIn(Schema):
    name: Name
    id_number: Annotated[Text, Field(max_length=30)] = ""
    amount: Amount
    kind: ClaimKind = ClaimKind.UNPAID_WAGES
    debtor: Line = ""


class FilingIn(Schema):
    mandate_ids: Annotated[list[Id], Field(min_length=1, max_length=200)]
    subject: Line
    request: Annotated[Text, Field(max_length=5000)]
    facts: Annotated[Text, Field(max_length=10000)] = ""
    place_id: Id
    category_id: Id | None = None
    claims: Annotated[list[ClaimLineIn], Field(max_length=500)] = []


class FilingOut(Schema):
    petition_id: int
    number: str
    query_code: str
    claims: int


class TaskIn(Schema):
    kind: TaskKind
    due_on: Day
    department_id: Id | None = None
    note: Reason = ""


class TaskDoneIn(VersionIn):
    outcome: Reason
    department_id: Id | None = None


class AgentTaskOut(Schema):
    id: int
    petition_id: int
    kind: str
    kind_label: str
    due_on: dt.date
    department: str
    note: str
    done_at: dt.datetime | None
    outcome: str
    overdue: bool
    version: int


def task_out(task: AgentTask, today: dt.date) -> AgentTaskOut:
    return AgentTaskOut(
        id=task.pk,
        petition_id=task.petition_id,
        kind=task.kind,
        kind_label=str(task.get_kind_display()),
        due_on=task.due_on,
        department=task.department.name if task.department is not None else "",
        note=task.note,
        done_at=task.done_at,
        outcome=task.outcome,
        overdue=task.is_overdue(today),
        version=task.version,
    )


class ClaimIn(Schema):
    claimant: AgencyPersonIn
    amount: Amount
    kind: ClaimKind = ClaimKind.UNPAID_WAGES
    debtor: Line = ""


class PaymentIn(Schema):
    amount: Amount
    paid_on: Day
    note: Short = ""


class PaymentCorrectionIn(Schema):
    reason: Short


class PaymentOut(Schema):
    id: int
    claim_id: int
    amount: str
    paid_on: dt.date
    note: str
    corrects_id: int | None


def payment_out(payment: ClaimPayment) -> PaymentOut:
    return PaymentOut(
        id=payment.pk,
        claim_id=payment.claim_id,
        amount=money(payment.amount),
        paid_on=payment.paid_on,
        note=payment.note,
        corrects_id=payment.corrects_id,
    )


class ClaimOut(Schema):
    id: int
    petition_id: int
    claimant: str
    kind: str
    kind_label: str
    amount_claimed: str
    recovered: str
    paid_status: str
    debtor: str
    payments: list[PaymentOut]


def claim_out(claim: Claim) -> ClaimOut:
    recovered = getattr(claim, "recovered", None)
    if recovered is None:
        from xinfang.agency.services import recovered_of

        recovered = recovered_of(claim)
    return ClaimOut(
        id=claim.pk,
        petition_id=claim.petition_id,
        claimant=claim.claimant.name,
        kind=claim.kind,
        kind_label=str(claim.get_kind_display()),
        amount_claimed=money(claim.amount_claimed),
        recovered=money(recovered),
        paid_status=selectors.paid_status(claim.amount_claimed, recovered).value,
        debtor=claim.debtor,
        payments=[payment_out(p) for p in claim.payments.order_by("paid_on", "pk")],
    )


# --- ledger and totals ---------------------------------------------------------------------------


class TotalsOut(Schema):
    claims: int
    claimants: int
    claimed: str
    recovered: str
    outstanding: str
    paid_in_full: int


def totals_out(totals: selectors.Totals) -> TotalsOut:
    return TotalsOut(
        claims=totals.claims,
        claimants=totals.claimant_count,
        claimed=money(totals.claimed),
        recovered=money(totals.recovered),
        outstanding=money(totals.outstanding),
        paid_in_full=totals.paid,
    )


class RecoveryGroupOut(Schema):
    id: int | None
    label: str
    totals: TotalsOut


def groups_out(rows: list[selectors.Row]) -> list[RecoveryGroupOut]:
    return [
        RecoveryGroupOut(id=getattr(r.obj, "pk", None), label=r.label, totals=totals_out(r.totals))
        for r in rows
    ]


class MatterOut(Schema):
    petition_id: int
    number: str
    subject: str
    state: str
    state_label: str
    totals: TotalsOut | None


class LedgerOut(Schema):
    unit_id: int
    unit_name: str
    totals: TotalsOut
    matters: list[MatterOut]
    claims: list[ClaimOut]
    mandates: list[MandateOut]
    by_claimant: list[RecoveryGroupOut]


class OverviewOut(Schema):
    totals: TotalsOut
    by_village: list[RecoveryGroupOut]
    by_agent: list[RecoveryGroupOut]


class CaseloadOut(Schema):
    agent: AgentOut
    mandates_in_force: list[MandateOut]
    open_tasks: list[AgentTaskOut]
    matters: list[MatterOut]
    totals: TotalsOut


def matter_out(petition: Any, totals: selectors.Totals | None) -> MatterOut:
    return MatterOut(
        petition_id=petition.pk,
        number=petition.number,
        subject=petition.subject,
        state=petition.state,
        state_label=str(petition.get_state_display()),
        totals=totals_out(totals) if totals else None,
    )
