"""The stations' assessment indicator: walk-ins resolved on the spot (来访当场化解率).

Registered from ``StationsConfig.ready()`` into ``xinfang.assessment.indicators``; the fact table, the
dashboard, the schemes and the printed definitions read it like the built-in ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import BaseExpression
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from xinfang.assessment.indicators import Indicator, Period, Scope

from .models import DepartmentSummons, Visit, VisitOutcome


class WalkInsResolved(Indicator):
    """来访当场化解: walk-ins settled at the station, with no petition, mediation or summoned department."""

    code = "station_walk_ins_resolved"
    label = _("Station walk-ins resolved on the spot (来访当场化解)")
    formula = _(
        "Walk-ins at the reception stations concluded as resolved on the spot, with no department "
        "summoned, ÷ walk-ins concluded, by the day of the visit and the place of the problem. A visit "
        "turned into a petition, referred to mediation or with a department summoned is not resolved on "
        "the spot; a visit not concluded yet is left out (shown as pending)."
    )
    numerator_label = _("resolved on the spot")
    denominator_label = _("walk-ins concluded")
    date_label = _("Visited")
    model = Visit
    petition_path = None
    subject_field = "place"
    responsible_field = "station__unit"

    def when(self, scope: Scope) -> BaseExpression:
        return TruncDate("visited_at")

    def annotations(self, scope: Scope) -> dict[str, Any]:
        return {"ind_summoned": Exists(DepartmentSummons.objects.filter(visit=OuterRef("pk")))}

    def denominator_q(self, scope: Scope) -> Q:
        return ~Q(outcome=VisitOutcome.PENDING)

    def numerator_q(self, scope: Scope) -> Q:
        return Q(outcome=VisitOutcome.RESOLVED, ind_summoned=False)

    def components(self, scope: Scope) -> dict[str, Q]:
        return {**super().components(scope), "pending": Q(outcome=VisitOutcome.PENDING)}

    def pending(self, scope: Scope, period: Period) -> int:
        return self.in_period(scope, period).filter(outcome=VisitOutcome.PENDING).count()

    def pending_count(self, counts: Mapping[str, int]) -> int:
        return counts.get("pending", 0)

    def changed_since(self, moment: dt.datetime) -> QuerySet[Any]:
        # Registered (the visit day may be earlier), then concluded, summoned or turned into a petition.
        return Visit.objects.filter(Q(created_at__gte=moment) | Q(outcome_at__gte=moment))

    def drill_row(self, obj: Any) -> dict[str, Any]:
        return {
            "text": f"{obj.station.name} · {obj.get_outcome_display()} · {obj.subject}",
            "petition_id": obj.petition_id,
        }
