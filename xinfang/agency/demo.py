"""Demo of the petition agency: the 和平村 wage and land-lease arrears (domain.md §8 scenario 1).

The village secretary (demo login ``cadre``, a fictitious 张村书记) is certified as agent, takes a signed
mandate from each of twelve villagers, files one collective matter for them through the real intake,
does the legwork (materials, lead department, representing them at the district labour bureau, chasing,
relaying the reply) and records what the failed orchard firm paid: 46,000 yuan in all, before the
Spring Festival. A second matter about land-transfer rent is still open, with tasks due. Everything goes
through the services with the clock moved back, so timelines and clocks are genuine. All people are
fictitious. Idempotent: nothing is added once the agent exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions import services as petition_services
from xinfang.petitions.intake import PersonData
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.states import Decision, DeliveryMethod, PetitionType, Rating

from . import services
from .models import Agent, AgentKind, ClaimKind, TaskKind
from .services import ClaimInput, FilingData

HEPING = "ah-la-yj-pg-hp"
YJ_RSJ = "ah-la-yj-rsj"
YJ_ZRJ = "ah-la-yj-zrj"
DEBTOR = "某油茶种植有限公司"  # fictitious
RENT_DEBTOR = "某果业发展有限公司"  # fictitious

# Twelve fictitious villagers: (name, ID seed, wages owed, land-lease fee owed); the total is 46,000 yuan.
VILLAGERS = [
    ("姚某发", 11, 4200, 0),
    ("陈桂芝", 12, 3600, 0),
    ("王德胜", 13, 2800, 1200),
    ("刘秀兰", 14, 3000, 0),
    ("张永福", 15, 2600, 1400),
    ("李春生", 16, 3800, 0),
    ("赵玉梅", 17, 2400, 1600),
    ("孙长江", 18, 4000, 0),
    ("周金凤", 19, 3200, 0),
    ("吴国庆", 20, 2500, 1500),
    ("郑淑珍", 21, 4400, 0),
    ("冯立新", 22, 3800, 0),
]
RECOVERED_BEFORE_FESTIVAL = Decimal("46000")


def _id_number(seed: int) -> str:
    from xinfang.core.idnumber import check_character

    first17 = f"341504{1958 + seed:04d}{1 + seed % 12:02d}{1 + seed % 27:02d}{seed:03d}"
    return first17 + check_character(first17)


def _travel(day: dt.date, hour: int = 10) -> time_machine.travel:
    moment = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def spring_festival_before(today: dt.date) -> dt.date:
    """The first day of the last Spring Festival holiday (春节假期) on or before ``today``, from the
    official holiday calendar; about February 1st when the calendar does not cover the year."""
    import chinese_calendar

    name = chinese_calendar.Holiday.spring_festival.value
    day = today
    for _ in range(400):
        try:
            on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
            before = chinese_calendar.get_holiday_detail(day - dt.timedelta(days=1))
        except NotImplementedError:
            break
        if on_holiday and holiday == name and not (before[0] and before[1] == name):
            return day
        day -= dt.timedelta(days=1)
    return dt.date(today.year if today.month > 2 else today.year - 1, 2, 1)


def _form() -> SimpleUploadedFile:
    """A scan stand-in of the signed entrustment form (代理委托书)."""
    from xinfang.petitions.documents import Block, DocumentContent, render_content_pdf

    content = DocumentContent(
        kind="entrustment_form",
        issuer="和平村村民委员会",
        number="信访代理委托书",
        title="信访代理委托书",
        blocks=(
            Block(
                "本人自愿委托和平村信访代理员代为反映拖欠劳务费、土地流转费问题，"
                "代为准备材料、到有关部门反映并跟踪答复。本人保留对办理结果进行评价和申请复查复核的权利。"
            ),
            Block("", label="委托人（签名）："),
            Block("", label="代理人（签名）："),
        ),
        issued_on=timezone.localdate(),
        legal_basis=(),
    )
    return SimpleUploadedFile("代理委托书.pdf", render_content_pdf(content), content_type="application/pdf")


def build_demo_agency() -> int:
    """Create the demo agency cases once. Returns how many claims were recorded."""
    cadre = User.objects.get(username="cadre")
    if Agent.objects.filter(user=cadre).exists():
        return 0
    county_yj, town2, handler = (User.objects.get(username=u) for u in ("county_yj", "town2", "handler_yj"))
    village = Unit.objects.get(code=HEPING)
    festival = spring_festival_before(timezone.localdate())
    start = festival - dt.timedelta(days=75)
    form = _form()

    with _travel(start - dt.timedelta(days=10)):
        agent = services.agent_register(
            user=county_yj,
            unit=village,
            kind=AgentKind.VILLAGE_CADRE,
            person=PersonData(name=cadre.display_name(), phone="13905640001"),
            certificate_number=f"叶信代证〔{start.year}〕001号",
            certified_on=timezone.localdate(),
            certified_by="叶集区信访局",
            login=cadre,
        )
    mandates = []
    with _travel(start):
        for name, seed, _wages, _rent in VILLAGERS:
            form.seek(0)
            mandates.append(
                services.mandate_create(
                    user=cadre,
                    agent_id=agent.pk,
                    principal=PersonData(name=name, id_number=_id_number(seed), phone=f"1395564{seed:04d}"),
                    scope="代为反映油茶基地拖欠劳务费及土地流转费问题，梳理诉求、计算应得款项，"
                    "到街道和区有关部门反映，跟踪并转告答复。",
                    starts_on=timezone.localdate(),
                    ends_on=timezone.localdate() + dt.timedelta(days=365),
                    form=SimpleUploadedFile("代理委托书.pdf", form.read(), content_type="application/pdf"),
                    covers_appeals=seed % 3 == 0,
                )
            )
    claims = []
    for name, seed, wages, rent in VILLAGERS:
        person = PersonData(
            name=name, existing=mandates[VILLAGERS.index((name, seed, wages, rent))].principal
        )
        if wages:
            claims.append(
                ClaimInput(claimant=person, amount=wages, kind=ClaimKind.UNPAID_WAGES, debtor=DEBTOR)
            )
        if rent:
            claims.append(
                ClaimInput(claimant=person, amount=rent, kind=ClaimKind.LAND_TRANSFER, debtor=DEBTOR)
            )
    category = Category.objects.filter(parent=None, name="劳动和社会保障").first()
    with _travel(start + dt.timedelta(days=2), hour=9):
        petition = services.mandate_file_petition(
            user=cadre,
            agent_id=agent.pk,
            mandate_ids=[m.pk for m in mandates],
            data=FilingData(
                subject="油茶基地拖欠12名村民劳务费和土地流转费",
                request="请求督促油茶种植企业结清拖欠村民的劳务费和土地流转费",
                facts="村民在村内油茶基地务工并将承包地流转给企业，企业经营困难，"
                "一年来劳务费和土地流转费未能兑现，村民多次讨要无果。",
                place=village,
                category=category,
                claims=claims,
            ),
        )
    _walk_wage_case(petition, agent, cadre, town2, handler, start, festival)
    open_case = _rent_case(agent, cadre, town2, mandates[:3], festival)
    return petition.claims.count() + open_case.claims.count()


def _task(
    petition: Petition, cadre: User, day: dt.date, kind: str, outcome: str, *, department: str = ""
) -> None:
    unit = Unit.objects.get(code=department) if department else None
    with _travel(day, hour=9):
        task = services.agent_task_create(
            user=cadre, petition_id=petition.pk, kind=kind, due_on=day + dt.timedelta(days=3), department=unit
        )
    with _travel(day + dt.timedelta(days=1), hour=16):
        services.agent_task_complete(user=cadre, task_id=task.pk, outcome=outcome)


def _walk_wage_case(
    petition: Petition,
    agent: Agent,
    cadre: User,
    town2: User,
    handler: User,
    start: dt.date,
    festival: dt.date,
) -> None:
    rsj = Unit.objects.get(code=YJ_RSJ)
    _task(
        petition,
        cadre,
        start + dt.timedelta(days=2),
        TaskKind.PREPARE,
        "逐户核对务工天数和流转面积，材料齐全",
    )
    with _travel(start + dt.timedelta(days=4)):
        petition_services.petition_forward(
            petition_id=petition.pk, user=town2, to_unit=rsj, note="劳动报酬争议"
        )
    _task(
        petition,
        cadre,
        start + dt.timedelta(days=4),
        TaskKind.LEAD_DEPARTMENT,
        "牵头部门为区人社局，区自然资源局配合",
        department=YJ_RSJ,
    )
    with _travel(start + dt.timedelta(days=6)):
        petition_services.petition_accept(
            petition_id=petition.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=timezone.localdate(),
            route="start_handling",
        )
    _task(
        petition,
        cadre,
        start + dt.timedelta(days=8),
        TaskKind.REPRESENT,
        "代村民到区人社局反映，约谈企业负责人",
        department=YJ_RSJ,
    )
    _task(petition, cadre, start + dt.timedelta(days=30), TaskKind.CHASE, "企业承诺分三批在春节前付清")
    # Three instalments, all before the Spring Festival.
    claims = list(petition.claims.select_related("claimant").order_by("pk"))
    batches = [claims[:5], claims[5:11], claims[11:]]
    for index, batch in enumerate(batches):
        day = festival - dt.timedelta(days=28 - 10 * index)
        with _travel(day, hour=15):
            services.claim_payments_record(
                user=cadre,
                petition_id=petition.pk,
                amounts=[(c.pk, c.amount_claimed) for c in batch],
                paid_on=day,
                note=f"企业第{index + 1}批兑付",
            )
    reply_day = festival - dt.timedelta(days=6)
    with _travel(reply_day):
        petition_services.petition_issue_opinion(
            petition_id=petition.pk,
            user=handler,
            decision=Decision.SUPPORT,
            facts_found="经核实，企业拖欠12名村民劳务费和土地流转费共计46000元属实，现已全部结清。",
            reasons="劳动者有权按时足额获得劳动报酬，土地流转费应按合同约定支付。",
            legal_basis="《保障农民工工资支付条例》第三条；《农村土地经营权流转管理办法》",
        )
        petition_services.petition_deliver_reply(
            petition_id=petition.pk, user=handler, delivered_on=reply_day, method=DeliveryMethod.IN_PERSON
        )
    _task(petition, cadre, reply_day, TaskKind.RELAY_REPLY, "已逐户告知办理结果，村民表示满意")
    # The villagers rate it themselves; the street records their rating at its return visit, never the agent.
    with _travel(reply_day + dt.timedelta(days=3)):
        petition_services.petition_evaluate(
            petition_id=petition.pk, user=town2, rating=Rating.SATISFIED, comment="回访：村民对代理工作满意"
        )
    # Nobody asked for a review within the 30 days: the labour bureau closes the matter.
    with _travel(min(timezone.localdate(), reply_day + dt.timedelta(days=32))):
        petition_services.petition_close(petition_id=petition.pk, user=handler)


def _rent_case(agent: Agent, cadre: User, town2: User, mandates: list, festival: dt.date) -> Petition:
    """A second matter, still in handling: land-transfer rent of a fruit company, partly paid."""
    village = Unit.objects.get(code=HEPING)
    today = timezone.localdate()
    filed_on = max(festival + dt.timedelta(days=30), today - dt.timedelta(days=20))
    with _travel(filed_on):
        petition = services.mandate_file_petition(
            user=cadre,
            agent_id=agent.pk,
            mandate_ids=[m.pk for m in mandates],
            data=FilingData(
                subject="果业公司拖欠3户土地流转租金",
                request="请求督促果业公司按合同支付土地流转租金",
                facts="3户村民将承包地流转给果业公司种植果树，公司已两年未付租金。",
                place=village,
                claims=[
                    ClaimInput(
                        claimant=PersonData(name=m.principal.name, existing=m.principal),
                        amount=Decimal(amount),
                        kind=ClaimKind.LAND_LEASE,
                        debtor=RENT_DEBTOR,
                    )
                    for m, amount in zip(mandates, ("2400", "1800", "3000"), strict=True)
                ],
            ),
        )
    with _travel(filed_on + dt.timedelta(days=2)):
        petition_services.petition_forward(
            petition_id=petition.pk, user=town2, to_unit=Unit.objects.get(code=YJ_ZRJ), note="土地流转纠纷"
        )
    claim = petition.claims.order_by("pk").first()
    assert claim is not None
    with _travel(min(today, filed_on + dt.timedelta(days=10)), hour=15):
        services.claim_payment_record(
            user=cadre, claim_id=claim.pk, amount="1200", paid_on=timezone.localdate(), note="先付一半"
        )
        services.agent_task_create(
            user=cadre,
            petition_id=petition.pk,
            kind=TaskKind.ACCOMPANY,
            due_on=timezone.localdate(),
            department=Unit.objects.get(code=YJ_ZRJ),
            note="陪同村民到区自然资源局反映",
        )
    services.agent_task_create(
        user=cadre,
        petition_id=petition.pk,
        kind=TaskKind.CHASE,
        due_on=today + dt.timedelta(days=3),
        note="催办区自然资源局协调付款",
    )
    return petition
