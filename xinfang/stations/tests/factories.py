"""Stations built through the real services, as a district petition bureau would set one up."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence

import pytest
from django.db import connection, connections

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.stations import services
from xinfang.stations.demo import STATION_STAFF, ensure_station_staff
from xinfang.stations.models import DutyPool, Station
from xinfang.stations.schedule import Session

MORNING = (dt.time(8, 30), dt.time(12, 0))
AFTERNOON = (dt.time(14, 30), dt.time(17, 30))
MON_TO_THU = [Session(day, *hours) for day in range(4) for hours in (MORNING, AFTERNOON)]

# (pool unit code, people per shift, usernames on the list): the three organisations of the article.
POOLS = [
    ("ah-la-ja-xfj", 1, ["county", "ja_duty"]),
    ("ah-la-ja-wc", 1, ["town", "wc_duty"]),
    ("ah-la-ja-wc-npy", 1, ["npy_worker", "npy_worker2", "station_mgr"]),
]


def user(username: str) -> User:
    return User.objects.get(username=username)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def make_station(
    *,
    by: str = "county",
    name: str = "和谐之声·暖心驿站",
    place: str = "ah-la-ja-wc-npy",
    opened_on: dt.date = dt.date(2022, 5, 9),
    sessions: Sequence[Session] = MON_TO_THU,
    pools: Sequence[tuple[str, int, list[str]]] = POOLS,
    managers: Sequence[str] = ("station_mgr",),
    adjusted_workday_as: int | None = 0,
    joined_on: dt.date = dt.date(2022, 5, 1),
) -> Station:
    ensure_station_staff()
    station = services.station_create(
        user=user(by),
        name=name,
        unit=unit(place),
        address="望城街道南屏苑小区内",
        opened_on=opened_on,
        serving_area=[unit(place)],
        sessions=sessions,
        adjusted_workday_as=adjusted_workday_as,
        managers=[user(m) for m in managers],
    )
    for code, need, people in pools:
        pool = services.pool_create(
            user=user(by), station_id=station.pk, unit=unit(code), people_per_shift=need
        )
        for person in people:
            services.pool_member_add(user=user(by), pool_id=pool.pk, person=user(person), joined_on=joined_on)
    return station


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")


def race(calls: list[Callable[[], object]]) -> list[object]:
    """Run ``calls`` at the same moment, each in its own thread and connection; results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def pool_of(station: Station, code: str) -> DutyPool:
    return DutyPool.objects.get(station=station, unit__code=code)


__all__ = ["MON_TO_THU", "POOLS", "STATION_STAFF", "make_station", "pool_of", "unit", "user"]


# Two mornings a week: a month has 8 or 9 shifts, enough for swaps, cheap to read back in every example.
LEAN_HOURS = [Session(0, *MORNING), Session(2, *MORNING)]


def api_ids() -> dict[str, list[int]]:
    """Ids for the schemathesis run of the stations operations: a station with next month's rota, a
    pending swap, an absence, a walk-in and a hotline ticket, all in the 金安区 bureau's reach, plus
    places in and out of it; each list ends with an id that does not exist."""
    from django.utils import timezone

    from xinfang.stations import hotline, visits
    from xinfang.stations.models import Assignment, HotlineSignal, PeriodKind, PoolMember
    from xinfang.stations.selectors import add_months

    station = make_station(sessions=LEAN_HOURS)
    following = add_months(timezone.localdate().replace(day=1), 1)
    rota = services.rota_generate(
        user=user("station_mgr"),
        station_id=station.pk,
        period_kind=PeriodKind.MONTH,
        year=following.year,
        number=following.month,
    )
    community = list(
        Assignment.objects.filter(shift__rota=rota, pool__unit__code="ah-la-ja-wc-npy").order_by(
            "shift__starts_at"
        )
    )
    first = next(a for a in community if a.user.username == "npy_worker")
    second = next(a for a in reversed(community) if a.user.username == "npy_worker2")
    swap = services.swap_request(
        user=user("npy_worker"), first_id=first.pk, second_id=second.pk, reason="调换"
    )
    absence = services.unavailability_record(
        user=user("station_mgr"),
        person=user("wc_duty"),
        starts_on=following,
        ends_on=following + dt.timedelta(days=2),
        kind="leave",
    )
    visit = visits.visit_register(
        user=user("npy_worker"),
        station_id=station.pk,
        visitor=visits.Visitor(name="邹某"),
        subject="噪声扰民",
    )
    hotline.hotline_import(
        user=user("county"),
        filename="t.csv",
        content="工单编号,来电时间,区域,诉求内容\nAPI-1,2022-03-05 09:00,南屏苑社区,电梯故障\n".encode(),
    )
    missing = 0
    people = [user(name).pk for name in ("npy_worker", "npy_worker2", "county", "wc_duty", "town2")]
    places = [
        unit(code).pk for code in ("ah-la-ja-wc-npy", "ah-la-ja-wc-mz", "ah-la-ja-wc", "ah-la-yj-pg-hp")
    ]
    pools = [pool_of(station, code).pk for code in ("ah-la-ja-wc-npy", "ah-la-ja-xfj")]
    return {
        "station_id": [station.pk, missing],
        "rota_id": [rota.pk, missing],
        "swap_id": [swap.pk, missing],
        "first_id": [first.pk, second.pk, missing],
        "second_id": [second.pk, first.pk, missing],
        "visit_id": [visit.pk, missing],
        "signal_id": [*HotlineSignal.objects.values_list("pk", flat=True), missing],
        "person_id": [*people, missing],
        "manager_ids": [*people, missing],
        "department_id": [unit("ah-la-ja-zjj").pk, unit("ah-la-ja-wc-npy").pk, missing],
        "unit_id": [*places, unit("ah-la-ja-xfj").pk, missing],
        "serving_area": [*places, missing],
        "pool_id": [*pools, missing],
        "member_id": [
            *PoolMember.objects.filter(pool__station=station).values_list("pk", flat=True),
            missing,
        ],
        "unavailability_id": [absence.pk, missing],
    }
