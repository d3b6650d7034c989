"""Generating, publishing and regenerating rotas through the service, on the real database."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.core.errors import DomainError
from xinfang.core.models import HolidayOverride
from xinfang.stations import services
from xinfang.stations.models import Assignment, CoverageGap, PeriodKind, Rota, RotaStatus, Shift

from .factories import POOLS, make_station, pool_of, unit, user

pytestmark = pytest.mark.django_db


def generate(station, year=2025, month=6, by="station_mgr"):
    return services.rota_generate(
        user=user(by), station_id=station.pk, period_kind=PeriodKind.MONTH, year=year, number=month
    )


def test_a_month_rota_staffs_every_monday_to_thursday_session_with_one_person_of_each_pool(station):
    rota = generate(station)  # June 2025: Dragon Boat Festival on Monday 2 June
    dates = sorted({s.date for s in rota.shifts.all()})
    assert dt.date(2025, 6, 2) not in dates  # 端午节 holiday
    assert all(d.weekday() < 4 for d in dates)
    assert len(dates) == 16 and rota.shift_count == 32 and rota.gap_count == 0
    for shift in rota.shifts.all():
        pools = Counter(a.pool.unit.code for a in shift.assignments.filter(is_current=True))
        assert pools == Counter({code: 1 for code, _need, _people in POOLS})
    counts = Counter(a.user.username for a in Assignment.objects.filter(shift__rota=rota))
    assert counts["county"] == counts["ja_duty"] == 16
    assert sorted(counts[name] for name in ("npy_worker", "npy_worker2", "station_mgr")) == [10, 11, 11]


def test_regenerating_publishes_a_new_version_and_keeps_the_old_one_superseded(station):
    first = generate(station)
    second = generate(station)
    first.refresh_from_db()
    assert (first.number, first.status) == (1, RotaStatus.SUPERSEDED)
    assert (second.number, second.status) == (2, RotaStatus.CURRENT)
    assert Shift.objects.filter(rota=first).count() == 32
    same = lambda rota: sorted(  # noqa: E731
        (a.shift.starts_at, a.user_id) for a in Assignment.objects.filter(shift__rota=rota)
    )
    assert first.input_digest == second.input_digest
    assert same(first) == same(second)  # deterministic: same input, same rota


def test_unavailability_leaves_a_person_out_and_a_pool_that_cannot_fill_a_shift_is_a_gap(station):
    mgr = user("station_mgr")
    for person in ("town", "wc_duty"):
        services.unavailability_record(
            user=mgr,
            person=user(person),
            starts_on=dt.date(2025, 6, 9),
            ends_on=dt.date(2025, 6, 10),
            kind="training",
            reason="培训",
        )
    rota = generate(station)
    street = pool_of(station, "ah-la-ja-wc")
    gaps = CoverageGap.objects.filter(rota=rota)
    assert rota.gap_count == 4
    assert {(g.shift.date, g.pool_id, g.needed, g.filled) for g in gaps} == {
        (dt.date(2025, 6, 9), street.pk, 1, 0),
        (dt.date(2025, 6, 10), street.pk, 1, 0),
    }
    assert not Assignment.objects.filter(
        shift__rota=rota, user__username__in=["town", "wc_duty"], shift__date__in=[dt.date(2025, 6, 9)]
    ).exists()


def test_a_cancelled_absence_no_longer_counts(station):
    absence = services.unavailability_record(
        user=user("wc_duty"),
        person=user("wc_duty"),
        starts_on=dt.date(2025, 6, 1),
        ends_on=dt.date(2025, 6, 30),
        kind="leave",
    )
    assert not Assignment.objects.filter(shift__rota=generate(station), user__username="wc_duty").exists()
    services.unavailability_cancel(user=user("station_mgr"), unavailability_id=absence.pk)
    assert Assignment.objects.filter(shift__rota=generate(station), user__username="wc_duty").count() == 16


def test_admin_holiday_overrides_close_a_day_and_open_an_adjusted_saturday_with_monday_hours(station):
    HolidayOverride.objects.create(date=dt.date(2025, 6, 17), is_working_day=False, note="local holiday")
    HolidayOverride.objects.create(date=dt.date(2025, 6, 21), is_working_day=True, note="make-up Saturday")
    rota = generate(station)
    dates = Counter(s.date for s in rota.shifts.all())
    assert dt.date(2025, 6, 17) not in dates
    assert dates[dt.date(2025, 6, 21)] == 2
    saturday = rota.shifts.filter(date=dt.date(2025, 6, 21)).order_by("starts_at")
    assert all(s.is_adjusted_workday and s.pattern_weekday == 0 for s in saturday)


def test_someone_on_duty_at_another_station_is_not_booked_at_the_same_time(station):
    other = make_station(
        name="民主社区驿站",
        place="ah-la-ja-wc-mz",
        pools=[("ah-la-ja-xfj", 1, ["county"]), ("ah-la-ja-wc", 1, ["town"])],
        managers=("town",),
    )
    generate(other, by="town")  # county and town are now on every Mon-Thu session at 民主社区
    rota = generate(station)
    assert not Assignment.objects.filter(shift__rota=rota, user__username__in=["county", "town"]).exists()
    assert Assignment.objects.filter(shift__rota=rota, user__username="ja_duty").count() == 32


def test_a_quarter_overlapping_a_current_month_rota_is_refused(station):
    generate(station)
    with pytest.raises(DomainError) as refused:
        services.rota_generate(
            user=user("station_mgr"),
            station_id=station.pk,
            period_kind=PeriodKind.QUARTER,
            year=2025,
            number=2,
        )
    assert refused.value.code == "overlapping_rota"
    assert Rota.objects.filter(station=station).count() == 1


def test_staff_of_another_district_do_not_see_the_station_and_a_leader_may_not_generate(station):
    with pytest.raises(OutOfJurisdiction):
        generate(station, by="county_yj")
    with pytest.raises(DomainError) as refused:
        generate(station, by="leader")  # 金安区's leader sees the station but does not run it
    assert refused.value.code == "role_not_allowed"
    assert not Rota.objects.exists()


def test_a_person_without_a_seat_in_the_pool_unit_or_already_listed_is_refused(station):
    community = pool_of(station, "ah-la-ja-wc-npy")
    with pytest.raises(DomainError) as no_seat:
        services.pool_member_add(user=user("county"), pool_id=community.pk, person=user("handler"))
    assert no_seat.value.code == "no_seat"
    bureau = pool_of(station, "ah-la-ja-xfj")
    with pytest.raises(DomainError) as twice:
        services.pool_member_add(user=user("county"), pool_id=bureau.pk, person=user("ja_duty"))
    assert twice.value.code == "already_listed"


def test_overlapping_sessions_are_refused_and_nothing_is_created(staff):
    from xinfang.stations.models import Station
    from xinfang.stations.schedule import Session

    with pytest.raises(DomainError):
        services.station_create(
            user=user("county"),
            name="测试驿站",
            unit=unit("ah-la-ja-wc-mz"),
            opened_on=dt.date(2024, 1, 1),
            serving_area=[unit("ah-la-ja-wc-mz")],
            sessions=[Session(0, dt.time(8), dt.time(12)), Session(0, dt.time(11), dt.time(13))],
        )
    assert not Station.objects.filter(name="测试驿站").exists()
