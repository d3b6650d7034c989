"""Two people acting on the same conference record at once: one wins, the other is refused cleanly."""

from __future__ import annotations

import pytest
from django.db import connection

from xinfang.conferences import services, sweep
from xinfang.conferences.demo import user
from xinfang.conferences.models import (
    Decision,
    DecisionStatus,
    Minutes,
    MinutesStatus,
    Notice,
    ParticipantRole,
)
from xinfang.core.errors import DomainError
from xinfang.petitions.tests.test_concurrency import _race

from .helpers import decided, pdf

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_convenors_approving_the_same_minutes_bind_its_decisions_once(town):
    services.participant_add(
        conference_id=town.pk, user=user("admin"), person=user("leader_cf"), role=ParticipantRole.CONVENOR
    )
    case = decided(town, approve=False)
    results = _race(
        [
            lambda: services.minutes_approve(minutes_id=case.minutes.pk, user=user("leader_ym")),
            lambda: services.minutes_approve(minutes_id=case.minutes.pk, user=user("leader_cf")),
        ]
    )
    winners = [r for r in results if isinstance(r, Minutes)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(refused) == 1, results
    minutes = Minutes.objects.get(pk=case.minutes.pk)
    assert minutes.status == MinutesStatus.APPROVED and minutes.sequence == 1
    decision = Decision.objects.get(pk=case.decision.pk)
    assert decision.status == DecisionStatus.BINDING and decision.tasks.count() == 2
    for petition in case.petitions:
        assert petition.events.filter(action="conference_decided").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_reports_of_completion_at_once_close_the_decision_once(town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = decided(town)
    version = case.decision.version

    def complete(name: str):
        return lambda: services.decision_complete(
            decision_id=case.decision.pk,
            user=user(name),
            result="完成",
            evidence=[pdf()],
            expected_version=version,
        )

    results = _race([complete("town_ym"), complete("leader_ym")])
    assert sum(isinstance(r, Decision) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    decision = Decision.objects.get(pk=case.decision.pk)
    assert decision.status == DecisionStatus.DONE and decision.evidence.count() == 1
    assert decision.reports.filter(is_completion=True).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_flag_an_overdue_decision_once(town):
    import datetime as dt

    from django.utils import timezone

    case = decided(town, due_in_days=1)
    later = timezone.localdate() + dt.timedelta(days=3)
    results = _race([lambda: sweep.sweep_once(today=later), lambda: sweep.sweep_once(today=later)])
    passes = [r for r in results if isinstance(r, sweep.SweepResult)]
    assert len(passes) == 2 and sum(r.overdue_decisions for r in passes) == 1, results
    assert Notice.objects.filter(key=f"overdue:{case.decision.pk}:user:{user('leader_ym').pk}").count() == 1
