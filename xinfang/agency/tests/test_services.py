from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from xinfang.agency import services
from xinfang.agency.models import AgencyMandate, AgentStatus, AgentTask, ClaimPayment, MandateUse, TaskKind
from xinfang.agency.services import ClaimInput, FilingData
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions.intake import PersonData
from xinfang.petitions.models import Petition, PetitionParty
from xinfang.petitions.states import Channel, PartyRole, State

from .factories import HEPING, cadre_agent, mandate, signed_form, user, wage_filing

pytestmark = pytest.mark.django_db


def test_a_street_petition_officer_certifies_the_village_cadre_as_agent_of_the_village(demo):
    agent = cadre_agent()
    assert agent.unit.code == HEPING
    assert agent.user is not None and agent.user.username == "cadre"
    assert agent.person.name == "张村书记"
    assert agent.status == AgentStatus.ACTIVE


def test_a_village_cadre_cannot_certify_agents(demo):
    with pytest.raises(DomainError) as refused:
        services.agent_register(
            user=user("cadre"),
            unit=Unit.objects.get(code=HEPING),
            kind="village_cadre",
            person=PersonData(name="某人"),
            certificate_number="X-1",
            certified_on=timezone.localdate(),
            certified_by="某局",
        )
    assert refused.value.code == "role_not_allowed"


def test_a_login_that_does_not_serve_the_unit_cannot_be_its_agent(demo):
    with pytest.raises(DomainError) as refused:
        services.agent_register(
            user=user("county_yj"),
            unit=Unit.objects.get(code=HEPING),
            kind="village_cadre",
            person=PersonData(name="王某"),
            certificate_number="X-2",
            certified_on=timezone.localdate(),
            certified_by="叶集区信访局",
            login=user("handler_yj"),
        )
    assert refused.value.code == "login_unit"


def test_a_mandate_without_the_signed_form_is_refused_and_nothing_is_saved(demo):
    agent = cadre_agent()
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        services.mandate_create(
            user=user("cadre"),
            agent_id=agent.pk,
            principal=PersonData(name="姚某某"),
            scope="代为反映",
            starts_on=today,
            ends_on=today + dt.timedelta(days=30),
            form=None,
        )
    assert refused.value.code == "form"
    assert not AgencyMandate.objects.exists()


def test_a_signed_form_that_is_not_a_pdf_or_photo_is_refused(demo):
    agent = cadre_agent()
    today = timezone.localdate()
    with pytest.raises(DomainError):
        services.mandate_create(
            user=user("cadre"),
            agent_id=agent.pk,
            principal=PersonData(name="姚某某"),
            scope="代为反映",
            starts_on=today,
            ends_on=today,
            form=signed_form("委托书.txt"),
        )


def test_a_mandate_cannot_end_before_it_starts(demo):
    agent = cadre_agent()
    with pytest.raises(DomainError) as refused:
        mandate(agent, days_before=-10, days_after=-20)
    assert refused.value.code == "period"


def test_filing_on_behalf_goes_through_intake_with_channel_agent_and_both_recorded(demo):
    agent = cadre_agent()
    first, second = mandate(agent, name="姚某某", seed=301), mandate(agent, name="陈某某", seed=302)
    petition = wage_filing(agent, [first, second], claims=3)
    assert petition.channel == Channel.AGENT
    assert petition.state == State.REGISTERED
    assert petition.principal_id == first.principal_id
    assert petition.agent_id == agent.person_id
    roles = set(PetitionParty.objects.filter(petition=petition).values_list("petitioner_id", "role"))
    assert (first.principal_id, PartyRole.PRINCIPAL) in roles
    assert (second.principal_id, PartyRole.CO_PETITIONER) in roles
    assert (agent.person_id, PartyRole.AGENT) in roles
    assert petition.people_count == 5  # two principals and three claimants
    assert petition.registering_unit.code == HEPING
    assert set(MandateUse.objects.filter(petition=petition).values_list("mandate_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert petition.claims.count() == 3
    filed = petition.events.get(action="agency_filed")
    assert filed.payload["amount"] == "9300.00"


def test_a_claim_listed_under_a_principals_name_is_the_principals_own(demo):
    agent = cadre_agent()
    first = mandate(agent, name="姚某某", seed=301)
    petition = services.mandate_file_petition(
        user=user("cadre"),
        agent_id=agent.pk,
        mandate_ids=[first.pk],
        data=FilingData(
            subject="拖欠劳务费",
            request="请求支付",
            place=Unit.objects.get(code=HEPING),
            claims=[ClaimInput(claimant=PersonData(name="姚某某"), amount="4200")],
        ),
    )
    claim = petition.claims.get()
    assert claim.claimant_id == first.principal_id
    assert petition.people_count == 1


def test_a_revoked_mandate_cannot_be_used_to_file(demo):
    agent = cadre_agent()
    used = mandate(agent)
    services.mandate_revoke(user=user("town2"), mandate_id=used.pk, revoked_on=timezone.localdate())
    used.refresh_from_db()
    assert used.revocation_recorded_by is not None and used.revocation_recorded_by.username == "town2"
    with pytest.raises(DomainError) as refused:
        wage_filing(agent, [used])
    assert refused.value.code == "mandate_not_in_force"
    assert not Petition.objects.filter(channel=Channel.AGENT).exists()


@pytest.mark.parametrize(("before", "after"), [(-3, 30), (60, -1)])
def test_a_mandate_outside_its_dates_cannot_be_used(demo, before, after):
    agent = cadre_agent()
    dated = mandate(agent, days_before=before, days_after=after)
    with pytest.raises(DomainError) as refused:
        wage_filing(agent, [dated])
    assert refused.value.code == "mandate_not_in_force"


def test_a_mandate_revoked_only_in_the_future_is_refused(demo):
    agent = cadre_agent()
    used = mandate(agent)
    with pytest.raises(DomainError) as refused:
        services.mandate_revoke(
            user=user("cadre"), mandate_id=used.pk, revoked_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert refused.value.code == "future"
    used.refresh_from_db()
    assert used.revoked_on is None


def test_revoking_twice_is_refused(demo):
    agent = cadre_agent()
    used = mandate(agent)
    services.mandate_revoke(user=user("cadre"), mandate_id=used.pk, revoked_on=timezone.localdate())
    with pytest.raises(DomainError) as refused:
        services.mandate_revoke(user=user("cadre"), mandate_id=used.pk, revoked_on=timezone.localdate())
    assert refused.value.code == "revoked"


def test_revoking_a_mandate_writes_on_the_open_matter_filed_under_it(demo):
    agent = cadre_agent()
    used = mandate(agent)
    petition = wage_filing(agent, [used])
    services.mandate_revoke(
        user=user("cadre"), mandate_id=used.pk, revoked_on=timezone.localdate(), note="本人撤回"
    )
    event = petition.events.get(action="agency_mandate_revoked")
    assert event.reason == "本人撤回"
    assert event.payload["principal_name"] == "姚某某"


def test_a_suspended_agent_cannot_file_and_is_reinstated_with_a_reason(demo):
    agent = cadre_agent()
    used = mandate(agent)
    services.agent_suspend(user=user("town2"), agent_id=agent.pk, reason="培训未完成")
    with pytest.raises(DomainError) as refused:
        wage_filing(agent, [used])
    assert refused.value.code == "agent_suspended"
    services.agent_reinstate(user=user("town2"), agent_id=agent.pk, reason="已完成培训")
    assert wage_filing(agent, [used]).channel == Channel.AGENT
    assert list(agent.status_changes.values_list("status", flat=True)) == ["suspended", "active"]


def test_another_village_cadre_cannot_file_under_this_agents_mandates(demo):
    from xinfang.accounts.demo import ensure_demo_user

    ensure_demo_user("cadre_xy", "兴业村干部", "ah-la-yj-pg-xy", "village_cadre", "村委委员")
    from xinfang.accounts.scoping import OutOfJurisdiction

    agent = cadre_agent()
    used = mandate(agent)
    with pytest.raises(OutOfJurisdiction):
        wage_filing(agent, [used], by="cadre_xy")


# --- tasks ---------------------------------------------------------------------------------------


def test_an_agent_task_has_a_due_date_is_overdue_when_late_and_is_on_the_timeline(demo):
    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)])
    today = timezone.localdate()
    task = services.agent_task_create(
        user=user("cadre"),
        petition_id=petition.pk,
        kind=TaskKind.REPRESENT,
        due_on=today,
        department=Unit.objects.get(code="ah-la-yj-rsj"),
        note="带材料到区人社局反映",
    )
    assert not task.is_overdue(today)
    assert task.is_overdue(today + dt.timedelta(days=1))
    added = petition.events.get(action="agent_task_added")
    assert added.payload["department_name"] == "叶集区人力资源和社会保障局"
    services.agent_task_complete(user=user("cadre"), task_id=task.pk, outcome="区人社局已受理并约谈企业")
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by is not None and task.done_by.username == "cadre"
    done = petition.events.get(action="agent_task_done")
    assert done.reason == "区人社局已受理并约谈企业" and done.payload["late"] is False
    with pytest.raises(DomainError) as again:
        services.agent_task_complete(user=user("cadre"), task_id=task.pk, outcome="again")
    assert again.value.code == "done"


def test_a_task_due_in_the_past_or_at_a_department_without_one_is_refused(demo):
    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)])
    with pytest.raises(DomainError) as past:
        services.agent_task_create(
            user=user("cadre"),
            petition_id=petition.pk,
            kind=TaskKind.CHASE,
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert past.value.code == "due_on"
    with pytest.raises(DomainError) as nowhere:
        services.agent_task_create(
            user=user("cadre"), petition_id=petition.pk, kind=TaskKind.ACCOMPANY, due_on=timezone.localdate()
        )
    assert nowhere.value.code == "department"
    assert not AgentTask.objects.exists()


# --- claims and payments ------------------------------------------------------------------------


def test_payments_are_new_rows_that_add_up_to_the_paid_status(demo):
    from xinfang.agency.selectors import paid_status, visible_claims

    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)], claims=1)
    claim = petition.claims.get()
    today = timezone.localdate()
    services.claim_payment_record(user=user("cadre"), claim_id=claim.pk, amount="1000", paid_on=today)
    services.claim_payment_record(user=user("cadre"), claim_id=claim.pk, amount="2000.00", paid_on=today)
    row: Any = visible_claims(user("cadre")).get(pk=claim.pk)
    assert row.recovered == Decimal("3000.00")
    assert paid_status(row.amount_claimed, row.recovered) == "paid"
    assert claim.payments.count() == 2
    assert petition.events.filter(action="claim_payment").count() == 2


def test_a_payment_that_would_exceed_the_claim_is_refused(demo):
    agent = cadre_agent()
    claim = wage_filing(agent, [mandate(agent)], claims=1).claims.get()
    with pytest.raises(DomainError) as refused:
        services.claim_payment_record(
            user=user("cadre"), claim_id=claim.pk, amount="3000.01", paid_on=timezone.localdate()
        )
    assert refused.value.code == "over_claim"
    assert not ClaimPayment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "99999999"])
def test_a_payment_amount_must_be_a_positive_sum_of_yuan(demo, amount):
    agent = cadre_agent()
    claim = wage_filing(agent, [mandate(agent)], claims=1).claims.get()
    with pytest.raises(DomainError):
        services.claim_payment_record(
            user=user("cadre"), claim_id=claim.pk, amount=amount, paid_on=timezone.localdate()
        )


def test_a_payment_dated_in_the_future_is_refused(demo):
    agent = cadre_agent()
    claim = wage_filing(agent, [mandate(agent)], claims=1).claims.get()
    with pytest.raises(DomainError):
        services.claim_payment_record(
            user=user("cadre"),
            claim_id=claim.pk,
            amount="100",
            paid_on=timezone.localdate() + dt.timedelta(days=1),
        )


def test_a_mistaken_payment_is_reversed_by_a_correction_row_once(demo):
    from xinfang.agency.services import recovered_of

    agent = cadre_agent()
    claim = wage_filing(agent, [mandate(agent)], claims=1).claims.get()
    payment = services.claim_payment_record(
        user=user("cadre"), claim_id=claim.pk, amount="500", paid_on=timezone.localdate()
    )
    correction = services.claim_payment_correct(user=user("cadre"), payment_id=payment.pk, reason="重复录入")
    assert correction.amount == Decimal("-500.00") and correction.corrects_id == payment.pk
    assert recovered_of(claim) == Decimal("0")
    payment.refresh_from_db()
    assert payment.amount == Decimal("500.00")  # the original row is untouched
    with pytest.raises(DomainError):
        services.claim_payment_correct(user=user("cadre"), payment_id=payment.pk, reason="again")
    with pytest.raises(DomainError):
        services.claim_payment_correct(user=user("cadre"), payment_id=correction.pk, reason="again")


def test_a_claimant_added_later_joins_the_petition_and_counts_as_a_person(demo):
    agent = cadre_agent()
    petition = wage_filing(agent, [mandate(agent)])
    claim = services.claim_add(
        user=user("cadre"),
        petition_id=petition.pk,
        claim=ClaimInput(claimant=PersonData(name="后来村民"), amount="2600", kind="land_lease"),
    )
    assert PetitionParty.objects.filter(
        petition=petition, petitioner=claim.claimant, role=PartyRole.CO_PETITIONER
    ).exists()
    petition.refresh_from_db()
    assert petition.people_count == 2
    event = petition.events.get(action="claim_added")
    assert event.payload["joined"] is True
    with pytest.raises(DomainError) as twice:
        services.claim_add(
            user=user("cadre"),
            petition_id=petition.pk,
            claim=ClaimInput(
                claimant=PersonData(name="后来村民", existing=claim.claimant), amount="10", kind="land_lease"
            ),
        )
    assert twice.value.code == "duplicate"


def test_a_department_handler_elsewhere_cannot_record_payments(demo):
    agent = cadre_agent()
    claim = wage_filing(agent, [mandate(agent)], claims=1).claims.get()
    from xinfang.accounts.scoping import OutOfJurisdiction

    with pytest.raises(OutOfJurisdiction):
        services.claim_payment_record(
            user=user("handler"), claim_id=claim.pk, amount="100", paid_on=timezone.localdate()
        )
