"""The fast path of the indicators: a monthly fact table per grain unit, kept up to date incrementally.

**What is stored.** For every indicator, every month and every *grain unit*, the counts of the
indicator's components (``Indicator.components``), split by top-level category for the indicators the
dashboard breaks down by category. The grain of a row is the town or street of its subject (the place
of the problem, the supervised unit...), or the subject's own area when it lies higher. An area's figure
at town level or above is the sum of the rows under it: one indexed prefix scan of ``unit_path``
("subtree sums through the unit path"). Below the grain (villages) the population is small and the
figures are read straight from the records.

**How it is computed.** With the very QuerySets of the indicators (``indicators.component_counts``),
grouped by subject, month and category: the fast path cannot drift from the definitions, and the tests
check both give the same figures (``tests/test_facts.py``).

**How it stays current** (``facts_refresh``, run by ``manage.py refresh_assessment`` after the sweeper,
every few minutes or at least daily; no signals, no change to the petitions app):

- *Changed records*: every service saves the petition it changes in the same transaction, so
  ``Petition.updated_at`` is a change log. A refresh reads the rows each indicator reports changed since
  the previous refresh started (``Indicator.changed_since``) minus a margin (a transaction that committed
  late is read again: a recomputation is idempotent). Their grain units are *dirty*.
- *Time passing*: a figure depends on the reference day (a running clock becomes overdue the day after its
  due date; a one-time-resolution window passes). When the day moves on, each indicator names the rows
  whose counting changed (``Indicator.affected_by_time``); their grain units are dirty too.
- A changed petition makes dirty the (grain unit, month) cells it may count in, before the change or
  after: the month it was received, every month its clocks span, the month it was closed
  (``petition_cells``); another indicator's changed rows make dirty the cells they are dated in.
- Every indicator of the dirty cells is recomputed and their rows replaced, in one transaction; readers
  see the old rows or the new ones, never a mix. The refreshes take a lock on the state row, so two of
  them never interleave.
- A full rebuild runs when there is no state yet, when the reference day went backwards, when the
  localities' N of one-time resolution changed, or on demand (``--full``); the tree of units changing
  (an import) also needs one.

A reader uses the facts only when they hold the reference day it asks for (``FactState.as_of``); between
two refreshes the figures are those of the last refresh, while the drill-down lists are always live.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from xinfang.orgs.models import AREA_KINDS, Unit, UnitKind
from xinfang.petitions.models import Clock, Petition

from . import indicators as ind
from .models import FactState, IndicatorFact, fact_variants

logger = logging.getLogger("xinfang.assessment.facts")

# The deepest level kept in the fact table: towns and streets (乡镇、街道).
GRAIN_LEVEL = 4
# Changes are read again from this long before the previous refresh began (late commits).
CHANGE_MARGIN = dt.timedelta(minutes=10)
# Grain units recomputed per query in an incremental refresh.
GRAIN_CHUNK = 200
WRITE_BATCH = 5000

Cell = tuple[
    int, str, dt.date, str, str, int, str
]  # unit id, path, month, indicator, variant, category, comp


@dataclass
class RefreshResult:
    full: bool
    grains: int
    rows: int
    as_of: dt.date
    seconds: float = 0.0
    dirty_reasons: dict[str, int] = field(default_factory=dict)
    cells: int = 0  # (grain unit, month) cells recomputed by an incremental refresh


# --- grains ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grains:
    """Which grain unit every unit's rows belong to."""

    of: dict[int, tuple[int, str]]

    @classmethod
    def load(cls) -> Grains:
        units = list(Unit.objects.values_list("pk", "path", "kind", "level"))
        keep = {path: pk for pk, path, kind, level in units if kind in AREA_KINDS and level <= GRAIN_LEVEL}
        of: dict[int, tuple[int, str]] = {}
        step = Unit.steplen
        for pk, path, _kind, _level in units:
            grain = None
            for end in range(len(path), 0, -step):
                prefix = path[:end]
                if prefix in keep:
                    grain = (keep[prefix], prefix)
                    break
            of[pk] = grain or (pk, path)
        return cls(of)

    def members(self, grain_ids: Iterable[int]) -> list[int]:
        """Every unit whose rows belong to one of the grains."""
        wanted = set(grain_ids)
        return [pk for pk, (grain, _path) in self.of.items() if grain in wanted]


# --- computing cells ----------------------------------------------------------------------------------


def _category(value: object, by_category: bool) -> int:
    if not by_category:
        return 0
    return -1 if value is None else int(value)  # type: ignore[call-overload]


def indicator_cells(
    indicator: ind.Indicator,
    *,
    today: dt.date,
    grains: Grains,
    subjects: list[int] | None = None,
    months: list[dt.date] | None = None,
) -> dict[Cell, int]:
    """The fact rows of one indicator, for every variant kept: for the given subject units (None: all)
    and the given months (None: all)."""
    cells: dict[Cell, int] = defaultdict(int)
    seen_variants: set[str] = set()
    for options in fact_variants():
        variant = indicator.variant(options)
        if variant in seen_variants:
            continue
        seen_variants.add(variant)
        scope = ind.Scope(petitions=None, area=None, today=today, options=options)
        # Over everything, the cheaper equivalent rows; over a few units, the figures' own rows, which the
        # units' index serves (the two agree: tests/test_facts.py compares a refresh with a rebuild).
        rows, prefix = indicator.fact_rows(scope) if subjects is None else (indicator.dated(scope), "")
        subject = f"{prefix}{indicator.subject_field}_id"
        keys: dict[str, Any] = {"subject": F(subject), "month": ind.month_key()}
        by_category = indicator.by_category and indicator.model is Petition
        if by_category:
            keys["category"] = ind.category_key(prefix)
        if subjects is not None:
            rows = rows.filter(**{f"{subject}__in": subjects})
        if months is not None:
            rows = rows.filter(_months_q(months))
        # A breakdown (by state, by level) is kept for all categories together: it is never shown by category.
        folded = {
            f"{head}{'none' if v is None else v}"
            for head, values in indicator.breakdowns.values()
            for v in values
        }
        counts = ind.counts_on(rows, indicator.components(scope), keys)
        for values, components in counts.items():
            subject_id, month = values[0], values[1]
            if month is None:
                continue
            if isinstance(month, dt.datetime):
                month = month.date()
            grain, path = grains.of.get(subject_id, (subject_id, ""))
            category = _category(values[2] if by_category else None, by_category)
            for component, value in components.items():
                where = 0 if component in folded else category
                cells[(grain, path, month, indicator.code, variant, where, component)] += value
    return cells


def _months_q(months: list[dt.date]) -> Q:
    condition = Q(pk__in=[])
    for first in months:
        condition |= Q(ind_when__gte=first) & Q(ind_when__lt=ind.next_month(first))
    return condition


def _write(cells: dict[Cell, int]) -> int:
    rows = [(*key, value) for key, value in cells.items() if value]
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        _copy(rows)
    else:
        objects = (
            IndicatorFact(
                unit_id=unit,
                unit_path=path,
                rollup=False,
                month=month,
                indicator=code,
                variant=variant,
                category=category,
                component=component,
                value=value,
            )
            for unit, path, month, code, variant, category, component, value in rows
        )
        IndicatorFact.objects.bulk_create(objects, batch_size=WRITE_BATCH)
    return len(rows)


def _copy(rows: Sequence[tuple[object, ...]]) -> None:
    """PostgreSQL's COPY: the province-sized rebuild writes millions of rows."""
    table = IndicatorFact._meta.db_table
    columns = "unit_id, unit_path, month, indicator, variant, category, component, value, rollup"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, False))


# --- rollups: the subtree sums of the areas above the grain ---------------------------------------------

ROLLUP_SQL = """
INSERT INTO assessment_indicatorfact
    (unit_id, unit_path, rollup, month, indicator, variant, category, component, value)
SELECT a.id, a.path, %s, f.month, f.indicator, f.variant, f.category, f.component, SUM(f.value)
FROM assessment_indicatorfact f
JOIN orgs_unit a ON a.path = SUBSTR(f.unit_path, 1, %s)
WHERE f.rollup = %s AND a.id IN ({ids}){month}
GROUP BY a.id, a.path, f.month, f.indicator, f.variant, f.category, f.component
"""


def rollup_areas() -> dict[int, tuple[str, int]]:
    """The areas above the grain (province, city, county): id -> (path, depth)."""
    rows = Unit.objects.filter(kind__in=AREA_KINDS, level__lt=GRAIN_LEVEL).values_list("pk", "path", "depth")
    return {pk: (path, depth) for pk, path, depth in rows}


def _rollup(areas: dict[int, tuple[str, int]], ids: Iterable[int], month: dt.date | None = None) -> None:
    """(Re)build the rollup rows of the given areas, for one month or all, from the grain rows."""
    by_depth: dict[int, list[int]] = defaultdict(list)
    for pk in ids:
        by_depth[areas[pk][1]].append(pk)
    with connection.cursor() as cursor:
        for depth, chunk_ids in by_depth.items():
            for chunk in _chunks(sorted(chunk_ids), 500):
                placeholders = ", ".join(["%s"] * len(chunk))
                sql = ROLLUP_SQL.format(ids=placeholders, month=" AND f.month = %s" if month else "")
                params: list[Any] = [True, depth * Unit.steplen, False, *chunk]
                if month:
                    params.append(month)
                cursor.execute(sql, params)


def rollups_of(grain_paths: Iterable[str], areas: dict[int, tuple[str, int]]) -> set[int]:
    """The rollup areas grain units count towards: their ancestors above the grain, or themselves."""
    by_path = {path: pk for pk, (path, _depth) in areas.items()}
    found = set()
    for path in grain_paths:
        for end in range(Unit.steplen, len(path) + 1, Unit.steplen):
            pk = by_path.get(path[:end])
            if pk is not None:
                found.add(pk)
    return found


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- refreshing ---------------------------------------------------------------------------------------


def _state_locked() -> FactState:
    FactState.objects.get_or_create(key="default")
    return FactState.objects.select_for_update().get(key="default")


def _months_between(first: dt.date, last: dt.date) -> set[dt.date]:
    months, month = set(), first.replace(day=1)
    while month <= last:
        months.add(month)
        month = ind.next_month(month)
    return months


def petition_cells(petition_ids: set[int], grains: Grains) -> set[tuple[int, dt.date]]:
    """The (grain, month) cells a petition may count in, before its change or after.

    A petition is dated by the day it was received, the dates of its clocks (due, ended early, extended:
    every month from a clock's start to its due date or stop covers the date it had before) and the day
    it was closed; none of these moves outside that span.
    """
    cells: set[tuple[int, dt.date]] = set()
    ids = sorted(petition_ids)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        places = {}
        for pk, place_id, received_at, closed_at in Petition.objects.filter(pk__in=chunk).values_list(
            "pk", "place_id", "received_at", "closed_at"
        ):
            grain = grains.of.get(place_id, (place_id, ""))[0]
            places[pk] = grain
            cells.add((grain, timezone.localdate(received_at).replace(day=1)))
            if closed_at is not None:
                cells.add((grain, timezone.localdate(closed_at).replace(day=1)))
        for petition_id, started, due, stopped in Clock.objects.filter(petition_id__in=chunk).values_list(
            "petition_id", "started_on", "due_on", "stopped_at"
        ):
            last = max(due, timezone.localdate(stopped)) if stopped else due
            for month in _months_between(started, last):
                cells.add((places[petition_id], month))
    return cells


def _own_cells(
    indicator: ind.Indicator, changed: Any, today: dt.date, grains: Grains
) -> set[tuple[int, dt.date]]:
    """Cells of the rows of an indicator that counts something else than petitions (dated once for all)."""
    scope = ind.Scope(petitions=None, area=None, today=today)
    field = f"{indicator.subject_field}_id"
    rows = indicator.dated(scope).filter(pk__in=changed.values("pk")).annotate(ind_month=ind.month_key())
    cells = set()
    for subject_id, month in rows.values_list(field, "ind_month"):
        if month is not None:
            month = month.date() if isinstance(month, dt.datetime) else month
            cells.add((grains.of.get(subject_id, (subject_id, ""))[0], month))
    return cells


def _dirty_cells(
    state: FactState, today: dt.date, since: dt.datetime, grains: Grains
) -> tuple[set[tuple[int, dt.date]], dict[str, int]]:
    petitions: set[int] = set()
    cells: set[tuple[int, dt.date]] = set()
    reasons: dict[str, int] = {}
    moved = state.as_of is not None and today > state.as_of
    for indicator in ind.registered():
        sources: list[tuple[str, Any]] = [("changed", indicator.changed_since(since))]
        if moved:
            assert state.as_of is not None
            sources.append(("time", indicator.affected_by_time(state.as_of, today)))
        for reason, rows in sources:
            if rows is None:
                continue
            if rows.model is Petition:
                found = set(rows.values_list("pk", flat=True))
                petitions |= found
            else:
                found = _own_cells(indicator, rows, today, grains)
                cells |= found
            reasons[f"{indicator.code}:{reason}"] = len(found)
    cells |= petition_cells(petitions, grains)
    return cells, reasons


def _needs_full(state: FactState, today: dt.date) -> bool:
    wanted = sorted(options.one_time_days for options in fact_variants())
    return (
        state.as_of is None
        or state.watermark is None
        or today < state.as_of
        or sorted(state.variants or []) != wanted
    )


def _recompute(cells: set[tuple[int, dt.date]], *, today: dt.date, grains: Grains) -> int:
    """Replace the rows of the dirty (grain, month) cells, then the rollups of the areas above them.

    Grains with the same dirty months are recomputed together: one query per indicator reads all their
    months at once (the rows of a unit are read once, not once per month), and exactly their cells are
    replaced."""
    months_of: dict[int, set[dt.date]] = defaultdict(set)
    for grain, month in cells:
        months_of[grain].add(month)
    groups: dict[tuple[dt.date, ...], list[int]] = defaultdict(list)
    for grain, dirty_months in months_of.items():
        groups[tuple(sorted(dirty_months))].append(grain)
    areas = rollup_areas()
    paths = {grain: path for grain, path in grains.of.values()}
    written = 0
    for months, dirty in sorted(groups.items()):
        for chunk in _chunks(sorted(dirty), GRAIN_CHUNK):
            IndicatorFact.objects.filter(unit_id__in=chunk, month__in=months, rollup=False).delete()
            members = grains.members(chunk)
            for indicator in ind.registered():
                found = indicator_cells(
                    indicator, today=today, grains=grains, subjects=members, months=list(months)
                )
                written += _write(found)
    by_month: dict[dt.date, set[int]] = defaultdict(set)
    for grain, month in cells:
        by_month[month].add(grain)
    for month, dirty_grains in sorted(by_month.items()):
        above = rollups_of([paths.get(grain, "") for grain in dirty_grains], areas)
        IndicatorFact.objects.filter(unit_id__in=above, month=month, rollup=True).delete()
        _rollup(areas, above, month)
    return written


def facts_refresh(*, today: dt.date | None = None, full: bool = False) -> RefreshResult:
    """Bring the fact table to ``today``: the dirty grain units only, or everything when needed."""
    today = today or timezone.localdate()
    clock = timezone.now()
    started = dt.datetime.now()
    with transaction.atomic():
        state = _state_locked()
        grains = Grains.load()
        rebuild = full or _needs_full(state, today)
        reasons: dict[str, int] = {}
        if rebuild:
            IndicatorFact.objects.all().delete()
            written = 0
            for indicator in ind.registered():
                began = dt.datetime.now()
                rows = _write(indicator_cells(indicator, today=today, grains=grains))
                spent = (dt.datetime.now() - began).total_seconds()
                logger.info("facts of %s: %d rows in %.1f s", indicator.code, rows, spent)
                written += rows
            areas = rollup_areas()
            _rollup(areas, areas)
            dirty_count = len({grain for grain, _path in grains.of.values()})
            cell_count = 0
            state.built_at = clock
        else:
            assert state.watermark is not None
            cells, reasons = _dirty_cells(state, today, state.watermark - CHANGE_MARGIN, grains)
            written = _recompute(cells, today=today, grains=grains)
            dirty_count = len({grain for grain, _month in cells})
            cell_count = len(cells)
        state.as_of = today
        state.watermark = clock
        state.refreshed_at = timezone.now()
        state.variants = sorted(options.one_time_days for options in fact_variants())
        state.last_grains = dirty_count
        state.save()
    seconds = (dt.datetime.now() - started).total_seconds()
    logger.info(
        "assessment facts %s as_of=%s grains=%d rows=%d seconds=%.2f",
        "rebuilt" if rebuild else "refreshed",
        today.isoformat(),
        dirty_count,
        written,
        seconds,
    )
    return RefreshResult(
        full=rebuild,
        grains=dirty_count,
        rows=written,
        as_of=today,
        seconds=seconds,
        dirty_reasons=reasons,
        cells=cell_count,
    )


def facts_state() -> FactState | None:
    return FactState.objects.filter(key="default").first()


def facts_hold(today: dt.date) -> bool:
    """True when the fact table holds the figures of ``today``."""
    state = facts_state()
    return state is not None and state.as_of == today


def grain_level_units() -> Iterable[str]:
    """The kinds of area the fact table keeps rows for (for the printed definitions)."""
    return [kind for kind in AREA_KINDS if kind != UnitKind.VILLAGE and kind != UnitKind.GROUP]
