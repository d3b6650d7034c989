"""Template helpers of the joint conferences: the workbench panel, the dashboard coverage, the nav link."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts import scoping
from xinfang.conferences import access, figures, selectors

register = template.Library()


@register.simple_tag
def shows_conferences(user: Any) -> bool:
    """The nav link: for anyone who may see a conference, has a decision task, or manages an area."""
    if not getattr(user, "is_authenticated", False):
        return False
    if scoping.sees_everything(user):
        return True
    cached = getattr(user, "_xinfang_shows_conferences", None)
    if cached is None:
        cached = (
            selectors.visible_conferences(user).exists()
            or selectors.open_tasks(user).exists()
            or any(access.may_manage(user, root) for root in scoping.jurisdiction_roots(user))
        )
        user._xinfang_shows_conferences = cached
    return bool(cached)


@register.inclusion_tag("conferences/_panel.html")
def conference_panel(user: Any) -> dict[str, Any]:
    """Decision tasks of the user's units, items waiting for their secretariat, and conference notices."""
    counts = selectors.task_counts(user)
    notices = selectors.unread_notices(user)
    tasks = list(selectors.open_tasks(user)[:5])
    return {
        "counts": counts,
        "tasks": tasks,
        "notices": list(notices[:10]),
        "notice_count": notices.count(),
        "today": timezone.localdate(),
        "show": bool(sum(counts.values()) or tasks or notices.exists()),
    }


@register.inclusion_tag("conferences/_coverage_card.html")
def conference_coverage(area: Any) -> dict[str, Any]:
    """The coverage figure of the dashboard's area, linking to the list behind it."""
    today = timezone.localdate()
    return {
        "row": figures.coverage(area, today),
        "since": figures.coverage_since(today),
        "today": today,
        "link": reverse("conferences:coverage") + f"?area={area.pk}",
    }
