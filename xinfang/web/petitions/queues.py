"""Work queues of the workbench: what waits for the user's units today, each a filter of the petition list.

A queue is a condition on top of ``selectors.visible_petitions`` (jurisdiction and accusation secrecy);
its "work" part asks where the matter is now (``current_unit``) or whose deadline runs (``Clock.unit``),
so a town officer's queues hold what its own units must do, not every matter it has ever touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.accounts import scoping
from xinfang.petitions import selectors
from xinfang.petitions.models import Clock, ClockStatus, Petition, Reminder, Suggestion
from xinfang.petitions.states import State
from xinfang.petitions.sweep import NO_REMINDER_KINDS

# Days ahead that count as "due soon" (the sweeper warns at the same lead time by default).
DUE_SOON_DAYS = 3

TO_ACCEPT_STATES = (State.REGISTERED, State.TRIAGE, State.FORWARDED, State.ASSIGNED)
HANDLING_STATES = (
    State.ACCEPTED,
    State.SUGGESTION_STUDY,
    State.DUTY_PERFORMANCE,
    State.IN_HANDLING,
    State.HEARING,
    State.MEDIATION,
    State.OPINION_ISSUED,
)
EVALUATION_STATES = (State.REPLIED, State.SETTLED)
REVIEW_STATES = (State.REVIEW_REQUESTED, State.RE_REVIEW_REQUESTED)


@dataclass(frozen=True)
class Queue:
    key: str
    label: Promise
    hint: Promise
    # Queues about deadlines are sorted by the nearest due date and drawn in warning colours.
    urgent: bool = False


QUEUES: tuple[Queue, ...] = (
    Queue("overdue", _("Overdue"), _("A deadline of your units has passed"), urgent=True),
    Queue(
        "due_soon",
        _("Due within 3 days"),
        _("A deadline of your units falls in the next 3 days"),
        urgent=True,
    ),
    Queue("to_register", _("To register"), _("Received online or through an agent, not yet registered")),
    Queue(
        "to_accept", _("To accept or route"), _("Registered, in triage, forwarded or assigned to your units")
    ),
    Queue("in_handling", _("In handling"), _("Accepted and being handled by your units")),
    Queue(
        "awaiting_evaluation",
        _("Awaiting evaluation"),
        _("Replied or settled; record the petitioner's rating"),
    ),
    Queue("reviews", _("Review requests"), _("Review or re-review requested from your units")),
    Queue(
        "suggestions", _("Suggestions to confirm"), _("Repeat, bypass, threat and other checks to confirm")
    ),
)
QUEUE_KEYS = frozenset(q.key for q in QUEUES)
QUEUE_BY_KEY = {q.key: q for q in QUEUES}


def at_units(user: Any, *fields: str) -> Q:
    """Rows whose unit at any of ``fields`` (a Unit foreign key) lies in the user's jurisdiction."""
    if scoping.sees_everything(user):
        return Q()
    condition = Q(pk__in=[])
    for field in fields:
        condition |= scoping.jurisdiction_q(user, f"{field}__path")
    return condition


def _duty_clocks(user: Any) -> QuerySet[Clock]:
    """Running deadlines one of the user's units owes (not windows the petitioner may use)."""
    qs = Clock.objects.filter(status=ClockStatus.RUNNING).exclude(
        kind__in=[str(k) for k in NO_REMINDER_KINDS]
    )
    if not scoping.sees_everything(user):
        qs = qs.filter(scoping.jurisdiction_q(user, "unit__path"))
    return qs


def _with(rows: QuerySet[Any]) -> Q:
    """Petitions that have one of ``rows``, as a non-correlated ``pk IN (…)``: both databases read the rows
    once per count, where a correlated EXISTS would probe them once per visible petition."""
    return Q(pk__in=rows.values("petition_id"))


def queue_q(user: Any, key: str, today: dt.date) -> Q:
    """The condition of queue ``key`` for ``user`` (to combine with ``visible_petitions``)."""
    if key == "to_register":
        return Q(state=State.RECEIVED) & at_units(user, "current_unit", "registering_unit")
    if key == "to_accept":
        return Q(state__in=TO_ACCEPT_STATES) & at_units(user, "current_unit")
    if key == "in_handling":
        return Q(state__in=HANDLING_STATES) & at_units(user, "current_unit")
    if key == "due_soon":
        soon = today + dt.timedelta(days=DUE_SOON_DAYS)
        return _with(_duty_clocks(user).filter(due_on__gte=today, due_on__lte=soon))
    if key == "overdue":
        return _with(_duty_clocks(user).filter(due_on__lt=today))
    if key == "awaiting_evaluation":
        # The rating is recorded by the desk that registered the matter or by the unit that replied.
        return Q(state__in=EVALUATION_STATES) & at_units(user, "current_unit", "registering_unit")
    if key == "reviews":
        return Q(state__in=REVIEW_STATES) & at_units(user, "current_unit")
    if key == "suggestions":
        pending = Suggestion.objects.filter(status=Suggestion.Status.PENDING)
        return _with(pending) & at_units(user, "current_unit", "registering_unit")
    raise KeyError(key)


def queue_counts(user: Any, today: dt.date) -> dict[str, int]:
    """Every queue's count in one query."""
    aggregates = {q.key: Count("pk", filter=queue_q(user, q.key, today)) for q in QUEUES}
    return selectors.visible_petitions(user).aggregate(**aggregates)


def reminder_units(user: Any) -> set[int]:
    """The units whose reminders the user reads: their seats and the areas those seats cover."""
    memberships = scoping.active_memberships(user)
    return {m.unit_id for m in memberships} | {scoping.jurisdiction_root(m).pk for m in memberships}


def unread_reminders(user: Any) -> QuerySet[Reminder]:
    visible = selectors.visible_petitions(user).filter(pk=OuterRef("petition_id"))
    return (
        Reminder.objects.filter(read_at__isnull=True, unit_id__in=reminder_units(user))
        .filter(Exists(visible))
        .select_related("petition", "unit")
        .order_by("-created_at", "-pk")
    )


def petitions_in_queue(user: Any, key: str, today: dt.date) -> QuerySet[Petition]:
    return selectors.visible_petitions(user).filter(queue_q(user, key, today))
