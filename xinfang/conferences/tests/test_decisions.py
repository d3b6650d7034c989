"""Minutes and decisions: what a decision must say, who approves and completes it, what follows for the
petitions, overdue flags to the convenor, and the Art. 39 measures."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from docx import Document as DocxDocument

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.conferences import documents, selectors, services, sweep
from xinfang.conferences.demo import unit, user
from xinfang.conferences.models import (
    Decision,
    DecisionStatus,
    Funding,
    ItemStatus,
    MeasureKind,
    MinutesStatus,
    Notice,
    NoticeKind,
    SupervisionMeasure,
)
from xinfang.core.errors import DomainError
from xinfang.petitions.models import Reminder
from xinfang.petitions.states import State

from .helpers import decided, held_meeting, pdf

pytestmark = pytest.mark.django_db


def code_of(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_a_decision_names_units_of_the_area_funding_and_a_due_date_not_before_the_meeting(town):
    case = decided(town, approve=False)

    def record(**changes):
        values: dict[str, Any] = {
            "statement": "列入镇民生工程。",
            "measures": "硬化支渠",
            "lead_unit": unit("ah-hf-cf-ym"),
            "cooperating_units": [],
            "funding": Funding.NONE,
            "funding_reference": "",
            "due_on": timezone.localdate() + dt.timedelta(days=10),
        }
        values.update(changes)
        return services.decision_record(
            minutes_id=case.minutes.pk,
            item_id=case.item.pk,
            user=user("town_ym"),
            data=services.DecisionData(**values),
        )

    assert code_of(lambda: record(lead_unit=unit("ah-hf-cf-slj"))) == "unit_outside"
    assert code_of(lambda: record(cooperating_units=[unit("ah-hf-cf-ym")])) == "twice"
    assert code_of(lambda: record(funding=Funding.LIVELIHOOD_PROJECT)) == "funding_reference"
    assert code_of(lambda: record(due_on=timezone.localdate() - dt.timedelta(days=1))) == "due_on"
    assert code_of(lambda: record(statement=" ")) == "required"
    case.decision.refresh_from_db()
    assert (
        case.decision.statement == "列入镇民生工程。" and case.decision.funding == Funding.LIVELIHOOD_PROJECT
    )
    rewritten = record(measures="改为分两期硬化")
    assert rewritten.pk == case.decision.pk and rewritten.measures == "改为分两期硬化"


def test_approved_minutes_are_numbered_in_sequence_and_fixed(town):
    first = decided(town)
    second = decided(town, seed=1)
    assert first.minutes.number.endswith("1号") and second.minutes.number.endswith("2号")
    assert code_of(lambda: services.minutes_approve(minutes_id=first.minutes.pk, user=user("leader_ym"))) == (
        "approved"
    )
    assert (
        code_of(
            lambda: services.minutes_draft(meeting_id=first.meeting.pk, user=user("town_ym"), summary="改写")
        )
        == "approved"
    )
    first.minutes.refresh_from_db()
    assert first.minutes.summary == "研究灌溉支渠问题。" and first.minutes.status == MinutesStatus.APPROVED


def test_items_without_a_decision_go_back_on_the_agenda_when_the_minutes_are_approved(town):
    case = decided(town, approve=False)
    other = services.agenda_item_propose(
        user=user("town_ym"),
        conference_id=town.pk,
        title="杨庙社区道路维修",
        reasons="涉及多个部门",
        petition_ids=[],
        source="dispute",
        dispute_units=[unit("ah-hf-cf-ym-nyb").pk, unit("ah-hf-cf-ym-yms").pk],
    )
    services.agenda_item_accept(item_id=other.pk, user=user("town_ym"))
    services.agenda_item_schedule(item_id=other.pk, user=user("town_ym"), meeting_id=None)
    services.minutes_approve(minutes_id=case.minutes.pk, user=user("leader_ym"))
    other.refresh_from_db()
    assert (other.status, other.meeting) == (ItemStatus.ACCEPTED, None)


def test_a_dispute_is_decided_by_the_lead_unit_of_its_decision(town):
    item = services.agenda_item_propose(
        user=user("town_ym"),
        conference_id=town.pk,
        title="支渠管护职责",
        reasons="农业农村办与社区互相推诿",
        petition_ids=[],
        source="dispute",
        dispute_units=[unit("ah-hf-cf-ym-nyb").pk, unit("ah-hf-cf-ym-mn").pk],
    )
    services.agenda_item_accept(item_id=item.pk, user=user("town_ym"))
    meeting = held_meeting(town, items=(item,))
    minutes = services.minutes_draft(meeting_id=meeting.pk, user=user("town_ym"), summary="明确管护职责。")
    services.decision_record(
        minutes_id=minutes.pk,
        item_id=item.pk,
        user=user("town_ym"),
        data=services.DecisionData(
            statement="支渠日常管护由镇农业农村办公室负责。",
            measures="建立管护台账",
            lead_unit=unit("ah-hf-cf-ym-nyb"),
            funding=Funding.NONE,
            due_on=timezone.localdate() + dt.timedelta(days=20),
        ),
    )
    services.minutes_approve(minutes_id=minutes.pk, user=user("leader_ym"))
    item.dispute.refresh_from_db()
    assert (
        item.dispute.decided_unit_id == unit("ah-hf-cf-ym-nyb").pk
        and item.dispute.decided_by_id == user("leader_ym").pk
    )


def test_completion_needs_the_lead_unit_a_result_and_evidence(town):
    case = decided(town)
    complete = services.decision_complete
    pk = case.decision.pk
    assert code_of(
        lambda: complete(decision_id=pk, user=user("cadre_mn"), result="完成", evidence=[pdf()])
    ) == ("role")
    assert (
        code_of(lambda: complete(decision_id=pk, user=user("town_ym"), result="完成", evidence=[]))
        == "evidence"
    )
    assert code_of(lambda: complete(decision_id=pk, user=user("town_ym"), result=" ", evidence=[pdf()])) == (
        "required"
    )
    fake = pdf("照片.png")  # a PDF named .png: the file type check refuses it
    assert code_of(
        lambda: complete(decision_id=pk, user=user("town_ym"), result="完成", evidence=[fake])
    ) == ("attachment")
    case.decision.refresh_from_db()
    assert case.decision.status == DecisionStatus.BINDING and not case.decision.evidence.exists()
    assert not Reminder.objects.filter(kind=Reminder.Kind.CONFERENCE).exists()


def test_the_reply_waits_for_the_decision_and_for_the_handler(town):
    case = decided(town)
    petition = case.petitions[0]
    assert (
        code_of(
            lambda: services.decision_reply(
                decision_id=case.decision.pk, petition_id=petition.pk, user=user("cadre_mn")
            )
        )
        == "not_done"
    )
    services.decision_complete(
        decision_id=case.decision.pk, user=user("town_ym"), result="完成", evidence=[pdf()]
    )
    # The town's convenor is no handler: the petition service refuses the opinion, as on the petition page.
    assert (
        code_of(
            lambda: services.decision_reply(
                decision_id=case.decision.pk, petition_id=petition.pk, user=user("leader_ym")
            )
        )
        == "role_not_allowed"
    )
    assert not services.may_reply(user("leader_ym"), petition)
    assert services.may_reply(user("cadre_mn"), petition)
    petition.refresh_from_db()
    assert petition.state == State.IN_HANDLING


def test_an_overdue_decision_is_flagged_to_the_convenors_once(town):
    case = decided(town, due_in_days=5)
    later = timezone.localdate() + dt.timedelta(days=6)
    with time_machine.travel(dt.datetime.combine(later, dt.time(8), tzinfo=timezone.get_current_timezone())):
        first = sweep.sweep_once()
        again = sweep.sweep_once()
        assert list(selectors.overdue_decisions(town)) == [case.decision]
        assert selectors.task_counts(user("town_ym"))["overdue"] == 1
    assert (first.overdue_decisions, again.overdue_decisions) == (1, 0)
    flags = Notice.objects.filter(kind=NoticeKind.OVERDUE)
    assert [n.user_id for n in flags] == [user("leader_ym").pk]


def test_measures_are_taken_by_a_convenor_against_a_unit_of_the_area_and_lifted_on_record(town):
    case = decided(town)

    def issue(by="leader_ym", target="ah-hf-cf-ym-nyb", kind=MeasureKind.LISTED):
        return services.supervision_measure_issue(
            conference_id=town.pk,
            user=user(by),
            unit=unit(target),
            kind=kind,
            reason="支渠工程进度滞后",
            decision_id=case.decision.pk,
        )

    assert code_of(lambda: issue(by="town_ym")) == "not_convenor"
    assert code_of(lambda: issue(target="ah-hf-cf-slj")) == "unit_outside"
    assert code_of(lambda: issue(kind="warning")) == "kind"
    measure = issue()
    assert (measure.kind, measure.unit.code, measure.decision_id) == (
        MeasureKind.LISTED,
        "ah-hf-cf-ym-nyb",
        case.decision.pk,
    )
    for petition in case.petitions:
        assert petition.events.filter(action="conference_measure").count() == 1
    assert selectors.visible_measures(user("cadre_mn")).count() == 1
    lifted = services.supervision_measure_lift(
        measure_id=measure.pk, user=user("leader_ym"), reason="工程已完工"
    )
    assert lifted.lifted_on == timezone.localdate()
    assert (
        code_of(
            lambda: services.supervision_measure_lift(
                measure_id=measure.pk, user=user("leader_ym"), reason="再次"
            )
        )
        == "lifted"
    )
    assert SupervisionMeasure.objects.count() == 1


def test_the_minutes_open_as_word_and_pdf_and_a_draft_says_so(town):
    case = decided(town, approve=False)
    draft = DocxDocument(io.BytesIO(documents.render_docx(case.minutes)))
    text = "\n".join(p.text for p in draft.paragraphs)
    assert "（讨论稿）" in text and "信联纪" not in text
    services.minutes_approve(minutes_id=case.minutes.pk, user=user("leader_ym"))
    case.minutes.refresh_from_db()
    content = documents.build_content(case.minutes)
    assert content.number == case.minutes.number and content.issue == "第1期"
    body = documents.render_pdf(case.minutes)
    assert body.startswith(b"%PDF") and len(body) > 2000
    # No personal data of the petitioners goes into the minutes.
    principal = case.petitions[0].principal
    assert principal.name not in "\n".join(content.texts())


def test_decisions_reach_the_workbench_of_each_unit_named(town):
    case = decided(town, cooperating=("ah-hf-cf-ym-mn", "ah-hf-cf-ym-nyb"))
    assert selectors.task_counts(user("town_ym"))["lead"] == 1
    assert selectors.task_counts(user("cadre_mn"))["cooperating"] == 1
    assert selectors.task_counts(user("county_cf")) == {
        "lead": 0,
        "cooperating": 0,
        "overdue": 0,
        "to_accept": 0,
    }
    report = services.decision_report_progress(
        decision_id=case.decision.pk, user=user("cadre_mn"), text="已进场施工"
    )
    assert report.unit.code == "ah-hf-cf-ym-mn"
    with pytest.raises(OutOfJurisdiction):  # 长丰县水利局 has no part in this decision
        services.decision_report_progress(decision_id=case.decision.pk, user=user("handler_cf"), text="x")
    assert Decision.objects.get().tasks.count() == 3
