"""The principal keeps the right to rate and to ask for review; the agent can neither waive nor use it
in the principal's name, except a review under a mandate that expressly covers it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xinfang.agency.models import MandateUse
from xinfang.core.errors import DomainError
from xinfang.petitions import services
from xinfang.petitions.models import Evaluation
from xinfang.petitions.states import Rating, State

from .factories import cadre_agent, mandate, to_replied, user, wage_filing

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(demo):
    agent = cadre_agent()
    plain = mandate(agent, name="姚某某", seed=301)
    petition = to_replied(wage_filing(agent, [plain]))
    assert petition.state == State.REPLIED
    return agent, petition


def test_the_agent_cannot_record_the_principals_rating(replied):
    _agent, petition = replied
    with pytest.raises(DomainError) as refused:
        services.petition_evaluate(petition_id=petition.pk, user=user("cadre"), rating=Rating.SATISFIED)
    assert refused.value.code == "principal_right"
    petition.refresh_from_db()
    assert petition.state == State.REPLIED
    assert not Evaluation.objects.filter(petition=petition).exists()


def test_petition_staff_who_are_not_the_agent_record_the_principals_rating(replied):
    _agent, petition = replied
    services.petition_evaluate(petition_id=petition.pk, user=user("town2"), rating=Rating.SATISFIED)
    petition.refresh_from_db()
    assert petition.state == State.EVALUATED


def test_the_principal_rates_on_the_portal_whoever_their_agent_is(replied):
    _agent, petition = replied
    services.petition_evaluate(petition_id=petition.pk, user=None, rating=Rating.BASICALLY, via_portal=True)
    assert Evaluation.objects.get(petition=petition).via_portal


def test_the_agent_cannot_waive_the_review_window_by_closing_early(demo):
    # The village handled the matter itself, so its cadre may close matters there; not as the agent.
    agent = cadre_agent()
    petition = to_replied(wage_filing(agent, [mandate(agent)]), at_village=True)
    with pytest.raises(DomainError) as refused:
        services.petition_close(petition_id=petition.pk, user=user("cadre"), reason="当事人表示不再复查")
    assert refused.value.code == "principal_right"
    petition.refresh_from_db()
    assert petition.state == State.REPLIED
    services.petition_close(petition_id=petition.pk, user=user("town2"), reason="当事人书面表示不再复查")
    petition.refresh_from_db()
    assert petition.state == State.CLOSED


def test_the_agent_cannot_request_a_review_without_a_mandate_covering_it(replied):
    _agent, petition = replied
    with pytest.raises(DomainError) as refused:
        services.petition_request_review(
            petition_id=petition.pk, user=user("cadre"), requested_on=timezone.localdate(), grounds="不服"
        )
    assert refused.value.code == "principal_right"
    petition.refresh_from_db()
    assert petition.state == State.REPLIED


def test_the_agent_requests_a_review_under_a_mandate_that_covers_reviews_and_it_is_recorded(replied):
    agent, petition = replied
    covering = mandate(agent, name="姚某某", seed=301, covers_appeals=True)
    assert covering.principal_id == petition.principal_id
    services.petition_request_review(
        petition_id=petition.pk, user=user("cadre"), requested_on=timezone.localdate(), grounds="金额计算有误"
    )
    petition.refresh_from_db()
    assert petition.state == State.REVIEW_REQUESTED
    assert MandateUse.objects.filter(
        mandate=covering, petition=petition, purpose=MandateUse.Purpose.REVIEW
    ).exists()
    event = petition.events.get(action="request_review")
    assert event.payload["agent_mandate"] == covering.pk


def test_a_revoked_covering_mandate_no_longer_allows_the_agent_to_request_a_review(replied):
    from xinfang.agency import services as agency_services

    agent, petition = replied
    covering = mandate(agent, name="姚某某", seed=301, covers_appeals=True)
    agency_services.mandate_revoke(
        user=user("cadre"), mandate_id=covering.pk, revoked_on=timezone.localdate()
    )
    with pytest.raises(DomainError) as refused:
        services.petition_request_review(
            petition_id=petition.pk, user=user("cadre"), requested_on=timezone.localdate(), grounds="不服"
        )
    assert refused.value.code == "principal_right"
