"""Both the principal and the agent of a filing count in repeat detection (domain.md §4)."""

from __future__ import annotations

import pytest

from xinfang.orgs.models import Unit
from xinfang.petitions.detection import earlier_same_person
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Petition, Suggestion
from xinfang.petitions.states import Channel
from xinfang.petitions.tests.factories import valid_id

from .factories import HEPING, cadre_agent, mandate, user, wage_filing

pytestmark = pytest.mark.django_db

SUBJECT = "油茶基地拖欠村民劳务费"
REQUEST = "请求督促油茶种植公司支付拖欠的劳务费"


def _walk_in(name: str, seed: int) -> Petition:
    """The same matter brought to the street desk by one person, without the agent."""
    return petition_register(
        user=user("town2"),
        data=IntakeData(
            channel=Channel.VISIT,
            subject=SUBJECT,
            request=REQUEST,
            place=Unit.objects.get(code=HEPING),
            principal=PersonData(name=name, id_number=valid_id(seed)),
        ),
    )


SAME_MATTER = [Suggestion.Kind.REPEAT, Suggestion.Kind.OPEN_BELOW, Suggestion.Kind.FINAL_MATCH]


def _repeat_candidates(petition) -> set[int]:
    """Earlier petitions proposed as the same person's same matter (still open below counts too)."""
    return set(
        Suggestion.objects.filter(petition=petition, kind__in=SAME_MATTER).values_list(
            "candidate_id", flat=True
        )
    )


def test_the_principal_coming_again_alone_is_proposed_as_a_repeat_of_the_agency_filing(demo):
    agent = cadre_agent()
    filed = wage_filing(agent, [mandate(agent, name="姚某某", seed=301)])
    again = _walk_in("姚某某", 301)
    assert filed.pk in _repeat_candidates(again)
    assert not again.is_first_time


def test_a_co_principal_of_the_filing_also_counts(demo):
    agent = cadre_agent()
    filed = wage_filing(agent, [mandate(agent, seed=301), mandate(agent, name="陈某某", seed=302)])
    again = _walk_in("陈某某", 302)
    assert filed.pk in _repeat_candidates(again)


def test_the_same_agent_filing_again_for_another_person_is_compared_through_the_agent(demo):
    agent = cadre_agent()
    first = wage_filing(agent, [mandate(agent, name="姚某某", seed=301)])
    second = wage_filing(agent, [mandate(agent, name="刘某某", seed=303)])
    assert first in list(earlier_same_person(second))
    assert first.pk in _repeat_candidates(second)


def test_an_unrelated_person_with_the_same_matter_is_not_a_repeat(demo):
    agent = cadre_agent()
    wage_filing(agent, [mandate(agent, name="姚某某", seed=301)])
    stranger = _walk_in("无关某", 399)
    assert _repeat_candidates(stranger) == set()
    assert stranger.is_first_time
