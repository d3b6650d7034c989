"""Writes of social forces, mediation referrals and consent campaigns. One transaction each, locks where
two people may act at once, a translated ``DomainError`` that changes nothing for bad input, and a
timeline row on the petition for everything that concerns one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import Role, User
from xinfang.core.deadlines import due_datetime
from xinfang.core.errors import DomainError, check_version
from xinfang.core.models import Limit
from xinfang.core.phone import validate_phone
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import ancestor_paths
from xinfang.petitions import services as petition_services
from xinfang.petitions.lifecycle import HANDLERS, PETITION_DEPT
from xinfang.petitions.models import Petition, PetitionParty, Reminder
from xinfang.petitions.selectors import get_visible_petition
from xinfang.petitions.services import event_append
from xinfang.petitions.states import PartyRole, PetitionType, State

from . import eligibility
from .models import (
    MEDIATING_KINDS,
    ConsentCampaign,
    ConsentMethod,
    ConsentStatus,
    ForceKind,
    Household,
    HouseholdConsent,
    LinkRole,
    MediationAgreement,
    MediationConsent,
    MediationParty,
    MediationReferral,
    PartySide,
    ReferralStatus,
    SocialForce,
    SocialForceLink,
    SocialForceMember,
)

# Who keeps the registry and runs campaigns: petition staff and the village/community cadres who know
# the local organisations.
REGISTRY_ROLES = frozenset({Role.VILLAGE_CADRE, Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN})
PETITION_WORK = HANDLERS | PETITION_DEPT


# --- shared --------------------------------------------------------------------------------------


def _text(value: str, message: str, *, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required")
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, code="too_long")
    return value


def _not_future(day: dt.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), code="future")


def _phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    from django.core.exceptions import ValidationError

    try:
        return validate_phone(value)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="phone") from None


def _require_registry(user: User, area: Unit) -> None:
    if area is None or not scoping.can_act_in(user, area, *REGISTRY_ROLES):
        raise DomainError(
            _("Only petition staff or cadres whose jurisdiction covers the area may do this."),
            code="role_not_allowed",
        )


def _seat_unit(user: User, petition: Petition, roles: frozenset[str], *, registering: bool = True) -> Unit:
    """The user's seat acting on the petition: at its current unit (or, with ``registering``, where it
    was registered)."""
    units = [petition.current_unit, petition.registering_unit] if registering else [petition.current_unit]
    membership = petition_services.acting_membership(user, units, roles)
    if membership is None:
        if scoping.sees_everything(user):
            return petition.current_unit
        raise DomainError(_("Your role does not allow this on the petition."), code="role_not_allowed")
    return membership.unit


def _event(
    petition: Petition, user: User, unit: Unit | None, action: str, reason: str = "", **payload: Any
) -> None:
    """A timeline row that changes no state; the caller holds the petition lock."""
    petition.version += 1
    petition.save(update_fields=["version", "updated_at"])
    event_append(
        petition=petition,
        action=action,
        actor=user,
        actor_unit=unit,
        from_state=petition.state,
        to_state=petition.state,
        reason=reason,
        payload=payload,
    )


def _lock_petition(user: User, petition_id: int) -> Petition:
    get_visible_petition(user, petition_id)
    return Petition.objects.select_for_update().get(pk=petition_id)


def force_serves(force: SocialForce, unit: Unit) -> bool:
    """A force serves its area and everything in it."""
    return unit.path.startswith(force.area.path)


def serving_q(unit: Unit) -> Q:
    """Social forces serving ``unit``: those of its area or of an area above it."""
    return Q(area__path__in=[*ancestor_paths(unit.path), unit.path])


# --- registry ------------------------------------------------------------------------------------


@transaction.atomic
def social_force_register(
    *,
    user: User,
    kind: str,
    name: str,
    area: Unit,
    skills: str = "",
    description: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> SocialForce:
    _require_registry(user, area)
    if kind not in ForceKind.values:
        raise DomainError(_("Choose the type of social force."), code="kind")
    name = _text(name, _("Give the name."), limit=100)
    if SocialForce.objects.filter(area=area, kind=kind, name=name).exists():
        raise DomainError(_("This area already has a social force of this type and name."), code="duplicate")
    return SocialForce.objects.create(
        kind=kind,
        name=name,
        area=area,
        skills=(skills or "").strip()[:300],
        description=(description or "").strip()[:4000],
        contact_name=(contact_name or "").strip()[:60],
        contact_phone=_phone(contact_phone),
        created_by=user,
    )


@transaction.atomic
def social_force_set_active(
    *, user: User, force_id: int, active: bool, expected_version: int | None = None
) -> SocialForce:
    force = SocialForce.objects.select_for_update().select_related("area").get(pk=force_id)
    _require_registry(user, force.area)
    check_version(force, expected_version)
    if force.is_active == active:
        raise DomainError(_("Nothing to change."), code="unchanged")
    force.is_active = active
    force.version += 1
    force.save(update_fields=["is_active", "version"])
    return force


@transaction.atomic
def member_add(
    *,
    user: User,
    force_id: int,
    name: str,
    title: str = "",
    skills: str = "",
    phone: str = "",
    joined_on: dt.date | None = None,
) -> SocialForceMember:
    force = SocialForce.objects.select_for_update().select_related("area").get(pk=force_id)
    _require_registry(user, force.area)
    _not_future(joined_on)
    return SocialForceMember.objects.create(
        force=force,
        name=_text(name, _("Give the member's name."), limit=60),
        title=(title or "").strip()[:60],
        skills=(skills or "").strip()[:200],
        phone=_phone(phone),
        joined_on=joined_on or timezone.localdate(),
    )


@transaction.atomic
def member_leave(*, user: User, member_id: int, left_on: dt.date) -> SocialForceMember:
    member = SocialForceMember.objects.select_for_update().select_related("force__area").get(pk=member_id)
    _require_registry(user, member.force.area)
    if member.left_on is not None:
        raise DomainError(_("This member has already left."), code="left")
    _not_future(left_on)
    if left_on < member.joined_on:
        raise DomainError(_("A member cannot leave before joining."), code="left_on")
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    return member


# --- social forces on petitions ------------------------------------------------------------------


@transaction.atomic
def social_force_link(
    *, user: User, petition_id: int, force_id: int, role: str, note: str = ""
) -> SocialForceLink:
    """A social force joins the work on a petition as co-handler or as the people's representative body."""
    if role not in LinkRole.values:
        raise DomainError(_("Choose how the social force takes part."), code="role")
    petition = _lock_petition(user, petition_id)
    unit = _seat_unit(user, petition, PETITION_WORK)
    force = SocialForce.objects.select_related("area").filter(pk=force_id).first()
    if force is None or not force.is_active:
        raise DomainError(_("Choose an active social force."), code="force")
    if not (force_serves(force, petition.place) or scoping.can_see_unit(user, force.area)):
        raise DomainError(_("This social force does not serve the place of the problem."), code="force_area")
    if SocialForceLink.objects.filter(
        petition=petition, force=force, role=role, ended_at__isnull=True
    ).exists():
        raise DomainError(_("This social force already takes part in this way."), code="duplicate")
    link = SocialForceLink.objects.create(
        petition=petition, force=force, role=role, note=(note or "").strip()[:300], linked_by=user
    )
    _event(
        petition,
        user,
        unit,
        "social_force_linked",
        reason=link.note,
        force=force.pk,
        force_name=force.name,
        link_role=role,
    )
    return link


@transaction.atomic
def social_force_unlink(*, user: User, link_id: int, reason: str = "") -> SocialForceLink:
    link = SocialForceLink.objects.select_related("force").filter(pk=link_id).first()
    if link is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    petition = _lock_petition(user, link.petition_id)
    unit = _seat_unit(user, petition, PETITION_WORK)
    link = SocialForceLink.objects.select_for_update().get(pk=link_id)
    if link.ended_at is not None:
        raise DomainError(_("This social force no longer takes part."), code="ended")
    link.ended_at = timezone.now()
    link.ended_by = user
    link.save(update_fields=["ended_at", "ended_by"])
    _event(
        petition,
        user,
        unit,
        "social_force_unlinked",
        reason=(reason or "").strip()[:300],
        force=link.force_id,
        force_name=link.force.name,
        link_role=link.role,
    )
    return link


# --- mediation referral --------------------------------------------------------------------------


def _referral_for_update(user: User, referral_id: int) -> tuple[MediationReferral, Petition, Unit]:
    referral = MediationReferral.objects.filter(pk=referral_id).first()
    if referral is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    petition = _lock_petition(user, referral.petition_id)
    unit = _seat_unit(user, petition, HANDLERS, registering=False)
    referral = MediationReferral.objects.select_for_update().get(pk=referral_id)
    return referral, petition, unit


def _require_open(referral: MediationReferral, *statuses: str) -> None:
    allowed = statuses or tuple(
        s.value for s in (ReferralStatus.PENDING_CONSENT, ReferralStatus.IN_MEDIATION)
    )
    if referral.status not in allowed:
        raise DomainError(
            _("Not possible while the referral is “%(status)s”.") % {"status": referral.get_status_display()},
            code="referral_state",
        )


@transaction.atomic
def mediation_refer(
    *,
    user: User,
    petition_id: int,
    answers: dict[str, bool],
    respondents: list[str],
    note: str = "",
    expected_version: int | None = None,
) -> MediationReferral:
    """访调对接: refer a 申诉求决 matter in handling to people's mediation, if the checklist allows it.

    An ineligible matter is refused with every reason that excludes it, and nothing is recorded.
    """
    petition = _lock_petition(user, petition_id)
    check_version(petition, expected_version)
    unit = _seat_unit(user, petition, HANDLERS, registering=False)
    if petition.petition_type != PetitionType.GRIEVANCE or petition.state != State.IN_HANDLING:
        raise DomainError(
            _("Only a grievance or request (申诉求决) under investigation can be referred to mediation."),
            code="not_allowed_in_state",
        )
    if MediationReferral.objects.filter(
        petition=petition, status__in=["pending_consent", "in_mediation"]
    ).exists():
        raise DomainError(_("This petition is already referred to mediation."), code="duplicate")
    rows, reasons = eligibility.assess(eligibility.checklist_for(petition.current_unit), answers)
    if reasons:
        raise DomainError(
            _("This matter cannot go to mediation: %(reasons)s") % {"reasons": " ".join(reasons)},
            code="not_eligible",
        )
    others = [name.strip()[:100] for name in respondents if name and name.strip()]
    if not others:
        raise DomainError(_("Name the other side of the dispute."), code="respondents")
    referral = MediationReferral.objects.create(
        petition=petition, unit=unit, checklist=rows, note=(note or "").strip()[:2000], referred_by=user
    )
    seen: set[int] = set()
    for party in (
        PetitionParty.objects.filter(
            petition=petition, role__in=[PartyRole.PRINCIPAL, PartyRole.CO_PETITIONER]
        )
        .select_related("petitioner")
        .order_by("pk")
    ):
        if party.petitioner_id not in seen:
            seen.add(party.petitioner_id)
            MediationParty.objects.create(
                referral=referral,
                side=PartySide.APPLICANT,
                name=party.petitioner.name,
                petitioner=party.petitioner,
            )
    for name in others:
        MediationParty.objects.create(referral=referral, side=PartySide.RESPONDENT, name=name)
    _event(
        petition,
        user,
        unit,
        "mediation_referred",
        reason=referral.note,
        referral=referral.pk,
        respondents=others,
    )
    return referral


def _latest_consents(referral: MediationReferral) -> dict[int, bool | None]:
    latest: dict[int, bool | None] = {party.pk: None for party in referral.parties.all()}
    for consent in MediationConsent.objects.filter(party__referral=referral).order_by("recorded_at", "pk"):
        latest[consent.party_id] = consent.consents
    return latest


@transaction.atomic
def mediation_consent_record(
    *,
    user: User,
    party_id: int,
    consents: bool,
    given_on: dt.date,
    method: str,
    note: str = "",
) -> MediationConsent:
    """One party's consent or refusal. With everyone's consent mediation starts; a refusal before it
    starts withdraws the referral, during it ends mediation and handling resumes."""
    party = MediationParty.objects.filter(pk=party_id).first()
    if party is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    referral, petition, unit = _referral_for_update(user, party.referral_id)
    _require_open(referral)
    if method not in ConsentMethod.values:
        raise DomainError(_("Say how the consent was given."), code="method")
    if given_on is None:
        raise DomainError(_("Give the date."), code="required")
    _not_future(given_on)
    if given_on < timezone.localdate(referral.referred_at):
        raise DomainError(_("Consent cannot be dated before the referral."), code="given_on")
    consent = MediationConsent.objects.create(
        party=party,
        consents=consents,
        given_on=given_on,
        method=method,
        note=(note or "").strip()[:300],
        recorded_by=user,
    )
    _event(
        petition,
        user,
        unit,
        "mediation_consent",
        reason=consent.note,
        referral=referral.pk,
        party_name=party.name,
        consents=consents,
        given_on=given_on.isoformat(),
        consent_method=method,
    )
    if not consents:
        reason = _("%(name)s refuses mediation.") % {"name": party.name}
        if referral.status == ReferralStatus.IN_MEDIATION:
            petition_services.petition_end_mediation(petition_id=petition.pk, user=user, reason=reason)
            referral.status = ReferralStatus.FAILED
        else:
            referral.status = ReferralStatus.WITHDRAWN
        referral.outcome_at = timezone.now()
        referral.outcome_reason = reason
    elif referral.status == ReferralStatus.PENDING_CONSENT and all(_latest_consents(referral).values()):
        petition_services.petition_start_mediation(
            petition_id=petition.pk, user=user, note=_("Every party consents to people's mediation.")
        )
        referral.status = ReferralStatus.IN_MEDIATION
    referral.version += 1
    referral.save()
    return consent


def mediator_choices(referral: MediationReferral) -> Any:
    """Active members of active mediation committees and mediators serving the place of the problem."""
    forces = SocialForce.objects.filter(
        serving_q(referral.petition.place), kind__in=MEDIATING_KINDS, is_active=True
    )
    return SocialForceMember.objects.filter(force__in=forces, left_on__isnull=True).select_related("force")


@transaction.atomic
def mediation_assign(
    *, user: User, referral_id: int, member_id: int, expected_version: int | None = None
) -> MediationReferral:
    """Assign the mediator; the first contact is due within the locality's limit (default 24 hours)."""
    referral, petition, unit = _referral_for_update(user, referral_id)
    check_version(referral, expected_version)
    _require_open(referral)
    member = mediator_choices(referral).filter(pk=member_id).first()
    if member is None:
        raise DomainError(
            _("Choose a mediator of a mediation committee serving the place of the problem."), code="mediator"
        )
    if referral.first_contact_at is not None:
        raise DomainError(_("The mediator has already contacted the parties."), code="contacted")
    now = timezone.now()
    referral.mediator = member
    referral.assigned_at = now
    referral.first_contact_due_at = due_datetime(Limit.MEDIATION_FIRST_CONTACT, start=now, unit=referral.unit)
    referral.contact_reminded_at = None
    referral.version += 1
    referral.save()
    _event(
        petition,
        user,
        unit,
        "mediator_assigned",
        referral=referral.pk,
        mediator_name=member.name,
        force_name=member.force.name,
        due_at=timezone.localtime(referral.first_contact_due_at).isoformat(),
    )
    return referral


@transaction.atomic
def mediation_first_contact(
    *, user: User, referral_id: int, contacted_at: dt.datetime, method: str, note: str = ""
) -> MediationReferral:
    referral, petition, unit = _referral_for_update(user, referral_id)
    _require_open(referral)
    if referral.mediator_id is None or referral.assigned_at is None:
        raise DomainError(_("Assign the mediator first."), code="no_mediator")
    if referral.first_contact_at is not None:
        raise DomainError(_("The first contact is already recorded."), code="contacted")
    if method not in ConsentMethod.values:
        raise DomainError(_("Say how the parties were contacted."), code="method")
    if contacted_at is None or timezone.is_naive(contacted_at):
        raise DomainError(_("Give the date and time of the contact."), code="required")
    if contacted_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("The time cannot be in the future."), code="future")
    if contacted_at < referral.assigned_at - dt.timedelta(minutes=1):
        raise DomainError(_("The contact cannot come before the mediator was assigned."), code="before")
    referral.first_contact_at = contacted_at
    referral.first_contact_method = method
    referral.version += 1
    referral.save()
    on_time = bool(referral.first_contact_due_at and contacted_at <= referral.first_contact_due_at)
    _event(
        petition,
        user,
        unit,
        "mediation_contact",
        reason=(note or "").strip()[:300],
        referral=referral.pk,
        contacted_at=timezone.localtime(contacted_at).isoformat(),
        on_time=on_time,
    )
    return referral


def agreement_number(referral: MediationReferral, signed_on: dt.date) -> str:
    """调协〔year〕N号 under the mediating body's short area name, N counted per body and year."""
    from xinfang.petitions.documents import area_short_name

    assert referral.mediator is not None
    force = referral.mediator.force
    count = MediationAgreement.objects.filter(
        referral__mediator__force=force, signed_on__year=signed_on.year
    ).count()
    return f"{area_short_name(force.area)}调协〔{signed_on.year}〕{count + 1}号"


@transaction.atomic
def mediation_agree(
    *,
    user: User,
    referral_id: int,
    dispute: str,
    terms: str,
    performance: str,
    signed_on: dt.date,
    expected_version: int | None = None,
) -> MediationAgreement:
    """调解协议书 signed: recorded, and the petition is settled, which stops the handling clock."""
    referral, petition, _unit = _referral_for_update(user, referral_id)
    check_version(referral, expected_version)
    _require_open(referral, ReferralStatus.IN_MEDIATION)
    if referral.mediator_id is None:
        raise DomainError(_("Assign the mediator first."), code="no_mediator")
    dispute = _text(dispute, _("State the facts of the dispute."), limit=4000)
    terms = _text(terms, _("Write down the terms the parties agreed."), limit=4000)
    performance = _text(performance, _("Say how and by when the agreement is performed."), limit=2000)
    if signed_on is None:
        raise DomainError(_("Give the date."), code="required")
    _not_future(signed_on)
    if signed_on < timezone.localdate(referral.referred_at):
        raise DomainError(_("The agreement cannot be dated before the referral."), code="signed_on")
    agreement = MediationAgreement.objects.create(
        referral=referral,
        number=agreement_number(referral, signed_on),
        dispute=dispute,
        terms=terms,
        performance=performance,
        signed_on=signed_on,
        created_by=user,
    )
    if petition.state == State.MEDIATION:
        petition_services.petition_settle(
            petition_id=petition.pk, user=user, agreement=terms, signed_on=signed_on
        )
    elif petition.state != State.SETTLED:
        raise DomainError(
            _("The petition is no longer in mediation (now “%(state)s”).")
            % {"state": petition.get_state_display()},
            code="not_allowed_in_state",
        )
    # A petition already settled on its own page keeps that record; the agreement document is added here.
    referral.status = ReferralStatus.AGREED
    referral.outcome_at = timezone.now()
    referral.version += 1
    referral.save()
    return agreement


@transaction.atomic
def mediation_fail(
    *, user: User, referral_id: int, reason: str, expected_version: int | None = None
) -> MediationReferral:
    """No agreement: the matter returns to handling; its handling clock ran on during mediation."""
    referral, petition, unit = _referral_for_update(user, referral_id)
    check_version(referral, expected_version)
    reason = _text(reason, _("Say why mediation ended without agreement."), limit=2000)
    if referral.status == ReferralStatus.PENDING_CONSENT:
        referral.status = ReferralStatus.WITHDRAWN
        _event(petition, user, unit, "mediation_withdrawn", reason=reason, referral=referral.pk)
    else:
        _require_open(referral, ReferralStatus.IN_MEDIATION)
        if petition.state == State.MEDIATION:
            petition_services.petition_end_mediation(petition_id=petition.pk, user=user, reason=reason)
        else:
            # The petition left mediation on its own page already; the referral only records the failure.
            _event(petition, user, unit, "mediation_withdrawn", reason=reason, referral=referral.pk)
        referral.status = ReferralStatus.FAILED
    referral.outcome_at = timezone.now()
    referral.outcome_reason = reason
    referral.version += 1
    referral.save()
    return referral


def mediation_remind_overdue(*, now: dt.datetime | None = None) -> int:
    """Remind the referring unit once of each first contact past its deadline. Safe to run in parallel:
    each referral is claimed with a conditional update before its reminder is written."""
    now = now or timezone.now()
    due = MediationReferral.objects.filter(
        status__in=["pending_consent", "in_mediation"],
        first_contact_at__isnull=True,
        first_contact_due_at__lt=now,
        contact_reminded_at__isnull=True,
    ).select_related("petition", "mediator")
    sent = 0
    for referral in due:
        with transaction.atomic():
            claimed = MediationReferral.objects.filter(
                pk=referral.pk, contact_reminded_at__isnull=True
            ).update(contact_reminded_at=now)
            if not claimed:
                continue
            Reminder.objects.create(
                unit=referral.unit,
                petition=referral.petition,
                kind=Reminder.Kind.OVERDUE,
                message=(
                    _("Mediation of %(number)s: %(mediator)s has not contacted the parties by %(due)s.")
                    % {
                        "number": referral.petition.number,
                        "mediator": referral.mediator.name if referral.mediator else "",
                        "due": timezone.localtime(referral.first_contact_due_at).strftime("%Y-%m-%d %H:%M"),
                    }
                )[:300],
            )
            sent += 1
    return sent


# --- consent campaigns ---------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """Keep the surname only: 王建国 -> 王**. Already masked names stay as they are."""
    name = (name or "").strip()
    if not name or "*" in name or "某" in name:
        return name[:20]
    return name[0] + "*" * min(max(len(name) - 1, 1), 3)


def _threshold(value: Any) -> Decimal:
    try:
        threshold = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Give the threshold as a percentage, e.g. 95."), code="threshold") from None
    if not Decimal("0") < threshold <= Decimal("100"):
        raise DomainError(_("The threshold is a percentage above 0 and at most 100."), code="threshold")
    return threshold


@transaction.atomic
def campaign_create(
    *,
    user: User,
    name: str,
    area: Unit,
    goal: str,
    social_force_id: int,
    starts_on: dt.date,
    threshold: Any = Decimal("95"),
) -> ConsentCampaign:
    _require_registry(user, area)
    force = SocialForce.objects.select_related("area").filter(pk=social_force_id, is_active=True).first()
    if force is None or not (
        force_serves(force, area)
        or area.path.startswith(force.area.path)
        or force.area.path.startswith(area.path)
    ):
        raise DomainError(_("Choose an active social force of the area."), code="force")
    if starts_on is None:
        raise DomainError(_("Give the date."), code="required")
    return ConsentCampaign.objects.create(
        name=_text(name, _("Give the name."), limit=120),
        area=area,
        goal=_text(goal, _("Describe the goal."), limit=4000),
        threshold=_threshold(threshold),
        social_force=force,
        starts_on=starts_on,
        created_by=user,
    )


@transaction.atomic
def households_add(*, user: User, campaign_id: int, households: list[tuple[str, str]]) -> list[Household]:
    """Add households as (address label, head of household's name); the name is kept masked only."""
    campaign = ConsentCampaign.objects.select_for_update().select_related("area").get(pk=campaign_id)
    _require_registry(user, campaign.area)
    if not households:
        raise DomainError(_("List at least one household."), code="required")
    labels = [label.strip()[:100] for label, _name in households]
    if any(not label for label in labels):
        raise DomainError(_("Every household needs its address."), code="address")
    taken = set(
        Household.objects.filter(campaign=campaign, address_label__in=labels).values_list(
            "address_label", flat=True
        )
    )
    repeated = {label for label in labels if labels.count(label) > 1} | taken
    if repeated:
        raise DomainError(
            _("These addresses are already listed: %(labels)s") % {"labels": "、".join(sorted(repeated))},
            code="duplicate",
        )
    return [
        Household.objects.create(campaign=campaign, address_label=label, head_name=mask_name(name))
        for label, (_label, name) in zip(labels, households, strict=True)
    ]


@transaction.atomic
def household_consent_record(
    *,
    user: User,
    household_id: int,
    status: str,
    on: dt.date,
    worked_by_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> HouseholdConsent:
    """A household's consent status changes on a date, recorded with who recorded it and which member of
    the social force did the work. The household row is locked, so two canvassers recording the same
    household at once are serialised and a stale form gets a conflict."""
    household = Household.objects.select_for_update().filter(pk=household_id).first()
    if household is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    campaign = ConsentCampaign.objects.select_related("area", "social_force").get(pk=household.campaign_id)
    _require_registry(user, campaign.area)
    check_version(household, expected_version)
    if status not in ConsentStatus.values or status == ConsentStatus.NOT_VISITED:
        raise DomainError(_("Choose the household's answer."), code="status")
    if on is None:
        raise DomainError(_("Give the date."), code="required")
    _not_future(on)
    if on < campaign.starts_on:
        raise DomainError(_("The date is before the campaign started."), code="on")
    if household.status_on is not None and on < household.status_on:
        raise DomainError(
            _("The household's last change is dated %(day)s; a new one cannot be earlier.")
            % {"day": household.status_on.isoformat()},
            code="on",
        )
    worked_by = None
    if worked_by_id is not None:
        worked_by = SocialForceMember.objects.filter(pk=worked_by_id, force=campaign.social_force).first()
        if worked_by is None or worked_by.joined_on > on or (worked_by.left_on and worked_by.left_on < on):
            raise DomainError(
                _("Choose a member of %(force)s at that date.") % {"force": campaign.social_force.name},
                code="worked_by",
            )
    change = HouseholdConsent.objects.create(
        household=household,
        status=status,
        on=on,
        worked_by=worked_by,
        note=(note or "").strip()[:300],
        recorded_by=user,
    )
    household.status = status
    household.status_on = on
    household.version += 1
    household.save(update_fields=["status", "status_on", "version"])
    return change
