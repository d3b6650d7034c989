"""Reads of social forces, mediation and consent campaigns.

Social forces are listed for the user's jurisdiction and for the areas that enclose it (a village sees
its street's mediation committee); referrals only through ``visible_petitions``; campaigns by area.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.orgs.selectors import ancestor_paths
from xinfang.petitions.selectors import visible_petitions

from .models import (
    ConsentCampaign,
    ConsentStatus,
    Household,
    HouseholdConsent,
    MediationConsent,
    MediationReferral,
    ReferralStatus,
    SocialForce,
    SocialForceLink,
)


def _enclosing_paths(user: Any) -> set[str]:
    paths: set[str] = set()
    for root in scoping.jurisdiction_roots(user):
        paths.update(ancestor_paths(root.area().path))
    return paths


def visible_forces(user: Any) -> QuerySet[SocialForce]:
    qs = SocialForce.objects.select_related("area")
    if scoping.sees_everything(user):
        return qs
    return qs.filter(scoping.jurisdiction_q(user, "area__path") | Q(area__path__in=_enclosing_paths(user)))


def get_visible_force(user: Any, force_id: int) -> SocialForce:
    force = visible_forces(user).filter(pk=force_id).first()
    if force is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    return force


def petition_links(petition: Any) -> QuerySet[SocialForceLink]:
    return petition.social_force_links.select_related("force__area", "linked_by").order_by("linked_at")


# --- mediation -----------------------------------------------------------------------------------


def visible_referrals(user: Any) -> QuerySet[MediationReferral]:
    return MediationReferral.objects.filter(petition__in=visible_petitions(user).values("pk")).select_related(
        "petition__current_unit", "petition__place", "mediator__force", "unit"
    )


def get_visible_referral(user: Any, referral_id: int) -> MediationReferral:
    referral = visible_referrals(user).filter(pk=referral_id).first()
    if referral is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    return referral


def parties_with_consent(referral: MediationReferral) -> list[dict[str, Any]]:
    """Each party with its consent history and latest answer."""
    consents: dict[int, list[MediationConsent]] = {}
    for consent in (
        MediationConsent.objects.filter(party__referral=referral)
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    ):
        consents.setdefault(consent.party_id, []).append(consent)
    rows = []
    for party in referral.parties.order_by("side", "pk"):
        history = consents.get(party.pk, [])
        rows.append({"party": party, "history": history, "latest": history[-1] if history else None})
    return rows


@dataclass
class MediationFigures:
    referrals: int
    open: int
    agreed: int
    failed: int
    withdrawn: int
    contact_on_time: int
    contact_decided: int
    contact_overdue_open: int

    @property
    def success_rate(self) -> str:
        decided = self.agreed + self.failed
        return _percent(self.agreed, decided)

    @property
    def contact_rate(self) -> str:
        return _percent(self.contact_on_time, self.contact_decided)


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{Decimal(100 * part / whole).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def mediation_figures(
    referrals: QuerySet[MediationReferral], now: dt.datetime | None = None
) -> MediationFigures:
    """Referrals, success rate (agreed ÷ agreed + failed) and first contact on time (contacted by the
    deadline ÷ referrals whose contact is recorded or whose deadline has passed)."""
    now = now or timezone.now()
    rows = list(referrals.values("status", "first_contact_due_at", "first_contact_at"))
    statuses = Counter(row["status"] for row in rows)
    on_time = decided = overdue_open = 0
    for row in rows:
        due, contact = row["first_contact_due_at"], row["first_contact_at"]
        if due is None:
            continue
        if contact is not None:
            decided += 1
            on_time += contact <= due
        elif now > due:
            decided += 1
            overdue_open += row["status"] in (ReferralStatus.PENDING_CONSENT, ReferralStatus.IN_MEDIATION)
    return MediationFigures(
        referrals=len(rows),
        open=statuses[ReferralStatus.PENDING_CONSENT] + statuses[ReferralStatus.IN_MEDIATION],
        agreed=statuses[ReferralStatus.AGREED],
        failed=statuses[ReferralStatus.FAILED],
        withdrawn=statuses[ReferralStatus.WITHDRAWN],
        contact_on_time=on_time,
        contact_decided=decided,
        contact_overdue_open=overdue_open,
    )


# --- consent campaigns ---------------------------------------------------------------------------


def visible_campaigns(user: Any) -> QuerySet[ConsentCampaign]:
    qs = ConsentCampaign.objects.select_related("area", "social_force")
    if scoping.sees_everything(user):
        return qs
    return qs.filter(scoping.jurisdiction_q(user, "area__path"))


def get_visible_campaign(user: Any, campaign_id: int) -> ConsentCampaign:
    campaign = visible_campaigns(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    return campaign


@dataclass(frozen=True)
class RatePoint:
    day: dt.date
    consented: int
    households: int

    @property
    def rate(self) -> Decimal:
        if not self.households:
            return Decimal("0")
        return (Decimal(100 * self.consented) / self.households).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def consent_series(campaign: ConsentCampaign) -> list[RatePoint]:
    """The campaign's consent rate over time (see ``rate_series``)."""
    changes = (
        HouseholdConsent.objects.filter(household__campaign=campaign)
        .order_by("on", "recorded_at", "pk")
        .values_list("household_id", "status", "on")
    )
    return rate_series(campaign.starts_on, Household.objects.filter(campaign=campaign).count(), changes)


def rate_series(
    start: dt.date, households: int, changes: Iterable[tuple[int, str, dt.date]]
) -> list[RatePoint]:
    """The consent rate at the end of each day a status changed: households whose latest status by then
    is "consented" ÷ all households of the campaign. ``changes`` come in date order; starts at ``start``."""
    status: dict[int, str] = {}
    points = [RatePoint(start, 0, households)]
    for household_id, value, day in changes:
        status[household_id] = value
        consented = sum(1 for s in status.values() if s == ConsentStatus.CONSENTED)
        point = RatePoint(day, consented, households)
        if points[-1].day == day:
            points[-1] = point
        else:
            points.append(point)
    return points


def threshold_reached_on(campaign: ConsentCampaign, series: list[RatePoint]) -> dt.date | None:
    for point in series:
        if point.households and Decimal(100 * point.consented) / point.households >= campaign.threshold:
            return point.day
    return None


def member_work(campaign: ConsentCampaign) -> list[dict[str, Any]]:
    """Per member of the campaign's social force: status changes recorded for their work, and households
    they brought to consent."""
    rows: dict[int, dict[str, Any]] = {}
    for change in HouseholdConsent.objects.filter(
        household__campaign=campaign, worked_by__isnull=False
    ).select_related("worked_by"):
        assert change.worked_by_id is not None
        row = rows.setdefault(change.worked_by_id, {"member": change.worked_by, "visits": 0, "consents": 0})
        row["visits"] += 1
        row["consents"] += change.status == ConsentStatus.CONSENTED
    return sorted(rows.values(), key=lambda r: (-r["consents"], -r["visits"], r["member"].name))


def status_counts(campaign: ConsentCampaign) -> dict[str, int]:
    counts = Counter(Household.objects.filter(campaign=campaign).values_list("status", flat=True))
    return {value: counts.get(value, 0) for value in ConsentStatus.values}
