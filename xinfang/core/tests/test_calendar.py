from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.core import calendar
from xinfang.core.calendar import (
    COVERED_YEARS,
    LegalCalendar,
    add_calendar_days,
    add_working_days,
    days_left,
    is_working_day,
    roll_to_working_day,
    working_days_between,
    years_without_holidays,
)
from xinfang.core.models import HolidayOverride

D = dt.date
# Covered years and a few after, where the Monday-to-Friday fallback applies.
any_date = st.dates(min_value=D(COVERED_YEARS.start, 1, 1), max_value=D(COVERED_YEARS.stop + 3, 12, 31))


def first_weekday_of(year: int, weekday: int) -> dt.date:
    day = D(year, 3, 1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def test_installed_chinesecalendar_covers_2004_to_at_least_2025() -> None:
    assert COVERED_YEARS.start <= 2004
    assert COVERED_YEARS.stop - 1 >= 2025


def test_make_up_sunday_before_national_day_2024_is_a_working_day(db: None) -> None:
    assert D(2024, 9, 29).weekday() == 6
    assert is_working_day(D(2024, 9, 29))


def test_national_day_week_2024_has_no_working_day(db: None) -> None:
    assert not any(is_working_day(D(2024, 10, day)) for day in range(1, 8))
    assert is_working_day(D(2024, 10, 8))


def test_spring_festival_2025_and_its_make_up_weekends(db: None) -> None:
    assert is_working_day(D(2025, 1, 26))  # Sunday worked
    assert not is_working_day(D(2025, 2, 4))  # Tuesday off
    assert is_working_day(D(2025, 2, 8))  # Saturday worked
    assert not is_working_day(D(2025, 2, 9))  # ordinary Sunday


def test_an_ordinary_weekend_is_not_a_working_day(db: None) -> None:
    assert not is_working_day(D(2024, 11, 16))
    assert not is_working_day(D(2024, 11, 17))
    assert is_working_day(D(2024, 11, 18))


def test_add_calendar_days_does_not_count_the_trigger_day() -> None:
    assert add_calendar_days(D(2024, 9, 20), 15) == D(2024, 10, 5)
    assert add_calendar_days(D(2024, 12, 31), 1) == D(2025, 1, 1)


def test_deadline_on_a_holiday_moves_to_next_working_day(db: None) -> None:
    assert roll_to_working_day(D(2024, 10, 5)) == D(2024, 10, 8)


def test_deadline_on_a_working_day_stays(db: None) -> None:
    assert roll_to_working_day(D(2024, 9, 29)) == D(2024, 9, 29)


def test_five_working_days_from_the_friday_before_national_day_ends_on_10_october(db: None) -> None:
    # 29 Sep (make-up Sunday), 30 Sep, then 8, 9, 10 Oct.
    assert add_working_days(D(2024, 9, 27), 5) == D(2024, 10, 10)


def test_zero_working_days_rolls_a_holiday_to_the_next_working_day(db: None) -> None:
    assert add_working_days(D(2024, 10, 1), 0) == D(2024, 10, 8)
    assert add_working_days(D(2024, 10, 9), 0) == D(2024, 10, 9)


def test_negative_working_days_are_refused(db: None) -> None:
    with pytest.raises(ValueError):
        add_working_days(D(2024, 10, 9), -1)


def test_working_days_between_counts_make_up_days_and_skips_holidays(db: None) -> None:
    assert working_days_between(D(2024, 9, 27), D(2024, 10, 10)) == 5
    assert working_days_between(D(2024, 10, 10), D(2024, 9, 27)) == -5
    assert working_days_between(D(2024, 10, 1), D(2024, 10, 1)) == 0


def test_days_left_is_zero_on_the_due_day_and_negative_when_overdue(db: None) -> None:
    assert days_left(D(2024, 10, 8), D(2024, 10, 8)) == 0
    assert days_left(D(2024, 9, 30), D(2024, 10, 8)) == 8
    assert days_left(D(2024, 10, 10), D(2024, 10, 8)) == -2


def test_days_left_in_working_days_skips_the_holiday_week(db: None) -> None:
    assert days_left(D(2024, 9, 30), D(2024, 10, 8), working=True) == 1
    assert days_left(D(2024, 10, 10), D(2024, 10, 8), working=True) == -2


def test_aware_timestamps_are_read_as_their_shanghai_date(db: None) -> None:
    # 17:00 UTC on 30 Sep 2024 is 01:00 on 1 Oct in Shanghai: National Day.
    late_utc = dt.datetime(2024, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert is_working_day(D(2024, 9, 30))
    assert not is_working_day(late_utc)


def test_years_beyond_the_library_fall_back_to_monday_to_friday(db: None) -> None:
    year = COVERED_YEARS.stop
    monday, saturday = first_weekday_of(year, 0), first_weekday_of(year, 5)
    assert is_working_day(monday)
    assert not is_working_day(saturday)


def test_override_makes_a_holiday_in_a_year_beyond_the_library(db: None) -> None:
    year = COVERED_YEARS.stop
    friday = D(year, 10, 1) + dt.timedelta(days=(4 - D(year, 10, 1).weekday()) % 7)
    assert is_working_day(friday)
    HolidayOverride.objects.create(date=friday, is_working_day=False, note="National Day")
    assert not is_working_day(friday)
    assert roll_to_working_day(friday) == friday + dt.timedelta(days=3)


def test_override_beats_the_library_in_a_covered_year(db: None) -> None:
    HolidayOverride.objects.create(date=D(2024, 10, 8), is_working_day=False, note="local closure")
    HolidayOverride.objects.create(date=D(2024, 10, 19), is_working_day=True, note="local make-up Saturday")
    assert roll_to_working_day(D(2024, 10, 5)) == D(2024, 10, 9)
    assert is_working_day(D(2024, 10, 19))


def test_an_override_added_later_is_seen_by_the_next_computation(db: None) -> None:
    assert add_working_days(D(2024, 10, 8), 1) == D(2024, 10, 9)
    HolidayOverride.objects.create(date=D(2024, 10, 9), is_working_day=False)
    assert add_working_days(D(2024, 10, 8), 1) == D(2024, 10, 10)


def test_one_calendar_reads_the_overrides_once_per_year(db: None, django_assert_num_queries) -> None:
    cal = LegalCalendar()
    with django_assert_num_queries(2):
        cal.add_working_days(D(2024, 11, 1), 60)  # runs into 2025
        cal.add_working_days(D(2024, 12, 1), 20)


def test_a_calendar_with_given_overrides_needs_no_database() -> None:
    cal = LegalCalendar(overrides={D(2024, 10, 8): False})
    assert cal.roll_to_working_day(D(2024, 10, 5)) == D(2024, 10, 9)


def test_module_functions_use_the_database_overrides(db: None) -> None:
    HolidayOverride.objects.create(date=D(2024, 9, 30), is_working_day=False)
    assert not calendar.is_working_day(D(2024, 9, 30))


# Property tests run on a calendar without overrides, so they need no database.
plain = LegalCalendar(overrides={})


@settings(deadline=None)
@given(start=any_date, n=st.integers(min_value=0, max_value=60))
def test_a_working_day_deadline_is_always_a_working_day(start: dt.date, n: int) -> None:
    assert plain.is_working_day(plain.add_working_days(start, n))


@settings(deadline=None)
@given(start=any_date, n=st.integers(min_value=0, max_value=60))
def test_add_working_days_grows_with_n(start: dt.date, n: int) -> None:
    this, following = plain.add_working_days(start, n), plain.add_working_days(start, n + 1)
    assert this <= following
    if n >= 1:
        assert this < following


@settings(deadline=None)
@given(start=any_date, n=st.integers(min_value=1, max_value=60))
def test_working_days_between_undoes_add_working_days(start: dt.date, n: int) -> None:
    due = plain.add_working_days(start, n)
    assert plain.working_days_between(start, due) == n
    assert due >= start + dt.timedelta(days=n)


@settings(deadline=None)
@given(day=any_date)
def test_rolling_gives_the_first_working_day_on_or_after(day: dt.date) -> None:
    rolled = plain.roll_to_working_day(day)
    assert plain.is_working_day(rolled)
    gap = (rolled - day).days
    assert 0 <= gap <= 12  # the longest run of rest days (Spring Festival + weekend) is shorter
    assert not any(plain.is_working_day(day + dt.timedelta(days=i)) for i in range(gap))


def test_a_year_beyond_the_library_lacks_holiday_data_until_an_administrator_enters_one(db: None) -> None:
    year = COVERED_YEARS.stop
    assert years_without_holidays(D(year - 1, 12, 1), D(year, 1, 31)) == [year]
    assert years_without_holidays(D(year - 1, 1, 1), D(year - 1, 12, 31)) == []
    HolidayOverride.objects.create(date=D(year, 1, 1), is_working_day=False, note="元旦")
    assert years_without_holidays(D(year - 1, 12, 1), D(year + 1, 1, 31)) == [year + 1]
