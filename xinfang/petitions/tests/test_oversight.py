"""Leader case ownership (包案) and supervision (督办) with their own due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import oversight
from xinfang.petitions.models import Reminder, Supervision

from .factories import register

pytestmark = pytest.mark.django_db


def test_a_leader_takes_a_case_and_reports_progress_to_completion(demo):
    county = User.objects.get(username="county")
    leader = User.objects.get(username="leader")
    petition = register(by="county")
    case = oversight.leader_case_open(
        petition_id=petition.pk,
        user=county,
        leader=leader,
        plan="区领导包案，一周内约谈企业",
        target_on=timezone.localdate() + dt.timedelta(days=20),
    )
    oversight.leader_case_report(case_id=case.pk, user=leader, progress="已约谈企业负责人")
    case = oversight.leader_case_report(case_id=case.pk, user=leader, progress="工资已全部发放", done=True)
    assert case.done_at is not None and "已约谈" in case.progress
    actions = list(petition.events.values_list("action", flat=True))
    assert actions.count("leader_case_progress") == 2 and "leader_case" in actions


def test_a_leader_outside_the_area_cannot_own_the_case(demo):
    petition = register(by="town2", place="ah-la-yj-pg-hp")
    with pytest.raises(DomainError):
        oversight.leader_case_open(
            petition_id=petition.pk,
            user=User.objects.get(username="admin"),
            leader=User.objects.get(username="leader"),
            plan="x",
            target_on=timezone.localdate(),
        )


def test_supervision_reminds_the_supervised_unit_and_takes_one_reply(demo):
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    petition = register(by="county")
    supervision = oversight.supervision_open(
        petition_id=petition.pk,
        user=county,
        kind=Supervision.Kind.SUPERVISE,
        to_unit=rsj,
        reason="逾期未反馈",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    assert Reminder.objects.filter(unit=rsj, kind=Reminder.Kind.SUPERVISION, petition=petition).exists()
    petition.refresh_from_db()
    assert petition.is_supervised
    oversight.supervision_reply(supervision_id=supervision.pk, user=handler, reply="已于本周完成核查")
    with pytest.raises(DomainError):
        oversight.supervision_reply(supervision_id=supervision.pk, user=handler, reply="again")


def test_a_department_handler_cannot_supervise(demo):
    handler = User.objects.get(username="handler")
    petition = register(by="county")
    from xinfang.petitions import services

    services.petition_forward(
        petition_id=petition.pk,
        user=User.objects.get(username="county"),
        to_unit=Unit.objects.get(code="ah-la-ja-rsj"),
    )
    with pytest.raises(DomainError):
        oversight.supervision_open(
            petition_id=petition.pk,
            user=handler,
            kind=Supervision.Kind.LISTED,
            to_unit=Unit.objects.get(code="ah-la-ja-rsj"),
            reason="x",
            due_on=timezone.localdate(),
        )
