"""Trace-back (倒查): a bypass petition's review names the units and people who held the earlier matter and
the deadline they missed; reviews are confidential; findings are append-only; the year's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.accounts.models import User
from xinfang.assessment import selectors, services
from xinfang.assessment.models import Ground, Outcome, ReviewFinding, ReviewStatus, Trigger
from xinfang.assessment.traceback import candidates, review_open, reviews_sweep
from xinfang.core.errors import DomainError
from xinfang.petitions import services as petition_services
from xinfang.petitions.detection import suggestion_decide
from xinfang.petitions.states import Channel, Rating
from xinfang.petitions.tests.factories import register

from .scenarios import accepted, at, day, rated, replied

pytestmark = pytest.mark.django_db


def user(name: str) -> User:
    return User.objects.get(username=name)


def bypass_after_a_late_reply():
    """Handled late by 金安区人社局, rated dissatisfied, then the same person went to the city."""
    earlier = accepted(seed=501, on="2025-03-03", subject="拖欠工资问题第501号")
    replied(earlier, on="2025-05-20")  # after the 60-day handling deadline
    rated(earlier, rating=Rating.DISSATISFIED, on="2025-05-22")
    with at("2025-06-10"):
        upward = register(by="city", id_seed=501, subject="拖欠工资问题第501号", channel=Channel.VISIT)
        for suggestion in upward.suggestions.order_by("pk"):
            suggestion_decide(suggestion_id=suggestion.pk, user=user("city"), confirm=True)
    upward.refresh_from_db()
    return earlier, upward


def test_a_bypass_petition_is_traced_back_to_the_unit_and_person_who_held_the_earlier_matter(demo):
    earlier, upward = bypass_after_a_late_reply()
    assert upward.is_bypass and upward.repeat_of_id == earlier.pk
    review = review_open(petition=upward, today=day("2025-06-12"))
    assert review is not None and review.status == ReviewStatus.OPEN
    assert Trigger.BYPASS in review.triggers and Trigger.REPEAT in review.triggers
    assert review.area.code == "ah-la-ja"  # where the problem arose, not the city that received it
    first, this = review.chain
    assert first["earlier"] and first["number"] == earlier.number and this["number"] == upward.number
    holders = [(h["unit"]["name"], [p["name"] for p in h["people"]]) for h in first["holdings"]]
    assert holders[0][0] == "金安区信访局" and "李区信访局干部" in holders[0][1]
    assert holders[1] == ("金安区人力资源和社会保障局", ["赵人社局经办人"])
    handling = next(c for c in first["holdings"][1]["clocks"] if c["kind"] == "handling")
    due = earlier.clocks.get(kind="handling").due_on  # 60 days, moved past the May Day holiday
    assert handling["status"] == "missed" and handling["late"] == (dt.date(2025, 5, 20) - due).days > 0
    late = [d for d in review.duties if d["code"] == "clock_missed"]
    assert [(d["ground"], d["unit"]["name"], [p["name"] for p in d["people"]]) for d in late] == [
        (Ground.ART_45_1, "金安区人力资源和社会保障局", ["赵人社局经办人"])
    ]
    asked = {d["code"] for d in review.duties if not d["auto"]}
    assert {"came_back", "dissatisfied"} <= asked


def test_overdue_and_reopened_petitions_get_a_review_once(demo):
    overdue = accepted(seed=511, on="2025-03-03")  # never replied: handling overdue since 6 May
    appealed = accepted(seed=512, on="2025-03-03")
    replied(appealed, on="2025-04-20")
    with at("2025-04-25"):
        petition_services.petition_request_review(
            petition_id=appealed.pk, user=None, requested_on=day("2025-04-25"), grounds="不服", citizen=True
        )
    fine = accepted(seed=513, on="2025-03-03")
    replied(fine, on="2025-04-20")
    today = day("2025-05-15")  # the review is due on 25 May: not late yet
    assert set(candidates(today).values_list("pk", flat=True)) >= {overdue.pk, appealed.pk}
    assert fine.pk not in set(candidates(today).values_list("pk", flat=True))
    opened, _rebuilt = reviews_sweep(today=today)
    assert opened == 2
    assert overdue.accountability_review.triggers == [Trigger.OVERDUE]
    assert appealed.accountability_review.triggers == [Trigger.REOPENED]
    again, _ = reviews_sweep(today=today)
    assert again == 0


def test_reviews_are_seen_only_by_petition_departments_leaders_and_discipline_inspection(demo):
    _earlier, upward = bypass_after_a_late_reply()
    review = review_open(petition=upward, today=day("2025-06-12"))
    assert review is not None
    for name in ("inspector", "leader", "county", "leader_city", "city"):
        assert selectors.visible_reviews(user(name)).filter(pk=review.pk).exists(), name
    for name in ("handler", "cadre", "county_yj", "town2"):
        assert not selectors.visible_reviews(user(name)).filter(pk=review.pk).exists(), name
    # A person named in a finding no longer sees the review about them.
    services.finding_record(
        review_id=review.pk,
        user=user("inspector"),
        subject_user=user("county"),
        ground=Ground.ART_43,
        outcome=Outcome.CLEARED,
        finding="转送及时，不予追究",
        subject_name="",
    )
    assert not selectors.visible_reviews(user("county")).filter(pk=review.pk).exists()


def test_findings_are_recorded_by_inspectors_append_only_and_count_in_the_years_figures(demo):
    earlier, upward = bypass_after_a_late_reply()
    review = review_open(petition=upward, today=day("2025-06-12"))
    assert review is not None
    handler = user("handler")
    with pytest.raises(DomainError):
        services.finding_record(
            review_id=review.pk,
            user=user("county"),
            subject_user=handler,
            ground=Ground.ART_45_1,
            outcome=Outcome.TALK,
            finding="超期办理",
            subject_name="",
        )
    with pytest.raises(services.FieldErrors) as refused:
        services.review_conclude(review_id=review.pk, user=user("inspector"), conclusion="结论")
    assert "conclusion" in refused.value.errors
    first = services.finding_record(
        review_id=review.pk,
        user=user("inspector"),
        subject_user=handler,
        ground=Ground.ART_45_1,
        outcome=Outcome.CRITICISM,
        finding="超期18天办结，答复后未跟踪落实",
        subject_name="",
    )
    with pytest.raises(RuntimeError):
        first.save()
    with pytest.raises(RuntimeError):
        first.delete()
    corrected = services.finding_record(
        review_id=review.pk,
        user=user("inspector"),
        subject_user=handler,
        ground=Ground.ART_45_1,
        outcome=Outcome.TALK,
        finding="经复核，改为约谈",
        subject_name="",
        supersedes=first,
    )
    with pytest.raises(services.FieldErrors):
        services.finding_record(
            review_id=review.pk,
            user=user("inspector"),
            subject_name="某人",
            ground=Ground.ART_45_1,
            outcome=Outcome.TALK,
            finding="再改",
            supersedes=first,
        )
    assert selectors.current_findings(review) == [corrected]
    assert ReviewFinding.objects.filter(review=review).count() == 2
    concluded = services.review_conclude(review_id=review.pk, user=user("inspector"), conclusion="约谈责任人")
    assert concluded.status == ReviewStatus.CONCLUDED
    with pytest.raises(DomainError):
        services.finding_record(
            review_id=review.pk,
            user=user("inspector"),
            subject_name="某人",
            ground=Ground.ART_45_1,
            outcome=Outcome.TALK,
            finding="结案后",
        )
    figures = selectors.accountability_figures(user("leader"), year=review.year)
    assert (figures.opened, figures.concluded, figures.people_dealt_with) == (1, 1, 1)
    assert dict((code, n) for code, _label, n in figures.outcomes)[Outcome.TALK] == 1
    assert dict((code, n) for code, _label, n in figures.outcomes)[Outcome.CRITICISM] == 0
    assert [(row["area"].code, row["people"]) for row in figures.by_area] == [("ah-la-ja", 1)]
    # The review writes nothing on the petition's timeline, which the reviewed units read.
    assert not earlier.events.filter(action__startswith="accountability").exists()
