"""The sweep command and the flags it raises; the admin shows the record and lets nothing be deleted."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.conferences import demo
from xinfang.conferences.models import Notice, NoticeKind, SupervisionMeasure
from xinfang.petitions import oversight

from .helpers import decided

pytestmark = pytest.mark.django_db


def test_an_overdue_leader_case_is_reported_to_the_conference_office_once(town):
    petition = demo.canal_petitions()[0]
    case = oversight.leader_case_open(
        petition_id=petition.pk,
        user=demo.user("leader_ym"),
        leader=demo.user("leader_ym"),
        plan="镇长包案，协调资金修复支渠",
        target_on=timezone.localdate() + dt.timedelta(days=3),
    )
    later = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    out = io.StringIO()
    call_command("sweep_conferences", "--today", later, stdout=out)
    call_command("sweep_conferences", "--today", later, stdout=io.StringIO())
    assert "overdue_leader_cases=1" in out.getvalue()
    flags = Notice.objects.filter(kind=NoticeKind.OVERDUE, key__startswith=f"leader-case:{case.pk}:")
    assert [n.user_id for n in flags] == [demo.user("town_ym").pk]
    assert petition.number in flags.get().message


def test_the_sweep_refuses_a_malformed_date(town):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sweep_conferences", "--today", "2025-13-01")


@pytest.fixture
def admin_browser(demo) -> Client:
    client = Client()
    client.force_login(demo_admin(), backend="django.contrib.auth.backends.ModelBackend")
    return client


def demo_admin():
    return demo.user("admin")


@pytest.mark.parametrize(
    "model",
    [
        "jointconference",
        "agendaitem",
        "meeting",
        "minutes",
        "decision",
        "escalation",
        "supervisionmeasure",
        "notice",
        "document",
        "dispute",
    ],
)
def test_the_admin_lists_open(admin_browser, town, model):
    decided(town)
    assert admin_browser.get(reverse(f"admin:conferences_{model}_changelist")).status_code == 200


def test_the_record_is_read_only_in_the_admin_and_nothing_is_deleted(admin_browser, town):
    case = decided(town)
    from xinfang.conferences import services

    measure = services.supervision_measure_issue(
        conference_id=town.pk,
        user=demo.user("leader_ym"),
        unit=demo.unit("ah-hf-cf-ym-nyb"),
        kind="notice",
        reason="进度滞后",
    )
    decision_url = reverse("admin:conferences_decision_change", args=[case.decision.pk])
    assert admin_browser.get(decision_url).status_code == 200
    assert admin_browser.post(decision_url, {"statement": "改写"}).status_code == 403
    assert admin_browser.get(reverse("admin:conferences_supervisionmeasure_add")).status_code == 403
    delete = reverse("admin:conferences_supervisionmeasure_delete", args=[measure.pk])
    assert admin_browser.get(delete).status_code == 403
    conference_delete = reverse("admin:conferences_jointconference_delete", args=[town.pk])
    assert admin_browser.get(conference_delete).status_code == 403
    assert SupervisionMeasure.objects.filter(pk=measure.pk).exists()
    case.decision.refresh_from_db()
    assert case.decision.statement == "列入镇民生工程。"
