"""Agency test helpers: agents, mandates and filings made through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.agency import services
from xinfang.agency.models import AgencyMandate, Agent, AgentKind
from xinfang.agency.services import ClaimInput, FilingData
from xinfang.orgs.models import Unit
from xinfang.petitions import services as petition_services
from xinfang.petitions.intake import PersonData
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Decision, DeliveryMethod, PetitionType
from xinfang.petitions.tests.factories import valid_id

HEPING = "ah-la-yj-pg-hp"  # 和平村: the cadre's village
NANPINGYUAN = "ah-la-ja-wc-npy"  # 南屏苑社区 (金安区): another county
YJ_RSJ = "ah-la-yj-rsj"  # 叶集区人社局

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed_form(name: str = "委托书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def user(username: str) -> User:
    return User.objects.get(username=username)


def cadre_agent(*, certificate: str = "YJ-XFDL-001") -> Agent:
    """The demo cadre of 和平村, certified by the 平岗街道 petition officer."""
    return services.agent_register(
        user=user("town2"),
        unit=Unit.objects.get(code=HEPING),
        kind=AgentKind.VILLAGE_CADRE,
        person=PersonData(name="张村书记", phone="13955660001"),
        certificate_number=certificate,
        certified_on=timezone.localdate() - dt.timedelta(days=30),
        certified_by="叶集区信访局",
        login=user("cadre"),
    )


def mandate(
    agent: Agent,
    *,
    name: str = "姚某某",
    seed: int = 301,
    days_before: int = 5,
    days_after: int = 180,
    covers_appeals: bool = False,
    by: str = "cadre",
) -> AgencyMandate:
    today = timezone.localdate()
    return services.mandate_create(
        user=user(by),
        agent_id=agent.pk,
        principal=PersonData(name=name, id_number=valid_id(seed), phone=f"1395566{seed:04d}"),
        scope="代为反映拖欠劳务费问题，准备材料，到有关部门反映并跟踪答复",
        starts_on=today - dt.timedelta(days=days_before),
        ends_on=today + dt.timedelta(days=days_after),
        form=signed_form(),
        covers_appeals=covers_appeals,
    )


def wage_filing(
    agent: Agent, mandates: list[AgencyMandate], *, claims: int = 0, by: str = "cadre"
) -> Petition:
    data = FilingData(
        subject="油茶基地拖欠村民劳务费",
        request="请求督促油茶种植公司支付拖欠的劳务费",
        facts="村民在油茶基地务工一年，年终劳务费未结清。",
        place=Unit.objects.get(code=HEPING),
        claims=[
            ClaimInput(
                claimant=PersonData(name=f"村民{i:02d}", id_number=valid_id(400 + i)),
                amount=Decimal("3000") + i * 100,
                debtor="某油茶种植有限公司",
            )
            for i in range(claims)
        ],
    )
    return services.mandate_file_petition(
        user=user(by), agent_id=agent.pk, mandate_ids=[m.pk for m in mandates], data=data
    )


def to_replied(petition: Petition, *, at_village: bool = False) -> Petition:
    """Forwarded by the street to 叶集区人社局, handled and replied (supported) today; or, with
    ``at_village``, handled by the village itself (the cadre is then also its handler)."""
    today = timezone.localdate()
    handler = user("cadre" if at_village else "handler_yj")
    if not at_village:
        petition_services.petition_forward(
            petition_id=petition.pk, user=user("town2"), to_unit=Unit.objects.get(code=YJ_RSJ)
        )
    petition_services.petition_accept(
        petition_id=petition.pk,
        user=handler,
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=today,
        route="start_handling",
    )
    petition_services.petition_issue_opinion(
        petition_id=petition.pk,
        user=handler,
        decision=Decision.SUPPORT,
        facts_found="经核实，公司拖欠劳务费属实。",
        reasons="劳动者有权获得劳动报酬。",
        legal_basis="《保障农民工工资支付条例》",
    )
    return petition_services.petition_deliver_reply(
        petition_id=petition.pk, user=handler, delivered_on=today, method=DeliveryMethod.IN_PERSON
    )
