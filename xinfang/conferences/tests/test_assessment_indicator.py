"""The conference decisions done on time, as an assessment indicator: its value, the fast path, a scheme."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from xinfang.assessment import indicators as ind
from xinfang.assessment.tests.registered import (
    assert_fast_equals_records,
    assert_selectable_in_a_scheme,
    refresh_on,
)
from xinfang.conferences import services
from xinfang.conferences.demo import unit, user

from .helpers import decided, pdf

pytestmark = pytest.mark.django_db

CODE = "conference_decisions_on_time"


def complete_on(decision_id: int, day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        services.decision_complete(
            decision_id=decision_id, user=user("town_ym"), result="完成", evidence=[pdf()]
        )


def test_decisions_done_by_their_due_date_over_decided_ones_on_both_paths_as_days_pass(town):
    today = timezone.localdate()
    on_time = decided(town, due_in_days=3, seed=0).decision
    late = decided(town, due_in_days=3, seed=1).decision
    overdue = decided(town, due_in_days=3, seed=2).decision
    falls_due = decided(town, due_in_days=20, seed=3).decision
    done_early = decided(town, due_in_days=40, seed=4).decision
    decided(town, due_in_days=3, seed=5, approve=False)  # draft minutes: never counted
    complete_on(on_time.pk, today)
    complete_on(late.pk, today + dt.timedelta(days=5))
    first = today.replace(day=1)
    period = ind.Period(first, ind.next_month(ind.next_month(ind.next_month(first))))
    indicator = ind.indicator(CODE)
    county, town_unit = unit("ah-hf-cf"), unit("ah-hf-cf-ym")

    day_10 = today + dt.timedelta(days=10)
    refresh_on(day_10, full=True)
    for area in (county, town_unit):
        figure = assert_fast_equals_records(CODE, area, day_10, period)
        assert (figure.numerator, figure.denominator) == (1, 3)
    scope = ind.Scope(petitions=None, area=county, today=day_10)
    assert set(indicator.denominator(scope, period).values_list("pk", flat=True)) == {  # type: ignore[union-attr]
        on_time.pk,
        late.pk,
        overdue.pk,
    }
    assert list(indicator.numerator(scope, period).values_list("pk", flat=True)) == [on_time.pk]

    # Later: one decision reported done before its due date, another past its due date with nothing done.
    complete_on(done_early.pk, today + dt.timedelta(days=30))
    day_50 = today + dt.timedelta(days=50)
    refresh_on(day_50)  # incremental: the completion report and the day that moved on
    figure = assert_fast_equals_records(CODE, county, day_50, period)
    assert (figure.numerator, figure.denominator) == (2, 5)
    due = indicator.denominator(ind.Scope(None, county, day_50), period)
    assert due is not None and falls_due.pk in set(due.values_list("pk", flat=True))
    # A county elsewhere has none of these decisions.
    elsewhere = assert_fast_equals_records(CODE, unit("ah-la-ja"), day_50, period)
    assert (elsewhere.numerator, elsewhere.denominator) == (0, 0)


def test_decisions_done_on_time_is_offered_to_schemes_and_named_in_chinese(db):
    assert_selectable_in_a_scheme(CODE)
