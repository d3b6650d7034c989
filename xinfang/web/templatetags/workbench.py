"""Template helpers of the staff workbench."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext

from xinfang.accounts import scoping

register = template.Library()


@register.simple_tag
def may_register(user: Any) -> bool:
    """True when one of the user's seats may register petitions (the intake roles of the lifecycle)."""
    from xinfang.petitions.lifecycle import INTAKE

    if scoping.sees_everything(user):
        return True
    return any(m.role in INTAKE for m in scoping.active_memberships(user))


@register.filter
def absolute(value: int) -> int:
    return abs(value)


@register.simple_tag
def colon() -> str:
    """The label separator of the active language: "：" in Chinese, ": " in English."""
    return pgettext("label separator", ": ")
