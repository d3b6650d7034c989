"""Walk-ins at the station: registration with protected personal data, outcomes, petitions, summonses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from xinfang.accounts.scoping import OutOfJurisdiction
from xinfang.core.errors import DomainError
from xinfang.petitions.models import Petition, Petitioner
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import Channel, State
from xinfang.petitions.tests.factories import valid_id
from xinfang.stations import selectors, services, visits
from xinfang.stations.models import PeriodKind, Visit, VisitOutcome

from .factories import make_station, unit, user

pytestmark = pytest.mark.django_db
ZONE = dt.timezone(dt.timedelta(hours=8))


def walk_in(station, *, by="npy_worker", **extra):
    data: dict[str, Any] = {
        "visitor": visits.Visitor(name="邹桂兰", id_number=valid_id(31), phone="13956401234"),
        "subject": "楼上住户装修噪声扰民",
        "notes": "二期8栋楼上装修每天早七点开工。",
    }
    data.update(extra)
    return visits.visit_register(user=user(by), station_id=station.pk, **data)


def test_the_visitor_is_a_petitioner_with_id_and_phone_encrypted_at_rest(station):
    visit = walk_in(station)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM petitions_petitioner WHERE id = %s", [visit.visitor_id])
        stored_id, stored_phone = cursor.fetchone()
    assert valid_id(31) not in stored_id and "13956401234" not in stored_phone
    visitor = Petitioner.objects.get(pk=visit.visitor_id)
    assert visitor.id_number == valid_id(31) and visitor.phone == "13956401234"


def test_the_duty_staff_present_default_to_who_the_rota_has_on_duty_then(station):
    services.rota_generate(
        user=user("station_mgr"), station_id=station.pk, period_kind=PeriodKind.MONTH, year=2025, number=6
    )
    with time_machine.travel(dt.datetime(2025, 6, 10, 11, tzinfo=ZONE), tick=False):
        # Tuesday 10 June 2025, 10:00: the morning session.
        visit = walk_in(station, visited_at=dt.datetime(2025, 6, 10, 10, tzinfo=ZONE))
    expected = {u.pk for u in selectors.on_duty_at(station, dt.datetime(2025, 6, 10, 10, tzinfo=ZONE))}
    assert len(expected) == 3
    assert {u.pk for u in visit.duty_staff.all()} == expected
    evening = walk_in(station, visited_at=dt.datetime(2025, 6, 10, 19, tzinfo=ZONE))
    assert [u.username for u in evening.duty_staff.all()] == ["npy_worker"]


def test_a_wrong_id_number_is_reported_beside_its_field_and_nothing_is_saved(station):
    with pytest.raises(visits.VisitError) as refused:
        walk_in(station, visitor=visits.Visitor(name="钟明亮", id_number="341502199001011234"), subject="")
    assert set(refused.value.errors) == {"visitor_id_number", "subject"}
    assert not Visit.objects.exists() and not Petitioner.objects.filter(name="钟明亮").exists()


def test_turning_a_visit_into_a_petition_goes_through_intake_and_the_timeline_says_so(station):
    visit = walk_in(station)
    petition = visits.visit_to_petition(
        user=user("npy_worker"), visit_id=visit.pk, request="请求督促装修方遵守施工时间", expected_version=1
    )
    visit.refresh_from_db()
    assert (visit.outcome, visit.petition_id) == (VisitOutcome.PETITION, petition.pk)
    assert petition.channel == Channel.STATION and petition.state == State.REGISTERED
    assert petition.principal.name == "邹桂兰" and petition.principal.id_number == valid_id(31)
    assert petition.clocks.exists()  # the intake started the forwarding clock
    events = list(petition.events.order_by("sequence").values_list("action", "payload"))
    assert events[0][0] == "register"
    assert events[-1] == (
        "station_visit",
        {"station_id": station.pk, "station_name": station.name, "visit_id": visit.pk},
    )
    assert visible_petitions(user("npy_worker")).filter(pk=petition.pk).exists()
    with pytest.raises(DomainError) as twice:
        visits.visit_to_petition(user=user("npy_worker"), visit_id=visit.pk, request="再次")
    assert twice.value.code == "already_concluded"
    assert Petition.objects.filter(channel=Channel.STATION).count() == 1


def test_a_visitor_without_an_id_number_stays_one_petitioner_when_the_visit_becomes_a_petition(station):
    visit = walk_in(station, visitor=visits.Visitor(name="白国庆", phone="13956400005"))
    before = Petitioner.objects.count()
    petition = visits.visit_to_petition(user=user("npy_worker"), visit_id=visit.pk, request="请求修复排水")
    assert petition.principal_id == visit.visitor_id
    assert list(petition.parties.values_list("petitioner_id", flat=True)) == [visit.visitor_id]
    assert Petitioner.objects.count() == before


def test_intake_without_an_id_number_still_records_each_petition_s_person_afresh(station):
    """Only the station passes its visitor's record; intake's matching for everyone else is unchanged."""
    from xinfang.petitions.intake import PersonData, petitioner_upsert

    first = petitioner_upsert(PersonData(name="白国庆", phone="13956400005"))
    second = petitioner_upsert(PersonData(name="白国庆", phone="13956400005"))
    assert first.pk != second.pk
    by_id = petitioner_upsert(PersonData(name="邹桂兰", id_number=valid_id(31)))
    assert petitioner_upsert(PersonData(name="邹桂兰", id_number=valid_id(31))).pk == by_id.pk


def test_resolved_on_the_spot_needs_what_was_done_and_a_stale_form_is_a_conflict(station):
    visit = walk_in(station)
    with pytest.raises(DomainError):
        visits.visit_conclude(user=user("npy_worker"), visit_id=visit.pk, outcome="resolved", note=" ")
    visits.visit_conclude(
        user=user("npy_worker"), visit_id=visit.pk, outcome="resolved", note="当面协调", expected_version=1
    )
    with pytest.raises(DomainError) as stale:
        visits.visit_conclude(
            user=user("npy_worker"), visit_id=visit.pk, outcome="mediation", note="转调解", expected_version=1
        )
    assert stale.value.code == "conflict"
    visit.refresh_from_db()
    assert (visit.outcome, visit.outcome_note) == (VisitOutcome.RESOLVED, "当面协调")


def test_a_summoned_department_sees_its_task_and_records_what_it_did(station):
    visit = walk_in(station)
    summons = visits.visit_summon(
        user=user("npy_worker"),
        visit_id=visit.pk,
        department=unit("ah-la-ja-zjj"),
        task="到驿站说明维修基金使用情况",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    handler = user("handler2")  # 金安区住建局
    assert selectors.visible_summonses(handler).filter(pk=summons.pk).exists()
    assert not selectors.visible_visits(handler).exists()  # the visitor's record stays with the station
    assert not selectors.visible_summonses(user("handler")).exists()  # 人社局 was not asked
    visits.summons_complete(user=handler, summons_id=summons.pk, result="已到驿站公示维修基金明细")
    summons.refresh_from_db()
    assert summons.done_by == handler and summons.done_at is not None
    visit.refresh_from_db()
    assert visit.outcome == VisitOutcome.SUMMONED


def test_staff_of_another_district_cannot_register_at_the_station(station):
    with pytest.raises(OutOfJurisdiction):
        walk_in(station, by="town2")
    assert not selectors.visible_visits(user("county_yj")).exists()
    assert not Visit.objects.exists()


def test_a_leader_who_sees_the_station_may_read_but_not_staff_the_desk(staff):
    station = make_station()
    with pytest.raises(DomainError) as refused:
        walk_in(station, by="leader")
    assert refused.value.code == "role_not_allowed"
    assert selectors.visible_stations(user("leader")).filter(pk=station.pk).exists()
