"""The deadline sweeper: one reminder per clock and kind, lapsed windows closed, safe as N processes."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import translation

from xinfang.accounts.models import User
from xinfang.core.models import Limit
from xinfang.orgs.models import Unit
from xinfang.petitions import clocks, services
from xinfang.petitions.models import Clock, ClockStatus, Petition, Reminder
from xinfang.petitions.states import Decision, DeliveryMethod, PetitionType, Rating, State
from xinfang.petitions.sweep import SweepResult, petition_close_lapsed, sweep_once

from .factories import register

TZ = dt.timezone(dt.timedelta(hours=8))

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs SKIP LOCKED and real connections"
)


def en_label(limit: Limit) -> str:
    """The label as the sweep wrote it: the sweeps in these tests run in English."""
    with translation.override("en"):
        return str(limit.label)


def at(day: dt.date | str) -> time_machine.travel:
    day = day if isinstance(day, str) else day.isoformat()
    return time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TZ), tick=False)


def _registered(day: str = "2025-03-03", **extra: Any) -> tuple[Petition, Clock]:
    """A petition registered by the county petition bureau: its one running clock is the forwarding one."""
    with at(day):
        petition = register(by="county", **extra)
    return petition, petition.clocks.get()


def _replied(day: str = "2025-03-03", **extra: Any) -> Petition:
    """A grievance handled by 人社局 whose written reply reached the petitioner on ``day``."""
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    with at(day):
        p = register(by="county", **extra)
        services.petition_forward(
            petition_id=p.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
        )
        services.petition_accept(
            petition_id=p.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date.fromisoformat(day),
            route="start_handling",
        )
        services.petition_issue_opinion(
            petition_id=p.pk,
            user=handler,
            decision=Decision.NOT_SUPPORT,
            facts_found="经核查",
            reasons="理由",
            legal_basis="依据",
        )
        return services.petition_deliver_reply(
            petition_id=p.pk,
            user=handler,
            delivered_on=dt.date.fromisoformat(day),
            method=DeliveryMethod.IN_PERSON,
        )


def _window(petition: Petition, limit: Limit) -> Clock:
    return petition.clocks.get(kind=limit.value)


# --- reminders -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clock_two_days_before_due_raises_one_approaching_reminder_and_a_second_sweep_raises_none(demo):
    petition, clock = _registered()
    with at(clock.due_on - dt.timedelta(days=2)), translation.override("en"):
        first = sweep_once()
        second = sweep_once()
    assert first == SweepResult(warned=1, overdue=0, closed=0)
    assert second == SweepResult()
    reminder = Reminder.objects.get(clock=clock)
    assert reminder.kind == Reminder.Kind.APPROACHING
    assert reminder.unit_id == clock.unit_id and reminder.petition_id == petition.pk
    assert petition.number in reminder.message
    assert en_label(Limit.FORWARD) in reminder.message
    assert clock.due_on.isoformat() in reminder.message
    clock.refresh_from_db()
    assert clock.warned_at is not None and clock.overdue_at is None


@pytest.mark.django_db
def test_a_clock_further_out_than_the_lead_time_is_not_warned_yet(demo):
    _petition, clock = _registered()
    with at(clock.due_on - dt.timedelta(days=4)):
        assert sweep_once() == SweepResult()
    assert not Reminder.objects.filter(clock=clock).exists()


@pytest.mark.django_db
def test_the_lead_time_comes_from_settings_or_the_argument(demo, settings):
    _petition, clock = _registered()
    seven_before = clock.due_on - dt.timedelta(days=7)
    settings.XINFANG = {**django_settings.XINFANG, "DEADLINE_WARNING_DAYS": 7}
    assert sweep_once(today=seven_before, warn_days=6) == SweepResult()
    assert sweep_once(today=seven_before) == SweepResult(warned=1)


@pytest.mark.django_db
def test_a_clock_on_its_due_day_is_warned_but_not_yet_overdue(demo):
    _petition, clock = _registered()
    assert sweep_once(today=clock.due_on) == SweepResult(warned=1)
    assert not Reminder.objects.filter(clock=clock, kind=Reminder.Kind.OVERDUE).exists()


@pytest.mark.django_db
def test_a_clock_past_due_raises_one_overdue_reminder_and_no_late_warning(demo):
    petition, clock = _registered()
    with at(clock.due_on + dt.timedelta(days=1)), translation.override("en"):
        assert sweep_once() == SweepResult(overdue=1)
        assert sweep_once() == SweepResult()
    with at(clock.due_on + dt.timedelta(days=30)):
        assert sweep_once() == SweepResult()
    reminder = Reminder.objects.get(clock=clock)
    assert reminder.kind == Reminder.Kind.OVERDUE
    assert petition.number in reminder.message and en_label(Limit.FORWARD) in reminder.message
    clock.refresh_from_db()
    assert clock.overdue_at is not None and clock.warned_at is None
    assert clock.status == ClockStatus.RUNNING  # being late is flagged, the duty still runs


@pytest.mark.django_db
def test_a_warned_clock_that_then_passes_gets_its_overdue_reminder_too(demo):
    _petition, clock = _registered()
    sweep_once(today=clock.due_on - dt.timedelta(days=1))
    assert sweep_once(today=clock.due_on + dt.timedelta(days=1)) == SweepResult(overdue=1)
    kinds = sorted(Reminder.objects.filter(clock=clock).values_list("kind", flat=True))
    assert kinds == [Reminder.Kind.APPROACHING, Reminder.Kind.OVERDUE]


@pytest.mark.django_db
def test_a_stopped_clock_raises_nothing(demo):
    petition, clock = _registered()
    with at("2025-03-05"):
        clocks.clocks_stop(petition=petition)
    clock.refresh_from_db()
    assert clock.status == ClockStatus.MET
    assert sweep_once(today=clock.due_on - dt.timedelta(days=1)) == SweepResult()
    assert sweep_once(today=clock.due_on + dt.timedelta(days=10)) == SweepResult()
    assert not Reminder.objects.filter(clock=clock).exists()


@pytest.mark.django_db
def test_petitioner_windows_raise_no_reminders(demo):
    petition = _replied()
    review = _window(petition, Limit.REVIEW_REQUEST)
    assert sweep_once(today=review.due_on - dt.timedelta(days=1)) == SweepResult()
    assert not Reminder.objects.filter(
        clock__kind__in=[Limit.REVIEW_REQUEST, Limit.EVALUATION_WINDOW]
    ).exists()


@pytest.mark.django_db
def test_a_reminder_already_raised_for_a_clock_is_not_duplicated_by_the_unique_backstop(demo):
    """Even if the flag was lost (e.g. restored from an old backup), the (clock, kind) constraint holds."""
    petition, clock = _registered()
    Reminder.objects.create(
        unit=clock.unit, petition=petition, clock=clock, kind=Reminder.Kind.OVERDUE, message="x"
    )
    assert sweep_once(today=clock.due_on + dt.timedelta(days=1)) == SweepResult()
    assert Reminder.objects.filter(clock=clock, kind=Reminder.Kind.OVERDUE).count() == 1
    clock.refresh_from_db()
    assert clock.overdue_at is not None


@pytest.mark.django_db
def test_small_batches_cover_every_due_clock(demo):
    petition, clock = _registered()
    Clock.objects.bulk_create(
        Clock(
            petition=petition,
            kind=Limit.NOTICE.value,
            unit=clock.unit,
            started_on=clock.started_on,
            due_on=clock.due_on,
        )
        for _ in range(7)
    )
    assert sweep_once(today=clock.due_on + dt.timedelta(days=1), batch_size=3) == SweepResult(overdue=8)
    assert sweep_once(today=clock.due_on + dt.timedelta(days=1), batch_size=3) == SweepResult()


# --- closing lapsed matters ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_replied_petition_whose_review_window_lapsed_is_closed_by_the_sweep_with_no_actor(demo):
    petition = _replied()
    review = _window(petition, Limit.REVIEW_REQUEST)
    version = petition.version
    with at(review.due_on + dt.timedelta(days=1)), translation.override("en"):
        assert sweep_once() == SweepResult(closed=1)
        assert sweep_once() == SweepResult()
    petition.refresh_from_db()
    assert petition.state == State.CLOSED
    assert petition.version == version + 1
    assert petition.closed_at is not None
    event = petition.events.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.from_state, event.to_state) == ("close", State.REPLIED, State.CLOSED)
    assert event.actor_id is None and event.actor_unit_id is None
    assert event.reason == "Review window lapsed."
    assert event.payload["window"] == Limit.REVIEW_REQUEST.value
    assert not petition.clocks.filter(status=ClockStatus.RUNNING).exists()


@pytest.mark.django_db
def test_a_replied_petition_still_within_its_review_window_is_not_closed(demo):
    petition = _replied()
    review = _window(petition, Limit.REVIEW_REQUEST)
    evaluation = _window(petition, Limit.EVALUATION_WINDOW)
    assert evaluation.due_on < review.due_on
    # The rating window has run out, but the review may still be requested on its last day.
    assert sweep_once(today=review.due_on) == SweepResult()
    petition.refresh_from_db()
    assert petition.state == State.REPLIED
    assert _window(petition, Limit.REVIEW_REQUEST).status == ClockStatus.RUNNING


@pytest.mark.django_db
def test_an_evaluated_petition_is_closed_when_its_review_window_lapses(demo):
    county = User.objects.get(username="county")
    petition = _replied()
    with at("2025-03-05"):
        services.petition_evaluate(petition_id=petition.pk, user=county, rating=Rating.SATISFIED)
    review = _window(petition, Limit.REVIEW_REQUEST)
    assert sweep_once(today=review.due_on) == SweepResult()
    assert sweep_once(today=review.due_on + dt.timedelta(days=1)) == SweepResult(closed=1)
    petition.refresh_from_db()
    assert petition.state == State.CLOSED
    assert petition.events.order_by("-sequence").values_list("from_state", flat=True)[0] == State.EVALUATED


@pytest.mark.django_db
def test_a_settled_petition_is_closed_when_its_evaluation_window_lapses(demo):
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    with at("2025-03-03"):
        p = register(by="county")
        services.petition_forward(
            petition_id=p.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
        )
        services.petition_accept(
            petition_id=p.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date(2025, 3, 3),
            route="start_handling",
        )
        services.petition_start_mediation(petition_id=p.pk, user=handler)
        p = services.petition_settle(petition_id=p.pk, user=handler, agreement="双方达成和解")
    assert p.state == State.SETTLED
    evaluation = _window(p, Limit.EVALUATION_WINDOW)
    assert sweep_once(today=evaluation.due_on) == SweepResult()
    assert sweep_once(today=evaluation.due_on + dt.timedelta(days=1)) == SweepResult(closed=1)
    p.refresh_from_db()
    assert p.state == State.CLOSED


@pytest.mark.django_db
def test_a_review_decision_whose_re_review_window_lapsed_is_closed(demo):
    county = User.objects.get(username="county")
    leader = User.objects.get(username="leader")
    petition = _replied()
    with at("2025-03-10"):
        services.petition_request_review(
            petition_id=petition.pk, user=county, requested_on=dt.date(2025, 3, 10), grounds="不服处理意见"
        )
        petition = services.petition_decide_review(
            petition_id=petition.pk,
            user=leader,
            decision=Decision.NOT_SUPPORT,
            facts_found="f",
            reasons="r",
            legal_basis="b",
            delivered_on=dt.date(2025, 3, 10),
        )
    assert petition.state == State.REVIEW_DECIDED
    window = _window(petition, Limit.RE_REVIEW_REQUEST)
    assert sweep_once(today=window.due_on) == SweepResult()
    assert sweep_once(today=window.due_on + dt.timedelta(days=1)) == SweepResult(closed=1)
    petition.refresh_from_db()
    assert petition.state == State.CLOSED


@pytest.mark.django_db
def test_a_timely_review_request_keeps_the_matter_open(demo):
    county = User.objects.get(username="county")
    petition = _replied()
    review = _window(petition, Limit.REVIEW_REQUEST)
    with at(review.due_on):
        services.petition_request_review(
            petition_id=petition.pk, user=county, requested_on=review.due_on, grounds="不服"
        )
    assert sweep_once(today=review.due_on + dt.timedelta(days=5)).closed == 0
    petition.refresh_from_db()
    assert petition.state == State.REVIEW_REQUESTED


@pytest.mark.django_db
def test_the_system_close_rechecks_state_and_window_under_the_lock(demo):
    petition = _replied()
    review = _window(petition, Limit.REVIEW_REQUEST)
    assert petition_close_lapsed(petition_id=petition.pk, today=review.due_on) is False
    handling, _clock = _registered(subject="另一件事：道路破损", id_seed=7)
    assert petition_close_lapsed(petition_id=handling.pk, today=dt.date(2026, 1, 1)) is False
    assert petition_close_lapsed(petition_id=petition.pk, today=review.due_on + dt.timedelta(days=1)) is True
    assert petition_close_lapsed(petition_id=petition.pk, today=review.due_on + dt.timedelta(days=1)) is False
    assert petition.events.filter(action="close").count() == 1


# --- the command -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_runs_one_pass_and_logs_the_counts(demo, caplog):
    _petition, clock = _registered()
    with caplog.at_level("INFO", logger="xinfang.sweep"):
        call_command(
            "sweep_deadlines", "--once", "--today", (clock.due_on + dt.timedelta(days=1)).isoformat()
        )
    assert Reminder.objects.filter(clock=clock, kind=Reminder.Kind.OVERDUE).count() == 1
    assert re.search(r"warned=0 overdue=1 closed=0", caplog.text)


@pytest.mark.django_db
def test_the_command_refuses_a_malformed_date_and_a_zero_interval(demo):
    with pytest.raises(CommandError):
        call_command("sweep_deadlines", "--once", "--today", "31/03/2025")
    with pytest.raises(CommandError):
        call_command("sweep_deadlines", "--interval", "0")


@pytest.mark.django_db
def test_the_command_loops_until_sigterm_and_then_stops_cleanly(demo, caplog):
    _petition, clock = _registered()
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    started = time.monotonic()
    timer.start()
    try:
        with caplog.at_level("INFO", logger="xinfang.sweep"):
            call_command("sweep_deadlines", "--interval", "60", "--today", clock.due_on.isoformat())
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGTERM) is before
    assert "stopped by signal" in caplog.text
    assert Reminder.objects.filter(clock=clock, kind=Reminder.Kind.APPROACHING).count() == 1


# --- several sweepers at once (PostgreSQL) ---------------------------------------------------------

PARALLEL_CLOCKS = 200


def _due_clocks(count: int) -> tuple[list[int], dt.date]:
    """``count`` running clocks already past due, spread over a few petitions."""
    petitions = [_registered(subject=f"并发测试事项 {i}", id_seed=20 + i)[0] for i in range(4)]
    first = petitions[0].clocks.get()
    Clock.objects.bulk_create(
        Clock(
            petition=petitions[i % len(petitions)],
            kind=Limit.NOTICE.value,
            unit=first.unit,
            started_on=first.started_on,
            due_on=first.due_on,
        )
        for i in range(count - len(petitions))
    )
    ids = list(Clock.objects.filter(status=ClockStatus.RUNNING).values_list("pk", flat=True))
    assert len(ids) == count
    return ids, first.due_on + dt.timedelta(days=1)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeper_processes_raise_exactly_one_overdue_reminder_per_clock(demo):
    ids, today = _due_clocks(PARALLEL_CLOCKS)
    lapsed = [_replied(subject=f"已答复事项 {i}", id_seed=60 + i) for i in range(3)]
    close_on = max(_window(p, Limit.REVIEW_REQUEST).due_on for p in lapsed) + dt.timedelta(days=1)
    today = max(today, close_on)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "manage.py",
        "sweep_deadlines",
        "--once",
        "--today",
        today.isoformat(),
        "--batch-size",
        "10",
    ]
    cwd = Path(django_settings.BASE_DIR)
    sweepers = [
        subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [sweeper.communicate(timeout=120) for sweeper in sweepers]
    assert [s.returncode for s in sweepers] == [0, 0], outputs
    counts = [_logged_counts(err) for _out, err in outputs]

    overdue = Reminder.objects.filter(kind=Reminder.Kind.OVERDUE)
    assert overdue.count() == PARALLEL_CLOCKS  # the lapsed windows raise none
    assert sorted(overdue.values_list("clock_id", flat=True)) == sorted(ids)
    assert sum(c["overdue"] for c in counts) == PARALLEL_CLOCKS
    assert sum(c["closed"] for c in counts) == len(lapsed)
    for petition in lapsed:
        petition.refresh_from_db()
        assert petition.state == State.CLOSED
        assert petition.events.filter(action="close").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeper_threads_released_together_split_the_clocks_without_duplicates(demo):
    ids, today = _due_clocks(PARALLEL_CLOCKS)
    barrier = threading.Barrier(2)
    results: list[SweepResult | BaseException] = [SweepResult(), SweepResult()]

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = sweep_once(today=today, batch_size=5)
        except BaseException as error:  # the assertion below shows it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(isinstance(r, SweepResult) for r in results), results
    assert sum(r.overdue for r in results if isinstance(r, SweepResult)) == PARALLEL_CLOCKS
    assert Reminder.objects.filter(kind=Reminder.Kind.OVERDUE).count() == PARALLEL_CLOCKS
    assert set(Reminder.objects.values_list("clock_id", flat=True)) == set(ids)


def _database_url(db: dict) -> str:
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _logged_counts(stderr: str) -> dict[str, int]:
    match = re.search(r"warned=(\d+) overdue=(\d+) closed=(\d+)", stderr)
    assert match, stderr
    return {"warned": int(match[1]), "overdue": int(match[2]), "closed": int(match[3])}


@pytest.mark.django_db
def test_a_settled_matter_rated_by_the_petitioner_is_closed_by_the_next_sweep(demo):
    from .factories import register

    county, handler = User.objects.get(username="county"), User.objects.get(username="handler")
    with time_machine.travel(
        dt.datetime(2025, 3, 3, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        p = register(by="county")
        services.petition_forward(
            petition_id=p.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
        )
        services.petition_accept(
            petition_id=p.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=dt.date(2025, 3, 3),
            route="start_handling",
        )
        services.petition_start_mediation(petition_id=p.pk, user=handler)
        services.petition_settle(petition_id=p.pk, user=handler, agreement="和解")
        services.petition_evaluate(petition_id=p.pk, user=county, rating=Rating.SATISFIED)
        assert sweep_once(today=dt.date(2025, 3, 3)).closed >= 1
    p.refresh_from_db()
    assert p.state == State.CLOSED
    last = p.events.order_by("sequence").last()
    assert last is not None and last.actor is None
