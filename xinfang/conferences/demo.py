"""Demo joint conferences: the towns, counties and cities of the demo tree, not every town (so that the
coverage figure means something), the 杨庙镇 canal case of the article decided and carried out, one
escalation in progress at 长丰县 and one supervision measure. Everything goes through the services with
the clock moved back; all people are fictitious.

Coverage as built (towns with a meeting in the last three months): 金安区 2 of 2, 长丰县 1 of 2 (水湖镇's
conference last met five months ago), 瑶海区 1 of 2, 叶集区 0 of 2 (平岗街道's conference has not met).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.accounts.demo import ensure_demo_user
from xinfang.accounts.models import Role, User
from xinfang.core.idnumber import check_character
from xinfang.orgs.models import Unit
from xinfang.petitions import services as petition_services
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.states import Channel, PetitionType, Rating

from . import services
from .models import (
    AgendaItem,
    AttendanceStatus,
    Decision,
    Funding,
    ItemSource,
    JointConference,
    MeasureKind,
    Meeting,
    MeetingKind,
    ParticipantRole,
)

# (username, full name, unit code, role, title): convenors of the demo conferences and the 庙南 cadre.
CONFERENCE_STAFF = [
    ("leader_ym", "宋杨庙镇领导", "ah-hf-cf-ym", Role.LEADER, "镇党委书记"),
    ("leader_cf", "韩长丰县领导", "ah-hf-cf", Role.LEADER, "县委副书记"),
    ("cadre_mn", "蒋庙南社区书记", "ah-hf-cf-ym-mn", Role.VILLAGE_CADRE, "社区党委书记、居委会主任"),
    ("leader_sh", "唐水湖镇领导", "ah-hf-cf-sh", Role.LEADER, "镇党委书记"),
    ("leader_hf", "魏合肥市领导", "ah-hf", Role.LEADER, "市委副书记"),
    ("leader_hpl", "丁和平路街道领导", "ah-hf-yh-hpl", Role.LEADER, "街道党工委书记"),
    ("leader_wc", "彭望城街道领导", "ah-la-ja-wc", Role.LEADER, "街道党工委书记"),
    ("leader_ssp", "潘三十铺镇领导", "ah-la-ja-ssp", Role.LEADER, "镇党委书记"),
    ("leader_pg", "袁平岗街道领导", "ah-la-yj-pg", Role.LEADER, "街道党工委书记"),
]


@dataclass(frozen=True)
class Setup:
    area: str
    convenor: str
    secretariat: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    place: str = ""


TOWN_MEMBERS = ("xfb", "sfs", "pcs", "jw", "nyb")
COUNTY_MEMBERS = ("xfj", "rsj", "zjj", "nyj", "zrj", "slj", "mzj", "jw", "zfw")
CITY_MEMBERS = ("xfj", "rsj", "zjj", "jw")


def _organs(area: str, suffixes: tuple[str, ...], *others: str) -> tuple[str, ...]:
    return (*(f"{area}-{suffix}" for suffix in suffixes), *others)


def _town(code: str, convenor: str, secretariat: tuple[str, ...], villages: tuple[str, ...]) -> Setup:
    return Setup(code, convenor, secretariat, _organs(code, TOWN_MEMBERS, *villages), "镇政府三楼会议室")


SETUPS = {
    "ym": _town("ah-hf-cf-ym", "leader_ym", ("town_ym",), ("ah-hf-cf-ym-mn", "ah-hf-cf-ym-yms")),
    "sh": _town("ah-hf-cf-sh", "leader_sh", (), ("ah-hf-cf-sh-dc",)),
    "hpl": _town("ah-hf-yh-hpl", "leader_hpl", ("town_hpl",), ("ah-hf-yh-hpl-ths", "ah-hf-yh-hpl-hqs")),
    "wc": _town("ah-la-ja-wc", "leader_wc", ("town",), ("ah-la-ja-wc-npy", "ah-la-ja-wc-mz")),
    "ssp": _town("ah-la-ja-ssp", "leader_ssp", (), ("ah-la-ja-ssp-ssp",)),
    "pg": _town("ah-la-yj-pg", "leader_pg", ("town2",), ("ah-la-yj-pg-hp", "ah-la-yj-pg-xy")),
    "cf": Setup(
        "ah-hf-cf",
        "leader_cf",
        ("county_cf",),
        _organs("ah-hf-cf", COUNTY_MEMBERS, "ah-hf-cf-ym", "ah-hf-cf-sh"),
        "县政府二楼会议室",
    ),
    "ja": Setup(
        "ah-la-ja",
        "leader",
        ("county",),
        _organs("ah-la-ja", COUNTY_MEMBERS, "ah-la-ja-wc", "ah-la-ja-ssp"),
        "区政府会议中心",
    ),
    "hf": Setup("ah-hf", "leader_hf", (), _organs("ah-hf", CITY_MEMBERS, "ah-hf-cf", "ah-hf-yh")),
    "la": Setup("ah-la", "leader_city", ("city",), _organs("ah-la", CITY_MEMBERS, "ah-la-ja")),
}


def valid_id(seed: int) -> str:
    """A well-formed resident ID number (GB 11643 check character) of a fictitious 长丰县 resident."""
    first17 = f"340121{1950 + seed % 45:04d}{1 + seed % 12:02d}{1 + seed % 28:02d}{seed % 1000:03d}"
    return first17 + check_character(first17)


def user(username: str) -> User:
    return User.objects.get(username=username)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def ensure_conference_staff() -> list[User]:
    return [ensure_demo_user(*row) for row in CONFERENCE_STAFF]


def set_up(key: str) -> JointConference:
    """The conference of ``SETUPS[key]`` with its convenor, secretariat and members (idempotent)."""
    setup = SETUPS[key]
    area = unit(setup.area)
    existing = JointConference.objects.filter(area=area, is_active=True).first()
    if existing is not None:
        return existing
    admin = user("admin")
    office = Unit.objects.filter(code__in=[f"{setup.area}-xfb", f"{setup.area}-xfj"]).first()
    conference = services.conference_create(
        user=admin,
        area=area,
        office_unit=office,
        rule=services.Rule(default_place=setup.place),
    )
    convenor = user(setup.convenor)
    title = convenor.memberships.values_list("title", flat=True).first() or ""
    services.participant_add(
        conference_id=conference.pk, user=admin, person=convenor, role=ParticipantRole.CONVENOR, title=title
    )
    for name in setup.secretariat:
        person = user(name)
        services.participant_add(
            conference_id=conference.pk,
            user=admin,
            person=person,
            role=ParticipantRole.SECRETARIAT,
            title=person.memberships.values_list("title", flat=True).first() or "",
        )
    for code in setup.members:
        services.member_add(conference_id=conference.pk, user=admin, unit=unit(code))
    return conference


@contextmanager
def on(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Run the services as if it were ``day`` (the clock stands still meanwhile)."""
    moment = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        yield


def full_attendance(conference: JointConference, absent: dict[str, str] | None = None) -> list:
    """Everyone came, except the units in ``absent`` (code -> reason)."""
    absent = absent or {}
    rows = []
    for member in conference.members.filter(left_on__isnull=True).select_related("unit"):
        reason = absent.get(member.unit.code)
        if reason:
            rows.append(
                services.AttendanceEntry(member.unit_id, AttendanceStatus.ABSENT, absence_reason=reason)
            )
        else:
            rows.append(
                services.AttendanceEntry(member.unit_id, AttendanceStatus.PRESENT, attendee="负责同志")
            )
    return rows


def hold_meeting(
    conference: JointConference,
    day: dt.date,
    *,
    by: str,
    kind: str = MeetingKind.WORKING,
    topic: str = "",
    items: tuple[AgendaItem, ...] = (),
) -> Meeting:
    """An ad hoc meeting called that morning with ``items`` on it, held in the afternoon, all present."""
    with on(day, 8):
        meeting = services.meeting_schedule(
            conference_id=conference.pk,
            user=user(by),
            kind=kind,
            scheduled_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone()),
            topic=topic,
        )
        for position, item in enumerate(items, start=1):
            services.agenda_item_schedule(
                item_id=item.pk, user=user(by), meeting_id=meeting.pk, position=position
            )
    with on(day, 15):
        convenor = conference.participants.get(role=ParticipantRole.CONVENOR, ended_at__isnull=True).user
        return services.meeting_hold(
            meeting_id=meeting.pk,
            user=user(by),
            held_at=timezone.now(),
            chair=convenor,
            attendance=full_attendance(conference),
        )


def evidence(name: str = "验收报告.pdf") -> SimpleUploadedFile:
    """A small PDF standing for the scanned acceptance report."""
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo evidence\n", content_type="application/pdf")


# --- the canal case of the article -----------------------------------------------------------------

CANAL_GROUPS = [("老圩村民组", 1), ("岔路口村民组", 2)]
CANAL_TITLE = "庙南社区老圩、岔路口村民组灌溉支渠硬化改造"
CANAL_REASONS = (
    "老圩、岔路口村民组灌溉支渠损坏严重，渠道淤塞变窄，村民取水不便，雨季排洪困难，影响农业生产。"
    "村民要求尽快对支渠进行硬化改造，但社区力量有限，无法筹措资金，提请镇信访联席会议协调解决。"
)
CANAL_STATEMENT = "将庙南社区灌溉支渠硬化项目列入镇民生工程，由镇政府牵头组织实施。"
CANAL_MEASURES = "对老圩、岔路口村民组约600米灌溉支渠进行清淤、硬化；汛期前完工，解决400余人农业用水问题。"
CANAL_RESULT = (
    "已完成约600米农业用水支渠的清淤硬化修缮，经镇、社区和群众代表验收合格，解决了400多人的农业用水问题。"
)


def canal_petitions(*, seed: int = 0) -> list[Petition]:
    """The villagers' requests, registered and accepted at 庙南社区 by its cadre (one per villager group)."""
    cadre = user("cadre_mn")
    category = Category.objects.filter(parent=None, name="农村农业").first()
    petitions = []
    for index, (group, number) in enumerate(CANAL_GROUPS, start=1):
        data = IntakeData(
            channel=Channel.VISIT,
            subject=f"{group}灌溉支渠淤塞损坏，农业用水困难",
            request="请求尽快对灌溉支渠进行硬化改造",
            facts="支渠损坏严重，渠道淤塞变窄，取水不便，雨季排洪困难。",
            place=unit(f"ah-hf-cf-ym-mn-g{number}"),
            principal=PersonData(
                name=f"{'周吴'[index - 1]}某某", id_number=valid_id(700 + seed * 10 + index)
            ),
            category=category,
            people_count=200 + index * 10,
        )
        petition = petition_register(user=cadre, data=data)
        petitions.append(
            petition_services.petition_accept(
                petition_id=petition.pk,
                user=cadre,
                petition_type=PetitionType.GRIEVANCE,
                notice_sent_on=timezone.localdate(),
                route="start_handling",
            )
        )
    return petitions


@dataclass
class Built:
    conferences: dict[str, JointConference] = field(default_factory=dict)
    canal_decision: Decision | None = None
    escalated_item: AgendaItem | None = None


def build_demo_conferences(*, today: dt.date | None = None) -> Built:
    """Create the demo conferences once (skipped when any conference exists)."""
    built = Built()
    if JointConference.objects.exists():
        return built
    ensure_conference_staff()
    today = today or timezone.localdate()
    for key in SETUPS:
        built.conferences[key] = set_up(key)
    c = built.conferences
    # Meetings that make the coverage: recent ones, and an old one at 水湖镇 that no longer counts.
    hold_meeting(c["wc"], today - dt.timedelta(days=40), by="town", topic="研究南屏苑小区物业服务问题")
    hold_meeting(c["ssp"], today - dt.timedelta(days=25), by="leader_ssp", topic="研究三十铺社区道路维修")
    hold_meeting(c["hpl"], today - dt.timedelta(days=60), by="town_hpl", topic="研究棚户区改造群众工作")
    hold_meeting(c["sh"], today - dt.timedelta(days=150), by="leader_sh", topic="研究东城社区排涝问题")
    hold_meeting(c["ja"], today - dt.timedelta(days=30), by="county", kind=MeetingKind.PLENARY)
    hold_meeting(c["la"], today - dt.timedelta(days=50), by="city", kind=MeetingKind.PLENARY)
    built.canal_decision = _canal_case(c["ym"], today)
    built.escalated_item = _escalation_in_progress(c["ym"], c["cf"], today)
    for conference in c.values():
        services.meetings_schedule_rule(conference_id=conference.pk, today=today)
    return built


def _canal_case(conference: JointConference, today: dt.date) -> Decision:
    start = today - dt.timedelta(days=80)
    with on(start):
        petitions = canal_petitions()
        item = services.agenda_item_propose(
            user=user("cadre_mn"),
            conference_id=conference.pk,
            title=CANAL_TITLE,
            reasons=CANAL_REASONS,
            petition_ids=[p.pk for p in petitions],
            source=ItemSource.COMMON_ISSUE,
        )
        services.agenda_item_accept(item_id=item.pk, user=user("town_ym"))
    meeting = hold_meeting(
        conference,
        start + dt.timedelta(days=3),
        by="town_ym",
        topic="研究庙南社区农业用水问题",
        items=(item,),
    )
    with on(start + dt.timedelta(days=3), 16):
        minutes = services.minutes_draft(
            meeting_id=meeting.pk,
            user=user("town_ym"),
            summary="会议听取了庙南社区关于老圩、岔路口村民组灌溉支渠损坏问题的汇报，镇农业农村办公室、水利等部门作了说明。",
            distribution="各成员单位，长丰县信访局",
        )
        decision = services.decision_record(
            minutes_id=minutes.pk,
            item_id=item.pk,
            user=user("town_ym"),
            data=services.DecisionData(
                statement=CANAL_STATEMENT,
                measures=CANAL_MEASURES,
                lead_unit=unit("ah-hf-cf-ym"),
                cooperating_units=[unit("ah-hf-cf-ym-nyb"), unit("ah-hf-cf-ym-mn")],
                funding=Funding.LIVELIHOOD_PROJECT,
                funding_reference="杨庙镇民生工程（农田水利）",
                budget_amount=None,
                due_on=start + dt.timedelta(days=60),
            ),
        )
    with on(start + dt.timedelta(days=4)):
        services.minutes_approve(minutes_id=minutes.pk, user=user("leader_ym"))
    with on(start + dt.timedelta(days=40)):
        services.decision_report_progress(
            decision_id=decision.pk, user=user("cadre_mn"), text="施工队已进场，完成清淤约300米。"
        )
    with on(start + dt.timedelta(days=55)):
        decision = services.decision_complete(
            decision_id=decision.pk, user=user("town_ym"), result=CANAL_RESULT, evidence=[evidence()]
        )
    with on(start + dt.timedelta(days=57)):
        for petition in petitions:
            services.decision_reply(decision_id=decision.pk, petition_id=petition.pk, user=user("cadre_mn"))
            services.decision_reply(decision_id=decision.pk, petition_id=petition.pk, user=user("cadre_mn"))
    with on(start + dt.timedelta(days=60)):
        for petition in petitions:
            petition_services.petition_evaluate(
                petition_id=petition.pk, user=None, rating=Rating.SATISFIED, via_portal=True
            )
    return decision


def drainage_petition(*, seed: int = 811) -> Petition:
    """The community's request about its old drainage station, registered and accepted by its cadre."""
    cadre = user("cadre_mn")
    petition = petition_register(
        user=cadre,
        data=IntakeData(
            channel=Channel.VISIT,
            subject="庙南社区排涝站泵机老化，汛期农田受淹",
            request="请求更新排涝站泵机并扩建排涝沟渠",
            facts="排涝站建于上世纪八十年代，泵机老化，去年汛期约300亩农田受淹。",
            place=unit("ah-hf-cf-ym-mn"),
            principal=PersonData(name="郑某某", id_number=valid_id(seed)),
            people_count=120,
        ),
    )
    return petition_services.petition_accept(
        petition_id=petition.pk,
        user=cadre,
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=timezone.localdate(),
        route="start_handling",
    )


def _escalation_in_progress(town: JointConference, county: JointConference, today: dt.date) -> AgendaItem:
    """A flood-drainage station the town cannot fund: escalated to 长丰县, accepted, meeting planned."""
    day = today - dt.timedelta(days=12)
    with on(day):
        cadre = user("cadre_mn")
        petition = drainage_petition(seed=811)
        item = services.agenda_item_propose(
            user=cadre,
            conference_id=town.pk,
            title="庙南社区排涝站更新改造",
            reasons="排涝站更新需资金约180万元，超出镇级财力，且涉及县水利规划。",
            petition_ids=[petition.pk],
            source=ItemSource.PETITION,
        )
        services.agenda_item_accept(item_id=item.pk, user=user("town_ym"))
    with on(day + dt.timedelta(days=2)):
        escalation = services.agenda_item_escalate(
            item_id=item.pk,
            user=user("town_ym"),
            reason="排涝站更新改造需资金约180万元，超出镇级财力，且须纳入县级水利规划，镇联席会议难以解决，特报请县联席会议研究。",
            documents=[evidence("杨庙镇关于庙南社区排涝站更新改造的请示.pdf")],
        )
    with on(day + dt.timedelta(days=4)):
        meeting = services.meeting_schedule(
            conference_id=county.pk,
            user=user("county_cf"),
            kind=MeetingKind.WORKING,
            scheduled_at=dt.datetime.combine(
                today + dt.timedelta(days=6), dt.time(9, 30), tzinfo=timezone.get_current_timezone()
            ),
            topic="研究乡镇报请的农田水利问题",
        )
        services.agenda_item_accept(
            item_id=escalation.upper_item_id, user=user("county_cf"), meeting_id=meeting.pk
        )
    # A decision of 长丰县 overdue at its lead unit, and the measure the convenor took.
    _overdue_and_measure(county, today)
    return item


def _overdue_and_measure(county: JointConference, today: dt.date) -> None:
    start = today - dt.timedelta(days=100)
    with on(start):
        petition = road_petition()
        item = services.agenda_item_propose(
            user=user("county_cf"),
            conference_id=county.pk,
            title="水湖镇东城社区农村公路破损修复",
            reasons="道路修复涉及交通、住建和镇政府，职责交叉，久拖未决。",
            petition_ids=[petition.pk],
            source=ItemSource.PETITION,
        )
        services.agenda_item_accept(item_id=item.pk, user=user("county_cf"))
    meeting = hold_meeting(county, start + dt.timedelta(days=5), by="county_cf", items=(item,))
    with on(start + dt.timedelta(days=5), 16):
        minutes = services.minutes_draft(
            meeting_id=meeting.pk,
            user=user("county_cf"),
            summary="会议研究了水湖镇东城社区农村公路破损问题。",
        )
        decision = services.decision_record(
            minutes_id=minutes.pk,
            item_id=item.pk,
            user=user("county_cf"),
            data=services.DecisionData(
                statement="由县住房和城乡建设局牵头，30日内完成东城社区道路破损修复。",
                measures="县住建局制定修复方案并组织施工，水湖镇做好群众工作。",
                lead_unit=unit("ah-hf-cf-zjj"),
                cooperating_units=[unit("ah-hf-cf-sh")],
                funding=Funding.UNIT_BUDGET,
                due_on=start + dt.timedelta(days=35),
            ),
        )
        services.minutes_approve(minutes_id=minutes.pk, user=user("leader_cf"))
    with on(today - dt.timedelta(days=10)):
        services.supervision_measure_issue(
            conference_id=county.pk,
            user=user("leader_cf"),
            unit=unit("ah-hf-cf-zjj"),
            kind=MeasureKind.INTERVIEW,
            reason="县联席会议议定的东城社区道路修复逾期未完成，约谈县住建局主要负责同志。",
            decision_id=decision.pk,
        )


def road_petition() -> Petition:
    """A letter about a village road, registered by the 长丰县 petition bureau."""
    county = user("county_cf")
    petition = petition_register(
        user=county,
        data=IntakeData(
            channel=Channel.LETTER,
            subject="东城社区村道破损严重，雨天无法通行",
            request="请求尽快修复东城社区村道",
            place=unit("ah-hf-cf-sh-dc"),
            principal=PersonData(name="冯某某", id_number=valid_id(812)),
        ),
    )
    return petition
