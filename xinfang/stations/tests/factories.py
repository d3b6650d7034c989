"""Stations built through the real services, as a district petition bureau would set one up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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
        pool = services.pool_create(user=user(by), station_id=station.pk, unit=unit(code), people_per_shift=need)
        for person in people:
            services.pool_member_add(user=user(by), pool_id=pool.pk, person=user(person), joined_on=joined_on)
    return station


def pool_of(station: Station, code: str) -> DutyPool:
    return DutyPool.objects.get(station=station, unit__code=code)


__all__ = ["MON_TO_THU", "POOLS", "STATION_STAFF", "make_station", "pool_of", "unit", "user"]
