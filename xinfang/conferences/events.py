"""Timeline rows the conference writes on the petitions its items and decisions answer.

A petition's timeline is its audit (design.md): each step of the conference that concerns it is a row
there, written under the petition's row lock by ``petitions.services.event_append``. These rows change
no state of the petition, so its version is not bumped (an open action form stays valid).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition
from xinfang.petitions.services import event_append

PROPOSED = "conference_proposed"
RETURNED = "conference_returned"
ESCALATED = "conference_escalated"
DECIDED = "conference_decided"
DONE = "conference_done"
MEASURE = "conference_measure"

# The workbench shows these labels on the petition's timeline.
EVENT_LABELS = {
    PROPOSED: gettext_lazy("Brought to the joint conference"),
    RETURNED: gettext_lazy("Returned by the joint conference"),
    ESCALATED: gettext_lazy("Escalated to the next joint conference"),
    DECIDED: gettext_lazy("Joint conference decision binds"),
    DONE: gettext_lazy("Joint conference decision carried out"),
    MEASURE: gettext_lazy("Joint conference supervision measure"),
}


def petitions_append(
    *,
    petition_ids: Iterable[int],
    action: str,
    actor: User | None,
    actor_unit: Unit | None,
    reason: str,
    payload: dict[str, Any],
) -> list[Petition]:
    """One timeline row on each petition, the rows locked in primary-key order (no deadlock)."""
    locked = list(Petition.objects.select_for_update().filter(pk__in=list(petition_ids)).order_by("pk"))
    for petition in locked:
        event_append(
            petition=petition,
            action=action,
            actor=actor,
            actor_unit=actor_unit,
            from_state=petition.state,
            to_state=petition.state,
            reason=reason,
            payload=payload,
        )
    return locked
