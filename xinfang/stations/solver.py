"""The duty rota generator: who of each pool is on duty in each shift.

The problem is a balanced assignment, solved exactly as a minimum-cost maximum flow with networkx
(``max_flow_min_cost``: preflow-push for the flow value, network simplex for the cost). Why this and
not a general solver: OR-Tools CP-SAT (checked on PyPI, 9.15) would do it too, but it is a ~30 MB
native wheel pulling numpy, pandas and protobuf, and its results are repeatable only with one worker
and a deterministic time limit, after which it may stop short of the optimum. The flow model is exact,
pure Python, runs in well under a second for a quarter, and gives the same answer for the same input
because nothing in it is random (nodes are added in a fixed order).

Per pool (pools of one station have disjoint people, so they are independent):

    source -> shift           capacity = people the pool owes that shift
    shift -> (person, slot)   capacity 1, when the person is free then (on the list, not unavailable,
                              not on duty at that time at another station)
    (person, slot) -> person  one unit edge per extra shift in that slot (weekday + session), costs
                              1, 3, 5, ...: spreads a person over different weekdays and sessions
    person -> sink            one unit edge per extra shift, costs W, 3W, 5W, ...

The flow is maximal, so every shift gets min(need, people free) of the pool: a shortfall is a coverage
gap, reported and not an error. Costs are convex, so the cheapest maximal flow minimises the sum of
squared duty counts per person (W dominates the weekday spreading). At that optimum no shift can move
from a person with two or more shifts more than another to that other person while they are free for
it, which is the fairness rule: counts within one shift of each other, as far as availability allows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from .schedule import ShiftSlot

SOURCE = "source"
SINK = "sink"


@dataclass(frozen=True)
class Member:
    """A person on a pool's list from ``joined_on`` to ``left_on`` (inclusive; None: still on it)."""

    person: int
    joined_on: dt.date
    left_on: dt.date | None = None

    def listed_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


@dataclass(frozen=True)
class Pool:
    key: int
    need: int
    members: tuple[Member, ...]
    weekdays: frozenset[int] = frozenset()  # empty: every opening day

    def owes(self, shift: ShiftSlot) -> int:
        return self.need if not self.weekdays or shift.pattern_weekday in self.weekdays else 0


@dataclass(frozen=True)
class Busy:
    """A person on duty elsewhere (another station's current rota) from ``starts_at`` to ``ends_at``."""

    person: int
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Problem:
    shifts: tuple[ShiftSlot, ...]
    pools: tuple[Pool, ...]
    # person -> whole-day ranges (first, last) on which they cannot serve
    unavailable: Mapping[int, tuple[tuple[dt.date, dt.date], ...]] = field(default_factory=dict)
    busy: tuple[Busy, ...] = ()


@dataclass(frozen=True)
class Gap:
    shift: int
    pool: int
    needed: int
    filled: int


@dataclass
class Solution:
    # (shift index, pool key, person), sorted
    assignments: list[tuple[int, int, int]]
    gaps: list[Gap]

    def counts(self, pool: int) -> dict[int, int]:
        result: dict[int, int] = {}
        for _shift, key, person in self.assignments:
            if key == pool:
                result[person] = result.get(person, 0) + 1
        return result


def is_free(problem: Problem, person: int, shift: ShiftSlot) -> bool:
    """Not on leave that day and not on duty elsewhere at an overlapping time."""
    for first, last in problem.unavailable.get(person, ()):
        if first <= shift.date <= last:
            return False
    return not any(b.person == person and shift.overlaps(b.starts_at, b.ends_at) for b in problem.busy)


def candidates(problem: Problem, pool: Pool, shift: ShiftSlot) -> list[int]:
    """The pool's people who could take ``shift``, in a fixed order."""
    people = sorted({m.person for m in pool.members if m.listed_on(shift.date)})
    return [person for person in people if is_free(problem, person, shift)]


def check(problem: Problem) -> None:
    """Refuse inputs the model does not cover (the services refuse them earlier with a message)."""
    seen: dict[int, int] = {}
    for pool in problem.pools:
        for member in pool.members:
            if seen.setdefault(member.person, pool.key) != pool.key:
                raise ValueError(f"person {member.person} is in two pools of one station")
    ordered = sorted(problem.shifts, key=lambda s: s.starts_at)
    for a, b in itertools.pairwise(ordered):
        if b.starts_at < a.ends_at:
            raise ValueError("two shifts of one rota overlap")


def solve(problem: Problem) -> Solution:
    check(problem)
    assignments: list[tuple[int, int, int]] = []
    gaps: list[Gap] = []
    for pool in problem.pools:
        pool_assignments, pool_gaps = _solve_pool(problem, pool)
        assignments.extend(pool_assignments)
        gaps.extend(pool_gaps)
    assignments.sort()
    gaps.sort(key=lambda g: (g.shift, g.pool))
    return Solution(assignments=assignments, gaps=gaps)


def _solve_pool(problem: Problem, pool: Pool) -> tuple[list[tuple[int, int, int]], list[Gap]]:
    owed: list[tuple[ShiftSlot, int, list[int]]] = []
    for shift in sorted(problem.shifts, key=lambda s: s.index):
        need = pool.owes(shift)
        if need:
            owed.append((shift, need, candidates(problem, pool, shift)))
    if not owed:
        return [], []

    per_slot: dict[tuple[int, tuple[int, int]], int] = {}
    per_person: dict[int, int] = {}
    for shift, _need, people in owed:
        for person in people:
            slot_key = (person, (shift.pattern_weekday, shift.session))
            per_slot[slot_key] = per_slot.get(slot_key, 0) + 1
            per_person[person] = per_person.get(person, 0) + 1
    total_need = sum(need for _shift, need, _people in owed)
    spread_weight = total_need * total_need + 1  # W: larger than any total of the spreading costs

    graph = nx.DiGraph()
    for shift, need, people in owed:
        graph.add_edge(SOURCE, ("shift", shift.index), capacity=need, weight=0)
        for person in people:
            slot = (shift.pattern_weekday, shift.session)
            graph.add_edge(("shift", shift.index), ("slot", person, slot), capacity=1, weight=0)
    for (person, slot), count in per_slot.items():
        for k in range(1, count + 1):
            step = ("slot-step", person, slot, k)
            graph.add_edge(("slot", person, slot), step, capacity=1, weight=2 * k - 1)
            graph.add_edge(step, ("person", person), capacity=1, weight=0)
    for person, count in per_person.items():
        for k in range(1, count + 1):
            total_step = ("person-step", person, k)
            graph.add_edge(("person", person), total_step, capacity=1, weight=spread_weight * (2 * k - 1))
            graph.add_edge(total_step, SINK, capacity=1, weight=0)

    if not per_person:
        flow: dict = {}
    else:
        flow = nx.max_flow_min_cost(graph, SOURCE, SINK)
    assignments: list[tuple[int, int, int]] = []
    gaps: list[Gap] = []
    for shift, need, people in owed:
        taken = [
            person
            for person in people
            if flow.get(("shift", shift.index), {}).get(
                ("slot", person, (shift.pattern_weekday, shift.session)), 0
            )
        ]
        assignments.extend((shift.index, pool.key, person) for person in taken)
        if len(taken) < need:
            gaps.append(Gap(shift=shift.index, pool=pool.key, needed=need, filled=len(taken)))
    return assignments, gaps


def assignments_by_person(solution: Solution) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for shift, _pool, person in solution.assignments:
        result.setdefault(person, []).append(shift)
    return result
