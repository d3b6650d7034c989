"""Mediation's assessment indicator: mediations that reached an agreement (调解成功率).

Registered from ``CommunityConfig.ready()`` into ``xinfang.assessment.indicators``; the fact table, the
dashboard, the schemes and the printed definitions read it like the built-in ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, DateField, Q, QuerySet, Value, When
from django.db.models.expressions import BaseExpression
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from xinfang.assessment.indicators import Indicator, Scope

from .models import MediationReferral, ReferralStatus

# A mediation that took place and ended: agreement signed, or failed. Withdrawn referrals (a party
# refused before mediation began) never reached mediation and are not counted.
CONCLUDED = (ReferralStatus.AGREED, ReferralStatus.FAILED)


class MediationsAgreed(Indicator):
    """访调对接 mediations ending in a signed agreement (调解协议书)."""

    code = "mediations_agreed"
    label = _("Mediations that reached agreement (调解成功)")
    formula = _(
        "Petitions referred to people's mediation whose mediation ended in a signed agreement ÷ "
        "mediations that ended (agreement or failure) in the period, by the day they ended and the "
        "place of the problem. Referrals withdrawn before mediation began and mediations still open are "
        "not counted."
    )
    numerator_label = _("agreements")
    denominator_label = _("mediations ended")
    date_label = _("Ended")
    model = MediationReferral
    petition_path = "petition"
    subject_field = "petition__place"
    responsible_field = "unit"

    def when(self, scope: Scope) -> BaseExpression:
        return Case(
            When(status__in=CONCLUDED, then=TruncDate("outcome_at")),
            default=Value(None),
            output_field=DateField(),
        )

    def numerator_q(self, scope: Scope) -> Q:
        return Q(status=ReferralStatus.AGREED)

    def changed_since(self, moment: dt.datetime) -> QuerySet[Any]:
        # Ended since; or its petition changed (the place of the problem corrected).
        return MediationReferral.objects.filter(
            Q(outcome_at__gte=moment) | Q(referred_at__gte=moment) | Q(petition__updated_at__gte=moment)
        )

    def drill_row(self, obj: Any) -> dict[str, Any]:
        return {"text": f"{obj.unit.name} · {obj.get_status_display()}", "petition_id": obj.petition_id}
