"""Two people acting on one petition at once: one wins, the other gets a conflict, nothing is corrupted."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from xinfang.accounts.models import User
from xinfang.core.errors import ConflictError, DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.models import Petition
from xinfang.petitions.states import State

from .factories import register

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")


def _race(calls: list) -> list[object]:
    """Run the calls in parallel threads (each with its own DB connection) released by one barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_forwarding_the_same_version_one_wins_one_gets_a_conflict(demo):
    county = User.objects.get(username="county")
    petition = register(by="county")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    zjj = Unit.objects.get(code="ah-la-ja-zjj")
    version = petition.version
    results = _race(
        [
            lambda: services.petition_forward(
                petition_id=petition.pk, user=county, to_unit=rsj, expected_version=version
            ),
            lambda: services.petition_forward(
                petition_id=petition.pk, user=county, to_unit=zjj, expected_version=version
            ),
        ]
    )
    winners = [r for r in results if isinstance(r, Petition)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(conflicts) == 1, results
    petition.refresh_from_db()
    assert petition.state == State.FORWARDED
    assert petition.version == version + 1
    assert petition.events.filter(action="forward").count() == 1
    assert petition.current_unit_id == winners[0].current_unit_id
    assert petition.clocks.filter(kind="notice").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_without_a_version_the_loser_is_refused_by_the_state_check(demo):
    county = User.objects.get(username="county")
    petition = register(by="county")
    rsj = Unit.objects.get(code="ah-la-ja-rsj")
    results = _race(
        [
            lambda: services.petition_forward(petition_id=petition.pk, user=county, to_unit=rsj),
            lambda: services.petition_triage(petition_id=petition.pk, user=county),
        ]
    )
    assert sum(isinstance(r, Petition) for r in results) >= 1
    refused = [r for r in results if isinstance(r, DomainError)]
    petition.refresh_from_db()
    # Either order is legal (triage then forward is allowed too); the log must match the final state.
    actions = list(petition.events.order_by("sequence").values_list("action", flat=True))
    assert actions[-1] in {"forward", "triage"}
    assert petition.version == len(actions)
    assert all(r.code == "not_allowed_in_state" for r in refused)


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_changes_nothing(demo):
    county = User.objects.get(username="county")
    petition = register(by="county")
    services.petition_triage(petition_id=petition.pk, user=county)
    with pytest.raises(ConflictError):
        services.petition_forward(
            petition_id=petition.pk,
            user=county,
            to_unit=Unit.objects.get(code="ah-la-ja-rsj"),
            expected_version=1,
        )
    petition.refresh_from_db()
    assert petition.state == State.TRIAGE and petition.version == 2
