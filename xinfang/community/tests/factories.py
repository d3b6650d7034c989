"""Community test helpers, built through the real services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.community import services
from xinfang.community.eligibility import BUILTIN_CHECKS
from xinfang.community.models import ConsentCampaign, ForceKind, MediationReferral, SocialForce
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition
from xinfang.web.tests.helpers import accepted_by_handler

WANGCHENG = "ah-la-ja-wc"  # 望城街道 (金安区); its 南屏苑社区 is the demo petitions' place
SHANTY = "ah-hf-yh-hpl-hqs"  # 和平路棚户区社区 (瑶海区)

# Answers that make a matter eligible: a civil dispute, nothing that excludes it.
ELIGIBLE = {item.code: not item.excludes_when_yes for item in BUILTIN_CHECKS}


def user(username: str) -> User:
    return User.objects.get(username=username)


def mediation_committee(*, members: int = 2) -> SocialForce:
    force = services.social_force_register(
        user=user("town"),
        kind=ForceKind.MEDIATION_COMMITTEE,
        name="望城街道人民调解委员会",
        area=Unit.objects.get(code=WANGCHENG),
        skills="劳动争议、邻里纠纷",
        contact_name="周主任",
        contact_phone="13955001122",
    )
    for index in range(members):
        services.member_add(
            user=user("town"), force_id=force.pk, name=f"调解员{index + 1}", title="人民调解员"
        )
    return force


def in_handling(**extra) -> Petition:
    return accepted_by_handler(**extra)


def referral(
    petition: Petition | None = None, *, respondents: tuple[str, ...] = ("某物业公司",)
) -> MediationReferral:
    petition = petition or in_handling()
    return services.mediation_refer(
        user=user("handler"), petition_id=petition.pk, answers=dict(ELIGIBLE), respondents=list(respondents)
    )


def consent_all(ref: MediationReferral, *, by: str = "handler") -> None:
    for party in ref.parties.all():
        services.mediation_consent_record(
            user=user(by), party_id=party.pk, consents=True, given_on=timezone.localdate(), method="signed"
        )


def self_help_committee(*, members: int = 3) -> SocialForce:
    force = services.social_force_register(
        user=user("town_hpl"),
        kind=ForceKind.SELF_HELP_COMMITTEE,
        name="棚户区群众自助委员会",
        area=Unit.objects.get(code=SHANTY),
    )
    for index in range(members):
        services.member_add(
            user=user("town_hpl"),
            force_id=force.pk,
            name=f"委员{index + 1}",
            joined_on=timezone.localdate() - dt.timedelta(days=60),
        )
    return force


def campaign(force: SocialForce, *, households: int = 20, threshold: str = "95") -> ConsentCampaign:
    created = services.campaign_create(
        user=user("town_hpl"),
        name="棚户区改造征收意愿征询",
        area=Unit.objects.get(code=SHANTY),
        goal="居民拆迁同意率超过95%后启动改造",
        social_force_id=force.pk,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        threshold=threshold,
    )
    if not households:
        return created
    services.households_add(
        user=user("town_hpl"),
        campaign_id=created.pk,
        households=[
            (f"宿舍{index // 10 + 1}栋{index % 10 + 1:02d}号", f"王建{index}") for index in range(households)
        ],
    )
    return created
