"""Template helpers of the station pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def percent(value: int, highest: int) -> int:
    """Width of a bar in a month-by-month table: ``value`` as a share of ``highest``."""
    # At most 85 % of the cell, so the number beside the longest bar stays on its line.
    return round(85 * value / highest) if highest else 0


@register.simple_tag
def station_nav(user: Any) -> dict[str, bool]:
    """Which station links the nav shows: stations to those who see one, hotline to petition offices."""
    from xinfang.stations import selectors

    return {
        "stations": selectors.visible_stations(user).exists()
        or selectors.may_import_hotline(user)
        or selectors.may_create_station(user),
        "hotline": selectors.may_import_hotline(user),
    }


@register.simple_tag(takes_context=True)
def station_manageable(context: Any, station: Any) -> bool:
    """Whether the user may run ``station`` (its set-up tab and edit links)."""
    from xinfang.stations import selectors

    request = context.get("request")
    return request is not None and selectors.can_manage(request.user, station)
