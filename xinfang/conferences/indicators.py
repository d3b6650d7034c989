"""The joint conferences' assessment indicator: decisions carried out by their due date (议定事项按期办结率).

Registered from ``ConferencesConfig.ready()`` into ``xinfang.assessment.indicators``; the fact table, the
dashboard, the schemes and the printed definitions read it like the built-in ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, DateField, F, Q, QuerySet, Value, When
from django.db.models.expressions import BaseExpression
from django.utils.translation import gettext_lazy as _

from xinfang.assessment.indicators import Indicator, Scope

from .models import Decision, DecisionStatus


class DecisionsOnTime(Indicator):
    """议定事项按期办结: binding decisions of the conferences reported done by their due date."""

    code = "conference_decisions_on_time"
    label = _("Conference decisions done on time (议定事项按期办结)")
    formula = _(
        "Conference decisions reported done on or before their due date ÷ decisions due in the period "
        "that are done or overdue, by the lead unit (牵头单位). A binding decision not yet due is left out "
        "until it is done or its due date passes; a decision of minutes not yet approved is not counted."
    )
    numerator_label = _("done on time")
    denominator_label = _("decisions due")
    date_label = _("Due date")
    model = Decision
    petition_path = None
    subject_field = "lead_unit"
    responsible_field = "lead_unit"

    def when(self, scope: Scope) -> BaseExpression:
        # Decided: done (on time or late), or still binding past its due date.
        return Case(
            When(status=DecisionStatus.DONE, then=F("due_on")),
            When(status=DecisionStatus.BINDING, due_on__lt=scope.today, then=F("due_on")),
            default=Value(None),
            output_field=DateField(),
        )

    def numerator_q(self, scope: Scope) -> Q:
        return Q(status=DecisionStatus.DONE, done_on__lte=F("due_on"))

    def changed_since(self, moment: dt.datetime) -> QuerySet[Any]:
        # Bound when the minutes were approved; done with a completion report (its day may be earlier).
        return Decision.objects.filter(Q(bound_at__gte=moment) | Q(reports__at__gte=moment)).distinct()

    def affected_by_time(self, before: dt.date, after: dt.date) -> QuerySet[Any] | None:
        # A binding decision is counted (overdue) from the day after its due date.
        return Decision.objects.filter(status=DecisionStatus.BINDING, due_on__gte=before, due_on__lt=after)

    def drill_row(self, obj: Any) -> dict[str, Any]:
        return {"text": f"{obj.lead_unit.name} · {obj.statement[:80]}", "petition_id": None}
