"""Template helpers of the assessment pages."""

from __future__ import annotations

from typing import Any

from django import template

from xinfang.assessment import permissions
from xinfang.assessment.models import Ground, Trigger
from xinfang.assessment.traceback import action_label, duty_text, limit_label

register = template.Library()


@register.simple_tag
def shows_assessment(user: Any) -> bool:
    """The main nav's assessment link: only for those who may use the assessment pages."""
    cached = getattr(user, "_xinfang_shows_assessment", None)
    if cached is None:
        cached = permissions.may_use_assessment(user)
        if getattr(user, "is_authenticated", False):
            user._xinfang_shows_assessment = cached
    return bool(cached)


@register.inclusion_tag("assessment/_nav.html")
def assessment_nav(user: Any, tab: str) -> dict[str, Any]:
    return {"tab": tab, "may_read_reviews": permissions.may_read_reviews(user)}


@register.filter
def action_name(action: str) -> str:
    return action_label(action)


@register.filter
def limit_name(kind: str) -> str:
    return limit_label(kind)


@register.filter
def duty_line(duty: dict[str, Any]) -> str:
    return duty_text(duty)


@register.filter
def ground_name(code: str) -> str:
    try:
        return str(Ground(code).label)
    except ValueError:
        return code


@register.filter
def trigger_name(code: str) -> str:
    try:
        return str(Trigger(code).label)
    except ValueError:
        return code
