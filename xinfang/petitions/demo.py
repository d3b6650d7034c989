"""Demo petitions in every state, written from templates (no text from any data set), driven through
the real services with the clock moved back, so timelines, clocks and flags are all genuine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

import time_machine
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit

from . import services
from .intake import IntakeData, PersonData, petition_register
from .models import Category, Petition
from .states import Channel, Decision, DeliveryMethod, PetitionType, Procedure, Rating

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = [
    "建国",
    "秀英",
    "桂兰",
    "志强",
    "玉梅",
    "海燕",
    "德华",
    "春生",
    "金凤",
    "国庆",
    "小红",
    "永福",
    "淑珍",
    "明亮",
    "红梅",
    "立新",
    "丽娟",
    "振华",
    "凤英",
    "家乐",
    "文斌",
    "晓东",
    "翠花",
    "长江",
    "宏伟",
    "雪梅",
]

# (category level 1, department function, subject template, request template, facts template)
TEMPLATES = [
    (
        "劳动和社会保障",
        "rsj",
        "{firm}拖欠{n}名工人工资{amount}元",
        "请求督促{firm}尽快支付拖欠的劳务报酬",
        "本人与同村{n}人在{firm}务工，{year}年全年工资至今未结清，多次讨要无果。",
    ),
    (
        "劳动和社会保障",
        "rsj",
        "{firm}未为员工缴纳社会保险",
        "请求责令{firm}补缴社会保险费",
        "在{firm}工作三年，单位一直未缴纳养老和医疗保险。",
    ),
    (
        "城乡建设",
        "zjj",
        "{estate}小区物业服务差、乱收费",
        "请求住建部门规范{estate}物业收费并更换物业公司",
        "{estate}物业公司擅自提高停车费，电梯长期故障无人维修。",
    ),
    (
        "城乡建设",
        "zjj",
        "{estate}小区雨污管道堵塞污水外溢",
        "请求尽快疏通{estate}雨污管道",
        "{estate}三栋楼前污水井堵塞，雨天污水漫到楼道口，已持续两个月。",
    ),
    (
        "农村农业",
        "nyj",
        "{village}土地流转费未按期兑付",
        "请求协调{firm}支付{year}年度土地流转费",
        "{firm}流转{village}土地种植经果林，{year}年起流转费未兑现。",
    ),
    (
        "农村农业",
        "slj",
        "{village}灌溉支渠淤塞损坏影响农业用水",
        "请求对{village}灌溉支渠进行硬化改造",
        "支渠约{meters}米淤塞变窄，雨季排洪困难，{n}余人农业用水受影响。",
    ),
    (
        "环境保护",
        "sthj",
        "{firm}夜间施工噪声扰民",
        "请求查处{firm}夜间违规施工",
        "{firm}工地每晚十一点后仍在施工，附近居民无法休息。",
    ),
    (
        "教育文体",
        "jyj",
        "{estate}配套学校入学划片问题",
        "请求明确{estate}业主子女入学学区",
        "购房时宣传的配套学校至今未明确划片，孩子即将入学。",
    ),
    (
        "交通运输",
        "jtj",
        "{road}道路破损多年未修",
        "请求维修{road}破损路面",
        "{road}路面坑洼严重，雨天积水，已发生多起电动车摔倒事故。",
    ),
    (
        "城乡建设",
        "zjj",
        "棚户区改造方案迟迟未定",
        "请求加快推进棚户区改造",
        "所住宿舍楼建于上世纪五十年代，房屋老化漏雨，居民盼望早日改造。",
    ),
    (
        "民政",
        "mzj",
        "低保资格认定有异议",
        "请求重新核定本户低保资格",
        "家中两位老人常年患病，去年低保被取消，认为认定不公。",
    ),
]
FIRMS = [
    "绿源果业公司",
    "皖西油茶种植基地",
    "宏达建筑劳务公司",
    "恒通物流公司",
    "金穗农业合作社",
    "城南建设工程公司",
]
ESTATES = ["南屏苑", "望城花园", "和平新村", "史河雅苑", "庙南家园", "铁三村宿舍区"]
ROADS = ["望城路", "平岗大道", "杨庙街", "和平路", "史河路"]

# (place code, the county officer who registers, the department handler, the town officer)
PLACES = [
    ("ah-la-ja-wc-npy", "county", "handler", "town"),
    ("ah-la-ja-wc-mz", "county", "handler", "town"),
    ("ah-la-ja-ssp-ssp", "county", "handler2", None),
    ("ah-la-yj-pg-hp", "county_yj", "handler_yj", "town2"),
    ("ah-la-yj-pg-xy", "county_yj", "handler_yj", "town2"),
    ("ah-hf-cf-ym-mn", "county_cf", "handler_cf", "town_ym"),
    ("ah-hf-yh-hpl-hqs", "county_yh", None, "town_hpl"),
]

# Target end states, each with how many demo petitions end there.
TARGETS = {
    "received": 12,
    "registered": 14,
    "triage": 8,
    "forwarded": 14,
    "assigned": 10,
    "objection_raised": 4,
    "accepted": 6,
    "in_handling": 36,
    "hearing": 3,
    "mediation": 6,
    "settled": 6,
    "opinion_issued": 8,
    "replied": 16,
    "evaluated": 20,
    "closed": 70,
    "review_requested": 5,
    "review_decided": 5,
    "re_review_requested": 3,
    "final": 3,
    "post_final_followup": 2,
    "redirected": 5,
    "referred_discipline": 3,
    "referred_political_legal": 4,
    "diverted_procedure": 5,
    "suggestion_study": 4,
    "duty_performance": 3,
}


@dataclass
class Actors:
    county: User
    handler: User
    town: User | None
    handler_unit: Unit


def _person(rng: random.Random, seed: int) -> PersonData:
    from xinfang.core.idnumber import check_character

    region = rng.choice(["341502", "341504"])
    birth = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{region}{birth}{seed % 1000:03d}"
    return PersonData(
        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
        id_number=first17 + check_character(first17),
        phone=f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        address="",
    )


# Who plausibly does what: farms rent village land, builders work at night; anyone may owe wages.
FIRMS_FOR = {"土地流转": FIRMS[:2] + FIRMS[4:5], "施工": [FIRMS[2], FIRMS[5]]}


def _fill(rng: random.Random, place: Unit, subject: str) -> dict[str, object]:
    firms = next((firms for marker, firms in FIRMS_FOR.items() if marker in subject), FIRMS)
    return {
        "firm": rng.choice(firms),
        "estate": rng.choice(ESTATES),
        "road": rng.choice(ROADS),
        "village": place.name,
        "n": rng.randint(3, 40),
        "amount": rng.randint(8, 90) * 1000,
        "year": rng.choice([2024, 2025]),
        "meters": rng.choice([300, 450, 600, 800]),
    }


def _texts(rng: random.Random, templates: tuple[str, str, str], place: Unit) -> list[str]:
    """Subject, request and facts about one estate, firm and road (three draws are made so the rest of the
    demo stays as it was; the first is used for all three texts)."""
    draws = [_fill(rng, place, templates[0]) for _ in templates]
    values = draws[0]
    return [template.format(**values) for template in templates]


def build_demo_petitions(*, count_scale: float = 1.0, seed: int = 2023) -> int:
    """Create the demo petitions once (skipped when petitions exist). Returns how many were made."""
    if Petition.objects.filter(subject__isnull=False).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    made = 0
    serial = 0
    for target, how_many in TARGETS.items():
        for _ in range(max(1, round(how_many * count_scale))):
            serial += 1
            place_code, county, handler, town = PLACES[serial % len(PLACES)]
            if handler is None:
                place_code, county, handler, town = PLACES[0]
            start = today - dt.timedelta(
                days=rng.randint(5, 330) if target not in {"received", "registered"} else rng.randint(0, 6)
            )
            if target in {
                "review_requested",
                "review_decided",
                "re_review_requested",
                "final",
                "post_final_followup",
            }:
                start = today - dt.timedelta(days=rng.randint(150, 300))
            assert handler is not None
            _walk(rng, serial, target, start, place_code, county, handler, town)
            made += 1
    made += _repeat_and_bypass(rng)
    return made


def _repeat_and_bypass(rng: random.Random) -> int:
    """The same people coming back: at the same county (repeat) and at the city or province (bypass)."""
    from .detection import suggestion_decide
    from .models import PartyRole, Suggestion

    made = 0
    earlier = list(
        Petition.objects.filter(
            place__code__startswith="ah-la-ja", state__in=["in_handling", "closed", "evaluated"]
        )
        .select_related("principal", "place", "category")
        .order_by("pk")[:12]
    )
    where = ["county", "county", "county", "county", "city", "city", "province", "province"] * 2
    for index, old in enumerate(earlier):
        who = User.objects.get(username=where[index % len(where)])
        day = min(
            timezone.localdate(), timezone.localdate(old.received_at) + dt.timedelta(days=rng.randint(20, 60))
        )
        party = old.parties.get(role=PartyRole.PRINCIPAL).petitioner
        data = IntakeData(
            channel=Channel.VISIT
            if who.username != "county"
            else rng.choice([Channel.PHONE, Channel.LETTER]),
            subject=old.subject,
            request=old.request + "，至今仍未解决",
            facts=old.facts,
            place=old.place,
            principal=PersonData(name=party.name, id_number=party.id_number, phone=party.phone),
            category=old.category,
        )
        with _travel(day):
            petition = petition_register(user=who, data=data)
            for suggestion in Suggestion.objects.filter(petition=petition).order_by("pk"):
                # Staff confirm most suggestions and dismiss some, as they would.
                suggestion_decide(
                    suggestion_id=suggestion.pk,
                    user=who,
                    confirm=index % 4 != 3,
                    note="经核实为同一事项" if index % 4 != 3 else "诉求不同，不属重复",
                )
        made += 1
    return made


def _travel(day: dt.date) -> time_machine.travel:
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def _walk(
    rng: random.Random,
    serial: int,
    target: str,
    start: dt.date,
    place_code: str,
    county_name: str,
    handler_name: str,
    town_name: str | None,
) -> Petition:
    place = Unit.objects.get(code=place_code)
    handler = User.objects.get(username=handler_name)
    actors = Actors(
        county=User.objects.get(username=county_name),
        handler=handler,
        town=User.objects.get(username=town_name) if town_name else None,
        handler_unit=_seat(handler),
    )
    category_name, _function, subject, request, facts = TEMPLATES[serial % len(TEMPLATES)]
    category = Category.objects.filter(parent=None, name=category_name).first()
    channel = rng.choice(
        [Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.ONLINE, Channel.HOTLINE, Channel.VISIT]
    )
    petition_type = PetitionType.GRIEVANCE
    if target == "suggestion_study":
        petition_type = PetitionType.SUGGESTION
    if target == "referred_discipline":
        petition_type = PetitionType.ACCUSATION
    subject_text, request_text, facts_text = _texts(rng, (subject, request, facts), place)
    data = IntakeData(
        channel=channel,
        subject=subject_text,
        request=request_text,
        facts=facts_text,
        place=place,
        principal=_person(rng, serial),
        category=category,
        petition_type=petition_type if target == "referred_discipline" else "",
        people_count=rng.choice([1, 1, 1, 2, 3, 12]),
        accused_description="某社区工作人员" if target == "referred_discipline" else "",
    )
    day = start
    steps = _plan(target)
    with _travel(day):
        if target == "received":
            return petition_register(user=None, data=data, registering_unit=_seat(actors.county))
        petition = petition_register(user=actors.county, data=data)
    for step in steps:
        day = day + dt.timedelta(days=rng.randint(1, 6) if step != "deliver_reply" else rng.randint(8, 40))
        day = min(day, timezone.localdate())
        with _travel(day):
            petition = STEP_RUNNERS[step](petition, actors, day, rng)
    return petition


def _plan(target: str) -> list[str]:
    handling = ["forward", "accept", "start_handling"]
    replied = [*handling, "issue_opinion", "deliver_reply"]
    plans = {
        "received": [],
        "registered": [],
        "triage": ["triage"],
        "forwarded": ["forward"],
        "assigned": ["assign"],
        "objection_raised": ["forward", "raise_objection"],
        "accepted": ["forward", "accept"],
        "in_handling": handling,
        "hearing": [*handling, "open_hearing"],
        "mediation": [*handling, "start_mediation"],
        "settled": [*handling, "start_mediation", "settle"],
        "opinion_issued": [*handling, "issue_opinion"],
        "replied": replied,
        "evaluated": [*replied, "evaluate"],
        "closed": [*replied, "evaluate", "close"],
        "review_requested": [*replied, "request_review"],
        "review_decided": [*replied, "request_review", "decide_review"],
        "re_review_requested": [*replied, "request_review", "decide_review", "request_re_review"],
        "final": [*replied, "request_review", "decide_review", "request_re_review", "decide_re_review"],
        "post_final_followup": [
            *replied,
            "request_review",
            "decide_review",
            "request_re_review",
            "decide_re_review",
            "start_followup",
        ],
        "redirected": ["redirect"],
        "referred_discipline": ["refer_discipline"],
        "referred_political_legal": ["refer_political_legal"],
        "diverted_procedure": ["forward", "divert"],
        "suggestion_study": ["forward", "accept_suggestion"],
        "duty_performance": ["forward", "accept_duty"],
    }
    return plans[target]


def _seat(user: User) -> Unit:
    membership = user.memberships.select_related("unit").first()
    assert membership is not None, f"demo user {user} has no post"
    return membership.unit


def _organ(actors: Actors, suffix: str) -> Unit:
    county = _seat(actors.county).area()
    return Unit.objects.get(code=f"{county.code}-{suffix}")


Runner = Callable[[Petition, Actors, dt.date, random.Random], Petition]


def _reviewer(petition: Petition, actors: Actors) -> User:
    """Who decides an appeal: a leader of the deciding unit, or the administrator above county level."""
    unit = petition.current_unit
    leader = User.objects.filter(memberships__unit=unit, memberships__role="leader").first()
    return leader or User.objects.get(username="admin")


STEP_RUNNERS: dict[str, Runner] = {
    "triage": lambda p, a, d, r: services.petition_triage(petition_id=p.pk, user=a.county),
    "forward": lambda p, a, d, r: services.petition_forward(
        petition_id=p.pk, user=a.county, to_unit=a.handler_unit
    ),
    "assign": lambda p, a, d, r: services.petition_assign(
        petition_id=p.pk,
        user=a.county,
        to_unit=a.handler_unit,
        feedback_days=30,
        note="请于30日内反馈办理结果",
    ),
    "raise_objection": lambda p, a, d, r: services.petition_raise_objection(
        petition_id=p.pk, user=a.handler, reason="该事项属于乡镇属地管理范围，不属本部门职责"
    ),
    "accept": lambda p, a, d, r: services.petition_accept(
        petition_id=p.pk, user=a.handler, petition_type=PetitionType.GRIEVANCE, notice_sent_on=d
    ),
    "accept_suggestion": lambda p, a, d, r: services.petition_accept(
        petition_id=p.pk,
        user=a.handler,
        petition_type=PetitionType.SUGGESTION,
        notice_sent_on=d,
        route="start_study",
    ),
    "accept_duty": lambda p, a, d, r: services.petition_accept(
        petition_id=p.pk,
        user=a.handler,
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=d,
        route="start_duty",
    ),
    "start_handling": lambda p, a, d, r: services.petition_start_route(
        petition_id=p.pk, user=a.handler, route="start_handling"
    ),
    "open_hearing": lambda p, a, d, r: services.petition_open_hearing(
        petition_id=p.pk, user=a.handler, note="事项复杂，组织听证"
    ),
    "start_mediation": lambda p, a, d, r: services.petition_start_mediation(
        petition_id=p.pk, user=a.handler, note="双方同意调解"
    ),
    "settle": lambda p, a, d, r: services.petition_settle(
        petition_id=p.pk, user=a.handler, agreement="双方达成和解，分两期支付", signed_on=d
    ),
    "issue_opinion": lambda p, a, d, r: services.petition_issue_opinion(
        petition_id=p.pk,
        user=a.handler,
        decision=r.choice([Decision.SUPPORT, Decision.SUPPORT, Decision.EXPLAIN, Decision.NOT_SUPPORT]),
        facts_found="经调查核实，信访人反映的情况基本属实。",
        reasons="依据相关政策规定作出处理。",
        legal_basis="《信访工作条例》第三十一条、第三十二条",
        issued_on=d,
    ),
    "deliver_reply": lambda p, a, d, r: services.petition_deliver_reply(
        petition_id=p.pk, user=a.handler, delivered_on=d, method=DeliveryMethod.IN_PERSON
    ),
    "evaluate": lambda p, a, d, r: services.petition_evaluate(
        petition_id=p.pk,
        user=a.county,
        rating=r.choice(
            [Rating.SATISFIED, Rating.SATISFIED, Rating.SATISFIED, Rating.BASICALLY, Rating.DISSATISFIED]
        ),
    ),
    "close": lambda p, a, d, r: services.petition_close(
        petition_id=p.pk, user=a.handler, reason="信访人表示不再申请复查"
    ),
    "request_review": lambda p, a, d, r: services.petition_request_review(
        petition_id=p.pk, user=a.county, requested_on=d, grounds="对处理意见不服，申请复查"
    ),
    "decide_review": lambda p, a, d, r: services.petition_decide_review(
        petition_id=p.pk,
        user=_reviewer(p, a),
        decision=Decision.NOT_SUPPORT,
        facts_found="原处理意见认定事实清楚。",
        reasons="处理意见适用政策正确。",
        legal_basis="《信访工作条例》第三十五条",
        delivered_on=d,
    ),
    "request_re_review": lambda p, a, d, r: services.petition_request_re_review(
        petition_id=p.pk,
        user=User.objects.get(username="admin"),
        requested_on=d,
        grounds="对复查意见不服，请求复核",
    ),
    "decide_re_review": lambda p, a, d, r: services.petition_decide_re_review(
        petition_id=p.pk,
        user=User.objects.get(username="admin"),
        decision=Decision.NOT_SUPPORT,
        facts_found="复查意见认定事实清楚。",
        reasons="程序合法，处理恰当。",
        legal_basis="《信访工作条例》第三十六条",
        delivered_on=d,
    ),
    "start_followup": lambda p, a, d, r: services.petition_start_followup(
        petition_id=p.pk,
        user=User.objects.get(username="admin"),
        plan="安排社区干部定期走访，开展疏导教育和帮扶救助",
    ),
    "redirect": lambda p, a, d, r: services.petition_redirect(
        petition_id=p.pk, user=a.county, reason="该事项属于法院执行程序，请向原审法院提出"
    ),
    "refer_discipline": lambda p, a, d, r: services.petition_refer_discipline(
        petition_id=p.pk, user=a.county, to_unit=_organ(a, "jw"), reason="反映公职人员问题，转纪委监委"
    ),
    "refer_political_legal": lambda p, a, d, r: services.petition_refer_political_legal(
        petition_id=p.pk, user=a.county, to_unit=_organ(a, "zfw"), reason="涉及诉讼程序，已释法明理并转政法委"
    ),
    "divert": lambda p, a, d, r: services.petition_divert(
        petition_id=p.pk,
        user=a.handler,
        procedure=r.choice(list(Procedure.values)),
        reason="该事项应通过劳动仲裁程序解决，请向区劳动人事争议仲裁委员会申请",
    ),
}
