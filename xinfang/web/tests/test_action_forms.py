"""Every action form of the petition page reaches its service with the right arguments.

Petitions are walked through the lifecycle by posting the forms as staff would, each step by a user
whose role the transition table allows.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.lifecycle import TRANSITIONS
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Channel, Decision, DeliveryMethod, PetitionType, Procedure, Rating, State
from xinfang.web.petitions.actions import SPECS

from .helpers import register

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


class Desk:
    """Logged-in clients by user name, posting action forms and insisting that each one succeeds."""

    def __init__(self, client_for: Any) -> None:
        self.client_for = client_for
        self.clients: dict[str, Client] = {}
        self.done: set[str] = set()

    def act(self, username: str, petition: Petition, action: str, **data: Any) -> Petition:
        client = self.clients.setdefault(username, self.client_for(username))
        petition.refresh_from_db()
        fields = {f"{action}-expected_version": petition.version}
        fields.update({f"{action}-{key}": value for key, value in data.items()})
        response = client.post(reverse("web:petition_act", args=[petition.pk, action]), fields)
        if response.status_code != 302:
            bound = next(item.form for item in response.context["offered"] if item.action == action)
            raise AssertionError(f"{action} by {username} failed: {bound.errors.as_json()}")
        self.done.add(action)
        petition.refresh_from_db()
        return petition


def unit(code: str) -> int:
    return Unit.objects.get(code=code).pk


def test_a_grievance_walks_to_finality_through_the_forms(client_for):
    desk = Desk(client_for)
    p = register(by="county")
    p = desk.act("county", p, "forward", to_unit=unit("ah-la-ja-rsj"), note="请依法处理")
    assert p.state == State.FORWARDED
    p = desk.act(
        "handler", p, "accept", petition_type=PetitionType.GRIEVANCE, notice_sent_on=TODAY(), route=""
    )
    assert p.state == State.ACCEPTED and p.petition_type == PetitionType.GRIEVANCE
    p = desk.act("handler", p, "start_handling")
    leader = User.objects.get(username="leader")
    p = desk.act(
        "handler", p, "extend", days=10, reason="需补充调查", approved_by=leader.pk, notice_sent_on=TODAY()
    )
    assert p.extension.days == 10
    p = desk.act("handler", p, "open_hearing", note="召开听证会")
    p = desk.act("handler", p, "close_hearing", note="")
    p = desk.act("handler", p, "start_mediation", note="双方同意调解")
    p = desk.act("handler", p, "end_mediation", reason="未达成一致")
    assert p.state == State.IN_HANDLING
    p = desk.act(
        "handler",
        p,
        "issue_opinion",
        decision=Decision.SUPPORT,
        facts_found="属实",
        reasons="拖欠工资",
        legal_basis="《劳动合同法》第三十条",
        issued_on=TODAY(),
    )
    p = desk.act(
        "handler", p, "deliver_reply", delivered_on=TODAY(), method=DeliveryMethod.IN_PERSON, reply_text=""
    )
    assert p.state == State.REPLIED
    p = desk.act("county", p, "evaluate", rating=Rating.DISSATISFIED, comment="不满意")
    p = desk.act("county", p, "request_review", requested_on=TODAY(), grounds="不服处理意见")
    assert p.state == State.REVIEW_REQUESTED
    p = desk.act(
        "leader",
        p,
        "decide_review",
        decision=Decision.EXPLAIN,
        facts_found="复查属实",
        reasons="依法处理",
        legal_basis="《信访工作条例》第三十五条",
        delivered_on=TODAY(),
    )
    p = desk.act("county", p, "request_re_review", requested_on=TODAY(), grounds="仍不服")
    p = desk.act(
        "admin",
        p,
        "decide_re_review",
        decision=Decision.EXPLAIN,
        facts_found="复核属实",
        reasons="维持",
        legal_basis="《信访工作条例》第三十六条",
        delivered_on=TODAY(),
        hearing_days=0,
    )
    assert p.state == State.FINAL
    p = desk.act("admin", p, "start_followup", plan="定期走访，帮扶救助")
    assert p.state == State.POST_FINAL_FOLLOWUP


def test_objections_settlement_and_the_ways_out_go_through_the_forms(client_for):
    desk = Desk(client_for)
    p = register(by="county", id_seed=2)
    p = desk.act("county", p, "triage")
    p = desk.act("county", p, "assign", to_unit=unit("ah-la-ja-rsj"), note="限期反馈", feedback_days=10)
    p = desk.act("handler", p, "raise_objection", reason="不属于本单位职责")
    p = desk.act("county", p, "reject_objection", reason="属于劳动保障事项")
    assert p.state == State.ASSIGNED
    p = desk.act(
        "handler",
        p,
        "accept",
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=TODAY(),
        route="start_handling",
    )
    assert p.state == State.IN_HANDLING
    p = desk.act("handler", p, "start_mediation", note="")
    p = desk.act("handler", p, "settle", agreement="分两期支付欠薪", signed_on=TODAY())
    assert p.state == State.SETTLED
    p = desk.act("handler", p, "close", reason="双方履行协议")
    assert p.state == State.CLOSED

    q = register(by="county", id_seed=3)
    q = desk.act("county", q, "forward", to_unit=unit("ah-la-ja-rsj"), note="")
    q = desk.act("handler", q, "raise_objection", reason="应由住建局处理")
    q = desk.act("county", q, "agree_objection", note="同意")
    assert q.state == State.TRIAGE
    q = desk.act("county", q, "redirect", reason="请向人民法院起诉")
    assert q.state == State.REDIRECTED

    r = register(by="county", id_seed=4)
    r = desk.act("county", r, "refer_political_legal", to_unit=unit("ah-la-ja-zfw"), reason="已进入诉讼程序")
    assert r.state == State.REFERRED_POLITICAL_LEGAL

    s = register(by="county", id_seed=5)
    s = desk.act("county", s, "divert", procedure=Procedure.ARBITRATION, reason="请申请劳动仲裁")
    assert s.state == State.DIVERTED_PROCEDURE

    t = register(
        by="county", id_seed=6, petition_type=PetitionType.ACCUSATION, accused_description="某村干部"
    )
    t = desk.act("county", t, "refer_discipline", to_unit=unit("ah-la-ja-jw"), reason="")
    assert t.state == State.REFERRED_DISCIPLINE


def test_suggestion_and_duty_routes_and_registering_an_online_submission(client_for):
    desk = Desk(client_for)
    p = register(by="county", id_seed=7)
    p = desk.act(
        "county",
        p,
        "accept",
        petition_type=PetitionType.SUGGESTION,
        notice_exemption="address_unclear",
        route="",
    )
    p = desk.act("county", p, "start_study")
    p = desk.act(
        "county",
        p,
        "deliver_reply",
        delivered_on=TODAY(),
        method=DeliveryMethod.POST,
        reply_text="建议已采纳",
    )
    assert p.state == State.REPLIED
    q = register(by="county", id_seed=8)
    q = desk.act(
        "county", q, "accept", petition_type=PetitionType.GRIEVANCE, notice_sent_on=TODAY(), route=""
    )
    q = desk.act("county", q, "start_duty")
    assert q.state == State.DUTY_PERFORMANCE

    online = petition_register(
        user=None,
        data=IntakeData(
            channel=Channel.ONLINE,
            subject="网上反映",
            request="请处理",
            place=Unit.objects.get(code="ah-la-ja-wc-npy"),
            principal=PersonData(name="网民"),
        ),
        registering_unit=Unit.objects.get(code="ah-la-ja-xfj"),
    )
    online = desk.act("county", online, "register")
    assert online.state == State.REGISTERED

    earlier = register(by="county", id_seed=9)
    later = register(by="county", id_seed=10)
    later = desk.act("county", later, "decline_upper", earlier_number=earlier.number)
    assert later.state == State.NOT_ACCEPTED_UPPER and later.repeat_of == earlier


def test_every_action_of_the_transition_table_has_a_form(client_for):
    assert set(TRANSITIONS) <= set(SPECS)
