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
- Every indicator of a dirty grain unit is recomputed over its whole history and its rows replaced, in
  one transaction; readers see the old rows or the new ones, never a mix. The refreshes take a lock on
  the state row, so two of them never interleave.
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
from django.db.models import F
from django.utils import timezone

from xinfang.orgs.models import AREA_KINDS, Unit, UnitKind
from xinfang.petitions.models import Petition

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
    indicator: ind.Indicator, *, today: dt.date, grains: Grains, subjects: list[int] | None
) -> dict[Cell, int]:
    """The fact rows of one indicator, for every variant kept, for the given subject units (None: all)."""
    cells: dict[Cell, int] = defaultdict(int)
    seen_variants: set[str] = set()
    for options in fact_variants():
        variant = indicator.variant(options)
        if variant in seen_variants:
            continue
        seen_variants.add(variant)
        scope = ind.Scope(petitions=None, area=None, today=today, options=options)
        rows, prefix = indicator.fact_rows(scope)
        subject = f"{prefix}{indicator.subject_field}_id"
        keys: dict[str, Any] = {"subject": F(subject), "month": ind.month_key()}
        by_category = indicator.by_category and indicator.model is Petition
        if by_category:
            keys["category"] = ind.category_key(prefix)
        if subjects is not None:
            rows = rows.filter(**{f"{subject}__in": subjects})
        counts = ind.counts_on(rows, indicator.components(scope), keys)
        for values, components in counts.items():
            subject, month = values[0], values[1]
            if month is None:
                continue
            if isinstance(month, dt.datetime):
                month = month.date()
            grain, path = grains.of.get(subject, (subject, ""))
            category = _category(values[2] if by_category else None, by_category)
            for component, value in components.items():
                cells[(grain, path, month, indicator.code, variant, category, component)] += value
    return cells


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
    columns = "unit_id, unit_path, month, indicator, variant, category, component, value"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- refreshing ---------------------------------------------------------------------------------------


def _state_locked() -> FactState:
    FactState.objects.get_or_create(key="default")
    return FactState.objects.select_for_update().get(key="default")


def _dirty_subjects(state: FactState, today: dt.date, since: dt.datetime) -> tuple[set[int], dict[str, int]]:
    subjects: set[int] = set()
    reasons: dict[str, int] = {}
    for indicator in ind.registered():
        field = f"{indicator.subject_field}_id"
        changed = set(indicator.changed_since(since).values_list(field, flat=True))
        reasons[f"{indicator.code}:changed"] = len(changed)
        subjects |= changed
        if state.as_of is not None and today > state.as_of:
            moved = indicator.affected_by_time(state.as_of, today)
            if moved is not None:
                passed = set(moved.values_list(field, flat=True))
                reasons[f"{indicator.code}:time"] = len(passed)
                subjects |= passed
    subjects.discard(None)  # type: ignore[arg-type]
    return subjects, reasons


def _needs_full(state: FactState, today: dt.date) -> bool:
    wanted = sorted(options.one_time_days for options in fact_variants())
    return (
        state.as_of is None
        or state.watermark is None
        or today < state.as_of
        or sorted(state.variants or []) != wanted
    )


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
            written = sum(
                _write(indicator_cells(i, today=today, grains=grains, subjects=None))
                for i in ind.registered()
            )
            dirty_count = len({grain for grain, _path in grains.of.values()})
            state.built_at = clock
        else:
            assert state.watermark is not None
            subjects, reasons = _dirty_subjects(state, today, state.watermark - CHANGE_MARGIN)
            dirty = sorted({grains.of.get(s, (s, ""))[0] for s in subjects})
            written = 0
            for chunk in _chunks(dirty, GRAIN_CHUNK):
                members = grains.members(chunk)
                IndicatorFact.objects.filter(unit_id__in=chunk).delete()
                for indicator in ind.registered():
                    written += _write(
                        indicator_cells(indicator, today=today, grains=grains, subjects=members)
                    )
            dirty_count = len(dirty)
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
        full=rebuild, grains=dirty_count, rows=written, as_of=today, seconds=seconds, dirty_reasons=reasons
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
