"""How a scheme turns indicator figures into scores (考核计分). Pure functions: no database writes.

An item scores points out of its weight:

- **Rate against a target** (达标得分): full points when the rate reaches the target, none when it is at or
  beyond the floor on the wrong side, linear in between. For a rate where lower is better (repeat rate)
  the floor lies above the target. A rate with nothing to measure (no deadline fell due, nobody rated)
  is *not scored*: the other rate items are scaled up to the full weight, so a unit is neither rewarded
  nor punished for having no matters (volume is not a score).
- **Deduct / award per measure** (扣分/加分): ``per_count`` points per measure counted (e.g. each
  挂牌督办 against the unit), at most the item's weight.

The petition score is the sum, kept between 0 and the rate items' weight, as a share of 100; what petition
work brings into the whole assessment is that share of the scheme's petition points (e.g. 18 of 100).
A unit with no rate item to measure has no score and no rank.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from . import indicators as ind
from .models import AssessmentScheme, ItemRule, SchemeItem

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A decimal as people write it: 20, 18.5 (no trailing zeros, no exponent)."""
    return f"{value.normalize():f}" if value != value.to_integral() else f"{value.to_integral():f}"


@dataclass
class ItemResult:
    code: str
    label: str
    rule: str
    weight: str
    target: str | None
    floor: str | None
    per_count: str | None
    numerator: int
    denominator: int | None
    rate: str | None  # percent with one decimal, as shown
    points: str | None  # None: not scored (nothing to measure)
    note: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _percent(num: int, den: int | None) -> Decimal | None:
    if den is None or den == 0:
        return None
    return Decimal(num) * HUNDRED / Decimal(den)


def item_points(item: SchemeItem, num: int, den: int | None) -> tuple[Decimal | None, str]:
    """The points of one item and a short note saying how they came about."""
    weight = item.weight
    if item.rule in (ItemRule.DEDUCT, ItemRule.AWARD):
        amount = min(weight, (item.per_count or Decimal(0)) * num)
        points = q2(-amount if item.rule == ItemRule.DEDUCT and amount else amount)
        return points, _("%(n)d × %(per)s, at most %(weight)s") % {
            "n": num,
            "per": plain(item.per_count or Decimal(0)),
            "weight": plain(weight),
        }
    rate = _percent(num, den)
    if rate is None:
        return None, _("Nothing to measure in the period: not scored.")
    target = item.target if item.target is not None else HUNDRED
    higher = ind.indicator(item.indicator).higher_is_better
    floor = item.floor if item.floor is not None else (Decimal(0) if higher else HUNDRED)
    if higher:
        share = (
            Decimal(1)
            if rate >= target
            else Decimal(0)
            if rate <= floor
            else (rate - floor) / (target - floor)
        )
    else:
        share = (
            Decimal(1)
            if rate <= target
            else Decimal(0)
            if rate >= floor
            else (floor - rate) / (floor - target)
        )
    return q2(weight * share), _("%(rate)s%% against a target of %(target)s%%") % {
        "rate": f"{rate:.1f}",
        "target": plain(target),
    }


@dataclass
class SubjectResult:
    items: list[ItemResult]
    petition_score: Decimal | None
    weighted: Decimal | None


def score_subject(
    scheme: AssessmentScheme, items: list[SchemeItem], figures: dict[str, tuple[int, int | None]]
) -> SubjectResult:
    results: list[ItemResult] = []
    rate_weight = Decimal(0)
    measured_weight = Decimal(0)
    measured = Decimal(0)
    adjustments = Decimal(0)
    for item in items:
        indicator = ind.indicator(item.indicator)
        num, den = figures.get(item.indicator, (0, 0 if indicator.is_rate else None))
        points, note = item_points(item, num, den)
        rate = _percent(num, den)
        results.append(
            ItemResult(
                code=item.indicator,
                label=str(indicator.label),
                rule=item.rule,
                weight=str(item.weight),
                target=None if item.target is None else str(item.target),
                floor=None if item.floor is None else str(item.floor),
                per_count=None if item.per_count is None else str(item.per_count),
                numerator=num,
                denominator=den,
                rate=None if rate is None else f"{rate:.1f}",
                points=None if points is None else str(points),
                note=str(note),
            )
        )
        if item.rule == ItemRule.TARGET:
            rate_weight += item.weight
            if points is not None:
                measured_weight += item.weight
                measured += points
        elif points is not None:
            adjustments += points
    if rate_weight == 0 or measured_weight == 0:
        return SubjectResult(results, None, None)
    total = measured * rate_weight / measured_weight + adjustments
    total = max(Decimal(0), min(rate_weight, total))
    score = q2(total * HUNDRED / rate_weight)
    return SubjectResult(results, score, q2(score * scheme.petition_points / HUNDRED))


def ranks(scores: list[Decimal | None]) -> list[int | None]:
    """Competition ranking (1, 2, 2, 4): higher scores first; no score, no rank."""
    ordered = sorted((s for s in scores if s is not None), reverse=True)
    first: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return [None if s is None else first[s] for s in scores]


def listing(scheme: AssessmentScheme, score: Decimal | None) -> str:
    """红榜 / 黑榜 of units by the scheme's thresholds ("" for neither)."""
    if score is None:
        return ""
    if scheme.red_list_min is not None and score >= scheme.red_list_min:
        return "red"
    if scheme.black_list_below is not None and score < scheme.black_list_below:
        return "black"
    return ""
