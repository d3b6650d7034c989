"""The fast path (monthly fact table) gives exactly the figures of the indicators' own QuerySets.

Histories are built through the real services on chosen days; the facts are refreshed as of a day and
every indicator is compared, for several areas, periods, groupings and switches, with the direct figures.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.db.models import F, Q
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from xinfang.accounts.models import User
from xinfang.assessment import indicators as ind
from xinfang.assessment.facts import facts_refresh
from xinfang.assessment.figures import FACTS, RECORDS, Figures
from xinfang.assessment.models import IndicatorFact, IndicatorSettings
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import oversight, services
from xinfang.petitions import services as petition_services
from xinfang.petitions.detection import suggestion_decide
from xinfang.petitions.models import Appeal, Petition, Suggestion, Supervision
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import Channel, PetitionType, Rating
from xinfang.petitions.tests.factories import register

from .scenarios import NANPINGYUAN, SANSHIPU, TZ, accepted, at, day, rated, replied

pytestmark = pytest.mark.django_db

AREAS = ("ah", "ah-la-ja", "ah-la-ja-wc")
YEAR = ind.Period.year(2025)
QUARTER = ind.Period(dt.date(2025, 4, 1), dt.date(2025, 7, 1))
MONTHS = [ind.Period.month(dt.date(2025, m, 1)) for m in range(3, 9)]
SWITCHES = [
    ind.Options(basic_counts=b, unrated_counts=u, one_time_days=90)
    for b, u in itertools.product((True, False), repeat=2)
]


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


DEFAULT = ind.Options()


def everything(area: str, today: dt.date, options: ind.Options = DEFAULT) -> ind.Scope:
    return ind.Scope(petitions=None, area=unit(area), today=today, options=options)


def assert_fast_equals_direct(today: dt.date, *, areas=AREAS, periods=(YEAR, QUARTER, MONTHS[2])) -> int:
    """Compare every indicator on the fast path with the direct QuerySets; return how many comparisons.

    The satisfaction switches change only the evaluation indicators, so only those run through all four.
    """
    compared = 0
    for area, indicator in itertools.product(areas, ind.registered()):
        switched = indicator.code in {"participation", "satisfaction"}
        for options in SWITCHES if switched else SWITCHES[:1]:
            scope = everything(area, today, options)
            fast = Figures(scope)
            for period in periods:
                assert fast.fast(indicator.code, period), (indicator.code, area, period)
                direct = ind.figure(indicator, scope, period)
                got = fast.figure(indicator.code, period)
                assert (got.numerator, got.denominator, got.pending) == (
                    direct.numerator,
                    direct.denominator,
                    direct.pending,
                ), (indicator.code, area, period, options)
                compared += 1
            assert fast.grouped(indicator.code, YEAR, "month") == ind.grouped(
                indicator, scope, YEAR, ind.month_key()
            ), (indicator.code, area)
            if scope.area is not None and scope.area.level < 4:
                direct_by_child = ind.grouped(
                    indicator, scope, YEAR, ind.child_area_key(scope.area, indicator)
                )
                kids = fast.child_paths
                assert fast.grouped(indicator.code, YEAR, "child") == {
                    k: v for k, v in direct_by_child.items() if k in kids
                }, (indicator.code, area)
            if indicator.by_category:
                assert fast.grouped(indicator.code, YEAR, "category") == ind.grouped(
                    indicator, scope, YEAR, ind.category_key()
                ), (indicator.code, area)
            for field in indicator.breakdowns:
                assert fast.counts_by(indicator.code, YEAR, field) == ind.counts_by(
                    indicator, scope, YEAR, field
                ), (indicator.code, field, area)
            assert fast.source == FACTS
    return compared


def history() -> dict[str, Petition]:
    """On time, late, open overdue, rated three ways, unrated, a repeat, a bypass, an appeal, a closure,
    an exempt notice, a supervision; in two towns of 金安区."""
    county, handler = User.objects.get(username="county"), User.objects.get(username="handler")
    made: dict[str, Petition] = {}
    for name, seed, place in (("a", 201, NANPINGYUAN), ("b", 202, SANSHIPU), ("c", 203, NANPINGYUAN)):
        made[name] = accepted(seed=seed, on="2025-03-03", place=place)
        replied(made[name], on="2025-04-20")
    made["late"] = accepted(seed=204, on="2025-03-03", place=SANSHIPU, notice_on="2025-03-25")
    replied(made["late"], on="2025-05-20")
    made["open"] = accepted(seed=205, on="2025-04-02", place=NANPINGYUAN)
    made["exempt"] = accepted(seed=206, on="2025-03-10", exempt="address_unclear")
    rated(made["a"], rating=Rating.SATISFIED, on="2025-04-22")
    rated(made["b"], rating=Rating.BASICALLY, on="2025-04-23")
    rated(made["late"], rating=Rating.DISSATISFIED, on="2025-05-21")
    with at("2025-04-25"):
        services.petition_request_review(
            petition_id=made["c"].pk, user=None, requested_on=day("2025-04-25"), grounds="不服", citizen=True
        )
    with at("2025-05-02"):
        services.petition_close(petition_id=made["a"].pk, user=county, reason="信访人放弃复查")
    with at("2025-05-10"):
        again = register(by="county", id_seed=201, subject="拖欠工资问题第201号")
        suggestion = again.suggestions.filter(kind=Suggestion.Kind.REPEAT).first()
        assert suggestion is not None
        suggestion_decide(suggestion_id=suggestion.pk, user=county, confirm=True)
        made["again"] = again
        upward = register(by="province", id_seed=207, subject="土地流转费未兑付", channel=Channel.VISIT)
        bypass = upward.suggestions.get(kind=Suggestion.Kind.BYPASS)
        suggestion_decide(suggestion_id=bypass.pk, user=User.objects.get(username="province"), confirm=True)
        made["bypass"] = upward
        oversight.supervision_open(
            petition_id=made["open"].pk,
            user=county,
            kind=Supervision.Kind.LISTED,
            to_unit=unit("ah-la-ja-rsj"),
            reason="久拖不办",
            due_on=day("2025-05-20"),
        )
    with at("2025-03-12"):
        made["suggestion"] = register(by="county", id_seed=208, subject="建议增设公交站点")
        services.petition_forward(
            petition_id=made["suggestion"].pk, user=county, to_unit=unit("ah-la-ja-rsj")
        )
        services.petition_accept(
            petition_id=made["suggestion"].pk,
            user=handler,
            petition_type=PetitionType.SUGGESTION,
            notice_sent_on=day("2025-03-12"),
            route="start_study",
        )
    return made


def refresh_on(value: str, **kwargs: bool):
    with time_machine.travel(dt.datetime.fromisoformat(value + "T23:00:00").replace(tzinfo=TZ), tick=False):
        return facts_refresh(today=day(value), **kwargs)


def test_every_figure_of_the_fact_table_equals_the_direct_queries(demo):
    history()
    result = refresh_on("2025-09-01")
    assert result.full and result.rows > 0
    assert assert_fast_equals_direct(day("2025-09-01"), periods=(YEAR, QUARTER, MONTHS[1], MONTHS[3])) > 150


def test_an_incremental_refresh_follows_changes_and_time_and_matches_a_full_rebuild(demo):
    made = history()
    refresh_on("2025-05-15")
    assert assert_fast_equals_direct(day("2025-05-15"), areas=("ah-la-ja",))
    county = User.objects.get(username="county")
    # Changes after the refresh: a late reply, a new matter in another town, a closure.
    replied(made["open"], on="2025-06-10")
    with at("2025-06-11"):
        register(by="county", place=SANSHIPU, id_seed=230, subject="三十铺道路破损")
        services.petition_close(petition_id=made["b"].pk, user=county, reason="信访人表示满意")
    result = refresh_on("2025-06-20")
    assert not result.full and 0 < result.grains <= 3
    assert assert_fast_equals_direct(day("2025-06-20"), areas=("ah-la-ja-ssp",))
    # Time alone: one-time resolution windows pass, running clocks fall due; nothing else changed.
    result = refresh_on("2025-09-15")
    assert not result.full
    assert assert_fast_equals_direct(day("2025-09-15"), areas=("ah-la-ja",), periods=(YEAR,))
    incremental = set(
        IndicatorFact.objects.values_list(
            "unit_id", "month", "indicator", "variant", "category", "component", "value"
        )
    )
    refresh_on("2025-09-15", full=True)
    rebuilt = set(
        IndicatorFact.objects.values_list(
            "unit_id", "month", "indicator", "variant", "category", "component", "value"
        )
    )
    assert incremental == rebuilt


def test_facts_are_used_only_for_their_day_whole_months_and_a_kept_variant(demo):
    history()
    refresh_on("2025-09-01")
    scope = everything("ah-la-ja", day("2025-09-01"))
    assert Figures(scope).fast("on_time", YEAR)
    assert not Figures(everything("ah-la-ja", day("2025-09-02"))).fast("on_time", YEAR)
    assert not Figures(scope).fast("on_time", ind.Period(dt.date(2025, 3, 5), dt.date(2025, 4, 1)))
    village = everything("ah-la-ja-wc-npy", day("2025-09-01"))
    assert not Figures(village).fast("on_time", YEAR)
    other_n = everything("ah-la-ja", day("2025-09-01"), ind.Options(one_time_days=30))
    figures = Figures(other_n)
    assert not figures.fast("one_time", YEAR) and figures.fast("on_time", YEAR)
    assert figures.figure("one_time", YEAR) == ind.figure(ind.indicator("one_time"), other_n, YEAR)
    assert figures.source == RECORDS
    # A locality keeping N = 30 makes the next refresh rebuild with that variant too.
    IndicatorSettings.objects.create(unit=unit("ah-la-ja"), one_time_days=30)
    assert refresh_on("2025-09-01").full
    assert Figures(other_n).fast("one_time", YEAR)


def test_an_accusation_kept_from_the_viewer_is_subtracted_from_the_facts(demo):
    history()
    town = User.objects.get(username="town")
    with at("2025-04-01"):
        register(
            by="county",
            place=NANPINGYUAN,
            id_seed=240,
            subject="反映街道干部作风问题",
            petition_type=PetitionType.ACCUSATION,
            accused_unit=unit("ah-la-ja-wc"),
            accused_description="街道某工作人员",
        )
    refresh_on("2025-09-01")
    scope = ind.Scope(petitions=visible_petitions(town), area=unit("ah-la-ja-wc"), today=day("2025-09-01"))
    figures = Figures(scope, user=town)
    received = figures.figure("received", YEAR)
    assert figures.source == FACTS
    assert received == ind.figure(ind.indicator("received"), scope, YEAR)
    everyone = ind.figure(ind.indicator("received"), everything("ah-la-ja-wc", day("2025-09-01")), YEAR)
    assert received.numerator == everyone.numerator - 1
    # A department handler's seat covers only its department: its figures come from the records.
    handler = User.objects.get(username="handler")
    department = ind.Scope(
        petitions=visible_petitions(handler), area=unit("ah-la-ja"), today=day("2025-09-01")
    )
    assert not Figures(department, user=handler).fast("on_time", YEAR)


class ReviewsDecidedInTime(ind.Indicator):
    """An indicator another app could register: appeals decided within their limit, by deciding unit."""

    code = "test_reviews_decided"
    label = "Reviews requested"  # type: ignore[assignment]
    model = Appeal
    petition_path = "petition"
    subject_field = "unit"
    responsible_field = "unit"

    def when(self, scope: ind.Scope) -> Any:
        return F("requested_on")

    def numerator_q(self, scope: ind.Scope) -> Q:
        return Q(opinion__isnull=False)


def test_an_indicator_registered_by_another_app_is_kept_in_the_facts_like_the_others(demo):
    history()
    with at("2025-05-10"):
        petition_services.petition_decide_review(
            petition_id=Appeal.objects.get().petition_id,
            user=User.objects.get(username="leader"),
            decision="support",
            facts_found="属实",
            reasons="理由",
            legal_basis="依据",
            delivered_on=day("2025-05-10"),
        )
    extra = ind.register(ReviewsDecidedInTime())
    try:
        with pytest.raises(ValueError):
            ind.register(ReviewsDecidedInTime())
        refresh_on("2025-09-01")
        scope = everything("ah-la-ja", day("2025-09-01"))
        figures = Figures(scope)
        assert figures.fast(extra.code, YEAR)
        got = figures.figure(extra.code, YEAR)
        assert (got.numerator, got.denominator) == (1, 1)
        assert got == ind.figure(extra, scope, YEAR)
        assert IndicatorFact.objects.filter(indicator=extra.code).exists()
    finally:
        ind.unregister(extra.code)
    assert extra.code not in ind.INDICATORS


# --- generated histories ---------------------------------------------------------------------------

OUTCOME = st.sampled_from(["none", "rate_good", "rate_basic", "rate_bad", "close", "appeal"])


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    plans=st.lists(
        st.tuples(
            st.sampled_from([NANPINGYUAN, SANSHIPU]),
            st.integers(1, 28),  # accepted on this day of March
            st.one_of(st.none(), st.integers(20, 95)),  # replied this many days later (or never)
            OUTCOME,
            st.integers(1, 25),  # the outcome this many days after the reply (late ones are refused)
        ),
        min_size=1,
        max_size=4,
    ),
    today=st.integers(0, 200),
)
def test_generated_histories_give_the_same_figures_on_both_paths(demo, plans, today):
    county = User.objects.get(username="county")
    ratings = {"rate_good": Rating.SATISFIED, "rate_basic": Rating.BASICALLY, "rate_bad": Rating.DISSATISFIED}
    with transaction.atomic():
        for index, (place, start, reply_after, outcome, outcome_after) in enumerate(plans):
            accepted_on = dt.date(2025, 3, start)
            petition = accepted(seed=300 + index, on=accepted_on.isoformat(), place=place)
            if reply_after is None:
                continue
            replied_on = accepted_on + dt.timedelta(days=reply_after)
            replied(petition, on=replied_on.isoformat())
            on = (replied_on + dt.timedelta(days=outcome_after)).isoformat()
            try:
                if outcome in ratings:
                    rated(petition, rating=ratings[outcome], on=on)
                elif outcome == "close":
                    with at(on):
                        services.petition_close(petition_id=petition.pk, user=county, reason="结案")
                elif outcome == "appeal":
                    with at(on):
                        services.petition_request_review(
                            petition_id=petition.pk,
                            user=None,
                            requested_on=day(on),
                            grounds="不服",
                            citizen=True,
                        )
            except DomainError:
                pass  # too late for the petitioner: the service refused, nothing changed
        reference = (dt.date(2025, 5, 1) + dt.timedelta(days=today)).isoformat()
        refresh_on(reference)
        assert_fast_equals_direct(day(reference), areas=("ah-la-ja",), periods=(YEAR,))
        transaction.set_rollback(True)
