"""Who may do what in a joint conference. Every check reads seats through ``accounts.scoping``.

Decisions (design choices, documented here once):

* **Convenors (召集人)** are named per conference and must hold a leader's seat covering its area. They
  approve the minutes (after which decisions bind), switch key periods on and off, and take the
  Art. 39 measures (约谈, 通报, 挂牌督办). A leader covering the area who is not a convenor may also
  switch a key period on (the brief: "a leader switches it on"), nothing else.
* **The secretariat (联席会议办公室)** is a group of users named per conference, usually staff of the
  petition office. It accepts, returns and orders agenda items, schedules and notifies meetings,
  records attendance, drafts minutes and decisions, and escalates what the conference cannot solve.
  A convenor may do all secretariat work too (small towns often have no separate office).
* **Member units' staff** (成员单位), and anyone whose seat lies in the conference's area or whose
  jurisdiction covers it (an upper petition bureau may bring a matter down), may propose agenda items.
  Staff of a unit carry out that unit's decision tasks: the units a user acts for are their seat units
  and their jurisdiction roots, exactly as the workbench reads reminders (no unit acts for another).
* **Managing** a conference (creating it, members, participants) is for leaders and petition officers
  whose jurisdiction covers the area, and the system administrator.
* **Seeing** a conference: its area lies in the user's jurisdiction, the user is a participant, or one
  of the user's units is a member. Petitions on an item are always read through
  ``visible_petitions``: a viewer who may not see a petition sees only that it exists.
"""

from __future__ import annotations

from typing import Any

from xinfang.accounts import scoping
from xinfang.accounts.models import Role
from xinfang.orgs.models import Unit

from .models import JointConference, Member, Participant, ParticipantRole

MANAGER_ROLES = (Role.LEADER, Role.TOWN_OFFICER, Role.COUNTY_OFFICER, Role.SYSTEM_ADMIN)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def participant_roles(user: Any, conference: JointConference) -> set[str]:
    if not _active(user):
        return set()
    return set(
        Participant.objects.filter(conference=conference, user=user, ended_at__isnull=True).values_list(
            "role", flat=True
        )
    )


def is_convenor(user: Any, conference: JointConference) -> bool:
    return scoping.sees_everything(user) or ParticipantRole.CONVENOR in participant_roles(user, conference)


def is_secretariat(user: Any, conference: JointConference) -> bool:
    """The secretariat's work: its members, and the convenors."""
    return scoping.sees_everything(user) or bool(participant_roles(user, conference))


def may_manage(user: Any, area: Unit) -> bool:
    return scoping.can_act_in(user, area, *MANAGER_ROLES)


def may_switch_key_period(user: Any, conference: JointConference) -> bool:
    return is_convenor(user, conference) or scoping.can_act_in(user, conference.area, Role.LEADER)


def acting_unit_ids(user: Any) -> set[int]:
    """The units the user acts for: their seats and the areas those seats cover (not the units below)."""
    memberships = scoping.active_memberships(user)
    return {m.unit_id for m in memberships} | {scoping.jurisdiction_root(m).pk for m in memberships}


def acts_for(user: Any, unit: Unit) -> bool:
    return scoping.sees_everything(user) or unit.pk in acting_unit_ids(user)


def is_member_unit(conference: JointConference, unit: Unit) -> bool:
    return Member.objects.filter(conference=conference, unit=unit, left_on__isnull=True).exists()


def proposing_unit(user: Any, conference: JointConference) -> Unit | None:
    """The unit in whose name the user brings a matter to the conference, or None if they may not."""
    area = conference.area
    inside: list[Unit] = []
    above: list[Unit] = []
    members = set(
        Member.objects.filter(conference=conference, left_on__isnull=True).values_list("unit_id", flat=True)
    )
    for membership in scoping.active_memberships(user):
        seat = membership.unit
        root = scoping.jurisdiction_root(membership)
        if seat.path.startswith(area.path) or root.path.startswith(area.path) or seat.pk in members:
            inside.append(seat)
        elif area.path.startswith(root.path):
            above.append(seat)
    if inside:
        # The most specific seat speaks: a community's cadre for the community, not for the town.
        return max(inside, key=lambda unit: unit.depth)
    if above:
        return min(above, key=lambda unit: unit.depth)
    if is_secretariat(user, conference):
        return conference.office_unit or area
    return None
