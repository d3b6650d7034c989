"""Who may do what in assessment and accountability. Jurisdiction always through ``accounts.scoping``.

- The assessment pages are for leaders, petition departments (town and county petition offices) and
  discipline inspection (``may_use_assessment``); other staff are refused, except on the checklist items
  their own unit owns, where they give the evidence.

- Schemes are set up by leaders and county-level petition bureaus for an area they cover; everybody whose
  seat lies in or above the organising area reads them (a league table is circulated to those assessed).
- Accountability reviews are seen only by petition departments, leaders and discipline inspection whose
  jurisdiction covers the petition (and who may see it), never by a person named in a finding; findings
  are recorded by discipline inspectors and leaders.
- Checklists are kept by petition departments and leaders; the owner unit's staff give the evidence and
  a second person of the keepers verifies it.
"""

from __future__ import annotations

from typing import Any

from xinfang.accounts import scoping
from xinfang.accounts.models import Role
from xinfang.orgs.models import Unit

ASSESSMENT_USERS = (Role.LEADER, Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.DISCIPLINE_INSPECTOR)
SCHEME_ROLES = (Role.LEADER, Role.COUNTY_OFFICER)
REVIEW_READERS = (Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.LEADER, Role.DISCIPLINE_INSPECTOR)
REVIEW_DECIDERS = (Role.DISCIPLINE_INSPECTOR, Role.LEADER)
CHECKLIST_KEEPERS = (Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.LEADER)
COMMENDERS = (Role.LEADER, Role.COUNTY_OFFICER)


def may_use_assessment(user: Any) -> bool:
    """The assessment pages and their link: leaders, petition offices and discipline inspection."""
    if not getattr(user, "is_authenticated", False):
        return False
    return scoping.sees_everything(user) or bool(scoping.user_roles(user) & set(ASSESSMENT_USERS))


def may_manage_schemes(user: Any, area: Unit) -> bool:
    return scoping.can_act_in(user, area, *SCHEME_ROLES)


def may_read_scheme_of(user: Any, area: Unit) -> bool:
    """The organising area is in the user's jurisdiction, or the user's seat lies inside it."""
    if scoping.sees_everything(user) or scoping.can_see_unit(user, area):
        return True
    return any(root.path.startswith(area.path) for root in scoping.jurisdiction_roots(user))


def may_view_area(user: Any, unit: Unit) -> bool:
    """An area whose figures the user may read: in their jurisdiction, or the area of their organ's seat."""
    if not unit.is_area:
        return False
    if scoping.can_see_unit(user, unit):
        return True
    return any(root.area().pk == unit.pk for root in scoping.jurisdiction_roots(user))


def may_read_reviews(user: Any) -> bool:
    return scoping.sees_everything(user) or bool(scoping.user_roles(user) & set(REVIEW_READERS))


def may_decide_review(user: Any, area: Unit) -> bool:
    return scoping.can_act_in(user, area, *REVIEW_DECIDERS)


def may_keep_checklists(user: Any, area: Unit) -> bool:
    return scoping.can_act_in(user, area, *CHECKLIST_KEEPERS)


def may_commend(user: Any, area: Unit) -> bool:
    return scoping.can_act_in(user, area, *COMMENDERS)


def seats_in(user: Any, unit: Unit) -> bool:
    """The user holds a seat in ``unit`` itself (the owner unit of a checklist item)."""
    return any(m.unit_id == unit.pk for m in scoping.active_memberships(user))
