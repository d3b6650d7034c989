"""Schemas of the social forces, mediation and consent campaign API. Phones leave masked only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from xinfang.community import eligibility, selectors
from xinfang.community.models import (
    ConsentCampaign,
    ConsentMethod,
    ConsentStatus,
    ForceKind,
    Household,
    LinkRole,
    MediationReferral,
    SocialForce,
    SocialForceLink,
    SocialForceMember,
)
from xinfang.core.phone import mask_phone

from .petition_schemas import Day, Id, Line, Moment, Name, Short, Text, VersionIn

Long = Annotated[Text, Field(max_length=4000)]
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]


# --- registry ------------------------------------------------------------------------------------


class ForceIn(Schema):
    kind: ForceKind
    name: Name
    area_id: Id
    skills: Short = ""
    description: Long = ""
    contact_name: Annotated[Text, Field(max_length=60)] = ""
    contact_phone: Annotated[Text, Field(max_length=40)] = ""


class MemberIn(Schema):
    name: Annotated[Text, Field(max_length=60)]
    title: Annotated[Text, Field(max_length=60)] = ""
    skills: Line = ""
    phone: Annotated[Text, Field(max_length=40)] = ""
    joined_on: Day | None = None


class MemberOut(Schema):
    id: int
    name: str
    title: str
    skills: str
    phone_masked: str
    joined_on: dt.date
    left_on: dt.date | None


def member_out(member: SocialForceMember) -> MemberOut:
    return MemberOut(
        id=member.pk,
        name=member.name,
        title=member.title,
        skills=member.skills,
        phone_masked=mask_phone(member.phone),
        joined_on=member.joined_on,
        left_on=member.left_on,
    )


class ForceOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    area_id: int
    area_name: str
    skills: str
    contact_name: str
    contact_phone_masked: str
    is_active: bool
    members: list[MemberOut]
    version: int


def force_out(force: SocialForce) -> ForceOut:
    return ForceOut(
        id=force.pk,
        kind=force.kind,
        kind_label=str(force.get_kind_display()),
        name=force.name,
        area_id=force.area_id,
        area_name=force.area.name,
        skills=force.skills,
        contact_name=force.contact_name,
        contact_phone_masked=mask_phone(force.contact_phone),
        is_active=force.is_active,
        members=[member_out(m) for m in force.members.order_by("pk")],
        version=force.version,
    )


class LinkIn(Schema):
    force_id: Id
    role: LinkRole
    note: Short = ""


class EndIn(Schema):
    reason: Short = ""


class LinkOut(Schema):
    id: int
    petition_id: int
    force_id: int
    force_name: str
    role: str
    role_label: str
    note: str
    linked_at: dt.datetime
    ended_at: dt.datetime | None


def link_out(link: SocialForceLink) -> LinkOut:
    return LinkOut(
        id=link.pk,
        petition_id=link.petition_id,
        force_id=link.force_id,
        force_name=link.force.name,
        role=link.role,
        role_label=str(link.get_role_display()),
        note=link.note,
        linked_at=link.linked_at,
        ended_at=link.ended_at,
    )


# --- mediation -----------------------------------------------------------------------------------


class QuestionOut(Schema):
    code: str
    question: str
    excludes_when_yes: bool


class ReferralIn(VersionIn):
    answers: dict[Annotated[str, Field(max_length=40)], bool] = Field(
        description="One yes/no answer per question code of the checklist (GET …/eligibility)."
    )
    respondents: Annotated[list[Name], Field(min_length=1, max_length=20)]
    note: Long = ""


class ConsentIn(Schema):
    mediation_party_id: Id
    consents: bool
    given_on: Day
    method: ConsentMethod
    note: Short = ""


class MediatorAssignIn(VersionIn):
    mediator_id: Id


class ContactIn(Schema):
    contacted_at: Moment
    method: ConsentMethod
    note: Short = ""


class AgreementIn(VersionIn):
    dispute: Long
    terms: Long
    performance: Annotated[Text, Field(max_length=2000)]
    signed_on: Day


class FailIn(VersionIn):
    reason: Annotated[Text, Field(max_length=2000)]


class ConsentOut(Schema):
    consents: bool
    given_on: dt.date
    method: str
    recorded_by: str


class MediationPartyOut(Schema):
    id: int
    side: str
    name: str
    consents: list[ConsentOut]


class ReferralOut(Schema):
    id: int
    petition_id: int
    petition_number: str
    petition_state: str
    status: str
    status_label: str
    checklist: list[dict[str, Any]]
    parties: list[MediationPartyOut]
    mediator: str | None
    mediator_force: str | None
    assigned_at: dt.datetime | None
    first_contact_due_at: dt.datetime | None
    first_contact_at: dt.datetime | None
    contact_overdue: bool
    contact_on_time: bool | None
    agreement_number: str | None
    agreement_documents: list[str]
    outcome_reason: str
    version: int


def referral_out(referral: MediationReferral) -> ReferralOut:
    agreement = getattr(referral, "agreement", None)
    base = f"/api/v1/community/referrals/{referral.pk}/agreement"
    parties = [
        MediationPartyOut(
            id=row["party"].pk,
            side=row["party"].side,
            name=row["party"].name,
            consents=[
                ConsentOut(
                    consents=c.consents,
                    given_on=c.given_on,
                    method=c.method,
                    recorded_by=c.recorded_by.display_name(),
                )
                for c in row["history"]
            ],
        )
        for row in selectors.parties_with_consent(referral)
    ]
    return ReferralOut(
        id=referral.pk,
        petition_id=referral.petition_id,
        petition_number=referral.petition.number,
        petition_state=referral.petition.state,
        status=referral.status,
        status_label=str(referral.get_status_display()),
        checklist=eligibility.answered(referral.checklist),
        parties=parties,
        mediator=referral.mediator.name if referral.mediator else None,
        mediator_force=referral.mediator.force.name if referral.mediator else None,
        assigned_at=referral.assigned_at,
        first_contact_due_at=referral.first_contact_due_at,
        first_contact_at=referral.first_contact_at,
        contact_overdue=referral.contact_overdue(),
        contact_on_time=referral.contact_on_time(),
        agreement_number=agreement.number if agreement else None,
        agreement_documents=[f"{base}/pdf", f"{base}/docx"] if agreement else [],
        outcome_reason=referral.outcome_reason,
        version=referral.version,
    )


class MediationFiguresOut(Schema):
    referrals: int
    open: int
    agreed: int
    failed: int
    withdrawn: int
    success_rate: str
    contact_on_time: int
    contact_decided: int
    contact_rate: str
    contact_overdue_open: int


def figures_out(figures: selectors.MediationFigures) -> MediationFiguresOut:
    return MediationFiguresOut(
        referrals=figures.referrals,
        open=figures.open,
        agreed=figures.agreed,
        failed=figures.failed,
        withdrawn=figures.withdrawn,
        success_rate=figures.success_rate,
        contact_on_time=figures.contact_on_time,
        contact_decided=figures.contact_decided,
        contact_rate=figures.contact_rate,
        contact_overdue_open=figures.contact_overdue_open,
    )


# --- campaigns -----------------------------------------------------------------------------------


class CampaignIn(Schema):
    name: Annotated[Text, Field(max_length=120)]
    area_id: Id
    goal: Long
    social_force_id: Id
    starts_on: Day
    threshold: Percent = Decimal("95")


class HouseholdLineIn(Schema):
    address: Annotated[Text, Field(max_length=100)]
    head_name: Annotated[Text, Field(max_length=20)] = ""


class HouseholdsIn(Schema):
    households: Annotated[list[HouseholdLineIn], Field(min_length=1, max_length=2000)]


class HouseholdConsentIn(VersionIn):
    status: ConsentStatus
    on: Day
    worked_by_id: Id | None = None
    note: Short = ""


class HouseholdOut(Schema):
    id: int
    address: str
    head_name: str
    status: str
    status_label: str
    status_on: dt.date | None
    version: int


def household_out(household: Household) -> HouseholdOut:
    return HouseholdOut(
        id=household.pk,
        address=household.address_label,
        head_name=household.head_name,
        status=household.status,
        status_label=str(household.get_status_display()),
        status_on=household.status_on,
        version=household.version,
    )


class PointOut(Schema):
    day: dt.date
    consented: int
    households: int
    rate: str


class WorkOut(Schema):
    member_id: int
    member: str
    visits: int
    consents: int


class CampaignOut(Schema):
    id: int
    name: str
    area_id: int
    area_name: str
    goal: str
    threshold: str
    social_force_id: int
    social_force: str
    starts_on: dt.date
    rate: str
    threshold_reached_on: dt.date | None
    series: list[PointOut]
    work: list[WorkOut]
    households: list[HouseholdOut]


def campaign_out(campaign: ConsentCampaign) -> CampaignOut:
    series = selectors.consent_series(campaign)
    return CampaignOut(
        id=campaign.pk,
        name=campaign.name,
        area_id=campaign.area_id,
        area_name=campaign.area.name,
        goal=campaign.goal,
        threshold=f"{campaign.threshold:.2f}",
        social_force_id=campaign.social_force_id,
        social_force=campaign.social_force.name,
        starts_on=campaign.starts_on,
        rate=str(series[-1].rate),
        threshold_reached_on=selectors.threshold_reached_on(campaign, series),
        series=[
            PointOut(day=p.day, consented=p.consented, households=p.households, rate=str(p.rate))
            for p in series
        ],
        work=[
            WorkOut(
                member_id=row["member"].pk,
                member=row["member"].name,
                visits=row["visits"],
                consents=row["consents"],
            )
            for row in selectors.member_work(campaign)
        ],
        households=[household_out(h) for h in campaign.households.order_by("address_label")],
    )


class CampaignSummaryOut(Schema):
    id: int
    name: str
    area_name: str
    rate: str
    threshold: str
    threshold_reached_on: dt.date | None


def campaign_summary(campaign: ConsentCampaign) -> CampaignSummaryOut:
    series = selectors.consent_series(campaign)
    return CampaignSummaryOut(
        id=campaign.pk,
        name=campaign.name,
        area_name=campaign.area.name,
        rate=str(series[-1].rate),
        threshold=f"{campaign.threshold:.2f}",
        threshold_reached_on=selectors.threshold_reached_on(campaign, series),
    )
