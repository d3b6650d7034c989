"""Assessment schemes: set up with validation, share rules, copies and their history, computed scores,
ranks and lists, and every score explained by the records it counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from xinfang.accounts.models import User
from xinfang.assessment import scoring, selectors, services
from xinfang.assessment.facts import facts_refresh
from xinfang.assessment.models import ItemRule, SchemeItem, SchemeStatus, SharePolicy, SubjectKind
from xinfang.core.errors import ConflictError, DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions.states import Rating

from .scenarios import NANPINGYUAN, SANSHIPU, accepted, rated, replied

pytestmark = pytest.mark.django_db

D = Decimal


def items(**weights: int) -> list[services.ItemData]:
    default = [
        services.ItemData("on_time", D(40), ItemRule.TARGET, D(90), D(50)),
        services.ItemData("satisfaction", D(40), ItemRule.TARGET, D(90), D(50)),
        services.ItemData("repeat", D(20), ItemRule.TARGET, D(5), D(30)),
        services.ItemData("supervision", D(10), ItemRule.DEDUCT, per_count=D(2)),
    ]
    for item in default:
        if item.indicator in weights:
            item.weight = D(weights[item.indicator])
    return default


def data(**overrides: object) -> services.SchemeData:
    values: dict[str, object] = {
        "name": "2025年度基层党建工作考核（金安区）",
        "year": 2025,
        "area": Unit.objects.get(code="ah-la-ja"),
        "subject_kind": SubjectKind.TOWN,
        "total_points": D(100),
        "petition_share": D(18),
        "items": items(),
        "red_list_min": D(90),
        "black_list_below": D(60),
    }
    values.update(overrides)
    return services.SchemeData(**values)  # type: ignore[arg-type]


def leader() -> User:
    return User.objects.get(username="leader")


def published(**overrides: object):
    scheme = services.scheme_create(user=leader(), data=data(**overrides))
    return services.scheme_publish(scheme_id=scheme.pk, user=leader())


def two_towns() -> None:
    """望城街道: two matters on time, both satisfied. 三十铺镇: one on time, one late and dissatisfied."""
    for seed in (401, 402):
        petition = accepted(seed=seed, on="2025-03-03", place=NANPINGYUAN)
        replied(petition, on="2025-04-20")
        rated(petition, rating=Rating.SATISFIED, on="2025-04-21")
    good = accepted(seed=403, on="2025-03-03", place=SANSHIPU)
    replied(good, on="2025-04-20")
    late = accepted(seed=404, on="2025-03-03", place=SANSHIPU)
    replied(late, on="2025-05-20")
    rated(late, rating=Rating.DISSATISFIED, on="2025-05-21")


def test_a_town_scheme_scores_ranks_and_lists_the_towns(demo):
    two_towns()
    scheme = published()
    run = services.scheme_compute(scheme_id=scheme.pk, user=leader(), today=dt.date(2025, 12, 31))
    scores = {s.unit.code: s for s in run.scores.select_related("unit")}
    assert set(scores) == {"ah-la-ja-wc", "ah-la-ja-ssp"}
    wc, ssp = scores["ah-la-ja-wc"], scores["ah-la-ja-ssp"]
    # 望城街道: every rate at or beyond its target, repeat rate 0 %: full marks.
    assert wc.petition_score == D("100.00") and wc.rank == 1 and wc.listing == "red"
    assert wc.weighted == D("18.00")  # 18 % of a 100-point assessment
    # 三十铺镇: on time 1/2 = 50 % (the floor: 0 of 40), satisfaction 0/1 (0 of 40), repeat 0 % (20 of 20).
    items_ssp = {i["code"]: i for i in ssp.items}
    assert (items_ssp["on_time"]["numerator"], items_ssp["on_time"]["denominator"]) == (1, 2)
    assert items_ssp["on_time"]["points"] == "0.00" and items_ssp["repeat"]["points"] == "20.00"
    assert ssp.petition_score == D("20.00") and ssp.rank == 2 and ssp.listing == "black"
    assert ssp.weighted == D("3.60")


def test_every_item_of_a_score_opens_exactly_the_records_it_counted(demo):
    two_towns()
    scheme = published()
    run = services.scheme_compute(scheme_id=scheme.pk, user=leader(), today=dt.date(2025, 12, 31))
    score = run.scores.get(unit__code="ah-la-ja-ssp")
    for item in score.items:
        _indicator, numerator = selectors.drill_rows(leader(), score, item["code"], "num")
        assert numerator.count() == item["numerator"], item["code"]
        if item["denominator"] is not None:
            _indicator, denominator = selectors.drill_rows(leader(), score, item["code"], "den")
            assert denominator.count() == item["denominator"], item["code"]


def test_the_fast_path_and_the_records_give_the_same_scores(demo):
    two_towns()
    scheme = published()
    today = dt.date(2025, 12, 31)
    facts_refresh(today=today)
    fast = services.scheme_compute(scheme_id=scheme.pk, user=leader(), today=today)
    slow = services.scheme_compute(scheme_id=scheme.pk, user=leader(), today=today, use_facts=False)
    assert fast.source == "facts" and slow.source == "records"
    key = lambda run: sorted((s.unit_id, s.petition_score, s.rank, str(s.items)) for s in run.scores.all())  # noqa: E731
    assert key(fast) == key(slow)
    assert scheme.runs.count() == 2  # every computation is kept


def test_a_share_below_the_localitys_minimum_is_refused_with_a_translated_message(demo):
    county = Unit.objects.get(code="ah-hf-cf")
    SharePolicy.objects.create(
        unit=county, subject_kind=SubjectKind.SECRETARY, minimum_share=D(20), basis="述职评议要求"
    )
    from xinfang.accounts.demo import ensure_demo_user
    from xinfang.accounts.models import Role

    boss = ensure_demo_user("leader_cf", "唐县领导", "ah-hf-cf", Role.LEADER, "县委副书记")
    review = data(area=county, subject_kind=SubjectKind.SECRETARY, petition_share=D(15), name="书记述职评议")
    with translation.override("zh-hans"), pytest.raises(services.FieldErrors) as refused:
        services.scheme_create(user=boss, data=review)
    message = refused.value.errors["petition_share"][0]
    assert "20" in message and "长丰县" in message
    with translation.override("en"), pytest.raises(services.FieldErrors) as in_english:
        services.scheme_create(user=boss, data=review)
    assert "at least 20 %" in in_english.value.errors["petition_share"][0]
    review.petition_share = D(20)
    assert services.scheme_create(user=boss, data=review).petition_share == D(20)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (services.ItemData("received", D(10)), "raw volume is never scored"),
        (services.ItemData("bypass", D(10), ItemRule.DEDUCT, per_count=D(1)), "raw volume is never scored"),
        (services.ItemData("supervision", D(10), ItemRule.TARGET, D(90)), "only a rate"),
        (services.ItemData("on_time", D(10), ItemRule.DEDUCT, per_count=D(1)), "not per measure"),
        (services.ItemData("on_time", D(10), ItemRule.TARGET, D(90), D(95)), "must lie below the target"),
        (services.ItemData("repeat", D(10), ItemRule.TARGET, D(10), D(5)), "must lie above the target"),
        (services.ItemData("on_time", D(0), ItemRule.TARGET, D(90)), "more than 0"),
        (services.ItemData("nonexistent", D(10)), "unknown indicator"),
    ],
)
def test_items_that_break_the_rules_are_refused_and_nothing_is_saved(demo, item, expected):
    with translation.override("en"), pytest.raises(services.FieldErrors) as refused:
        services.scheme_create(user=leader(), data=data(items=[*items(), item]))
    assert any(expected in message for message in refused.value.errors["items"]), refused.value.errors
    assert not SchemeItem.objects.exists()


def test_a_copy_to_the_next_year_changes_the_weights_and_keeps_the_history(demo):
    first = published(year=2020, name="2020年度基层党建工作考核（金安区）", petition_share=D(3))
    copy = services.scheme_copy(
        scheme_id=first.pk, user=leader(), year=2021, petition_share=D(18), weights={"on_time": D(50)}
    )
    assert copy.previous == first and copy.status == SchemeStatus.DRAFT
    assert copy.name == "2021年度基层党建工作考核（金安区）"
    assert copy.items.get(indicator="on_time").weight == D(50)
    first.refresh_from_db()
    assert first.petition_share == D(3) and first.items.get(indicator="on_time").weight == D(40)
    later = services.scheme_copy(scheme_id=copy.pk, user=leader(), year=2024)
    assert [(s.year, s.petition_share) for s in services.scheme_history(later)] == [
        (2020, D(3)),
        (2021, D(18)),
        (2024, D(18)),
    ]
    assert [e.action for e in copy.events.order_by("pk")] == ["copied"]


def test_a_published_scheme_is_not_changed_and_a_stale_form_gets_a_conflict(demo):
    scheme = services.scheme_create(user=leader(), data=data())
    with pytest.raises(ConflictError):
        services.scheme_update(
            scheme_id=scheme.pk, user=leader(), data=data(petition_share=D(20)), expected_version=9
        )
    services.scheme_publish(scheme_id=scheme.pk, user=leader(), expected_version=scheme.version)
    with pytest.raises(DomainError) as refused:
        services.scheme_update(scheme_id=scheme.pk, user=leader(), data=data(petition_share=D(20)))
    assert refused.value.code == "published"
    scheme.refresh_from_db()


def test_only_leaders_and_county_bureaus_of_the_area_set_up_its_schemes(demo):
    with pytest.raises(services.FieldErrors) as refused:
        services.scheme_create(user=User.objects.get(username="town"), data=data())
    assert "area" in refused.value.errors
    county = User.objects.get(username="county")
    assert services.scheme_create(user=county, data=data()).created_by == county
    # A town officer reads the scheme that assesses the town; another county's officer does not.
    scheme = published(name="另一方案")
    assert selectors.visible_schemes(User.objects.get(username="town")).filter(pk=scheme.pk).exists()
    assert not selectors.visible_schemes(User.objects.get(username="county_yj")).filter(pk=scheme.pk).exists()


# --- scoring, as pure functions --------------------------------------------------------------------------


def item(indicator: str, **values: object) -> SchemeItem:
    return SchemeItem(indicator=indicator, **values)


def test_a_rate_scores_linearly_between_its_floor_and_target():
    on_time = item("on_time", weight=D(30), rule=ItemRule.TARGET, target=D(90), floor=D(60))
    assert scoring.item_points(on_time, 9, 10)[0] == D("30.00")
    assert scoring.item_points(on_time, 6, 10)[0] == D("0.00")
    assert scoring.item_points(on_time, 3, 4)[0] == D("15.00")  # 75 % is half-way
    assert scoring.item_points(on_time, 0, 0)[0] is None  # nothing to measure
    repeat = item("repeat", weight=D(10), rule=ItemRule.TARGET, target=D(5), floor=D(25))
    assert scoring.item_points(repeat, 1, 20)[0] == D("10.00")
    assert scoring.item_points(repeat, 3, 20)[0] == D("5.00")
    assert scoring.item_points(repeat, 5, 20)[0] == D("0.00")
    deduct = item("supervision", weight=D(5), rule=ItemRule.DEDUCT, per_count=D(2))
    assert scoring.item_points(deduct, 2, None)[0] == D("-4.00")
    assert scoring.item_points(deduct, 9, None)[0] == D("-5.00")


def test_unmeasured_rates_are_left_out_and_the_others_scaled_up(demo):
    fake = type("S", (), {"petition_points": D(18)})()
    rules = [
        item("on_time", weight=D(60), rule=ItemRule.TARGET, target=D(100), floor=D(0)),
        item("satisfaction", weight=D(40), rule=ItemRule.TARGET, target=D(100), floor=D(0)),
        item("supervision", weight=D(10), rule=ItemRule.DEDUCT, per_count=D(5)),
    ]
    result = scoring.score_subject(
        fake, rules, {"on_time": (1, 2), "satisfaction": (0, 0), "supervision": (1, None)}
    )
    # on time 50 % of 60 = 30, scaled to the full 100 = 50, minus 5 for a supervision.
    assert result.petition_score == D("45.00") and result.weighted == D("8.10")
    nothing = scoring.score_subject(fake, rules, {"on_time": (0, 0), "satisfaction": (0, 0)})
    assert nothing.petition_score is None


def test_ranks_share_places_on_ties_and_leave_unscored_units_unranked():
    assert scoring.ranks([D(90), D(80), D(90), None, D(70)]) == [1, 3, 1, None, 4]
