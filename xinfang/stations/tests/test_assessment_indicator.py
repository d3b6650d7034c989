"""Walk-ins resolved on the spot, as an assessment indicator: its value, the fast path, a scheme."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xinfang.assessment import indicators as ind
from xinfang.assessment.facts import facts_refresh
from xinfang.assessment.tests.registered import assert_fast_equals_records, assert_selectable_in_a_scheme
from xinfang.petitions.tests.factories import valid_id
from xinfang.stations import visits
from xinfang.stations.models import Visit

from .factories import unit, user

pytestmark = pytest.mark.django_db

CODE = "station_walk_ins_resolved"
ZONE = dt.timezone(dt.timedelta(hours=8))
MARCH = ind.Period.month(dt.date(2025, 3, 1))


def walk_in(station, day: int, seed: int) -> Visit:
    return visits.visit_register(
        user=user("npy_worker"),
        station_id=station.pk,
        visitor=visits.Visitor(
            name=f"来访人{seed}", id_number=valid_id(40 + seed), phone=f"1395640{seed:04d}"
        ),
        subject="楼上住户装修噪声扰民",
        visited_at=dt.datetime(2025, 3, day, 9, 30, tzinfo=ZONE),
    )


def conclude(visit: Visit, outcome: str) -> None:
    visits.visit_conclude(user=user("npy_worker"), visit_id=visit.pk, outcome=outcome, note="当面协调")


def test_walk_ins_resolved_on_the_spot_over_concluded_ones_on_both_paths(station):
    resolved = [walk_in(station, 3, 1), walk_in(station, 10, 2)]
    for visit in resolved:
        conclude(visit, "resolved")
    summoned = walk_in(station, 11, 3)  # resolved only after a department came: not on the spot
    visits.visit_summon(
        user=user("npy_worker"),
        visit_id=summoned.pk,
        department=unit("ah-la-ja-zjj"),
        task="到驿站说明维修基金使用情况",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    conclude(summoned, "resolved")
    petition = walk_in(station, 12, 4)
    visits.visit_to_petition(user=user("npy_worker"), visit_id=petition.pk, request="请求督促装修方")
    conclude(walk_in(station, 20, 5), "mediation")
    pending = walk_in(station, 31, 6)
    today = timezone.localdate()
    indicator = ind.indicator(CODE)
    county, town = unit("ah-la-ja"), unit("ah-la-ja-wc")

    facts_refresh(today=today, full=True)
    for area in (county, town):
        figure = assert_fast_equals_records(CODE, area, today, MARCH)
        assert (figure.numerator, figure.denominator, figure.pending) == (2, 5, 1)
    scope = ind.Scope(petitions=None, area=county, today=today)
    assert set(indicator.numerator(scope, MARCH).values_list("pk", flat=True)) == {v.pk for v in resolved}

    # The pending visit is concluded later: the next refresh reads it from its outcome.
    conclude(pending, "resolved")
    facts_refresh(today=today)
    figure = assert_fast_equals_records(CODE, county, today, MARCH)
    assert (figure.numerator, figure.denominator, figure.pending) == (3, 6, 0)
    elsewhere = assert_fast_equals_records(CODE, unit("ah-hf-yh"), today, MARCH)
    assert (elsewhere.numerator, elsewhere.denominator) == (0, 0)


def test_walk_ins_resolved_is_offered_to_schemes_and_named_in_chinese(db):
    assert_selectable_in_a_scheme(CODE)
