"""What stays the principal's own on a petition filed through an agent (domain.md §7.1, §9 item 9).

The petition services call these checks when staff record a rating, a review request or an early
closing; a citizen acting through the portal is the principal and is never checked here.

Decision (design choice):

* Rating the handling (满意度评价) is the principal's judgement of work the agent chased: the agent never
  records it, whatever the mandate says.
* Waiving the review window (closing early because "the petitioner waived it") is the principal's alone:
  the agent cannot close the matter while the window is open.
* A review (复查) or re-review (复核) may be requested by the agent only under a mandate of this principal
  that is in force on the request date and expressly covers appeals (``covers_appeals``). The use of the
  mandate is recorded and the timeline shows it was the agent who asked. Without such a mandate the
  agent is told the principal must ask in person (or through the portal).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from xinfang.core.errors import DomainError
from xinfang.petitions.models import Petition, PetitionParty
from xinfang.petitions.states import PartyRole

from .models import AgencyMandate, Agent, MandateUse


def acting_agent(user: Any, petition: Petition) -> Agent | None:
    """The user's agent record when the user is an agent of this petition."""
    if user is None or not getattr(user, "pk", None):
        return None
    agent = Agent.objects.filter(user=user).first()
    if agent is None:
        return None
    if petition.agent_id == agent.person_id:
        return agent
    is_party = PetitionParty.objects.filter(
        petition=petition, petitioner_id=agent.person_id, role=PartyRole.AGENT
    ).exists()
    return agent if is_party else None


def refuse_agent_rating(*, user: Any, petition: Petition) -> None:
    if acting_agent(user, petition) is not None:
        raise DomainError(
            _(
                "The rating belongs to the petitioner. As their agent you cannot record it; "
                "the petitioner rates in person, by phone to the petition office or on the portal."
            ),
            code="principal_right",
        )


def refuse_agent_waiver(*, user: Any, petition: Petition) -> None:
    if acting_agent(user, petition) is not None:
        raise DomainError(
            _(
                "Only the petitioner can give up the right to a review. "
                "As their agent you cannot close the matter before the window ends."
            ),
            code="principal_right",
        )


def agent_appeal_mandate(
    *, user: Any, petition: Petition, requested_on: dt.date, level: str
) -> AgencyMandate | None:
    """The mandate under which an agent requests 复查/复核, recorded as used; None when the user is no
    agent of this petition. An agent without a mandate that covers appeals on that day is refused."""
    agent = acting_agent(user, petition)
    if agent is None:
        return None
    candidates = AgencyMandate.objects.select_for_update().filter(
        agent=agent, principal_id=petition.principal_id, covers_appeals=True
    )
    mandate = next((m for m in candidates if m.in_force_on(requested_on)), None)
    if mandate is None or not agent.is_active:
        raise DomainError(
            _(
                "Requesting a review is the petitioner's right. As their agent you may request it only "
                "under a mandate that expressly covers reviews and is in force on the request date; "
                "otherwise the petitioner requests it in person or on the portal."
            ),
            code="principal_right",
        )
    purpose = MandateUse.Purpose.REVIEW if level == "review" else MandateUse.Purpose.RE_REVIEW
    MandateUse.objects.get_or_create(
        mandate=mandate, petition=petition, purpose=purpose, defaults={"used_by": user}
    )
    return mandate
