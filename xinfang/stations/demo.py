"""Demo scenario 2 (domain.md §8): the 南屏苑社区 "和谐之声·暖心驿站" of 望城街道, 金安区.

Opened in May 2022, Monday to Thursday 8:30-12:00 and 14:30-17:30; staff of the district petition
bureau, the street office and the community take turns. Rotas for last, this and next month; some
walk-ins (resolved on the spot, one summoned department, one referred to mediation, one turned into a
petition); a fictitious hotline file (``demo_data/``) whose complaints fall to at most 5 a month after
the opening. All people are fictitious.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from xinfang.accounts.demo import ensure_demo_user
from xinfang.accounts.models import Role, User
from xinfang.orgs.models import Unit

from . import hotline, services, visits
from .models import DutyPool, HotlineSignal, PeriodKind, Rota, Station, Unavailability, Visit
from .schedule import Session

DEMO_STATION_NAME = "和谐之声·暖心驿站"
HOTLINE_FILE = Path(__file__).with_name("demo_data") / "hotline-jinan-2021-2026.csv"

# (username, full name, unit code, role, title): duty staff of the three organisations.
STATION_STAFF = [
    ("station_mgr", "唐驿站站长", "ah-la-ja-wc-npy", Role.VILLAGE_CADRE, "社区党委书记、暖心驿站站长"),
    ("npy_worker", "孔社区网格员", "ah-la-ja-wc-npy", Role.VILLAGE_CADRE, "社区网格员"),
    ("npy_worker2", "严社区工作者", "ah-la-ja-wc-npy", Role.VILLAGE_CADRE, "社区综治专干"),
    ("wc_duty", "姜街道干部", "ah-la-ja-wc-xfb", Role.TOWN_OFFICER, "街道信访办干事"),
    ("ja_duty", "卫区信访局干部", "ah-la-ja-xfj", Role.COUNTY_OFFICER, "来访接待科干部"),
]
# (pool unit code, pool name, usernames)
POOLS = [
    ("ah-la-ja-xfj", "金安区信访局", ["county", "ja_duty"]),
    ("ah-la-ja-wc", "望城街道办事处（信访办）", ["town", "wc_duty"]),
    ("ah-la-ja-wc-npy", "南屏苑社区", ["npy_worker", "npy_worker2", "station_mgr"]),
]
HOURS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(17, 30))]

# (days ago, hour, visitor, subject, notes, outcome, what was done)
VISITS = [
    (
        40,
        9,
        "邹桂兰",
        "楼上住户装修噪声扰民",
        "反映二期8栋楼上装修每天早七点开工。",
        "resolved",
        "驿站约双方当面沟通，装修方承诺9点后施工。",
    ),
    (
        33,
        15,
        "钟明亮",
        "电动车充电桩损坏",
        "一期北门充电桩两台损坏一周。",
        "resolved",
        "联系物业当日报修，已恢复使用。",
    ),
    (
        26,
        10,
        "谭秀英",
        "低保复核材料不会填写",
        "老人不清楚复核材料。",
        "resolved",
        "驿站工作人员现场指导填表并代为提交社区。",
    ),
    (
        19,
        9,
        "陆振华",
        "邻居占用消防通道堆放杂物",
        "二期5栋一楼通道堆物。",
        "resolved",
        "网格员现场劝导，杂物已清理。",
    ),
    (12, 16, "汪翠花", "物业维修基金使用不透明", "要求公开三期外墙维修费用。", "summoned", ""),
    (
        8,
        10,
        "石宏伟",
        "与物业因车位费发生纠纷",
        "双方对收费依据各执一词。",
        "mediation",
        "转社区人民调解委员会调解。",
    ),
    (5, 9, "白国庆", "小区地下车库长期积水", "二期地下车库积水两个月，物业推诿。", "petition", ""),
    (1, 10, "叶淑珍", "楼道照明损坏", "一期3栋楼道灯坏。", "pending", ""),
]


def ensure_station_staff() -> list[User]:
    return [ensure_demo_user(*row) for row in STATION_STAFF]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def _month(today: dt.date, offset: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + offset
    return index // 12, index % 12 + 1


def _station() -> Station:
    county = _user("county")
    place = _unit("ah-la-ja-wc-npy")
    station = services.station_create(
        user=county,
        name=DEMO_STATION_NAME,
        unit=place,
        address="六安市金安区望城街道南屏苑二期小区内",
        opened_on=dt.date(2022, 5, 9),
        serving_area=[place],
        sessions=[Session(day, start, end) for day in range(4) for start, end in HOURS],
        managers=[_user("station_mgr")],
    )
    for code, name, people in POOLS:
        pool = services.pool_create(user=county, station_id=station.pk, unit=_unit(code), name=name)
        for username in people:
            services.pool_member_add(
                user=county, pool_id=pool.pk, person=_user(username), joined_on=dt.date(2022, 5, 1)
            )
    return station


def _absences(today: dt.date) -> None:
    """Next month the street office is short for a few days: a training and a leave that overlap."""
    if Unavailability.objects.filter(user__username__in=["town", "wc_duty"]).exists():
        return
    year, month = _month(today, 1)
    first = dt.date(year, month, 1)
    mgr = _user("station_mgr")
    services.unavailability_record(
        user=mgr,
        person=_user("wc_duty"),
        starts_on=first + dt.timedelta(days=4),
        ends_on=first + dt.timedelta(days=13),
        kind="leave",
        reason="年休假",
    )
    services.unavailability_record(
        user=mgr,
        person=_user("town"),
        starts_on=first + dt.timedelta(days=10),
        ends_on=first + dt.timedelta(days=12),
        kind="training",
        reason="市信访业务培训",
    )


def _rotas(station: Station, today: dt.date) -> None:
    mgr = _user("station_mgr")
    for offset in (-1, 0, 1):
        year, month = _month(today, offset)
        first = dt.date(year, month, 1)
        exists = Rota.objects.filter(station=station, starts_on__year=year, starts_on__month=month).exists()
        if not exists and first >= station.opened_on.replace(day=1):
            services.rota_generate(
                user=mgr, station_id=station.pk, period_kind=PeriodKind.MONTH, year=year, number=month
            )


def _visits(station: Station, today: dt.date) -> None:
    if Visit.objects.filter(station=station).exists():
        return
    worker = _user("npy_worker")
    zone = timezone.get_current_timezone()
    for index, (ago, hour, name, subject, notes, outcome, done) in enumerate(VISITS, start=1):
        day = today - dt.timedelta(days=ago)
        while day.weekday() > 3:  # the station opens Monday to Thursday
            day -= dt.timedelta(days=1)
        visit = visits.visit_register(
            user=worker,
            station_id=station.pk,
            visitor=visits.Visitor(name=name, phone=f"1395640{index:04d}"),
            subject=subject,
            notes=notes,
            visited_at=dt.datetime.combine(day, dt.time(hour, 20), tzinfo=zone),
        )
        if outcome in ("resolved", "mediation"):
            visits.visit_conclude(user=worker, visit_id=visit.pk, outcome=outcome, note=done)
        elif outcome == "summoned":
            visits.visit_summon(
                user=worker,
                visit_id=visit.pk,
                department=_unit("ah-la-ja-zjj"),
                task="请区住建局物业科到驿站向居民说明维修基金使用情况",
                due_on=today + dt.timedelta(days=7),
            )
        elif outcome == "petition":
            visits.visit_to_petition(
                user=worker,
                visit_id=visit.pk,
                request="请求督促物业查明积水原因并修复排水设施",
                facts="二期地下车库积水已两个月，多次向物业反映未解决，车辆无法停放。",
            )


def _hotline() -> None:
    if HotlineSignal.objects.filter(ticket_id__startswith="12345-2021").exists():
        return
    report, _batch = hotline.hotline_import(
        user=_user("county"), filename=HOTLINE_FILE.name, content=HOTLINE_FILE.read_bytes()
    )
    if not report.ok:
        raise RuntimeError("demo hotline file: " + "; ".join(report.lines()[:5]))


def build_demo_stations() -> Station:
    """The demo station with its pools, rotas, visits and hotline tickets. Safe to run repeatedly."""
    ensure_station_staff()
    today = timezone.localdate()
    station = Station.objects.filter(name=DEMO_STATION_NAME).first() or _station()
    if not DutyPool.objects.filter(station=station).exists():
        raise RuntimeError("demo station without pools")
    _absences(today)
    _rotas(station, today)
    _visits(station, today)
    _hotline()
    return station
