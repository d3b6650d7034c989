"""Bringing matters to a conference: who may, which petitions and sources, what the secretariat does."""

from __future__ import annotations

import pytest

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.conferences import selectors, services
from xinfang.conferences.demo import canal_petitions, unit, user
from xinfang.conferences.models import AgendaItem, Dispute, ItemPetition, ItemSource, ItemStatus
from xinfang.core.errors import DomainError
from xinfang.petitions.models import Petition
from xinfang.petitions.states import PetitionType
from xinfang.petitions.tests.factories import register

pytestmark = pytest.mark.django_db


def propose(conference, *, by="cadre_mn", petitions=(), source=ItemSource.PETITION, **extra) -> AgendaItem:
    return services.agenda_item_propose(
        user=user(by),
        conference_id=conference.pk,
        title=extra.pop("title", "灌溉支渠"),
        reasons=extra.pop("reasons", "社区力量有限"),
        petition_ids=[p.pk for p in petitions],
        source=source,
        **extra,
    )


def refused(code: str, call) -> None:
    before = (AgendaItem.objects.count(), ItemPetition.objects.count())
    with pytest.raises(DomainError) as error:
        call()
    assert error.value.code == code
    assert (AgendaItem.objects.count(), ItemPetition.objects.count()) == before


def test_the_conference_for_a_unit_is_the_nearest_active_one_above_it(town, county):
    assert selectors.conference_for_unit(unit("ah-hf-cf-ym-mn-g1")) == town
    assert selectors.conference_for_unit(unit("ah-hf-cf-ym-pcs")) == town
    assert selectors.conference_for_unit(unit("ah-hf-cf-sh-dc")) == county  # 水湖镇 has none
    assert selectors.conference_for_unit(unit("ah-hf-cf-slj")) == county
    assert selectors.conference_for_unit(unit("ah-hf-yh")) is None
    assert selectors.parent_conference(town) == county and selectors.parent_conference(county) is None


def test_a_proposal_names_its_unit_and_waits_for_the_secretariat(town):
    petitions = canal_petitions()
    item = propose(town, petitions=petitions[:1])
    assert (item.status, item.proposing_unit.code, item.position) == (
        ItemStatus.PROPOSED,
        "ah-hf-cf-ym-mn",
        1,
    )
    assert list(selectors.items_to_accept(user("town_ym"))) == [item]
    assert list(selectors.items_to_accept(user("cadre_mn"))) == []
    assert propose(town, petitions=petitions[1:]).position == 2


def test_each_source_needs_what_makes_it_that_source(town):
    petitions = canal_petitions()
    refused("petitions", lambda: propose(town, petitions=[]))
    refused("petitions", lambda: propose(town, petitions=petitions[:1], source=ItemSource.COMMON_ISSUE))
    refused("source", lambda: propose(town, petitions=petitions, source=ItemSource.ESCALATION))
    refused(
        "dispute_units",
        lambda: propose(town, source=ItemSource.DISPUTE, dispute_units=[unit("ah-hf-cf-ym").pk]),
    )
    refused(
        "dispute_units",
        lambda: propose(town, petitions=petitions[:1], dispute_units=[unit("ah-hf-cf-ym").pk]),
    )
    refused("required", lambda: propose(town, petitions=petitions[:1], reasons="  "))


def test_a_competence_dispute_is_kept_with_its_candidate_units(town):
    units = [unit("ah-hf-cf-ym-nyb"), unit("ah-hf-cf-ym-mn")]
    item = propose(town, source=ItemSource.DISPUTE, dispute_units=[u.pk for u in units], title="支渠管护职责")
    dispute = Dispute.objects.get(item=item)
    assert set(dispute.candidates.all()) == set(units) and dispute.decided_unit is None
    outside = unit("ah-hf-cf-slj")  # a county bureau is not a unit of the town
    refused(
        "unit_outside",
        lambda: propose(town, source=ItemSource.DISPUTE, dispute_units=[units[0].pk, outside.pk]),
    )


def test_petitions_outside_the_area_closed_or_already_on_an_agenda_are_refused(town):
    petitions = canal_petitions()
    elsewhere = register(by="county_cf", place="ah-hf-cf-sh-dc", id_seed=31)
    refused("outside", lambda: propose(town, by="county_cf", petitions=[elsewhere]))
    propose(town, petitions=petitions[:1])
    refused("already_on_agenda", lambda: propose(town, petitions=petitions))
    Petition.objects.filter(pk=petitions[1].pk).update(state="closed")
    refused("not_open", lambda: propose(town, petitions=petitions[1:]))


def test_an_accusation_is_never_brought_before_a_conference(town):
    accusation = register(
        by="town_ym",
        place="ah-hf-cf-ym-mn",
        id_seed=32,
        petition_type=PetitionType.ACCUSATION,
        accused_description="某村干部",
    )
    refused("accusation", lambda: propose(town, by="town_ym", petitions=[accusation]))


def test_staff_of_another_area_see_neither_the_conference_nor_petitions_outside_their_reach(town):
    petitions = canal_petitions()
    for outsider in ("town", "handler"):  # 望城街道 and 金安区人社局, in another city
        with pytest.raises(OutOfJurisdiction):
            propose(town, by=outsider, petitions=[])
    jinan = register(by="county", id_seed=34)  # a 金安区 petition 长丰县 staff cannot see
    with pytest.raises(OutOfJurisdiction):
        propose(town, by="county_cf", petitions=[petitions[0], jinan])
    assert not AgendaItem.objects.exists()


def test_an_upper_petition_bureau_may_bring_a_matter_to_a_town_conference(town):
    petition = register(by="county_cf", place="ah-hf-cf-ym-mn", id_seed=33)
    item = propose(town, by="county_cf", petitions=[petition])
    assert item.proposing_unit.code == "ah-hf-cf-xfj"


def test_only_the_secretariat_accepts_orders_or_returns_and_a_return_is_told(town):
    petitions = canal_petitions()
    item = propose(town, petitions=petitions[:1])
    with pytest.raises(DomainError) as not_secretariat:
        services.agenda_item_accept(item_id=item.pk, user=user("cadre_mn"))
    assert not_secretariat.value.code == "not_secretariat"
    item = services.agenda_item_accept(item_id=item.pk, user=user("town_ym"), position=5)
    assert (item.status, item.position, item.accepted_by_id) == (ItemStatus.ACCEPTED, 5, user("town_ym").pk)
    with pytest.raises(DomainError):
        services.agenda_item_accept(item_id=item.pk, user=user("town_ym"))
    item = services.agenda_item_return(item_id=item.pk, user=user("leader_ym"), reason="社区可自行协调解决")
    assert (item.status, item.return_reason) == (ItemStatus.RETURNED, "社区可自行协调解决")
    assert petitions[0].events.filter(action="conference_returned").count() == 1
    assert selectors.unread_notices(user("cadre_mn")).filter(message__contains="社区可自行协调解决").exists()
    # A returned petition may be brought again.
    assert propose(town, petitions=petitions[:1]).status == ItemStatus.PROPOSED


def test_a_stale_form_gets_a_conflict_and_changes_nothing(town):
    item = propose(town, petitions=canal_petitions()[:1])
    services.agenda_item_accept(item_id=item.pk, user=user("town_ym"), expected_version=item.version)
    with pytest.raises(DomainError) as conflict:
        services.agenda_item_schedule(
            item_id=item.pk, user=user("town_ym"), meeting_id=None, position=9, expected_version=item.version
        )
    assert conflict.value.code == "conflict"
    item.refresh_from_db()
    assert item.position == 1
