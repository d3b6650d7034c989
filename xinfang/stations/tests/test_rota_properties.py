"""Properties of the rota generator over generated stations, pools, absences and duty elsewhere.

The checks below are written from the rules, not from the generator's code: who is free is recomputed
here, holidays come from chinese-calendar itself, fairness is checked as "no shift could move from a
person with two or more shifts more to a person of the same pool who was free for it".
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Any

import chinese_calendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.core.calendar import LegalCalendar
from xinfang.stations.schedule import Session, ShiftSlot, opening_shifts
from xinfang.stations.solver import Busy, Member, Pool, Problem, Solution, solve

MORNING = (dt.time(8, 30), dt.time(12, 0))
AFTERNOON = (dt.time(14, 30), dt.time(17, 30))
LIBRARY = LegalCalendar(overrides={})  # chinese-calendar alone, no database
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def periods(draw: Any) -> tuple[dt.date, dt.date]:
    start = draw(st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2026, 10, 31)))
    return start, start + dt.timedelta(days=draw(st.integers(min_value=6, max_value=34)))


@st.composite
def weekly_patterns(draw: Any) -> list[Session]:
    days = draw(st.lists(st.integers(0, 4), min_size=1, max_size=5, unique=True))
    sessions = []
    for day in days:
        for hours in draw(st.sampled_from([[MORNING], [AFTERNOON], [MORNING, AFTERNOON]])):
            sessions.append(Session(day, *hours))
    return sessions


def days_from(start: dt.date, first: dt.date, span: int) -> st.SearchStrategy[dt.date]:
    """Days of the period from ``first`` on."""
    return st.integers((first - start).days, span).map(lambda n: start + dt.timedelta(days=n))


@st.composite
def problems(draw: Any, *, constrained: bool = True, first_person: int = 1) -> Problem:
    start, end = draw(periods())
    shifts = opening_shifts(
        start=start,
        end=end,
        sessions=draw(weekly_patterns()),
        adjusted_as=draw(st.one_of(st.none(), st.integers(0, 4))),
        calendar=LIBRARY,
    )
    span = (end - start).days
    day = st.integers(0, span).map(lambda n: start + dt.timedelta(days=n))
    pools = []
    person = first_person
    for key in range(1, draw(st.integers(1, 3)) + 1):
        members = []
        for _ in range(draw(st.integers(1, 4))):
            joined, left = start, None
            if constrained and draw(st.booleans()):
                joined = draw(day)
                left = draw(st.one_of(st.none(), days_from(start, joined, span)))
            members.append(Member(person=person, joined_on=joined, left_on=left))
            person += 1
        weekdays = frozenset(draw(st.lists(st.integers(0, 4), max_size=3))) if constrained else frozenset()
        pools.append(Pool(key=key, need=draw(st.integers(1, 2)), members=tuple(members), weekdays=weekdays))
    people = list(range(first_person, person))
    unavailable: dict[int, tuple[tuple[dt.date, dt.date], ...]] = {}
    busy: list[Busy] = []
    if constrained:
        for who in draw(st.lists(st.sampled_from(people), max_size=3, unique=True)):
            first = draw(day)
            last = draw(days_from(start, first, span))
            unavailable[who] = ((first, last),)
        for who, shift in draw(
            st.lists(st.tuples(st.sampled_from(people), st.sampled_from(shifts)), max_size=4)
            if shifts
            else st.just([])
        ):
            # On duty at another station from half an hour into this shift, for an hour.
            begin = shift.starts_at + dt.timedelta(minutes=30)
            busy.append(Busy(person=who, starts_at=begin, ends_at=begin + dt.timedelta(hours=1)))
    return Problem(shifts=tuple(shifts), pools=tuple(pools), unavailable=unavailable, busy=tuple(busy))


def free(problem: Problem, pool: Pool, person: int, shift: ShiftSlot) -> bool:
    member = next(m for m in pool.members if m.person == person)
    if shift.date < member.joined_on or (member.left_on is not None and shift.date > member.left_on):
        return False
    if any(a <= shift.date <= b for a, b in problem.unavailable.get(person, ())):
        return False
    return not any(
        b.person == person and b.starts_at < shift.ends_at and shift.starts_at < b.ends_at
        for b in problem.busy
    )


def owed(pool: Pool, shift: ShiftSlot) -> int:
    return pool.need if not pool.weekdays or shift.pattern_weekday in pool.weekdays else 0


def on_duty(solution: Solution, pool: Pool) -> set[tuple[int, int]]:
    return {(shift, person) for shift, key, person in solution.assignments if key == pool.key}


@PROPERTY_SETTINGS
@given(problem=problems())
def test_no_one_is_on_duty_twice_at_once_nor_while_on_duty_elsewhere(problem: Problem) -> None:
    solution = solve(problem)
    shifts = {s.index: s for s in problem.shifts}
    seats = [(shift, person) for shift, _pool, person in solution.assignments]
    assert len(seats) == len(set(seats))
    by_person: dict[int, list[ShiftSlot]] = {}
    for shift, person in seats:
        by_person.setdefault(person, []).append(shifts[shift])
    for person, taken in by_person.items():
        taken.sort(key=lambda s: s.starts_at)
        for a, b in itertools.pairwise(taken):
            assert a.ends_at <= b.starts_at, (person, a, b)
        for other in (b for b in problem.busy if b.person == person):
            assert all(not s.overlaps(other.starts_at, other.ends_at) for s in taken), (person, other)


@PROPERTY_SETTINGS
@given(problem=problems())
def test_every_shift_is_covered_as_far_as_the_pool_has_free_people_and_shortfalls_are_reported(
    problem: Problem,
) -> None:
    solution = solve(problem)
    gaps = {(g.shift, g.pool): g for g in solution.gaps}
    for pool in problem.pools:
        seats = on_duty(solution, pool)
        for shift in problem.shifts:
            need = owed(pool, shift)
            available = [m.person for m in pool.members if free(problem, pool, m.person, shift)]
            taken = [person for index, person in seats if index == shift.index]
            assert all(person in available for person in taken)
            assert len(taken) == min(need, len(available)), (shift, pool.key)
            if len(taken) < need:
                assert gaps[(shift.index, pool.key)].filled == len(taken)
                assert gaps[(shift.index, pool.key)].needed == need
            else:
                assert (shift.index, pool.key) not in gaps


@PROPERTY_SETTINGS
@given(problem=problems())
def test_within_a_pool_no_shift_could_move_to_someone_with_two_fewer_who_was_free_for_it(
    problem: Problem,
) -> None:
    solution = solve(problem)
    for pool in problem.pools:
        seats = on_duty(solution, pool)
        counts = Counter(person for _shift, person in seats)
        for shift in problem.shifts:
            holders = [person for index, person in seats if index == shift.index]
            for holder in holders:
                for member in pool.members:
                    other = member.person
                    if other in holders or not free(problem, pool, other, shift):
                        continue
                    assert counts[holder] < counts[other] + 2, (pool.key, holder, other, dict(counts))


@PROPERTY_SETTINGS
@given(problem=problems(constrained=False))
def test_with_everyone_free_the_counts_of_a_pool_differ_by_at_most_one(problem: Problem) -> None:
    solution = solve(problem)
    for pool in problem.pools:
        counts = Counter(person for _shift, person in on_duty(solution, pool))
        values = [counts[m.person] for m in pool.members]
        assert max(values) - min(values) <= 1, values


@PROPERTY_SETTINGS
@given(problem=problems())
def test_the_same_input_gives_the_same_rota(problem: Problem) -> None:
    assert solve(problem).assignments == solve(problem).assignments


@PROPERTY_SETTINGS
@given(period=periods(), sessions=weekly_patterns(), adjusted_as=st.one_of(st.none(), st.integers(0, 4)))
def test_holidays_and_rest_days_are_never_scheduled_and_every_working_opening_day_is(
    period: tuple[dt.date, dt.date], sessions: Sequence[Session], adjusted_as: int | None
) -> None:
    start, end = period
    shifts = opening_shifts(
        start=start, end=end, sessions=sessions, adjusted_as=adjusted_as, calendar=LIBRARY
    )
    scheduled = Counter(s.date for s in shifts)
    per_weekday = Counter(s.weekday for s in sessions)
    day = start
    while day <= end:
        working = chinese_calendar.is_workday(day)
        if not working:
            assert scheduled[day] == 0, f"{day} is a rest day or holiday"
        elif day.weekday() < 5:
            assert scheduled[day] == per_weekday[day.weekday()], day
        day += dt.timedelta(days=1)


@PROPERTY_SETTINGS
@given(
    year=st.integers(2021, 2026),
    sessions=weekly_patterns(),
    adjusted_as=st.one_of(st.none(), st.integers(0, 4)),
)
def test_an_adjusted_working_weekend_day_opens_with_the_hours_of_the_weekday_it_follows(
    year: int, sessions: Sequence[Session], adjusted_as: int | None
) -> None:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    shifts = opening_shifts(
        start=start, end=end, sessions=sessions, adjusted_as=adjusted_as, calendar=LIBRARY
    )
    adjusted_days = [
        d
        for d in (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
        if d.weekday() >= 5 and chinese_calendar.is_workday(d)
    ]
    assert adjusted_days, "every year has make-up working weekends"
    expected = sorted((s.starts, s.ends) for s in sessions if s.weekday == adjusted_as)
    for day in adjusted_days:
        hours = sorted(
            (s.starts_at.timetz().replace(tzinfo=None), s.ends_at.timetz().replace(tzinfo=None))
            for s in shifts
            if s.date == day
        )
        assert hours == expected, (day, adjusted_as)
        assert all(s.adjusted and s.pattern_weekday == adjusted_as for s in shifts if s.date == day)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_person_shared_by_two_stations_is_never_booked_by_both_at_once(data: Any) -> None:
    first = data.draw(problems(constrained=False))
    second = data.draw(problems(constrained=False, first_person=100))
    shared = sorted({m.person for p in first.pools for m in p.members})
    # The second station's first pool lists the first station's people too, with other hours.
    pools = list(second.pools)
    moved = tuple(m for m in pools[0].members if m.person not in shared)
    pools[0] = Pool(
        key=pools[0].key,
        need=pools[0].need,
        members=moved + tuple(Member(person=p, joined_on=dt.date(2000, 1, 1)) for p in shared),
    )
    shifts = tuple(
        ShiftSlot(
            index=s.index,
            date=s.date,
            starts_at=s.starts_at + dt.timedelta(hours=1),  # 9:30-13:00 overlaps 8:30-12:00
            ends_at=s.ends_at + dt.timedelta(hours=1),
            pattern_weekday=s.pattern_weekday,
            session=s.session,
            adjusted=s.adjusted,
        )
        for s in first.shifts
    )
    booked = solve(first)
    at_first = {s.index: s for s in first.shifts}
    busy = tuple(
        Busy(person=person, starts_at=at_first[index].starts_at, ends_at=at_first[index].ends_at)
        for index, _pool, person in booked.assignments
    )
    second_problem = Problem(shifts=shifts, pools=tuple(pools), busy=busy)
    second_solution = solve(second_problem)
    at_second = {s.index: s for s in shifts}
    for index, _pool, person in second_solution.assignments:
        for other in (b for b in busy if b.person == person):
            assert not at_second[index].overlaps(other.starts_at, other.ends_at)
