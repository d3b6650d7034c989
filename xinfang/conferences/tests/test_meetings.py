"""Meetings: the monthly rule, weekly meetings in a leader's key period, notices ahead, attendance."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.conferences import schedule, selectors, services, sweep
from xinfang.conferences.demo import user
from xinfang.conferences.models import (
    AttendanceStatus,
    KeyPeriod,
    Meeting,
    MeetingKind,
    MeetingOrigin,
    MeetingStatus,
    Notice,
    NoticeKind,
)
from xinfang.core.calendar import LegalCalendar
from xinfang.core.errors import DomainError

TZ = dt.timezone(dt.timedelta(hours=8))
# No holiday overrides: the property runs without the database.
CALENDAR = LegalCalendar(overrides={})


def at(moment: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(moment).replace(tzinfo=TZ), tick=False)


def test_a_monthly_meeting_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 2025-10-01..08 is the National Day holiday: the meeting of the 5th moves to Thursday the 9th.
    slots = schedule.rule_slots(
        today=dt.date(2025, 9, 20), monthly_day=5, weekly_weekday=0, key_periods=[], calendar=CALENDAR
    )
    assert [(s.name, s.day) for s in slots] == [("M2025-10", dt.date(2025, 10, 9))]


def test_in_a_key_period_weekly_meetings_replace_the_monthly_one() -> None:
    period = schedule.Period(dt.date(2025, 3, 10), dt.date(2025, 3, 30))
    slots = schedule.rule_slots(
        today=dt.date(2025, 3, 3),
        monthly_day=15,
        weekly_weekday=1,
        key_periods=[period],
        calendar=CALENDAR,
    )
    # The monthly meeting (15th, a Saturday, rolled to the 17th) falls in the period and gives way.
    assert [(s.name, s.day) for s in slots] == [
        ("W2025-11", dt.date(2025, 3, 11)),
        ("W2025-12", dt.date(2025, 3, 18)),
        ("W2025-13", dt.date(2025, 3, 25)),
    ]
    assert not any(s.name == "M2025-03" for s in slots)


@settings(max_examples=60, deadline=None)
@given(
    today=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 11, 30)),
    monthly_day=st.integers(1, 28),
    weekday=st.integers(0, 6),
    start=st.integers(0, 40),
    length=st.integers(0, 60),
)
def test_rule_meetings_are_working_days_within_the_horizon_one_per_slot(
    today: dt.date, monthly_day: int, weekday: int, start: int, length: int
) -> None:
    first = today + dt.timedelta(days=start)
    period = schedule.Period(first, first + dt.timedelta(days=length))
    slots = schedule.rule_slots(
        today=today, monthly_day=monthly_day, weekly_weekday=weekday, key_periods=[period], calendar=CALENDAR
    )
    assert len({s.name for s in slots}) == len(slots)
    assert [s.day for s in slots] == sorted(s.day for s in slots)
    for slot in slots:
        assert today <= slot.day <= today + dt.timedelta(days=schedule.HORIZON_DAYS)
        assert CALENDAR.is_working_day(slot.day)
        if slot.weekly:
            # A weekly meeting falls on a day of the key period (or the first working day after it).
            assert period.first <= slot.day and slot.name.startswith("W")
            assert slot.day <= CALENDAR.roll_to_working_day(period.last)
        else:
            assert not period.covers(slot.day)


def test_the_notice_goes_out_the_lead_working_days_before() -> None:
    # Monday 2025-04-07: three working days before is Tuesday 2025-04-01 (4-4 to 4-6 is Qingming).
    assert schedule.notice_day(dt.date(2025, 4, 7), 3, CALENDAR) == dt.date(2025, 4, 1)
    assert schedule.notice_day(dt.date(2025, 4, 7), 0, CALENDAR) == dt.date(2025, 4, 7)


@pytest.mark.django_db
def test_the_sweep_schedules_rule_meetings_once_and_notifies_at_the_lead_time(town) -> None:
    with at("2025-05-01T08:00"):
        first = sweep.sweep_once()
        again = sweep.sweep_once()
    assert first.scheduled >= 1 and again.scheduled == 0
    may = Meeting.objects.get(conference=town, rule_slot="M2025-05")
    assert may.origin == MeetingOrigin.RULE and timezone_day(may) == dt.date(2025, 5, 15)
    assert may.notice_on == dt.date(2025, 5, 12) and may.status == MeetingStatus.PLANNED
    with at("2025-05-12T08:00"):
        result = sweep.sweep_once()
        sweep.sweep_once()
    may.refresh_from_db()
    members = selectors.active_members(town).count()
    assert result.notified == 1 and may.status == MeetingStatus.NOTIFIED
    assert Notice.objects.filter(kind=NoticeKind.MEETING, conference=town).count() == members


def timezone_day(meeting: Meeting) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(meeting.scheduled_at)


@pytest.mark.django_db
def test_a_leader_switches_weekly_meetings_on_and_off(town) -> None:
    with at("2025-05-01T08:00"):
        sweep.sweep_once()
        with pytest.raises(DomainError) as not_leader:
            services.key_period_start(
                conference_id=town.pk,
                user=user("town_ym"),
                starts_on=dt.date(2025, 5, 5),
                ends_on=dt.date(2025, 5, 25),
                reason="x",
            )
        assert not_leader.value.code == "role"
        period = services.key_period_start(
            conference_id=town.pk,
            user=user("leader_ym"),
            starts_on=dt.date(2025, 5, 5),
            ends_on=dt.date(2025, 5, 25),
            reason="重要会议期间",
        )
    weekly = Meeting.objects.filter(conference=town, rule_slot__startswith="W")
    assert sorted(weekly.values_list("rule_slot", flat=True)) == ["W2025-19", "W2025-20", "W2025-21"]
    assert Meeting.objects.get(rule_slot="M2025-05").status == MeetingStatus.CANCELLED
    with at("2025-05-13T08:00"):
        services.key_period_end(key_period_id=period.pk, user=user("leader_ym"))
    period.refresh_from_db()
    assert period.ended_early_on == dt.date(2025, 5, 12)
    # Meetings from today on are cancelled; those already past stay as they were.
    assert weekly.get(rule_slot="W2025-21").status == MeetingStatus.CANCELLED
    assert weekly.get(rule_slot="W2025-20").status != MeetingStatus.CANCELLED
    with at("2025-05-13T08:00"), pytest.raises(DomainError):
        services.key_period_start(
            conference_id=town.pk,
            user=user("leader_ym"),
            starts_on=dt.date(2025, 5, 1),
            ends_on=dt.date(2025, 5, 30),
            reason="过去的日子",
        )
    assert KeyPeriod.objects.count() == 1


@pytest.mark.django_db
def test_holding_a_meeting_records_every_member_and_the_reason_of_each_absence(town) -> None:
    with at("2025-05-06T08:00"):
        meeting = services.meeting_schedule(
            conference_id=town.pk,
            user=user("town_ym"),
            kind=MeetingKind.PLENARY,
            scheduled_at=dt.datetime(2025, 5, 6, 9, 0, tzinfo=TZ),
        )
    members = list(selectors.active_members(town))

    def rows(reason: str = "", skip: int = 0) -> list[services.AttendanceEntry]:
        entries = [services.AttendanceEntry(m.unit_id, AttendanceStatus.PRESENT, "某某") for m in members[1:]]
        first = services.AttendanceEntry(members[0].unit_id, AttendanceStatus.ABSENT, absence_reason=reason)
        return [first, *entries][skip:]

    def hold(entries, chair="leader_ym"):
        return services.meeting_hold(
            meeting_id=meeting.pk,
            user=user("town_ym"),
            held_at=dt.datetime(2025, 5, 6, 9, 0, tzinfo=TZ),
            chair=user(chair),
            attendance=entries,
        )

    with at("2025-05-06T12:00"):
        for entries, code, chair in [
            (rows(""), "absence_reason", "leader_ym"),
            (rows("出差", skip=1), "incomplete", "leader_ym"),
            (rows("出差"), "chair", "town_ym"),
        ]:
            with pytest.raises(DomainError) as refused:
                hold(entries, chair)
            assert refused.value.code == code
        assert not meeting.attendance.exists()
        held = hold(rows("出差"))
    assert held.status == MeetingStatus.HELD and held.attendance.count() == len(members)
    assert held.attendance.get(unit=members[0].unit).absence_reason == "出差"
    with at("2025-05-04T08:00"), pytest.raises(DomainError) as past:
        services.meeting_schedule(
            conference_id=town.pk,
            user=user("town_ym"),
            kind=MeetingKind.WORKING,
            scheduled_at=dt.datetime(2025, 5, 3, 9, 0, tzinfo=TZ),
        )
    assert past.value.code == "past"


@pytest.mark.django_db
def test_a_meeting_cannot_be_recorded_before_it_took_place_and_is_called_by_the_secretariat(town) -> None:
    with at("2025-05-06T08:00"):
        with pytest.raises(DomainError) as not_secretariat:
            services.meeting_schedule(
                conference_id=town.pk,
                user=user("cadre_mn"),
                kind=MeetingKind.WORKING,
                scheduled_at=dt.datetime(2025, 5, 9, 9, 0, tzinfo=TZ),
            )
        assert not_secretariat.value.code == "not_secretariat"
        meeting = services.meeting_schedule(
            conference_id=town.pk,
            user=user("town_ym"),
            kind=MeetingKind.WORKING,
            scheduled_at=dt.datetime(2025, 5, 9, 9, 0, tzinfo=TZ),
        )
        with pytest.raises(DomainError) as future:
            services.meeting_hold(
                meeting_id=meeting.pk,
                user=user("town_ym"),
                held_at=dt.datetime(2025, 5, 9, 9, 0, tzinfo=TZ),
                chair=user("leader_ym"),
                attendance=[],
            )
        assert future.value.code == "future"
