"""Walk petitions through the main paths of domain.md §3 with time moved forward."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.models import ClockStatus
from xinfang.petitions.states import Decision, DeliveryMethod, PetitionType, Rating, State

from .factories import register

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TZ), tick=False)


def test_grievance_walks_from_registration_to_closure(demo):
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    with at("2025-03-03"):
        p = register(by="county", place="ah-la-ja-wc-npy")
        assert p.state == State.REGISTERED
        p = services.petition_forward(petition_id=p.pk, user=county, to_unit=rsj)
        assert p.state == State.FORWARDED
    with at("2025-03-05"):
        p = services.petition_accept(
            petition_id=p.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date(2025, 3, 5),
            route="start_handling",
        )
        assert p.state == State.IN_HANDLING
        handling = p.clocks.get(kind="handling")
        assert handling.due_on >= dt.date(2025, 5, 4)
    with at("2025-04-20"):
        p = services.petition_issue_opinion(
            petition_id=p.pk,
            user=handler,
            decision=Decision.SUPPORT,
            facts_found="经核查属实",
            reasons="用人单位拖欠工资",
            legal_basis="《劳动合同法》第三十条",
        )
        p = services.petition_deliver_reply(
            petition_id=p.pk, user=handler, delivered_on=dt.date(2025, 4, 20), method=DeliveryMethod.IN_PERSON
        )
        assert p.state == State.REPLIED
        assert p.clocks.get(kind="handling").status == ClockStatus.MET
        p = services.petition_evaluate(petition_id=p.pk, user=county, rating=Rating.SATISFIED)
        assert p.state == State.EVALUATED
    with at("2025-06-10"):
        p = services.petition_close(petition_id=p.pk, user=handler)
        assert p.state == State.CLOSED
    assert [e.action for e in p.events.order_by("sequence")] == [
        "register",
        "forward",
        "accept",
        "start_handling",
        "issue_opinion",
        "deliver_reply",
        "evaluate",
        "close",
    ]


def test_review_requested_after_30_days_is_refused_and_changes_nothing(demo):
    handler = User.objects.get(username="handler")
    county = User.objects.get(username="county")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    with at("2025-03-03"):
        p = register(by="county")
        services.petition_forward(petition_id=p.pk, user=county, to_unit=rsj)
        services.petition_accept(
            petition_id=p.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date(2025, 3, 3),
            route="start_handling",
        )
        services.petition_issue_opinion(
            petition_id=p.pk,
            user=handler,
            decision=Decision.NOT_SUPPORT,
            facts_found="f",
            reasons="r",
            legal_basis="b",
        )
        p = services.petition_deliver_reply(
            petition_id=p.pk, user=handler, delivered_on=dt.date(2025, 3, 3), method=DeliveryMethod.POST
        )
    version = p.version
    with at("2025-04-20"), pytest.raises(DomainError) as refused:
        services.petition_request_review(
            petition_id=p.pk, user=county, requested_on=dt.date(2025, 4, 20), grounds="不服"
        )
    assert refused.value.code == "appeal_late"
    p.refresh_from_db()
    assert p.state == State.REPLIED and p.version == version
