"""Social forces (社会力量), mediation referrals (访调对接) and consent campaigns.

Reads through the community selectors (scoped by ``scoping``; anything about a petition through
``visible_petitions``); every write is a service. Out of reach answers 404 like a missing record.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.community import documents, eligibility, selectors, services
from xinfang.community.models import Household, MediationParty, SocialForce, SocialForceLink
from xinfang.orgs.models import Unit
from xinfang.petitions.selectors import get_visible_petition

from . import community_schemas as s
from .errors import COMMON_ERRORS, WRITE_ERRORS

router = Router(tags=["community"])


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _area(user: User, unit_id: int) -> Unit:
    return scoping.require_unit(user, get_object_or_404(Unit, pk=unit_id))


# --- registry ------------------------------------------------------------------------------------


class ForceFilter(Schema):
    kind: str = ""
    q: str = ""


@router.get("/community/forces", response={200: list[s.ForceOut], **COMMON_ERRORS})
def list_forces(request: HttpRequest, filters: Query[ForceFilter]) -> list[s.ForceOut]:
    """Social forces of the caller's jurisdiction and of the areas above it."""
    qs = selectors.visible_forces(_actor(request)).order_by("area__path", "kind", "name")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q.strip():
        qs = qs.filter(name__icontains=filters.q.strip())
    return [s.force_out(force) for force in qs[:500]]


@router.post("/community/forces", response={201: s.ForceOut, **WRITE_ERRORS})
def create_force(request: HttpRequest, body: s.ForceIn) -> Any:
    user = _actor(request)
    force = services.social_force_register(
        user=user,
        kind=body.kind,
        name=body.name,
        area=_area(user, body.area_id),
        skills=body.skills,
        description=body.description,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
    )
    return Status(201, s.force_out(force))


@router.get("/community/forces/{force_id}", response={200: s.ForceOut, **COMMON_ERRORS})
def get_force(request: HttpRequest, force_id: int) -> s.ForceOut:
    return s.force_out(selectors.get_visible_force(_actor(request), force_id))


@router.post("/community/forces/{force_id}/members", response={201: s.ForceOut, **WRITE_ERRORS})
def add_member(request: HttpRequest, force_id: int, body: s.MemberIn) -> Any:
    user = _actor(request)
    selectors.get_visible_force(user, force_id)
    services.member_add(
        user=user,
        force_id=force_id,
        name=body.name,
        title=body.title,
        skills=body.skills,
        phone=body.phone,
        joined_on=body.joined_on,
    )
    return Status(201, s.force_out(selectors.get_visible_force(user, force_id)))


# --- a petition's social forces ------------------------------------------------------------------


@router.get("/community/petitions/{petition_id}/links", response={200: list[s.LinkOut], **COMMON_ERRORS})
def list_links(request: HttpRequest, petition_id: int) -> list[s.LinkOut]:
    petition = get_visible_petition(_actor(request), petition_id)
    return [s.link_out(link) for link in selectors.petition_links(petition)]


@router.post("/community/petitions/{petition_id}/links", response={201: s.LinkOut, **WRITE_ERRORS})
def create_link(request: HttpRequest, petition_id: int, body: s.LinkIn) -> Any:
    """A social force takes part in a petition, as co-handler or representative body (on the timeline)."""
    user = _actor(request)
    get_visible_petition(user, petition_id)
    get_object_or_404(SocialForce, pk=body.force_id)
    link = services.social_force_link(
        user=user, petition_id=petition_id, force_id=body.force_id, role=body.role, note=body.note
    )
    return Status(201, s.link_out(link))


@router.post("/community/links/{link_id}/end", response={200: s.LinkOut, **WRITE_ERRORS})
def end_link(request: HttpRequest, link_id: int, body: s.EndIn) -> s.LinkOut:
    user = _actor(request)
    link = get_object_or_404(SocialForceLink, pk=link_id)
    get_visible_petition(user, link.petition_id)
    services.social_force_unlink(user=user, link_id=link_id, reason=body.reason)
    return s.link_out(SocialForceLink.objects.select_related("force").get(pk=link_id))


# --- mediation -----------------------------------------------------------------------------------


@router.get(
    "/community/petitions/{petition_id}/eligibility", response={200: list[s.QuestionOut], **COMMON_ERRORS}
)
def get_checklist(request: HttpRequest, petition_id: int) -> list[s.QuestionOut]:
    """The eligibility questions that apply to a referral of this petition (built-in and local)."""
    petition = get_visible_petition(_actor(request), petition_id)
    return [
        s.QuestionOut(code=item.code, question=str(item.question), excludes_when_yes=item.excludes_when_yes)
        for item in eligibility.checklist_for(petition.current_unit)
    ]


@router.post("/community/petitions/{petition_id}/referrals", response={201: s.ReferralOut, **WRITE_ERRORS})
def create_referral(request: HttpRequest, petition_id: int, body: s.ReferralIn) -> Any:
    """Refer a 申诉求决 petition in handling to people's mediation; refused with the reasons if ineligible."""
    user = _actor(request)
    get_visible_petition(user, petition_id)
    referral = services.mediation_refer(
        user=user,
        petition_id=petition_id,
        answers=dict(body.answers),
        respondents=list(body.respondents),
        note=body.note,
        expected_version=body.expected_version,
    )
    return Status(201, s.referral_out(selectors.get_visible_referral(user, referral.pk)))


@router.get("/community/referrals", response={200: list[s.ReferralOut], **COMMON_ERRORS})
def list_referrals(request: HttpRequest, status: str = "") -> list[s.ReferralOut]:
    qs = selectors.visible_referrals(_actor(request)).order_by("-referred_at")
    if status:
        qs = qs.filter(status=status)
    return [s.referral_out(r) for r in qs[:200]]


@router.get("/community/referrals/figures", response={200: s.MediationFiguresOut, **COMMON_ERRORS})
def get_figures(request: HttpRequest) -> s.MediationFiguresOut:
    """Referrals, success rate (agreed ÷ agreed + failed), first contact on time, as the caller sees them."""
    return s.figures_out(selectors.mediation_figures(selectors.visible_referrals(_actor(request))))


@router.get("/community/referrals/{referral_id}", response={200: s.ReferralOut, **COMMON_ERRORS})
def get_referral(request: HttpRequest, referral_id: int) -> s.ReferralOut:
    return s.referral_out(selectors.get_visible_referral(_actor(request), referral_id))


def _after(user: User, referral_id: int) -> s.ReferralOut:
    return s.referral_out(selectors.get_visible_referral(user, referral_id))


@router.post("/community/referrals/{referral_id}/consents", response={200: s.ReferralOut, **WRITE_ERRORS})
def record_consent(request: HttpRequest, referral_id: int, body: s.ConsentIn) -> s.ReferralOut:
    """One party consents or refuses; with every consent mediation starts, a refusal ends it."""
    user = _actor(request)
    selectors.get_visible_referral(user, referral_id)
    party = get_object_or_404(MediationParty, pk=body.mediation_party_id, referral_id=referral_id)
    services.mediation_consent_record(
        user=user,
        party_id=party.pk,
        consents=body.consents,
        given_on=body.given_on,
        method=body.method,
        note=body.note,
    )
    return _after(user, referral_id)


@router.post("/community/referrals/{referral_id}/assign", response={200: s.ReferralOut, **WRITE_ERRORS})
def assign_mediator(request: HttpRequest, referral_id: int, body: s.MediatorAssignIn) -> s.ReferralOut:
    """Assign the mediator; the first contact falls due after the locality's limit (default 24 h)."""
    user = _actor(request)
    selectors.get_visible_referral(user, referral_id)
    services.mediation_assign(
        user=user, referral_id=referral_id, member_id=body.mediator_id, expected_version=body.expected_version
    )
    return _after(user, referral_id)


@router.post("/community/referrals/{referral_id}/contact", response={200: s.ReferralOut, **WRITE_ERRORS})
def record_contact(request: HttpRequest, referral_id: int, body: s.ContactIn) -> s.ReferralOut:
    user = _actor(request)
    selectors.get_visible_referral(user, referral_id)
    services.mediation_first_contact(
        user=user, referral_id=referral_id, contacted_at=body.contacted_at, method=body.method, note=body.note
    )
    return _after(user, referral_id)


@router.post("/community/referrals/{referral_id}/agree", response={200: s.ReferralOut, **WRITE_ERRORS})
def record_agreement(request: HttpRequest, referral_id: int, body: s.AgreementIn) -> s.ReferralOut:
    """调解协议书 signed: the petition is settled and its handling clock stops."""
    user = _actor(request)
    selectors.get_visible_referral(user, referral_id)
    services.mediation_agree(
        user=user,
        referral_id=referral_id,
        dispute=body.dispute,
        terms=body.terms,
        performance=body.performance,
        signed_on=body.signed_on,
        expected_version=body.expected_version,
    )
    return _after(user, referral_id)


@router.post("/community/referrals/{referral_id}/fail", response={200: s.ReferralOut, **WRITE_ERRORS})
def record_failure(request: HttpRequest, referral_id: int, body: s.FailIn) -> s.ReferralOut:
    """No agreement: back to handling (the handling clock kept running); before consent: withdrawn."""
    user = _actor(request)
    selectors.get_visible_referral(user, referral_id)
    services.mediation_fail(
        user=user, referral_id=referral_id, reason=body.reason, expected_version=body.expected_version
    )
    return _after(user, referral_id)


@router.get(
    "/community/referrals/{referral_id}/agreement/{fmt}",
    response={200: None, **COMMON_ERRORS},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The mediation agreement (PDF or DOCX)",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def download_agreement(request: HttpRequest, referral_id: int, fmt: str) -> HttpResponse:
    referral = selectors.get_visible_referral(_actor(request), referral_id)
    if fmt not in {"pdf", "docx"} or getattr(referral, "agreement", None) is None:
        raise Http404
    if fmt == "pdf":
        response = HttpResponse(documents.agreement_pdf(referral), content_type="application/pdf")
    else:
        response = HttpResponse(
            documents.agreement_docx(referral),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    response["Content-Disposition"] = f'attachment; filename="{referral.petition.number}-agreement.{fmt}"'
    return response


# --- campaigns -----------------------------------------------------------------------------------


@router.get("/community/campaigns", response={200: list[s.CampaignSummaryOut], **COMMON_ERRORS})
def list_campaigns(request: HttpRequest) -> list[s.CampaignSummaryOut]:
    return [
        s.campaign_summary(c)
        for c in selectors.visible_campaigns(_actor(request)).order_by("-starts_on")[:200]
    ]


@router.post("/community/campaigns", response={201: s.CampaignOut, **WRITE_ERRORS})
def create_campaign(request: HttpRequest, body: s.CampaignIn) -> Any:
    user = _actor(request)
    campaign = services.campaign_create(
        user=user,
        name=body.name,
        area=_area(user, body.area_id),
        goal=body.goal,
        social_force_id=body.social_force_id,
        starts_on=body.starts_on,
        threshold=body.threshold,
    )
    return Status(201, s.campaign_out(selectors.get_visible_campaign(user, campaign.pk)))


@router.get("/community/campaigns/{campaign_id}", response={200: s.CampaignOut, **COMMON_ERRORS})
def get_campaign(request: HttpRequest, campaign_id: int) -> s.CampaignOut:
    """The campaign with its consent rate over time, the date the threshold was reached, members' work."""
    return s.campaign_out(selectors.get_visible_campaign(_actor(request), campaign_id))


@router.post("/community/campaigns/{campaign_id}/households", response={201: s.CampaignOut, **WRITE_ERRORS})
def add_households(request: HttpRequest, campaign_id: int, body: s.HouseholdsIn) -> Any:
    """Households by address; only the surname of the head of household is kept (王**)."""
    user = _actor(request)
    selectors.get_visible_campaign(user, campaign_id)
    services.households_add(
        user=user, campaign_id=campaign_id, households=[(h.address, h.head_name) for h in body.households]
    )
    return Status(201, s.campaign_out(selectors.get_visible_campaign(user, campaign_id)))


@router.post("/community/households/{household_id}/consents", response={201: s.HouseholdOut, **WRITE_ERRORS})
def record_household_consent(request: HttpRequest, household_id: int, body: s.HouseholdConsentIn) -> Any:
    """A household's answer on a date, with the member of the social force who did the work."""
    user = _actor(request)
    household = get_object_or_404(Household, pk=household_id)
    selectors.get_visible_campaign(user, household.campaign_id)
    services.household_consent_record(
        user=user,
        household_id=household_id,
        status=body.status,
        on=body.on,
        worked_by_id=body.worked_by_id,
        note=body.note,
        expected_version=body.expected_version,
    )
    return Status(201, s.household_out(Household.objects.get(pk=household_id)))
