"""Who may do what in the agency. Jurisdiction itself is decided in ``xinfang.accounts.scoping``.

* Agents are registered, suspended and reinstated by petition staff (town/street or county) whose
  jurisdiction covers the unit the agent serves.
* An agent's mandates, filings and tasks are recorded by the agent (their own login) or by that
  petition staff (for a community worker who has no login).
* Claims and payments of a petition are recorded by its agent or by staff who handle the petition.
"""

from __future__ import annotations

from typing import Any

from xinfang.accounts import scoping
from xinfang.petitions.lifecycle import HANDLERS, PETITION_DEPT
from xinfang.petitions.models import Petition

from .models import Agent


def may_register_agents(user: Any, unit: Any) -> bool:
    return scoping.can_act_in(user, unit, *PETITION_DEPT)


def may_act_for(user: Any, agent: Agent) -> bool:
    """The agent themselves, or petition staff over the unit they serve."""
    if agent.user_id is not None and agent.user_id == getattr(user, "pk", None):
        return True
    return may_register_agents(user, agent.unit)


def petition_agent(petition: Petition) -> Agent | None:
    """The certified agent of a petition, when its agent is one."""
    if petition.agent_id is None:
        return None
    return Agent.objects.select_related("unit", "person").filter(person_id=petition.agent_id).first()


def may_work_on(user: Any, petition: Petition, agent: Agent | None) -> bool:
    """Record tasks, claims and payments of a petition the user can see (checked by the caller)."""
    if agent is not None and may_act_for(user, agent):
        return True
    units = [petition.current_unit, petition.registering_unit]
    return any(scoping.can_act_in(user, unit, *(HANDLERS | PETITION_DEPT)) for unit in units)
