from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.core.calendar import LegalCalendar
from xinfang.core.deadlines import (
    LIMIT_SPECS,
    NATIONAL_POLICY,
    ClockRule,
    CountMode,
    EffectivePolicy,
    Limit,
    due_date,
    due_datetime,
    policy_for,
    validate_extension,
)
from xinfang.core.errors import DomainError
from xinfang.core.models import ClockPolicy, ClockPolicyRule, HolidayOverride

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
plain = LegalCalendar(overrides={})
any_date = st.dates(min_value=D(2004, 1, 1), max_value=D(2029, 12, 31))
day_limits = [limit for limit in Limit if LIMIT_SPECS[limit].count_mode != CountMode.HOURS]


def add_rule(unit, limit, length, mode=CountMode.CALENDAR_DAYS, roll_forward=True):
    policy, _ = ClockPolicy.objects.get_or_create(unit=unit)
    return ClockPolicyRule.objects.create(
        policy=policy, limit=limit, length=length, count_mode=mode, roll_forward=roll_forward
    )


def policy_with(limit: Limit, length: int, mode: CountMode, roll_forward: bool = True) -> EffectivePolicy:
    rules = dict(NATIONAL_POLICY.rules)
    rules[limit] = ClockRule(limit, length, mode, roll_forward)
    return EffectivePolicy(unit=None, rules=rules)


def test_every_limit_has_a_national_default() -> None:
    assert set(LIMIT_SPECS) == set(Limit)
    assert LIMIT_SPECS[Limit.OBJECTION].count_mode == CountMode.WORKING_DAYS
    assert LIMIT_SPECS[Limit.HANDLING].length == 60
    assert LIMIT_SPECS[Limit.EXTENSION_MAX].length == 30
    assert LIMIT_SPECS[Limit.URGENT_REPORT].count_mode == CountMode.HOURS


def test_notice_due_on_a_national_day_holiday_moves_to_8_october(db: None) -> None:
    # 15 calendar days from 20 Sep 2024 is Saturday 5 Oct, inside the National Day week.
    assert due_date(Limit.NOTICE, start=D(2024, 9, 20), unit=None) == D(2024, 10, 8)


def test_objection_counts_five_working_days_from_receipt(db: None) -> None:
    assert due_date(Limit.OBJECTION, start=D(2024, 9, 27), unit=None) == D(2024, 10, 10)


def test_handling_limit_is_60_days_from_acceptance_rolled_past_national_day(db: None) -> None:
    assert due_date(Limit.HANDLING, start=D(2024, 8, 2), unit=None) == D(2024, 10, 8)


def test_an_extension_runs_on_from_the_original_unrolled_end(db: None) -> None:
    # 60 + 30 days from 2 Aug 2024 is 31 Oct, not 8 Oct + 30.
    assert due_date(Limit.HANDLING, start=D(2024, 8, 2), unit=None, extra_days=30) == D(2024, 10, 31)


def test_hearing_days_extend_the_re_review_deadline(db: None) -> None:
    start = D(2024, 5, 6)
    assert due_date(Limit.RE_REVIEW_DECISION, start=start, unit=None) == D(2024, 6, 5)
    # Five hearing days push it to 10 June 2024, the Dragon Boat Festival, so it rolls to the 11th.
    assert due_date(Limit.RE_REVIEW_DECISION, start=start, unit=None, excluded_days=5) == D(2024, 6, 11)


def test_negative_extra_or_excluded_days_are_refused(db: None) -> None:
    with pytest.raises(ValueError):
        due_date(Limit.HANDLING, start=D(2024, 8, 2), unit=None, extra_days=-1)
    with pytest.raises(ValueError):
        due_date(Limit.HANDLING, start=D(2024, 8, 2), unit=None, excluded_days=-1)


def test_holiday_overrides_move_due_dates(db: None) -> None:
    HolidayOverride.objects.create(date=D(2024, 10, 8), is_working_day=False)
    assert due_date(Limit.NOTICE, start=D(2024, 9, 20), unit=None) == D(2024, 10, 9)


def test_a_locality_may_switch_rolling_off(tree) -> None:
    add_rule(tree.city, Limit.NOTICE, 15, roll_forward=False)
    assert due_date(Limit.NOTICE, start=D(2024, 9, 20), unit=tree.town) == D(2024, 10, 5)


def test_policy_for_picks_the_city_policy_over_the_province_policy(tree) -> None:
    add_rule(tree.province, Limit.NOTICE, 10)
    add_rule(tree.city, Limit.NOTICE, 12, CountMode.WORKING_DAYS)
    rule = policy_for(tree.county).rule(Limit.NOTICE)
    assert (rule.length, rule.count_mode, rule.source) == (12, CountMode.WORKING_DAYS, tree.city)
    assert policy_for(tree.other_county).rule(Limit.NOTICE).length == 10
    assert policy_for(tree.other_province).rule(Limit.NOTICE).length == 15
    assert policy_for(tree.other_province).rule(Limit.NOTICE).source is None


def test_a_city_policy_keeps_the_province_rules_it_does_not_mention(tree) -> None:
    add_rule(tree.province, Limit.OBJECTION, 3, CountMode.WORKING_DAYS)
    add_rule(tree.city, Limit.NOTICE, 12)
    policy = policy_for(tree.town)
    assert policy.rule(Limit.OBJECTION).length == 3
    assert policy.rule(Limit.OBJECTION).source == tree.province
    assert policy.rule(Limit.HANDLING).length == 60


def test_an_organ_inherits_the_policy_of_its_area(tree) -> None:
    add_rule(tree.city, Limit.FORWARD, 4)
    assert policy_for(tree.county_office).rule(Limit.FORWARD).length == 4
    assert due_date(Limit.FORWARD, start=D(2024, 11, 4), unit=tree.county_office) == D(2024, 11, 8)


def test_a_policy_on_the_unit_itself_wins(tree) -> None:
    add_rule(tree.city, Limit.FORWARD, 4)
    add_rule(tree.county, Limit.FORWARD, 3)
    assert policy_for(tree.county).rule(Limit.FORWARD).length == 3
    assert policy_for(tree.city).rule(Limit.FORWARD).length == 4


def test_policy_resolution_is_one_query(tree, django_assert_num_queries) -> None:
    add_rule(tree.province, Limit.NOTICE, 10)
    add_rule(tree.city, Limit.NOTICE, 12)
    with django_assert_num_queries(1):
        policy_for(tree.town)


def test_a_locality_counting_working_days_gets_a_later_deadline(tree) -> None:
    add_rule(tree.city, Limit.NOTICE, 15, CountMode.WORKING_DAYS)
    # 15 working days from 20 Sep 2024: 23-30 Sep give 7 (with make-up Sunday 29 Sep), then 8-11 Oct,
    # make-up Saturday 12 Oct and 14-16 Oct.
    assert due_date(Limit.NOTICE, start=D(2024, 9, 20), unit=tree.town) == D(2024, 10, 16)
    assert due_date(Limit.NOTICE, start=D(2024, 9, 20), unit=tree.other_county) == D(2024, 10, 8)


def test_a_locality_may_not_lengthen_a_statutory_limit(tree) -> None:
    policy = ClockPolicy.objects.create(unit=tree.city)
    rule = ClockPolicyRule(policy=policy, limit=Limit.NOTICE, length=20, count_mode=CountMode.CALENDAR_DAYS)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        rule.full_clean()
    assert "at most 15 days" in str(excinfo.value.message_dict["length"])


def test_a_locality_may_lengthen_a_limit_the_law_leaves_open(tree) -> None:
    policy = ClockPolicy.objects.create(unit=tree.city)
    ClockPolicyRule(
        policy=policy, limit=Limit.ASSIGNMENT_FEEDBACK, length=30, count_mode=CountMode.WORKING_DAYS
    ).full_clean()


def test_hour_limits_and_day_limits_keep_their_unit(tree) -> None:
    policy = ClockPolicy.objects.create(unit=tree.city)
    with pytest.raises(ValidationError) as excinfo:
        ClockPolicyRule(
            policy=policy, limit=Limit.URGENT_REPORT, length=1, count_mode=CountMode.WORKING_DAYS
        ).full_clean()
    assert "count_mode" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        ClockPolicyRule(policy=policy, limit=Limit.NOTICE, length=10, count_mode=CountMode.HOURS).full_clean()
    assert "count_mode" in excinfo.value.message_dict


def test_one_rule_per_limit_in_a_policy(tree) -> None:
    add_rule(tree.city, Limit.NOTICE, 10)
    with pytest.raises(IntegrityError):
        add_rule(tree.city, Limit.NOTICE, 12)


def test_urgent_report_is_due_two_hours_later_even_on_a_holiday(db: None) -> None:
    start = dt.datetime(2024, 10, 1, 10, 0, tzinfo=SHANGHAI)
    assert due_datetime(Limit.URGENT_REPORT, start=start, unit=None) == start + dt.timedelta(hours=2)


def test_a_locality_may_give_mediators_48_hours(tree) -> None:
    add_rule(tree.city, Limit.MEDIATION_FIRST_CONTACT, 48, CountMode.HOURS)
    start = dt.datetime(2024, 11, 4, 9, 30, tzinfo=SHANGHAI)
    assert due_datetime(Limit.MEDIATION_FIRST_CONTACT, start=start, unit=tree.town) == dt.datetime(
        2024, 11, 6, 9, 30, tzinfo=SHANGHAI
    )


def test_a_day_limit_as_a_moment_ends_at_the_end_of_its_due_date(db: None) -> None:
    start = dt.datetime(2024, 9, 20, 16, 0, tzinfo=SHANGHAI)
    due = due_datetime(Limit.NOTICE, start=start, unit=None)
    assert due.astimezone(SHANGHAI).date() == D(2024, 10, 8)
    assert due + dt.timedelta(microseconds=1) == dt.datetime(2024, 10, 9, tzinfo=SHANGHAI)


def test_a_naive_start_time_is_refused(db: None) -> None:
    with pytest.raises(ValueError):
        due_datetime(Limit.URGENT_REPORT, start=dt.datetime(2024, 10, 1, 10, 0), unit=None)


@pytest.mark.parametrize("days", [0, -3, 31, 365])
def test_an_extension_outside_1_to_30_days_is_refused(days: int) -> None:
    with translation.override("en"), pytest.raises(DomainError) as excinfo:
        validate_extension(days)
    assert excinfo.value.code in {"extension_too_short", "extension_too_long"}
    assert "day" in str(excinfo.value)


@pytest.mark.parametrize("days", [1, 15, 30])
def test_an_extension_of_1_to_30_days_is_accepted(days: int) -> None:
    assert validate_extension(days) == days


def test_a_locality_may_cap_extensions_lower_but_never_above_30(tree) -> None:
    add_rule(tree.city, Limit.EXTENSION_MAX, 20)
    with translation.override("en"), pytest.raises(DomainError, match="20 days"):
        validate_extension(25, unit=tree.town)
    assert validate_extension(25, unit=tree.other_county) == 25
    generous = policy_with(Limit.EXTENSION_MAX, 45, CountMode.CALENDAR_DAYS)
    with pytest.raises(DomainError):
        validate_extension(31, policy=generous)


def test_an_extension_must_be_a_whole_number() -> None:
    with pytest.raises(DomainError):
        validate_extension(True)
    with pytest.raises(DomainError):
        validate_extension(1.5)  # type: ignore[arg-type]


@settings(deadline=None)
@given(days=st.integers(min_value=-1000, max_value=1000))
def test_an_extension_never_exceeds_30_days(days: int) -> None:
    try:
        accepted = validate_extension(days, policy=NATIONAL_POLICY)
    except DomainError:
        assert not 1 <= days <= 30
    else:
        assert 1 <= accepted <= 30


@settings(deadline=None)
@given(start=any_date, days=st.integers(min_value=1, max_value=30))
def test_an_extended_handling_deadline_stays_within_90_days_rolled(start: dt.date, days: int) -> None:
    extended = due_date(
        Limit.HANDLING, start=start, unit=None, extra_days=validate_extension(days), calendar=plain
    )
    assert extended == plain.roll_to_working_day(start + dt.timedelta(days=60 + days))
    assert extended <= plain.roll_to_working_day(start + dt.timedelta(days=90))


@settings(deadline=None)
@given(start=any_date, limit=st.sampled_from(day_limits))
def test_a_calendar_day_due_date_is_never_before_start_plus_its_length(start: dt.date, limit: Limit) -> None:
    due = due_date(limit, start=start, unit=None, calendar=plain)
    assert due >= start + dt.timedelta(days=LIMIT_SPECS[limit].length)
    assert plain.is_working_day(due)


@settings(deadline=None)
@given(start=any_date, length=st.integers(min_value=0, max_value=120), roll=st.booleans())
def test_counting_working_days_never_gives_an_earlier_due_date(
    start: dt.date, length: int, roll: bool
) -> None:
    # True for every length, not only 3 days and more: the n-th working day after start is at least
    # start + n, and being a working day it is also at least that date rolled forward.
    calendar_days = policy_with(Limit.NOTICE, length, CountMode.CALENDAR_DAYS, roll)
    working_days = policy_with(Limit.NOTICE, length, CountMode.WORKING_DAYS, roll)
    by_calendar = due_date(Limit.NOTICE, start=start, unit=None, policy=calendar_days, calendar=plain)
    by_working = due_date(Limit.NOTICE, start=start, unit=None, policy=working_days, calendar=plain)
    assert by_working >= by_calendar
