"""Records of the agency and community API that the schemathesis run steers its generated ids onto.

All inside 金安区, the jurisdiction of the run's token (``county``), so that the services are reached
and not only the 404 branch. Each list ends with an id that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xinfang.agency import services as agency
from xinfang.agency.models import AgentKind, ClaimPayment
from xinfang.agency.services import ClaimInput, FilingData
from xinfang.community import services as community
from xinfang.community.models import ForceKind, MediationParty
from xinfang.community.tests.factories import ELIGIBLE
from xinfang.orgs.models import Unit
from xinfang.petitions.intake import PersonData
from xinfang.petitions.tests.factories import valid_id
from xinfang.web.tests.helpers import accepted_by_handler

from .factories import signed_form, user

MISSING = 0


def grassroots_ids(label: str) -> dict[str, list[int]]:
    """The records an operation of the agency or the community API needs, and units in and out of reach."""
    units = [Unit.objects.get(code=code).pk for code in ("ah-la-ja-wc-npy", "ah-la-ja-wc", "ah-la-yj-pg-hp")]
    ids = agency_ids() if "/agency/" in label else community_ids()
    return {"unit": [*units, MISSING], **ids}


def agency_ids() -> dict[str, list[int]]:
    today = timezone.localdate()
    town = user("town")
    nanping = Unit.objects.get(code="ah-la-ja-wc-npy")
    agent = agency.agent_register(
        user=town,
        unit=nanping,
        kind=AgentKind.COMMUNITY_WORKER,
        person=PersonData(name="社区代理员", id_number=valid_id(701)),
        certificate_number="JA-API-1",
        certified_on=today,
        certified_by="金安区信访局",
    )
    mandate = agency.mandate_create(
        user=town,
        agent_id=agent.pk,
        principal=PersonData(name="钱某某", id_number=valid_id(702)),
        scope="代为反映拖欠工资",
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=60),
        form=signed_form(),
        covers_appeals=True,
    )
    filed = agency.mandate_file_petition(
        user=town,
        agent_id=agent.pk,
        mandate_ids=[mandate.pk],
        data=FilingData(
            subject="装修公司拖欠工资",
            request="请求支付",
            place=nanping,
            claims=[ClaimInput(claimant=PersonData(name=f"工人{i}"), amount="4000") for i in range(2)],
        ),
    )
    claims = list(filed.claims.order_by("pk"))
    agency.claim_payment_record(user=town, claim_id=claims[0].pk, amount="1000", paid_on=today)
    task = agency.agent_task_create(user=town, petition_id=filed.pk, kind="chase", due_on=today)
    return {
        "agent_id": [agent.pk, MISSING],
        "mandate_id": [mandate.pk, MISSING],
        "task_id": [task.pk, MISSING],
        "claim_id": [c.pk for c in claims] + [MISSING],
        "payment_id": [*ClaimPayment.objects.filter(claim__in=claims).values_list("pk", flat=True), MISSING],
        "department_id": [Unit.objects.get(code="ah-la-ja-rsj").pk, nanping.pk, MISSING],
        "login_id": [town.pk, user("cadre").pk, MISSING],
        "petition_id": [filed.pk, MISSING],
        "place_id": [nanping.pk, MISSING],
    }


def community_ids() -> dict[str, list[int]]:
    today = timezone.localdate()
    town, handler = user("town"), user("handler")
    nanping = Unit.objects.get(code="ah-la-ja-wc-npy")
    street = Unit.objects.get(code="ah-la-ja-wc")
    committee = community.social_force_register(
        user=town, kind=ForceKind.MEDIATION_COMMITTEE, name="望城街道人民调解委员会", area=street
    )
    mediator = community.member_add(user=town, force_id=committee.pk, name="调解员甲")
    helpers = community.social_force_register(
        user=town, kind=ForceKind.SELF_HELP_COMMITTEE, name="南屏苑居民自助会", area=nanping
    )
    helper = community.member_add(user=town, force_id=helpers.pk, name="委员甲")
    pending = community.mediation_refer(
        user=handler,
        petition_id=accepted_by_handler(id_seed=71).pk,
        answers=dict(ELIGIBLE),
        respondents=["某物业"],
    )
    mediating = community.mediation_refer(
        user=handler,
        petition_id=accepted_by_handler(id_seed=72).pk,
        answers=dict(ELIGIBLE),
        respondents=["某公司"],
    )
    for party in mediating.parties.all():
        community.mediation_consent_record(
            user=handler, party_id=party.pk, consents=True, given_on=today, method="signed"
        )
    community.mediation_assign(user=handler, referral_id=mediating.pk, member_id=mediator.pk)
    link = community.social_force_link(
        user=handler, petition_id=mediating.petition_id, force_id=committee.pk, role="co_handler"
    )
    campaign = community.campaign_create(
        user=town,
        name="老旧小区改造意愿征询",
        area=nanping,
        goal="同意率达到95%",
        social_force_id=helpers.pk,
        starts_on=today - dt.timedelta(days=5),
    )
    households = community.households_add(
        user=town, campaign_id=campaign.pk, households=[("1栋101", "王某"), ("1栋102", "李某")]
    )
    return {
        "force_id": [committee.pk, helpers.pk, MISSING],
        "social_force_id": [helpers.pk, committee.pk, MISSING],
        "link_id": [link.pk, MISSING],
        "referral_id": [pending.pk, mediating.pk, MISSING],
        "mediation_party_id": [
            *MediationParty.objects.filter(referral__in=[pending, mediating]).values_list("pk", flat=True),
            MISSING,
        ],
        "mediator_id": [mediator.pk, helper.pk, MISSING],
        "worked_by_id": [helper.pk, mediator.pk, MISSING],
        "campaign_id": [campaign.pk, MISSING],
        "household_id": [h.pk for h in households] + [MISSING],
        "area_id": [nanping.pk, street.pk, MISSING],
        "petition_id": [pending.petition_id, mediating.petition_id, MISSING],
    }
