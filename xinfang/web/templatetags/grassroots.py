"""Template helpers of the agency and community pages: who sees their nav links, the petition panel."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from xinfang.accounts import scoping
from xinfang.accounts.models import Role

register = template.Library()

# Agency work is done at the grassroots and by petition staff; department handlers, leaders and
# inspectors read it through the petition page.
AGENCY_ROLES = frozenset({Role.VILLAGE_CADRE, Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN})
COMMUNITY_ROLES = AGENCY_ROLES | {Role.DEPARTMENT_HANDLER, Role.LEADER}


@register.filter
def yuan(value: Any) -> str:
    """An amount of money as 46,000.00: two decimals and thousands grouped, whatever the language."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


@register.simple_tag
def my_agent(user: Any) -> Any:
    from xinfang.agency.selectors import agent_of

    return agent_of(user)


@register.simple_tag
def shows_agency(user: Any) -> bool:
    return (
        scoping.sees_everything(user) or bool(scoping.user_roles(user) & AGENCY_ROLES) or bool(my_agent(user))
    )


@register.simple_tag
def shows_community(user: Any) -> bool:
    return scoping.sees_everything(user) or bool(scoping.user_roles(user) & COMMUNITY_ROLES)


@register.inclusion_tag("web/partials/grassroots_panel.html")
def grassroots_panel(petition: Any) -> dict[str, Any]:
    """The agency and mediation side of a petition, linked from its page (the petition is visible)."""
    from xinfang.agency.models import AgentTask, Claim, MandateUse
    from xinfang.community.models import MediationReferral, SocialForceLink

    return {
        "petition": petition,
        "is_agency": petition.agent_id is not None
        or MandateUse.objects.filter(petition=petition).exists()
        or Claim.objects.filter(petition=petition).exists(),
        "claims": Claim.objects.filter(petition=petition).count(),
        "open_tasks": AgentTask.objects.filter(petition=petition, done_at__isnull=True).count(),
        "links": SocialForceLink.objects.filter(petition=petition, ended_at__isnull=True)
        .select_related("force")
        .order_by("linked_at"),
        "referral": MediationReferral.objects.filter(petition=petition).order_by("-referred_at").first(),
    }
