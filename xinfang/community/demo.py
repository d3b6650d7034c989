"""Demo of social forces and mediation (domain.md §8 scenario 4 and §7.4).

* The registry: street mediation committees (平岗街道, 望城街道) with their mediators, a volunteer team, a
  deputies' liaison station, a social-work organisation.
* 和平路街道 (瑶海区): the shanty-town residents' self-help committee (群众自助委员会) of 32 members and its
  relocation consent campaign over 120 households, passing 95%.
* Mediation referrals in 金安区: one settled with a signed agreement, one in mediation, one waiting for
  consent whose mediator is late for the first contact (flagged and reminded).

Built through the services with the clock moved back; all people are fictitious. Idempotent.
"""

from __future__ import annotations

import datetime as dt
import random

import time_machine
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions import services as petition_services
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Channel, PetitionType

from . import services
from .eligibility import BUILTIN_CHECKS
from .models import ConsentStatus, ForceKind, SocialForce

SHANTY = "ah-hf-yh-hpl-hqs"  # 和平路棚户区社区
ELIGIBLE = {item.code: not item.excludes_when_yes for item in BUILTIN_CHECKS}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏吕丁沈姚卢"
)
GIVEN = "建国秀英桂兰志强玉梅海燕德华春生金凤国庆小红永福淑珍明亮红梅立新丽娟振华凤英家乐文斌晓东长江宏伟雪梅"


def _travel(day: dt.date, hour: int = 10) -> time_machine.travel:
    moment = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def _name(rng: random.Random) -> str:
    given = rng.randrange(0, len(GIVEN) - 1, 2)
    return rng.choice(SURNAMES) + GIVEN[given : given + 2]


def build_demo_community() -> None:
    if SocialForce.objects.filter(kind=ForceKind.SELF_HELP_COMMITTEE, area__code=SHANTY).exists():
        return
    rng = random.Random(2022)  # noqa: S311 - demo data
    today = timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["town", "town2", "town_hpl", "county", "cadre"])
    }
    with _travel(today - dt.timedelta(days=200)):
        wangcheng = _committee(
            users["town"], "ah-la-ja-wc", "望城街道人民调解委员会", 3, rng, "邻里纠纷、物业纠纷、劳务纠纷"
        )
        _committee(users["town2"], "ah-la-yj-pg", "平岗街道人民调解委员会", 4, rng, "土地流转纠纷、劳务纠纷")
        _registry_extras(users)
    _shanty_town(users["town_hpl"], rng, today)
    _mediations(wangcheng, today)


def _committee(
    user: User, area: str, name: str, mediators: int, rng: random.Random, skills: str
) -> SocialForce:
    force = services.social_force_register(
        user=user,
        kind=ForceKind.MEDIATION_COMMITTEE,
        name=name,
        area=Unit.objects.get(code=area),
        skills=skills,
        contact_name=_name(rng),
        contact_phone=f"1395560{rng.randint(1000, 9999)}",
    )
    for index in range(mediators):
        services.member_add(
            user=user,
            force_id=force.pk,
            name=_name(rng),
            title="主任、人民调解员" if index == 0 else "人民调解员",
            skills=skills.split("、")[index % len(skills.split("、"))],
            phone=f"1380564{rng.randint(1000, 9999)}",
        )
    return force


def _registry_extras(users: dict[str, User]) -> None:
    volunteers = services.social_force_register(
        user=users["cadre"],
        kind=ForceKind.VOLUNTEER,
        name="和平村老党员志愿服务队",
        area=Unit.objects.get(code="ah-la-yj-pg-hp"),
        skills="政策宣传、入户走访",
    )
    for name in ("老党员甲", "老党员乙", "老党员丙"):
        services.member_add(user=users["cadre"], force_id=volunteers.pk, name=name, title="志愿者")
    services.social_force_register(
        user=users["town"],
        kind=ForceKind.DEPUTY,
        name="望城街道人大代表联络站",
        area=Unit.objects.get(code="ah-la-ja-wc"),
        skills="听取民意、督促办理",
    )
    services.social_force_register(
        user=users["county"],
        kind=ForceKind.SOCIAL_ORGANISATION,
        name="金安区某社会工作服务中心",
        area=Unit.objects.get(code="ah-la-ja"),
        skills="心理疏导、帮扶救助",
    )


def _shanty_town(user: User, rng: random.Random, today: dt.date) -> None:
    """The 1950s work-unit dormitories: 120 households canvassed by the self-help committee's 32 members."""
    area = Unit.objects.get(code=SHANTY)
    start = today - dt.timedelta(days=150)
    with _travel(start - dt.timedelta(days=20)):
        committee = services.social_force_register(
            user=user,
            kind=ForceKind.SELF_HELP_COMMITTEE,
            name="和平路棚户区群众自助委员会",
            area=area,
            skills="入户沟通、政策解读、矛盾调处",
            description="由棚户区居民自发成立，多次就棚户区改造向政府反映诉求，现协助街道做居民工作。",
            contact_name=_name(rng),
            contact_phone="13965001234",
        )
        members = [
            services.member_add(
                user=user,
                force_id=committee.pk,
                name=_name(rng),
                title="主任" if index == 0 else ("副主任" if index < 3 else "委员"),
                joined_on=start - dt.timedelta(days=30),
            )
            for index in range(32)
        ]
    with _travel(start):
        campaign = services.campaign_create(
            user=user,
            name="和平路棚户区改造征收意愿征询",
            area=area,
            goal="上世纪50年代职工宿舍棚户区改造：居民征收（拆迁）同意率超过95%后启动改造。",
            social_force_id=committee.pk,
            starts_on=start,
        )
        households = services.households_add(
            user=user,
            campaign_id=campaign.pk,
            households=[
                (f"宿舍{block}栋{unit:02d}户", _name(rng)) for block in range(1, 11) for unit in range(1, 13)
            ],
        )
    # Weekly rounds of visits: most households come round after one or two visits; a few hold out.
    pending = list(households)
    rng.shuffle(pending)
    holdouts = {h.pk for h in pending[:5]}
    undecided: list = []
    for week in range(17):
        day = start + dt.timedelta(days=7 * week + 2)
        if day > today:
            break
        batch = pending[:9] + undecided[:4]
        pending, undecided = pending[9:], undecided[4:]
        with _travel(day, hour=19):
            for household in batch:
                worker = members[rng.randrange(len(members)) if rng.random() < 0.5 else rng.randrange(8)]
                if household.pk in holdouts:
                    status = ConsentStatus.REFUSED if rng.random() < 0.4 else ConsentStatus.UNDECIDED
                elif household in undecided or rng.random() < 0.8:
                    status = ConsentStatus.CONSENTED
                else:
                    status = ConsentStatus.UNDECIDED
                    undecided.append(household)
                household.refresh_from_db()
                services.household_consent_record(
                    user=user, household_id=household.pk, status=status, on=day, worked_by_id=worker.pk
                )


def _petition(*, subject: str, request: str, handler: str, organ: str, day: dt.date, seed: int) -> Petition:
    """A grievance registered by the county bureau, forwarded to a department and under investigation."""
    from xinfang.core.idnumber import check_character

    county = User.objects.get(username="county")
    first17 = f"341502{1965 + seed:04d}0{1 + seed % 9}1{seed % 9}{seed:03d}"
    with _travel(day, hour=9):
        petition = petition_register(
            user=county,
            data=IntakeData(
                channel=Channel.VISIT,
                subject=subject,
                request=request,
                place=Unit.objects.get(code="ah-la-ja-wc-npy"),
                principal=PersonData(name=f"居民{seed}号", id_number=first17 + check_character(first17)),
            ),
        )
        petition_services.petition_forward(
            petition_id=petition.pk, user=county, to_unit=Unit.objects.get(code=organ)
        )
        return petition_services.petition_accept(
            petition_id=petition.pk,
            user=User.objects.get(username=handler),
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=timezone.localdate(),
            route="start_handling",
        )


def _mediations(committee: SocialForce, today: dt.date) -> None:
    mediators = list(committee.members.order_by("pk"))
    handler2 = User.objects.get(username="handler2")
    handler = User.objects.get(username="handler")

    # 1. Settled: a neighbours' drainage dispute, agreement signed within the month.
    day = today - dt.timedelta(days=45)
    settled = _petition(
        subject="楼上住户改造卫生间致楼下渗水",
        request="请求协调楼上住户修复防水并赔偿损失",
        handler="handler2",
        organ="ah-la-ja-zjj",
        day=day,
        seed=31,
    )
    with _travel(day + dt.timedelta(days=2)):
        referral = services.mediation_refer(
            user=handler2,
            petition_id=settled.pk,
            answers=dict(ELIGIBLE),
            respondents=["楼上住户"],
            note="相邻关系民事纠纷，双方均愿意调解",
        )
        for party in referral.parties.all():
            services.mediation_consent_record(
                user=handler2,
                party_id=party.pk,
                consents=True,
                given_on=timezone.localdate(),
                method="signed",
            )
        services.mediation_assign(user=handler2, referral_id=referral.pk, member_id=mediators[0].pk)
    with _travel(day + dt.timedelta(days=2), hour=17):
        services.mediation_first_contact(
            user=handler2, referral_id=referral.pk, contacted_at=timezone.now(), method="in_person"
        )
    with _travel(day + dt.timedelta(days=12)):
        services.mediation_agree(
            user=handler2,
            referral_id=referral.pk,
            dispute="楼上住户改造卫生间后防水层破损，造成楼下住户天花板渗水、墙面霉变，双方就修复和赔偿发生争议。",
            terms="楼上住户于十五日内重新做防水并经楼下住户验收。\n楼上住户一次性赔偿楼下住户墙面修复费用3000元。",
            performance="防水工程于签订后十五日内完成；赔偿款于签订当日当面付清。",
            signed_on=timezone.localdate(),
        )

    # 2. In mediation: wages owed by a decorating firm; both sides agreed to mediate, talks are under way.
    day = today - dt.timedelta(days=10)
    ongoing = _petition(
        subject="装修公司拖欠两名工人工资",
        request="请求督促装修公司支付拖欠工资",
        handler="handler",
        organ="ah-la-ja-rsj",
        day=day,
        seed=32,
    )
    with _travel(day + dt.timedelta(days=1)):
        referral = services.mediation_refer(
            user=handler, petition_id=ongoing.pk, answers=dict(ELIGIBLE), respondents=["某装饰工程有限公司"]
        )
        for party in referral.parties.all():
            services.mediation_consent_record(
                user=handler, party_id=party.pk, consents=True, given_on=timezone.localdate(), method="signed"
            )
        services.mediation_assign(user=handler, referral_id=referral.pk, member_id=mediators[1].pk)
    with _travel(day + dt.timedelta(days=1), hour=20):
        services.mediation_first_contact(
            user=handler, referral_id=referral.pk, contacted_at=timezone.now(), method="phone"
        )

    # 3. Waiting for the firm's consent; the mediator was assigned two days ago and has not called yet.
    day = today - dt.timedelta(days=3)
    waiting = _petition(
        subject="物业公司扣留业主装修押金",
        request="请求督促物业公司退还装修押金",
        handler="handler2",
        organ="ah-la-ja-zjj",
        day=day,
        seed=33,
    )
    with _travel(day + dt.timedelta(days=1)):
        referral = services.mediation_refer(
            user=handler2, petition_id=waiting.pk, answers=dict(ELIGIBLE), respondents=["某物业服务有限公司"]
        )
        applicant = referral.parties.get(side="applicant")
        services.mediation_consent_record(
            user=handler2,
            party_id=applicant.pk,
            consents=True,
            given_on=timezone.localdate(),
            method="in_person",
        )
        services.mediation_assign(user=handler2, referral_id=referral.pk, member_id=mediators[2].pk)
    services.mediation_remind_overdue()
