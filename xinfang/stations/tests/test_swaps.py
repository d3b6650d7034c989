"""Swapping two duties: asked by one of the two, decided by the station manager, invariants kept."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.utils import timezone

from xinfang.core.errors import ConflictError, DomainError
from xinfang.stations import services
from xinfang.stations.models import Assignment, PeriodKind, SwapRequest, SwapStatus

from .factories import make_station, postgres_only, race, user

BEFORE_JUNE = dt.datetime(2025, 5, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def june_rota(station):
    return services.rota_generate(
        user=user("station_mgr"), station_id=station.pk, period_kind=PeriodKind.MONTH, year=2025, number=6
    )


def duties_of(rota, username):
    return list(
        Assignment.objects.filter(shift__rota=rota, user__username=username, is_current=True).order_by(
            "shift__starts_at"
        )
    )


def counts(rota):
    return Counter(a.user.username for a in Assignment.objects.filter(shift__rota=rota, is_current=True))


def ask(rota, first="npy_worker", second="npy_worker2", by=None):
    mine, theirs = duties_of(rota, first)[0], duties_of(rota, second)[-1]
    return services.swap_request(
        user=user(by or first), first_id=mine.pk, second_id=theirs.pk, reason="家中有事，与同事调换"
    )


@pytest.fixture
def rota(staff):
    with time_machine.travel(BEFORE_JUNE, tick=False):
        yield june_rota(make_station(managers=("station_mgr", "npy_worker")))


@pytest.mark.django_db
def test_an_approved_swap_exchanges_the_two_duties_and_keeps_every_count(rota):
    before = counts(rota)
    swap = ask(rota)
    first_shift, second_shift = swap.first.shift, swap.second.shift
    services.swap_approve(user=user("station_mgr"), swap_id=swap.pk, note="同意")
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by.username, swap.decision_note) == (
        SwapStatus.APPROVED,
        "station_mgr",
        "同意",
    )
    assert counts(rota) == before
    on = lambda shift: {a.user.username for a in shift.assignments.filter(is_current=True)}  # noqa: E731
    assert "npy_worker2" in on(first_shift) and "npy_worker" not in on(first_shift)
    assert "npy_worker" in on(second_shift) and "npy_worker2" not in on(second_shift)
    # The old duties are kept, closed by the swap: the record says who was on duty before.
    assert set(Assignment.objects.filter(ended_by_swap=swap)) == {swap.first, swap.second}
    assert Assignment.objects.filter(created_by_swap=swap).count() == 2


@pytest.mark.django_db
def test_a_rejection_needs_a_reason_and_is_recorded_with_nothing_changed(rota):
    before = counts(rota)
    swap = ask(rota)
    with pytest.raises(DomainError):
        services.swap_reject(user=user("station_mgr"), swap_id=swap.pk, note="")
    services.swap_reject(user=user("station_mgr"), swap_id=swap.pk, note="当天需双人在岗")
    swap.refresh_from_db()
    assert swap.status == SwapStatus.REJECTED and swap.decided_at is not None
    assert counts(rota) == before and swap.first.is_current


@pytest.mark.django_db
def test_only_a_station_manager_decides_even_the_bureau_that_runs_it_cannot(rota):
    swap = ask(rota)
    with pytest.raises(DomainError) as refused:
        services.swap_approve(user=user("county"), swap_id=swap.pk)
    assert refused.value.code == "role_not_allowed"
    swap.refresh_from_db()
    assert swap.status == SwapStatus.PENDING


@pytest.mark.django_db
def test_swaps_across_pools_or_onto_a_day_of_leave_are_refused(rota):
    with pytest.raises(DomainError) as across:
        ask(rota, first="npy_worker", second="county")
    assert across.value.code == "swap_not_possible"
    theirs = duties_of(rota, "npy_worker2")[-1]
    services.unavailability_record(
        user=user("npy_worker"),
        person=user("npy_worker"),
        starts_on=theirs.shift.date,
        ends_on=theirs.shift.date,
        kind="leave",
    )
    with pytest.raises(DomainError) as leave:
        ask(rota)
    assert "unavailable" in str(leave.value)
    assert not SwapRequest.objects.exists()


@pytest.mark.django_db
def test_a_decided_swap_cannot_be_decided_again_and_a_stale_version_is_a_conflict(rota):
    swap = ask(rota)
    with pytest.raises(ConflictError):
        services.swap_approve(user=user("station_mgr"), swap_id=swap.pk, expected_version=swap.version + 1)
    services.swap_approve(user=user("station_mgr"), swap_id=swap.pk, expected_version=swap.version)
    with pytest.raises(DomainError) as again:
        services.swap_reject(user=user("npy_worker"), swap_id=swap.pk, note="不同意")
    assert again.value.code == "already_decided"


@pytest.mark.django_db
def test_regenerating_the_rota_cancels_its_pending_swaps(rota):
    swap = ask(rota)
    with time_machine.travel(BEFORE_JUNE, tick=False):
        june_rota(rota.station)
    swap.refresh_from_db()
    assert swap.status == SwapStatus.CANCELLED


@pytest.mark.django_db
def test_a_duty_already_passed_cannot_be_swapped(rota):
    moment = dt.datetime(2025, 6, 20, 10, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment), pytest.raises(DomainError) as passed:
        ask(rota)
    assert "passed" in str(passed.value)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_one_swap_at_once_one_wins_and_the_duties_change_hands_once(staff):
    with time_machine.travel(BEFORE_JUNE, tick=False):
        rota = june_rota(make_station(managers=("station_mgr", "npy_worker")))
        swap = ask(rota, first="npy_worker2", second="station_mgr")
        before = counts(rota)
        results = race(
            [
                lambda: services.swap_approve(user=user("station_mgr"), swap_id=swap.pk, note="同意"),
                lambda: services.swap_approve(user=user("npy_worker"), swap_id=swap.pk, note="同意"),
            ]
        )
    winners = [r for r in results if isinstance(r, SwapRequest)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(refused) == 1, results
    assert refused[0].code == "already_decided"
    assert Assignment.objects.filter(created_by_swap=swap).count() == 2
    assert Assignment.objects.filter(shift__rota=rota, is_current=False).count() == 2
    assert counts(rota) == before
