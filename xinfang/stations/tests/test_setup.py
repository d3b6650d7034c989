"""Setting a station up without the admin: particulars, hours, pools, members and absences, each scoped
to who may manage the station (its managers and the petition officers above it)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.core.calendar import COVERED_YEARS
from xinfang.core.errors import DomainError
from xinfang.core.models import HolidayOverride
from xinfang.stations import selectors, services
from xinfang.stations.models import (
    Assignment,
    DutyPool,
    OpeningPeriod,
    PeriodKind,
    PoolMember,
    Station,
    StationStatus,
    Unavailability,
)
from xinfang.stations.schedule import Session

from .factories import MON_TO_THU, make_station, pool_of, postgres_only, unit, user

pytestmark = pytest.mark.django_db
MORNING = (dt.time(8, 30), dt.time(12, 0))


def create(by="town", place="ah-la-ja-wc-mz", **extra):
    data: dict[str, Any] = {
        "name": "民主社区暖心驿站",
        "unit": unit(place),
        "opened_on": dt.date(2024, 3, 4),
        "serving_area": [unit(place)],
        "sessions": [Session(0, *MORNING), Session(2, *MORNING)],
        "managers": [user("town")],
    }
    data.update(extra)
    return services.station_create(user=user(by), **data)


def update(station, by="station_mgr", **changes):
    data: dict[str, Any] = {
        "name": station.name,
        "address": station.address,
        "opened_on": station.opened_on,
        "status": station.status,
        "serving_area": list(station.serving_area.all()),
        "adjusted_workday_as": station.adjusted_workday_as,
    }
    data.update(changes)
    return services.station_update(user=user(by), station_id=station.pk, **data)


def test_a_street_officer_sets_up_a_station_in_a_community_of_the_street(staff):
    station = create()
    assert (station.unit.code, station.status, station.created_by) == (
        "ah-la-ja-wc-mz",
        StationStatus.OPEN,
        user("town"),
    )
    assert services.station_sessions(station) == [Session(0, *MORNING), Session(2, *MORNING)]
    assert selectors.can_manage(user("town"), station) and selectors.can_manage(user("county"), station)
    assert unit("ah-la-ja-wc-mz") in selectors.station_places(user("town"))
    assert unit("ah-la-yj-pg-hp") not in selectors.station_places(user("town"))


def test_only_a_petition_office_over_the_place_may_set_a_station_up(staff):
    with pytest.raises(DomainError) as elsewhere:
        create(by="town2")  # 平岗街道's officer, 叶集区: 民主社区 is in 金安区
    assert elsewhere.value.code == "bad_place"
    with pytest.raises(DomainError) as cadre:
        create(by="station_mgr")  # a community secretary runs a station but does not open one
    assert cadre.value.code == "role_not_allowed"
    with pytest.raises(DomainError) as office:
        create(place="ah-la-ja-wc-xfb")  # the street's petition office is not a place
    assert office.value.code == "bad_place"
    with pytest.raises(DomainError) as stranger:
        create(managers=[user("town2")])  # works in another district
    assert stranger.value.code == "bad_manager"
    assert not Station.objects.filter(name="民主社区暖心驿站").exists()


def test_the_manager_changes_the_particulars_hours_and_adjusted_day_rule_in_one_step(station):
    first_periods = set(OpeningPeriod.objects.filter(station=station).values_list("pk", flat=True))
    changed = update(
        station,
        name="和谐之声·暖心驿站（二期）",
        address="南屏苑二期12栋",
        adjusted_workday_as=None,
        status=StationStatus.SUSPENDED,
        sessions=[Session(day, *MORNING) for day in range(5)],
        expected_version=1,
    )
    assert (changed.name, changed.address, changed.status, changed.version) == (
        "和谐之声·暖心驿站（二期）",
        "南屏苑二期12栋",
        StationStatus.SUSPENDED,
        2,
    )
    assert changed.adjusted_workday_as is None
    assert services.station_sessions(changed) == [Session(day, *MORNING) for day in range(5)]
    old = OpeningPeriod.objects.filter(pk__in=first_periods)
    assert old.count() == len(MON_TO_THU) and not old.filter(is_active=True).exists()  # kept, inactive


def test_unchanged_hours_add_no_rows_and_a_stale_form_is_a_conflict_that_changes_nothing(station):
    before = OpeningPeriod.objects.count()
    update(station, sessions=MON_TO_THU, address="新地址", expected_version=1)
    assert OpeningPeriod.objects.count() == before
    with pytest.raises(DomainError) as stale:
        update(station, name="过期的表单", expected_version=1)
    assert stale.value.code == "conflict"
    station.refresh_from_db()
    assert (station.name, station.address, station.version) == ("和谐之声·暖心驿站", "新地址", 2)


def test_the_manager_may_not_move_the_station_or_appoint_managers_but_the_petition_office_may(station):
    with pytest.raises(DomainError) as move:
        update(station, unit=unit("ah-la-ja-wc-mz"))
    assert move.value.code == "bad_place"
    with pytest.raises(DomainError) as appoint:
        update(station, managers=[user("station_mgr"), user("npy_worker")])
    assert appoint.value.code == "bad_manager"
    update(station, managers=[user("station_mgr")])  # the same managers: nothing to appoint
    moved = update(
        station, by="town", unit=unit("ah-la-ja-wc-mz"), managers=[user("station_mgr"), user("npy_worker")]
    )
    assert moved.unit.code == "ah-la-ja-wc-mz"
    assert set(moved.managers.values_list("username", flat=True)) == {"station_mgr", "npy_worker"}


def test_staff_of_another_district_reach_nothing_and_duty_staff_only_read(station):
    bureau = pool_of(station, "ah-la-ja-xfj")
    member = PoolMember.objects.get(pool=bureau, user=user("ja_duty"))
    for username in ("county_yj", "town2"):
        with pytest.raises(OutOfJurisdiction):
            update(station, by=username, name="越界")
        with pytest.raises(OutOfJurisdiction):
            services.pool_update(user=user(username), pool_id=bureau.pk, people_per_shift=2, weekdays=[])
        with pytest.raises(OutOfJurisdiction):
            services.pool_member_leave(user=user(username), member_id=member.pk)
    for username in ("npy_worker", "leader"):  # they see the station, they do not run it
        with pytest.raises(DomainError) as refused:
            services.pool_create(user=user(username), station_id=station.pk, unit=unit("ah-la-ja-wc-npy"))
        assert refused.value.code == "role_not_allowed"
        assert not selectors.can_manage(user(username), station)
    station.refresh_from_db()
    assert (station.name, station.version) == ("和谐之声·暖心驿站", 1)


def test_a_pool_changes_with_a_version_check_and_a_stood_down_pool_takes_nobody_new(station):
    street = pool_of(station, "ah-la-ja-wc")
    changed = services.pool_update(
        user=user("station_mgr"),
        pool_id=street.pk,
        name="望城街道",
        people_per_shift=2,
        weekdays=[0, 2],
        expected_version=1,
    )
    assert (changed.name, changed.people_per_shift, changed.weekdays, changed.version) == (
        "望城街道",
        2,
        [0, 2],
        2,
    )
    with pytest.raises(DomainError) as stale:
        services.pool_update(
            user=user("station_mgr"), pool_id=street.pk, people_per_shift=1, weekdays=[], expected_version=1
        )
    assert stale.value.code == "conflict"
    with pytest.raises(DomainError) as too_many:
        services.pool_update(user=user("station_mgr"), pool_id=street.pk, people_per_shift=11, weekdays=[])
    assert too_many.value.code == "bad_people_per_shift"
    services.pool_update(
        user=user("station_mgr"), pool_id=street.pk, people_per_shift=2, weekdays=[0, 2], is_active=False
    )
    with pytest.raises(DomainError) as inactive:
        services.pool_member_add(user=user("town"), pool_id=street.pk, person=user("town"))
    assert inactive.value.code == "pool_inactive"
    again = services.pool_create(user=user("town"), station_id=station.pk, unit=unit("ah-la-ja-wc"))
    with pytest.raises(DomainError) as duplicate:
        services.pool_update(user=user("town"), pool_id=street.pk, people_per_shift=1, weekdays=[])
    assert duplicate.value.code == "duplicate_pool"
    assert list(DutyPool.objects.filter(station=station, is_active=True, unit__code="ah-la-ja-wc")) == [again]


def test_someone_who_leaves_a_pool_is_kept_and_the_next_rota_has_them_only_until_their_last_day(station):
    community = pool_of(station, "ah-la-ja-wc-npy")
    member = PoolMember.objects.get(pool=community, user=user("npy_worker2"))
    left = services.pool_member_leave(
        user=user("station_mgr"), member_id=member.pk, left_on=dt.date(2025, 6, 15)
    )
    assert left.left_on == dt.date(2025, 6, 15)
    with pytest.raises(DomainError) as twice:
        services.pool_member_leave(user=user("station_mgr"), member_id=member.pk)
    assert twice.value.code == "already_left"
    rota = services.rota_generate(
        user=user("station_mgr"), station_id=station.pk, period_kind=PeriodKind.MONTH, year=2025, number=6
    )
    duties = Assignment.objects.filter(shift__rota=rota, user=user("npy_worker2"))
    assert duties.exists() and not duties.filter(shift__date__gt=dt.date(2025, 6, 15)).exists()
    assert PoolMember.objects.filter(pk=member.pk).exists()  # never deleted
    # Back on the list later: a new row, the old one stays as it was.
    services.pool_member_add(
        user=user("station_mgr"),
        pool_id=community.pk,
        person=user("npy_worker2"),
        joined_on=dt.date(2025, 9, 1),
    )
    assert PoolMember.objects.filter(pool=community, user=user("npy_worker2")).count() == 2


def test_the_manager_adds_a_street_officer_to_the_street_pool_before_generating(station):
    street = pool_of(station, "ah-la-ja-wc")
    assert user("wc_duty") in selectors.pool_candidates(street)
    assert user("npy_worker") not in selectors.pool_candidates(street)
    services.pool_member_leave(
        user=user("station_mgr"), member_id=PoolMember.objects.get(pool=street, user=user("wc_duty")).pk
    )
    today = timezone.localdate()
    with pytest.raises(
        DomainError
    ) as overlapping:  # on the list until today: back from tomorrow at the earliest
        services.pool_member_add(
            user=user("station_mgr"), pool_id=street.pk, person=user("wc_duty"), joined_on=today
        )
    assert overlapping.value.code == "already_listed"
    added = services.pool_member_add(
        user=user("station_mgr"),
        pool_id=street.pk,
        person=user("wc_duty"),
        joined_on=today + dt.timedelta(days=1),
    )
    assert (added.added_by, added.left_on) == (user("station_mgr"), None)


def test_an_absence_is_cancelled_by_a_manager_but_not_by_staff_of_another_district(station):
    absence = services.unavailability_record(
        user=user("npy_worker"),
        person=user("npy_worker"),
        starts_on=dt.date(2025, 6, 2),
        ends_on=dt.date(2025, 6, 6),
        kind="leave",
    )
    with pytest.raises(OutOfJurisdiction):
        services.unavailability_cancel(user=user("county_yj"), unavailability_id=absence.pk)
    with pytest.raises(DomainError) as colleague:
        services.unavailability_cancel(user=user("npy_worker2"), unavailability_id=absence.pk)
    assert colleague.value.code == "role_not_allowed"
    cancelled = services.unavailability_cancel(user=user("station_mgr"), unavailability_id=absence.pk)
    assert (cancelled.cancelled_by, cancelled.cancelled_at is not None) == (user("station_mgr"), True)
    with pytest.raises(DomainError) as twice:
        services.unavailability_cancel(user=user("station_mgr"), unavailability_id=absence.pk)
    assert twice.value.code == "already_cancelled"
    assert Unavailability.objects.filter(pk=absence.pk).exists()


def test_a_rota_in_a_year_without_holiday_data_records_it_until_the_holidays_are_entered(station):
    year = COVERED_YEARS.stop  # the first year the installed chinesecalendar does not know
    holiday = next(d for d in (dt.date(year, 1, n) for n in range(1, 8)) if d.weekday() <= 3)
    rota = services.rota_generate(
        user=user("station_mgr"), station_id=station.pk, period_kind=PeriodKind.MONTH, year=year, number=1
    )
    assert rota.years_without_holidays == [year]
    assert rota.shifts.filter(date=holiday).exists()  # Monday to Friday counted as working days
    HolidayOverride.objects.create(date=holiday, is_working_day=False, note="元旦")
    again = services.rota_generate(
        user=user("station_mgr"), station_id=station.pk, period_kind=PeriodKind.MONTH, year=year, number=1
    )
    assert again.years_without_holidays == []
    assert not again.shifts.filter(date=holiday).exists()
    covered = services.rota_generate(
        user=user("station_mgr"), station_id=station.pk, period_kind=PeriodKind.MONTH, year=2025, number=6
    )
    assert covered.years_without_holidays == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_second_manager_listing_the_same_person_in_another_pool_waits_for_the_first_and_is_refused(staff):
    station = make_station(pools=[("ah-la-ja-wc", 1, []), ("ah-la-ja-wc-xfb", 1, [])])
    street, office = pool_of(station, "ah-la-ja-wc"), pool_of(station, "ah-la-ja-wc-xfb")
    person = user("wc_duty")  # a seat in 望城街道信访办: fits both pools
    outcome: dict[str, object] = {}

    def second_manager() -> None:
        try:
            outcome["value"] = services.pool_member_add(user=user("town"), pool_id=office.pk, person=person)
        except Exception as exc:
            outcome["value"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():  # the first manager's add, not committed yet
        services.pool_member_add(user=user("station_mgr"), pool_id=street.pk, person=person)
        thread = threading.Thread(target=second_manager)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive()  # waiting for the station the first one holds
    thread.join(30)
    assert isinstance(outcome["value"], DomainError) and outcome["value"].code == "already_listed"
    assert PoolMember.objects.filter(pool__station=station, user=person).count() == 1
