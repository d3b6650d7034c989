"""Who sees a conference and its petitions, and the coverage figure with its three-month window."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.conferences import figures, selectors, services
from xinfang.conferences.demo import set_up, unit, user
from xinfang.conferences.models import MeetingKind

from .helpers import decided, held_meeting

pytestmark = pytest.mark.django_db


def test_a_conference_is_seen_by_its_area_its_participants_and_its_member_units(town, county):
    seen = {
        name: set(selectors.visible_conferences(user(name)))
        for name in ("cadre_mn", "town_ym", "county_cf", "handler_cf", "leader_ym", "town", "leader_city")
    }
    assert seen["cadre_mn"] == {town}  # 庙南社区 is a member unit of the town's conference
    assert seen["town_ym"] == {town, county}  # its town is a member of the county's
    assert seen["county_cf"] == {town, county}
    assert seen["handler_cf"] == {county}  # 长丰县水利局 is a member of the county's conference
    assert seen["leader_ym"] == {town, county}
    assert seen["town"] == set() and seen["leader_city"] == set()  # 望城街道 and 六安市 are elsewhere
    with pytest.raises(OutOfJurisdiction):
        selectors.get_visible_conference(user("town"), town.pk)


def test_staff_see_the_items_they_proposed_and_the_decisions_of_their_units_without_the_conference(town):
    case = decided(town)
    cadre = user("cadre_mn")
    member = town.members.get(unit__code="ah-hf-cf-ym-mn")
    services.member_remove(member_id=member.pk, user=user("town_ym"))
    assert not selectors.visible_conferences(cadre).exists()
    assert selectors.get_visible_item(cadre, case.item.pk) == case.item
    assert selectors.get_visible_decision(cadre, case.decision.pk) == case.decision
    with pytest.raises(OutOfJurisdiction):
        selectors.get_visible_meeting(cadre, case.meeting.pk)


def test_a_viewer_is_told_how_many_petitions_of_an_item_they_cannot_see_never_which(town):
    case = decided(town)
    # The county bureau of another county sees none; a 长丰县 handler sees none of a town matter either.
    shown, hidden = selectors.item_petitions(user("handler_cf"), case.item)
    assert (shown, hidden) == ([], 2)
    shown, hidden = selectors.item_petitions(user("town_ym"), case.item)
    assert (len(shown), hidden) == (2, 0)


def test_coverage_counts_towns_whose_conference_met_in_the_last_three_months(town):
    today = timezone.localdate()
    assert figures.months_back(dt.date(2025, 5, 31), 3) == dt.date(2025, 2, 28)
    assert figures.months_back(dt.date(2025, 1, 15), 3) == dt.date(2024, 10, 15)
    county = unit("ah-hf-cf")
    assert (figures.coverage(county, today).covered, figures.coverage(county, today).total) == (0, 2)

    def meet_on(day: dt.date, conference) -> None:
        moment = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
        with time_machine.travel(moment, tick=False):
            held_meeting(conference)

    since = figures.coverage_since(today)
    meet_on(since - dt.timedelta(days=1), town)  # one day too early: not active
    assert figures.coverage(county, today).covered == 0
    meet_on(since, town)  # the first day of the window counts
    row = figures.coverage(county, today)
    assert (row.covered, row.total, row.percent) == (1, 2, "50.0%")
    assert [t.town.code for t in row.towns if t.covered] == ["ah-hf-cf-ym"]
    # A cancelled or merely planned meeting does not make a conference active.
    shuihu = set_up("sh")
    services.meeting_schedule(
        conference_id=shuihu.pk,
        user=user("leader_sh"),
        kind=MeetingKind.WORKING,
        scheduled_at=timezone.now() + dt.timedelta(days=2),
    )
    assert figures.coverage(county, today).covered == 1
    breakdown = figures.coverage_breakdown(unit("ah-hf"), today)
    assert [(r.area.code, r.covered, r.total) for r in breakdown] == [
        ("ah-hf", 1, 4),
        ("ah-hf-yh", 0, 2),
        ("ah-hf-cf", 1, 2),
    ]


def test_decisions_on_time_count_an_open_overdue_decision_as_late(town):
    on_time = decided(town, due_in_days=3)
    decided(town, due_in_days=3, seed=1)
    from .helpers import pdf

    services.decision_complete(
        decision_id=on_time.decision.pk, user=user("town_ym"), result="完成", evidence=[pdf()]
    )
    later = timezone.localdate() + dt.timedelta(days=10)
    start = timezone.localdate().replace(month=1, day=1)
    result = figures.figures(unit("ah-hf-cf"), start, start.replace(year=start.year + 1), later)
    assert (result.handled, result.due, result.on_time, result.on_time_percent) == (2, 2, 1, "50.0%")
    assert (result.escalated, result.resolved_above) == (0, 0)
