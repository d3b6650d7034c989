"""Template helpers of the analytics pages."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.accounts import scoping
from xinfang.accounts.models import Role

register = template.Library()

# Who reads the early-warning list and the common issues: the petition offices and leaders.
WARNING_ROLES = (Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.LEADER, Role.SYSTEM_ADMIN)


@register.simple_tag
def analytics_nav(user: Any) -> bool:
    return scoping.has_role(user, *WARNING_ROLES)
