"""The §6 indicators on small sets of petitions built through the services, against hand-computed values."""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.accounts.models import User
from xinfang.assessment import indicators as ind
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.detection import suggestion_decide
from xinfang.petitions.models import Petition, Suggestion
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import Channel, NoticeExemption, Rating
from xinfang.petitions.tests.factories import register

from .scenarios import NANPINGYUAN, SANSHIPU, accepted, at, day, rated, replied

pytestmark = pytest.mark.django_db

MAY = ind.Period(dt.date(2025, 5, 1), dt.date(2025, 6, 1))
MARCH = ind.Period(dt.date(2025, 3, 1), dt.date(2025, 4, 1))
APRIL = ind.Period(dt.date(2025, 4, 1), dt.date(2025, 5, 1))
APRIL_MAY = ind.Period(dt.date(2025, 4, 1), dt.date(2025, 6, 1))


def scope(today: str, *, area: str = "ah-la-ja", user: str = "leader", **options: bool | int) -> ind.Scope:
    return ind.Scope(
        petitions=visible_petitions(User.objects.get(username=user)),
        area=Unit.objects.get(code=area),
        today=day(today),
        options=ind.Options(**options),  # type: ignore[arg-type]
    )


def ids(qs: object) -> set[int]:
    assert qs is not None
    return set(qs.values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_three_of_four_handled_on_time_is_75_percent_and_an_open_overdue_one_stays_in(demo):
    on_time = [accepted(seed=seed, on="2025-03-03") for seed in (1, 2, 3)]
    late = accepted(seed=4, on="2025-03-03")
    for petition in on_time:
        replied(petition, on="2025-04-20")
    replied(late, on="2025-05-20")
    indicator = ind.indicator("on_time")
    handling_due = on_time[0].clocks.get(kind="handling").due_on
    assert MAY.start <= handling_due < MAY.end

    figure = ind.figure(indicator, scope("2025-06-15"), MAY)
    assert (figure.numerator, figure.denominator, figure.percent) == (3, 4, "75.0%")
    assert ids(indicator.numerator(scope("2025-06-15"), MAY)) == {p.pk for p in on_time}
    assert ids(indicator.denominator(scope("2025-06-15"), MAY)) == {p.pk for p in [*on_time, late]}

    still_open = accepted(seed=5, on="2025-03-03")
    figure = ind.figure(indicator, scope("2025-06-15"), MAY)
    assert (figure.numerator, figure.denominator) == (3, 5)
    assert still_open.pk in ids(indicator.denominator(scope("2025-06-15"), MAY))
    # Before its due date a running clock is not decided yet, so it is not counted at all.
    assert still_open.pk not in ids(indicator.denominator(scope("2025-04-30"), MAY))


def test_timely_acceptance_leaves_out_exempt_matters(demo):
    on_time = accepted(seed=11, on="2025-03-03", notice_on="2025-03-05")
    late = accepted(seed=12, on="2025-03-03", notice_on="2025-03-25")
    exempt = accepted(seed=13, on="2025-03-03", exempt=NoticeExemption.ADDRESS_UNCLEAR)
    indicator = ind.indicator("timely_acceptance")
    figure = ind.figure(indicator, scope("2025-04-01"), MARCH)
    assert (figure.numerator, figure.denominator) == (1, 2)
    assert ids(indicator.denominator(scope("2025-04-01"), MARCH)) == {on_time.pk, late.pk}
    assert exempt.pk not in ids(indicator.denominator(scope("2025-04-01"), MARCH))


def evaluated_four() -> dict[str, Petition]:
    petitions = {name: accepted(seed=20 + i, on="2025-03-03") for i, name in enumerate("ABCD")}
    for petition in petitions.values():
        replied(petition, on="2025-04-20")
    rated(petitions["A"], rating=Rating.SATISFIED, on="2025-04-21")
    rated(petitions["B"], rating=Rating.BASICALLY, on="2025-04-21")
    rated(petitions["C"], rating=Rating.DISSATISFIED, on="2025-04-21")
    return petitions  # D is never rated


def test_participation_and_satisfaction_with_both_switches(demo):
    p = evaluated_four()
    participation = ind.figure(ind.indicator("participation"), scope("2025-06-15"), APRIL_MAY)
    assert (participation.numerator, participation.denominator) == (3, 4)

    satisfaction = ind.indicator("satisfaction")
    default = ind.figure(satisfaction, scope("2025-06-15"), APRIL_MAY)
    assert (default.numerator, default.denominator) == (2, 3)
    assert ids(satisfaction.numerator(scope("2025-06-15"), APRIL_MAY)) == {p["A"].pk, p["B"].pk}

    strict = ind.figure(satisfaction, scope("2025-06-15", basic_counts=False), APRIL_MAY)
    assert (strict.numerator, strict.denominator) == (1, 3)
    assert ids(satisfaction.numerator(scope("2025-06-15", basic_counts=False), APRIL_MAY)) == {p["A"].pk}

    with_unrated = ind.figure(satisfaction, scope("2025-06-15", unrated_counts=True), APRIL_MAY)
    assert (with_unrated.numerator, with_unrated.denominator) == (3, 4)
    assert p["D"].pk in ids(satisfaction.numerator(scope("2025-06-15", unrated_counts=True), APRIL_MAY))


def test_a_rating_counts_in_the_month_it_was_given_and_an_unrated_window_when_it_lapsed(demo):
    p = evaluated_four()  # replied 20 April, rated 21 April, window of D lapses on 5 May
    participation = ind.indicator("participation")
    april = ind.figure(participation, scope("2025-06-15"), APRIL)
    may = ind.figure(participation, scope("2025-06-15"), MAY)
    assert (april.numerator, april.denominator) == (3, 3)
    assert (may.numerator, may.denominator) == (0, 1)
    assert ids(participation.denominator(scope("2025-06-15"), MAY)) == {p["D"].pk}
    window = p["D"].clocks.get(kind="evaluation_window")
    assert MAY.start <= window.due_on < MAY.end
    # Before D's window has lapsed it is counted nowhere: its window has not ended.
    assert ind.figure(participation, scope("2025-04-25"), MAY).denominator == 0


def test_repeat_rate_and_bypass_count_by_destination_level(demo):
    county = User.objects.get(username="county")
    province = User.objects.get(username="province")
    with at("2025-03-03"):
        first = register(by="county", id_seed=31, subject="小区物业乱收费问题")
        register(by="county", id_seed=32, subject="道路破损多年未修")
    with at("2025-03-10"):
        again = register(by="county", id_seed=31, subject="小区物业乱收费问题")
        suggestion = again.suggestions.get(kind=Suggestion.Kind.REPEAT, candidate=first)
        suggestion_decide(suggestion_id=suggestion.pk, user=county, confirm=True)
        upward = register(by="province", id_seed=33, subject="土地流转费未兑付", channel=Channel.VISIT)
        bypass = upward.suggestions.get(kind=Suggestion.Kind.BYPASS)
        suggestion_decide(suggestion_id=bypass.pk, user=province, confirm=True)

    everything = ind.Scope(
        petitions=Petition.objects.all(), area=Unit.objects.get(code="ah-la-ja"), today=day("2025-04-01")
    )
    repeat = ind.figure(ind.indicator("repeat"), everything, MARCH)
    assert (repeat.numerator, repeat.denominator) == (1, 4)
    assert ids(ind.indicator("repeat").numerator(everything, MARCH)) == {again.pk}
    bypass_figure = ind.figure(ind.indicator("bypass"), everything, MARCH)
    assert (bypass_figure.numerator, bypass_figure.denominator) == (1, None)
    by_level = ind.counts_by(ind.indicator("bypass"), everything, MARCH, "bypass_destination_level")
    assert by_level == {1: 1}


def closed(petition: Petition, *, on: str, reason: str = "信访人表示满意，放弃复查") -> Petition:
    county = User.objects.get(username="county")
    with at(on):
        return services.petition_close(petition_id=petition.pk, user=county, reason=reason)


def test_one_time_resolution_is_reported_only_after_its_window_and_a_repeat_spoils_it(demo):
    resolved = accepted(seed=41, on="2025-03-03", subject="小区雨污管道堵塞污水外溢")
    replied(resolved, on="2025-04-20")
    rated(resolved, rating=Rating.SATISFIED, on="2025-04-21")
    closed(resolved, on="2025-05-25")
    appealed = accepted(seed=42, on="2025-03-03")
    replied(appealed, on="2025-04-20")
    with at("2025-04-25"):
        services.petition_request_review(
            petition_id=appealed.pk, user=None, requested_on=day("2025-04-25"), grounds="不服", citizen=True
        )
    with at("2025-05-05"):
        services.petition_decide_review(
            petition_id=appealed.pk,
            user=User.objects.get(username="leader"),
            decision="support",
            facts_found="属实",
            reasons="理由",
            legal_basis="依据",
            delivered_on=day("2025-05-05"),
        )
    closed(appealed, on="2025-05-20", reason="复查后信访人接受")
    indicator = ind.indicator("one_time")

    early = ind.figure(indicator, scope("2025-06-15"), MAY)
    assert (early.numerator, early.denominator, early.pending) == (0, 0, 2)

    later = ind.figure(indicator, scope("2025-09-01"), MAY)
    assert (later.numerator, later.denominator, later.pending) == (1, 2, 0)
    assert ids(indicator.numerator(scope("2025-09-01"), MAY)) == {resolved.pk}

    with at("2025-07-01"):
        again = register(by="county", id_seed=41, subject="小区雨污管道堵塞污水外溢")
        suggestion = again.suggestions.get(kind=Suggestion.Kind.REPEAT, candidate=resolved)
        suggestion_decide(suggestion_id=suggestion.pk, user=User.objects.get(username="county"), confirm=True)
    spoiled = ind.figure(indicator, scope("2025-09-01"), MAY)
    assert (spoiled.numerator, spoiled.denominator) == (0, 2)


def test_a_town_officer_counts_only_the_places_of_the_town(demo):
    ours = accepted(seed=51, on="2025-03-03", place=NANPINGYUAN)
    accepted(seed=52, on="2025-03-03", place=SANSHIPU)
    with at("2025-03-04"):
        # Registered by the town itself, but about a place in another town: not the town's figure.
        elsewhere = register(by="town", place=SANSHIPU, id_seed=53, subject="三十铺道路破损")
    town = scope("2025-04-01", area="ah-la-ja-wc", user="town")
    received = ind.indicator("received")
    assert ids(received.numerator(town, MARCH)) == {ours.pk}
    assert elsewhere.pk in ids(visible_petitions(User.objects.get(username="town")))
    county_wide = scope("2025-04-01")
    assert len(ids(received.numerator(county_wide, MARCH))) == 3


def test_grouped_figures_equal_the_figures_of_each_group(demo):
    for seed, place in ((61, NANPINGYUAN), (62, NANPINGYUAN), (63, SANSHIPU)):
        replied(accepted(seed=seed, on="2025-03-03", place=place), on="2025-04-20")
    late = accepted(seed=64, on="2025-03-03", place=SANSHIPU)
    replied(late, on="2025-05-25")
    county = scope("2025-06-15")
    indicator = ind.indicator("on_time")
    assert county.area is not None
    by_town = ind.grouped(indicator, county, MAY, ind.child_area_key(county.area))
    for code in ("ah-la-ja-wc", "ah-la-ja-ssp"):
        town = Unit.objects.get(code=code)
        figure = ind.figure(indicator, scope("2025-06-15", area=code), MAY)
        assert by_town[town.path] == (figure.numerator, figure.denominator)
    assert by_town[Unit.objects.get(code="ah-la-ja-wc").path] == (2, 2)
    assert by_town[Unit.objects.get(code="ah-la-ja-ssp").path] == (1, 2)
    months = ind.months_back(day("2025-06-15"), 12)
    trend = {month.start: (num, den) for month, num, den in ind.trend(indicator, county, months)}
    assert trend[MAY.start] == (3, 4)
    assert sum(den or 0 for _num, den in trend.values()) == 4


def test_periods_are_half_open_and_months_back_end_with_the_current_month():
    months = ind.months_back(dt.date(2025, 2, 14), 12)
    assert months[0] == ind.Period(dt.date(2024, 3, 1), dt.date(2024, 4, 1))
    assert months[-1] == ind.Period(dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    assert ind.Period(dt.date(2025, 12, 1), dt.date(2026, 1, 1)).last_day == dt.date(2025, 12, 31)
    with pytest.raises(ValueError):
        ind.Period(dt.date(2025, 1, 2), dt.date(2025, 1, 2))
