"""Agency reads: jurisdiction crossing and the totals per petitioner, matter, village and agent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from xinfang.agency import selectors, services
from xinfang.agency.models import AgentKind
from xinfang.agency.services import ClaimInput, FilingData
from xinfang.orgs.models import Unit
from xinfang.petitions.intake import PersonData
from xinfang.petitions.tests.factories import valid_id

from .factories import NANPINGYUAN, cadre_agent, mandate, user, wage_filing

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties(demo):
    """The 和平村 cadre's wage matter (叶集区) and a 南屏苑 community worker's matter (金安区)."""
    today = timezone.localdate()
    cadre = cadre_agent()
    heping = wage_filing(cadre, [mandate(cadre)], claims=3)
    for claim in heping.claims.order_by("pk")[:2]:
        services.claim_payment_record(
            user=user("cadre"), claim_id=claim.pk, amount=claim.amount_claimed, paid_on=today
        )
    worker = services.agent_register(
        user=user("town"),
        unit=Unit.objects.get(code=NANPINGYUAN),
        kind=AgentKind.COMMUNITY_WORKER,
        person=PersonData(name="社区网格员小李", id_number=valid_id(501)),
        certificate_number="JA-XFDL-007",
        certified_on=today,
        certified_by="金安区信访局",
    )
    worker_mandate = mandate(worker, name="钱某某", seed=502, by="town")
    nanping = services.mandate_file_petition(
        user=user("town"),
        agent_id=worker.pk,
        mandate_ids=[worker_mandate.pk],
        data=FilingData(
            subject="装修公司拖欠工人工资",
            request="请求支付工资",
            place=Unit.objects.get(code=NANPINGYUAN),
            claims=[ClaimInput(claimant=PersonData(name="钱某某"), amount="5000")],
        ),
    )
    services.claim_payment_record(
        user=user("town"), claim_id=nanping.claims.get().pk, amount="1200", paid_on=today
    )
    return cadre, heping, worker, nanping


def test_an_agent_without_a_login_files_through_the_street_petition_officer(two_counties):
    _cadre, _heping, worker, nanping = two_counties
    assert worker.user is None
    assert nanping.agent_id == worker.person_id and nanping.registered_by.username == "town"


def test_agents_and_mandates_are_seen_only_within_the_jurisdiction(two_counties):
    cadre, _heping, worker, _nanping = two_counties
    assert set(selectors.visible_agents(user("cadre"))) == {cadre}
    assert set(selectors.visible_agents(user("town"))) == {worker}
    assert set(selectors.visible_agents(user("county_yj"))) == {cadre}
    assert set(selectors.visible_agents(user("province"))) == {cadre, worker}
    assert {m.agent for m in selectors.visible_mandates(user("town2"))} == {cadre}
    assert not selectors.visible_mandates(user("town")).filter(agent=cadre).exists()


def test_claims_are_read_through_the_petitions_the_user_may_see(two_counties):
    _cadre, heping, _worker, nanping = two_counties
    assert set(selectors.visible_claims(user("cadre")).values_list("petition_id", flat=True)) == {heping.pk}
    assert set(selectors.visible_claims(user("town")).values_list("petition_id", flat=True)) == {nanping.pk}
    assert not selectors.visible_claims(user("handler")).exists()


def test_the_village_ledger_totals_claims_and_what_was_recovered(two_counties):
    _cadre, heping, _worker, _nanping = two_counties
    ledger = selectors.ledger(user("town2"), Unit.objects.get(code="ah-la-yj-pg-hp"))
    totals = ledger["totals"]
    assert totals.claims == 3 and totals.claimant_count == 3
    assert totals.claimed == Decimal("9300.00")
    assert totals.recovered == Decimal("6100.00")
    assert totals.paid == 2 and totals.outstanding == Decimal("3200.00")
    assert [(m.pk, t.recovered) for m, t in ledger["matters"]] == [(heping.pk, Decimal("6100.00"))]
    assert [status for _claim, status in ledger["claims"]] == ["paid", "paid", "unpaid"]
    assert [row.totals.recovered for row in ledger["by_petitioner"]] == [
        Decimal("3000.00"),
        Decimal("3100.00"),
        Decimal("0"),
    ]


def test_a_ledger_of_another_county_is_empty_for_the_cadre(two_counties):
    ledger = selectors.ledger(user("cadre"), Unit.objects.get(code=NANPINGYUAN))
    assert ledger["matters"] == [] and ledger["totals"].claims == 0 and ledger["mandates"] == []


def test_totals_recovered_by_village_and_by_agent_across_the_province(two_counties):
    cadre, _heping, worker, _nanping = two_counties
    overview = selectors.agency_totals(user("province"))
    assert overview["totals"].recovered == Decimal("7300.00")
    villages = {row.label: row.totals.recovered for row in overview["by_village"]}
    assert villages == {"和平村": Decimal("6100.00"), "南屏苑社区": Decimal("1200.00")}
    agents = {row.obj: row.totals.claimed for row in overview["by_agent"]}
    assert agents == {cadre: Decimal("9300.00"), worker: Decimal("5000.00")}


def test_the_caseload_lists_mandates_in_force_open_tasks_and_matters(two_counties):
    cadre, heping, _worker, _nanping = two_counties
    services.agent_task_create(
        user=user("cadre"), petition_id=heping.pk, kind="chase", due_on=timezone.localdate(), note="催办"
    )
    load = selectors.caseload(user("cadre"), cadre)
    assert len(load["mandates"]) == 1
    assert [task.kind for task, _late in load["tasks"]] == ["chase"]
    assert [p.pk for p, _totals in load["matters"]] == [heping.pk]
    assert load["totals"].recovered == Decimal("6100.00")
