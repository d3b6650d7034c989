"""Reading figures: from the fact table when it can answer exactly, else straight from the records.

Every page and export asks a ``Figures`` for its numbers; it decides per question whether the fast path
applies and gives the same answer either way:

- the fact table holds the reference day asked for (``facts.facts_hold``), the indicator's variant (N of
  one-time resolution) and the grouping (the dashboard's categories only for indicators kept by category);
- the population is an area at town level or above (the grain of the table), by place;
- the period is made of whole months (the table's grain in time);
- the viewer sees every row the table counts for the area, except accusations kept from them
  (``visible_petitions``): those few rows are counted straight from the records and subtracted, so the
  figure is the viewer's own. A viewer whose seat covers only part of the area (a department handler)
  is answered from the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import BaseExpression

from xinfang.accounts import scoping
from xinfang.orgs.models import AREA_KINDS, Unit
from xinfang.orgs.selectors import prefix_lookup
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import visible_petitions

from . import indicators as ind
from .facts import GRAIN_LEVEL, facts_state
from .models import IndicatorFact, fact_variants

GROUPINGS = ("month", "child", "category")
FACTS, RECORDS = "facts", "records"


def _accusations() -> Q:
    return Q(accused_unit__isnull=False) | Q(accused_user__isnull=False)


class Figures:
    """The figures of one scope (an area or organ, a reference day, switches, the viewer's rows)."""

    def __init__(self, scope: ind.Scope, *, user: Any = None, use_facts: bool = True) -> None:
        self.scope = scope
        self.user = user
        self.use_facts = use_facts
        self.sources: set[str] = set()

    # --- when the fast path applies ---

    @cached_property
    def _state(self) -> Any:
        return facts_state() if self.use_facts else None

    @cached_property
    def _kept_variants(self) -> dict[str, set[str]]:
        kept: dict[str, set[str]] = {}
        for options in fact_variants():
            for indicator in ind.registered():
                kept.setdefault(indicator.code, set()).add(indicator.variant(options))
        return kept

    @cached_property
    def _hidden(self) -> QuerySet[Petition] | bool | None:
        """The rows to subtract (None: nothing), or False when the viewer's rows cannot be derived."""
        if self.scope.petitions is None:
            return None
        user = self.user
        if user is None:
            return False
        if scoping.sees_everything(user):
            return None
        area = self.scope.area
        assert area is not None
        roots = scoping.jurisdiction_roots(user, scoping.AREA_WIDE_ROLES)
        if not any(area.path.startswith(root.path) for root in roots):
            return False
        visible = visible_petitions(user)
        hidden = Petition.objects.filter(_accusations()).exclude(Exists(visible.filter(pk=OuterRef("pk"))))
        # Most areas hold no accusation kept from the viewer: then there is nothing to subtract at all.
        near = prefix_lookup("place__path", area.path) | prefix_lookup("unit_links__unit_path", area.path)
        return hidden if hidden.filter(near).exists() else None

    def fast(self, code: str, period: ind.Period, by: str | None = None) -> bool:
        scope, state = self.scope, self._state
        area = scope.area
        if state is None or state.as_of != scope.today or scope.basis != ind.PLACE:
            return False
        if area is None or not area.is_area or area.level > GRAIN_LEVEL:
            return False
        if by == "child" and area.level >= GRAIN_LEVEL:
            return False
        indicator = ind.indicator(code)
        if by == "category" and not indicator.by_category:
            return False
        if not period.is_whole_months or self._hidden is False:
            return False
        return indicator.variant(scope.options) in self._kept_variants.get(code, set())

    # --- the two ways of counting ---

    def _fact_counts(
        self, indicator: ind.Indicator, period: ind.Period, by: str | None
    ) -> dict[Any, dict[str, int]]:
        area = self.scope.area
        assert area is not None
        qs = IndicatorFact.objects.filter(
            indicator=indicator.code,
            variant=indicator.variant(self.scope.options),
            month__gte=period.start,
            month__lt=period.end,
        )
        key: str | None = None
        paths: dict[int, str] = {}
        if by == "child":
            # A child above the grain is read from its rollup rows, a town from its own grain rows.
            kids = self._kids
            paths = {pk: path for pk, path, _level in kids}
            grain = [pk for pk, _path, level in kids if level >= GRAIN_LEVEL]
            above = [pk for pk, _path, level in kids if level < GRAIN_LEVEL]
            qs = qs.filter(Q(unit_id__in=grain, rollup=False) | Q(unit_id__in=above, rollup=True))
            key = "unit_id"
        else:
            qs = qs.filter(unit_id=area.pk, rollup=area.level < GRAIN_LEVEL)
            key = {"month": "month", "category": "category"}.get(by or "")
        fields = ["component"] + ([key] if key else [])
        result: dict[Any, dict[str, int]] = {}
        for row in qs.values(*fields).annotate(total=Sum("value")).order_by():
            value = row[key] if key else None
            if by == "category":
                value = None if value == -1 else value
            elif by == "child":
                value = paths[value]  # type: ignore[index]
            result.setdefault(value, {})[row["component"]] = row["total"]
        return result

    def _direct_key(self, indicator: ind.Indicator, by: str | None) -> dict[str, BaseExpression]:
        if by == "month":
            return {"key": ind.month_key()}
        if by == "category":
            return {"key": ind.category_key()}
        if by == "child":
            assert self.scope.area is not None
            return {"key": ind.child_area_key(self.scope.area, indicator)}
        return {}

    def _record_counts(
        self, indicator: ind.Indicator, scope: ind.Scope, period: ind.Period, by: str | None
    ) -> dict[Any, dict[str, int]]:
        counts = ind.component_counts(indicator, scope, period, self._direct_key(indicator, by))
        result: dict[Any, dict[str, int]] = {}
        for values, components in counts.items():
            key = values[0] if values else None
            if isinstance(key, dt.datetime):
                key = key.date()
            result[key] = components
        return result

    @cached_property
    def _kids(self) -> list[tuple[int, str, int]]:
        area = self.scope.area
        if area is None:
            return []
        kids = Unit.objects.filter(
            prefix_lookup("path", area.path), depth=area.depth + 1, kind__in=AREA_KINDS
        )
        return list(kids.values_list("pk", "path", "level"))

    @property
    def child_paths(self) -> set[str]:
        """The paths of the areas one level below the scope's area: the groups of ``by="child"``."""
        return {path for _pk, path, _level in self._kids}

    def counts(self, code: str, period: ind.Period, by: str | None = None) -> dict[Any, dict[str, int]]:
        """``{group: {component: count}}``; the group is None without ``by``.

        Grouped by child, only the child areas are groups: rows of the area itself or of its own organs
        (a county department) belong to no child.
        """
        counts = self._counts(code, period, by)
        if by == "child":
            return {key: value for key, value in counts.items() if key in self.child_paths}
        return counts

    def _counts(self, code: str, period: ind.Period, by: str | None) -> dict[Any, dict[str, int]]:
        indicator = ind.indicator(code)
        if not self.fast(code, period, by):
            self.sources.add(RECORDS)
            return self._record_counts(indicator, self.scope, period, by)
        self.sources.add(FACTS)
        counts = self._fact_counts(indicator, period, by)
        hidden = self._hidden
        # Rows that lead to no petition (conference decisions, walk-ins) are not kept from any viewer.
        if isinstance(hidden, QuerySet) and indicator.petition_path is not None:
            hidden_scope = ind.Scope(
                petitions=hidden, area=self.scope.area, today=self.scope.today, options=self.scope.options
            )
            for key, components in self._record_counts(indicator, hidden_scope, period, by).items():
                mine = counts.setdefault(key, {})
                for component, value in components.items():
                    mine[component] = mine.get(component, 0) - value
        return counts

    # --- what pages ask ---

    def figure(self, code: str, period: ind.Period) -> ind.Figure:
        indicator = ind.indicator(code)
        if not self.fast(code, period):
            self.sources.add(RECORDS)
            return ind.figure(indicator, self.scope, period)
        components = self.counts(code, period).get(None, {})
        num, den = indicator.combine(components, self.scope.options)
        return ind.Figure(indicator, num, den, pending=indicator.pending_count(components))

    def grouped(self, code: str, period: ind.Period, by: str) -> dict[Any, tuple[int, int | None]]:
        indicator = ind.indicator(code)
        result = {}
        for key, components in self.counts(code, period, by).items():
            num, den = indicator.combine(components, self.scope.options)
            if num or den:
                result[key] = (num, den)
        return result

    def counts_by(self, code: str, period: ind.Period, field: str) -> dict[Any, int]:
        """Numerator counts by a plain field the indicator breaks down (state, bypass level)."""
        indicator = ind.indicator(code)
        if field not in indicator.breakdowns or not self.fast(code, period):
            self.sources.add(RECORDS)
            return ind.counts_by(indicator, self.scope, period, field)
        prefix, values = indicator.breakdowns[field]
        components = self.counts(code, period).get(None, {})
        result = {}
        for value in values:
            n = components.get(f"{prefix}{'none' if value is None else value}", 0)
            if n:
                result[value] = n
        return result

    def trend(self, code: str, months: Iterable[ind.Period]) -> list[tuple[ind.Period, int, int | None]]:
        months = list(months)
        indicator = ind.indicator(code)
        by_month = self.grouped(code, ind.Period(months[0].start, months[-1].end), "month")
        return [
            (month, *_pair(ind.month_value(by_month, month.start), indicator.is_rate)) for month in months
        ]

    @property
    def source(self) -> str:
        """Where the figures read so far came from: facts, records, or both."""
        return "+".join(sorted(self.sources)) or RECORDS


def _pair(value: tuple[int, int | None], is_rate: bool) -> tuple[int, int | None]:
    num, den = value
    return num, den if is_rate else None
