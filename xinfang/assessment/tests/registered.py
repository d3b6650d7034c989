"""Checks shared by the tests of indicators other apps register (conferences, stations, mediation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from django.utils import timezone, translation

from xinfang.assessment import indicators as ind
from xinfang.assessment.facts import facts_refresh
from xinfang.assessment.figures import FACTS, Figures
from xinfang.assessment.models import ItemRule
from xinfang.assessment.services import ItemData, items_errors
from xinfang.orgs.models import Unit
from xinfang.web.assessment.forms import ItemForm


def refresh_on(day: dt.date, *, full: bool = False) -> None:
    """Refresh the fact table late on ``day`` (the changes of that day are in)."""
    moment = dt.datetime.combine(day, dt.time(23), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        facts_refresh(today=day, full=full)


def fast_and_records(
    code: str, area: Unit, today: dt.date, period: ind.Period
) -> tuple[ind.Figure, ind.Figure]:
    """The figure read from the fact table and the one counted straight from the records."""
    scope = ind.Scope(petitions=None, area=area, today=today)
    figures = Figures(scope)
    assert figures.fast(code, period), (code, area.code, period)
    fast = figures.figure(code, period)
    assert figures.source == FACTS
    return fast, ind.figure(ind.indicator(code), scope, period)


def assert_fast_equals_records(code: str, area: Unit, today: dt.date, period: ind.Period) -> ind.Figure:
    fast, records = fast_and_records(code, area, today, period)
    assert (fast.numerator, fast.denominator, fast.pending) == (
        records.numerator,
        records.denominator,
        records.pending,
    ), code
    return records


def assert_selectable_in_a_scheme(code: str) -> None:
    """Offered in the scheme form, accepted as an item scored against a target, named in Chinese."""
    indicator = ind.indicator(code)
    assert indicator.scorable and indicator.is_rate
    assert code in dict(ItemForm().fields["indicator"].choices)  # type: ignore[attr-defined]
    item = ItemData(code, Decimal(20), ItemRule.TARGET, Decimal(90), Decimal(50))
    assert items_errors([item]) == []
    with translation.override("zh-hans"):
        chinese = str(indicator.label), str(indicator.formula)
    with translation.override("en"):
        english = str(indicator.label), str(indicator.formula)
    assert chinese[0] != english[0] and chinese[1] != english[1]
