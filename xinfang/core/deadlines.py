"""Statutory time limits of the 信访工作条例 (2022) and the per-locality policy that adjusts them.

Every clock of the lifecycle is computed here: ``due_date(Limit.NOTICE, start=received_on, unit=unit)``.
The national defaults follow domain.md §3.2 (日 = calendar days, 工作日 = working days, trigger day not
counted, a calendar-day deadline on a rest day moves to the next working day). A ``ClockPolicy`` on a
unit (usually a province or city) overrides single limits for its subtree; the nearest one wins per limit.

Statutory limits may be shortened or counted differently by a locality, never lengthened beyond the
number of days the law gives. Due dates are computed once and stored by the caller; a later policy or
holiday change does not move a deadline already set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import ancestors

from .calendar import LegalCalendar, add_calendar_days
from .errors import DomainError
from .models import ClockPolicyRule, CountMode, Limit

__all__ = [
    "LIMIT_SPECS",
    "ClockRule",
    "CountMode",
    "EffectivePolicy",
    "Limit",
    "LimitSpec",
    "due_date",
    "due_datetime",
    "policy_for",
    "rule_errors",
    "validate_extension",
]


@dataclass(frozen=True)
class LimitSpec:
    """The national default of one limit. ``statutory`` marks a length fixed by law (a ceiling)."""

    length: int
    count_mode: CountMode
    statutory: bool
    roll_forward: bool = True
    article: str = ""


LIMIT_SPECS: dict[Limit, LimitSpec] = {
    # Art. 22: the petition department forwards or assigns within 15 days of registration.
    Limit.FORWARD: LimitSpec(15, CountMode.CALENDAR_DAYS, statutory=True, article="22"),
    # Art. 23: written notice of acceptance within 15 days of receipt.
    Limit.NOTICE: LimitSpec(15, CountMode.CALENDAR_DAYS, statutory=True, article="23"),
    # Art. 23 ¶3: objection to competence within 5 working days of receipt.
    Limit.OBJECTION: LimitSpec(5, CountMode.WORKING_DAYS, statutory=True, article="23"),
    # Art. 22: 交办 carries a feedback deadline; the length is local practice (design choice).
    Limit.ASSIGNMENT_FEEDBACK: LimitSpec(15, CountMode.CALENDAR_DAYS, statutory=False, article="22"),
    # Art. 34: 申诉求决 item (6) within 60 days of acceptance.
    Limit.HANDLING: LimitSpec(60, CountMode.CALENDAR_DAYS, statutory=True, article="34"),
    # Art. 31(5): no limit in the law; 60 days is a design choice.
    Limit.DUTY_PERFORMANCE: LimitSpec(60, CountMode.CALENDAR_DAYS, statutory=False, article="31"),
    # Art. 29: no limit in the law; configurable.
    Limit.SUGGESTION_STUDY: LimitSpec(60, CountMode.CALENDAR_DAYS, statutory=False, article="29"),
    # Art. 34: one extension of at most 30 days.
    Limit.EXTENSION_MAX: LimitSpec(30, CountMode.CALENDAR_DAYS, statutory=True, article="34"),
    # Art. 35: review requested within 30 days of receiving the written reply; decided within 30 days.
    Limit.REVIEW_REQUEST: LimitSpec(30, CountMode.CALENDAR_DAYS, statutory=True, article="35"),
    Limit.REVIEW_DECISION: LimitSpec(30, CountMode.CALENDAR_DAYS, statutory=True, article="35"),
    # Art. 36: re-review requested within 30 days of the review opinion; decided within 30 days,
    # hearing days not counted.
    Limit.RE_REVIEW_REQUEST: LimitSpec(30, CountMode.CALENDAR_DAYS, statutory=True, article="36"),
    Limit.RE_REVIEW_DECISION: LimitSpec(30, CountMode.CALENDAR_DAYS, statutory=True, article="36"),
    # Art. 21 and 国信发〔2022〕11号: evaluation window, 15 days is a design choice.
    Limit.EVALUATION_WINDOW: LimitSpec(15, CountMode.CALENDAR_DAYS, statutory=False, article="21"),
    # Art. 33: mediation; first contact within 24 hours is a design choice.
    Limit.MEDIATION_FIRST_CONTACT: LimitSpec(24, CountMode.HOURS, statutory=False, article="33"),
    # Art. 25: major or urgent matters reported at once; 2 hours is a design choice.
    Limit.URGENT_REPORT: LimitSpec(2, CountMode.HOURS, statutory=False, article="25"),
}


@dataclass(frozen=True)
class ClockRule:
    """How one limit is counted for one unit, and where that came from (``source`` is None: national)."""

    limit: Limit
    length: int
    count_mode: CountMode
    roll_forward: bool
    source: Unit | None = None

    @property
    def is_hours(self) -> bool:
        return self.count_mode == CountMode.HOURS


def national_rule(limit: Limit) -> ClockRule:
    spec = LIMIT_SPECS[Limit(limit)]
    return ClockRule(Limit(limit), spec.length, spec.count_mode, spec.roll_forward)


@dataclass(frozen=True)
class EffectivePolicy:
    """The resolved rules for a unit: national defaults overlaid by its ancestors' policies, nearest last."""

    unit: Unit | None
    rules: dict[Limit, ClockRule]

    def rule(self, limit: Limit) -> ClockRule:
        return self.rules[Limit(limit)]


NATIONAL_POLICY = EffectivePolicy(unit=None, rules={limit: national_rule(limit) for limit in Limit})


def policy_for(unit: Unit | None) -> EffectivePolicy:
    """The rules that apply at ``unit``: for each limit, the rule of the nearest ancestor-or-self policy.

    A city's rule beats its province's for the same limit; limits no policy mentions keep the national
    default. One query.
    """
    if unit is None:
        return NATIONAL_POLICY
    rows = (
        ClockPolicyRule.objects.filter(policy__unit__in=ancestors(unit, include_self=True))
        .select_related("policy__unit")
        .order_by("policy__unit__depth")
    )
    rules = dict(NATIONAL_POLICY.rules)
    for row in rows:  # root first, so nearer policies overwrite farther ones
        limit = Limit(row.limit)
        rules[limit] = ClockRule(
            limit, row.length, CountMode(row.count_mode), row.roll_forward, source=row.policy.unit
        )
    return EffectivePolicy(unit=unit, rules=rules)


def rule_errors(*, limit: str, length: int | None, count_mode: str) -> dict[str, list[str]]:
    """Why a locality rule is not allowed (empty when it is). Used by ``ClockPolicyRule.clean``."""
    errors: dict[str, list[str]] = {}
    if limit not in Limit.values:
        return {"limit": [_("Unknown limit.")]}
    spec = LIMIT_SPECS[Limit(limit)]
    hourly = spec.count_mode == CountMode.HOURS
    if hourly and count_mode != CountMode.HOURS:
        errors.setdefault("count_mode", []).append(_("This limit is counted in hours."))
    if not hourly and count_mode == CountMode.HOURS:
        errors.setdefault("count_mode", []).append(_("This limit is counted in days, not hours."))
    if length is not None:
        if length < 1:
            errors.setdefault("length", []).append(_("The length must be at least 1."))
        elif spec.statutory and length > spec.length:
            errors.setdefault("length", []).append(
                ngettext(
                    "The law allows at most %(days)d day for this limit; a locality may shorten it, "
                    "not extend it.",
                    "The law allows at most %(days)d days for this limit; a locality may shorten it, "
                    "not extend it.",
                    spec.length,
                )
                % {"days": spec.length}
            )
    return errors


def _check_added_days(extra_days: int, excluded_days: int) -> None:
    if extra_days < 0 or excluded_days < 0:
        raise ValueError("extra_days and excluded_days must be zero or more")


def _resolve(limit: Limit, unit: Unit | None, policy: EffectivePolicy | None) -> ClockRule:
    if policy is None:
        policy = policy_for(unit)
    return policy.rule(limit)


def _due_date_for_rule(
    rule: ClockRule, *, start: dt.date, extra_days: int, excluded_days: int, calendar: LegalCalendar
) -> dt.date:
    length = rule.length + extra_days + excluded_days
    if rule.count_mode == CountMode.WORKING_DAYS:
        return calendar.add_working_days(start, length)
    due = add_calendar_days(start, length)
    if rule.roll_forward:
        due = calendar.roll_to_working_day(due)
    return due


def due_date(
    limit: Limit,
    *,
    start: dt.date,
    unit: Unit | None,
    extra_days: int = 0,
    excluded_days: int = 0,
    policy: EffectivePolicy | None = None,
    calendar: LegalCalendar | None = None,
) -> dt.date:
    """The last day on which ``limit`` is met, counted from the trigger day ``start`` (not counted).

    ``extra_days`` is an approved extension (see ``validate_extension``) and ``excluded_days`` are days
    that do not count (e.g. hearing days of a 复核); both are counted in the limit's own mode and added
    to its length before rolling, so an extension runs on from the original, unrolled end. For limits
    counted in hours this is the local date of ``due_datetime`` from the start of ``start``.
    ``policy`` and ``calendar`` let batch callers reuse one resolution.
    """
    _check_added_days(extra_days, excluded_days)
    rule = _resolve(limit, unit, policy)
    calendar = calendar or LegalCalendar()
    if rule.is_hours:
        start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        return timezone.localdate(
            start_at + dt.timedelta(hours=rule.length + 24 * (extra_days + excluded_days))
        )
    return _due_date_for_rule(
        rule, start=start, extra_days=extra_days, excluded_days=excluded_days, calendar=calendar
    )


def due_datetime(
    limit: Limit,
    *,
    start: dt.datetime,
    unit: Unit | None,
    extra_days: int = 0,
    excluded_days: int = 0,
    policy: EffectivePolicy | None = None,
    calendar: LegalCalendar | None = None,
) -> dt.datetime:
    """The moment ``limit`` runs out. ``start`` must be aware.

    Hour limits run round the clock (an urgent report does not wait for Monday). A limit counted in
    days ends at the end of its due date (local time), so a locality may switch any limit between modes.
    """
    if timezone.is_naive(start):
        raise ValueError("start must be an aware datetime")
    _check_added_days(extra_days, excluded_days)
    rule = _resolve(limit, unit, policy)
    if rule.is_hours:
        return start + dt.timedelta(hours=rule.length + 24 * (extra_days + excluded_days))
    day = _due_date_for_rule(
        rule,
        start=timezone.localdate(start),
        extra_days=extra_days,
        excluded_days=excluded_days,
        calendar=calendar or LegalCalendar(),
    )
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) - dt.timedelta(
        microseconds=1
    )


def validate_extension(days: int, *, unit: Unit | None = None, policy: EffectivePolicy | None = None) -> int:
    """Check an extension of the handling limit (Art. 34: at most 30 days); return the days.

    A locality may set a shorter maximum (``Limit.EXTENSION_MAX``); the law's 30 days is never exceeded.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise DomainError(_("An extension is a whole number of days."), code="extension_invalid")
    if days < 1:
        raise DomainError(_("An extension must be at least 1 day."), code="extension_too_short")
    statutory_max = LIMIT_SPECS[Limit.EXTENSION_MAX].length
    maximum = min(statutory_max, _resolve(Limit.EXTENSION_MAX, unit, policy).length)
    if days > maximum:
        raise DomainError(
            ngettext(
                "An extension may not exceed %(days)d day.",
                "An extension may not exceed %(days)d days.",
                maximum,
            )
            % {"days": maximum},
            code="extension_too_long",
        )
    return days
