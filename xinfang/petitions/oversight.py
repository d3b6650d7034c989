"""Leader case ownership (包案) and supervision (督办, 挂牌督办, 催办), each with its own due date.

These change no lifecycle state; they add duties around a petition and write to its timeline.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import Role, User
from xinfang.core.errors import DomainError
from xinfang.orgs.models import Unit

from .models import LeaderCase, LinkRole, Petition, Reminder, Supervision
from .selectors import get_visible_petition
from .services import event_append, link_unit
from .states import OPEN_STATES

SUPERVISING_ROLES = frozenset({Role.COUNTY_OFFICER, Role.TOWN_OFFICER, Role.LEADER, Role.SYSTEM_ADMIN})


def _locked_open(user: User, petition_id: int) -> Petition:
    get_visible_petition(user, petition_id)
    petition = Petition.objects.select_for_update().get(pk=petition_id)
    if petition.state not in OPEN_STATES:
        raise DomainError(_("This petition is no longer in handling."), code="not_open")
    return petition


def _future(day: dt.date, message: str) -> dt.date:
    if day < timezone.localdate():
        raise DomainError(message, code="past_date")
    return day


@transaction.atomic
def leader_case_open(
    *, petition_id: int, user: User, leader: User, plan: str, target_on: dt.date
) -> LeaderCase:
    """包案 (Art. 18 ¶2): a leader of a unit covering the matter takes it personally."""
    petition = _locked_open(user, petition_id)
    if not scoping.can_act_in(leader, petition.current_unit, Role.LEADER):
        raise DomainError(_("Choose a leader whose area covers this petition."), code="leader")
    if not plan.strip():
        raise DomainError(_("Write the resolution plan."), code="required")
    _future(target_on, _("The target date cannot be in the past."))
    case = LeaderCase.objects.create(petition=petition, leader=leader, plan=plan.strip(), target_on=target_on)
    petition.version += 1
    petition.save(update_fields=["version", "updated_at"])
    event_append(
        petition=petition,
        action="leader_case",
        actor=user,
        actor_unit=None,
        from_state=petition.state,
        to_state=petition.state,
        reason=plan.strip(),
        payload={"leader": leader.pk, "leader_name": str(leader), "target_on": target_on.isoformat()},
    )
    return case


@transaction.atomic
def leader_case_report(*, case_id: int, user: User, progress: str, done: bool = False) -> LeaderCase:
    case = LeaderCase.objects.select_for_update().get(pk=case_id)
    petition = (
        _locked_open(user, case.petition_id)
        if not done
        else Petition.objects.select_for_update().get(pk=get_visible_petition(user, case.petition_id).pk)
    )
    if case.done_at is not None:
        raise DomainError(_("This case ownership is already completed."), code="done")
    if not progress.strip():
        raise DomainError(_("Describe the progress."), code="required")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    case.progress = (case.progress + "\n" if case.progress else "") + f"{stamp} {progress.strip()}"
    if done:
        case.done_at = timezone.now()
    case.save(update_fields=["progress", "done_at"])
    event_append(
        petition=petition,
        action="leader_case_progress",
        actor=user,
        actor_unit=None,
        from_state=petition.state,
        to_state=petition.state,
        reason=progress.strip(),
        payload={"done": done},
    )
    return case


@transaction.atomic
def supervision_open(
    *, petition_id: int, user: User, kind: str, to_unit: Unit, reason: str, due_on: dt.date
) -> Supervision:
    """督办 against delay, fakery or non-execution (Art. 40); 挂牌督办 is the listed form (Art. 39)."""
    if kind not in Supervision.Kind.values:
        raise DomainError(_("Unknown kind of supervision."), code="kind")
    petition = _locked_open(user, petition_id)
    membership = next(
        (
            m
            for m in scoping.active_memberships(user)
            if m.role in SUPERVISING_ROLES
            and petition.current_unit.path.startswith(scoping.jurisdiction_root(m).path)
        ),
        None,
    )
    if membership is None and not scoping.sees_everything(user):
        raise DomainError(
            _("Only a petition department or a leader above the unit may supervise."), code="role"
        )
    if not scoping.can_see_unit(user, to_unit):
        raise scoping.OutOfJurisdiction(_("This unit is outside your jurisdiction."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the supervision."), code="required")
    _future(due_on, _("The reply date cannot be in the past."))
    by_unit = membership.unit if membership else to_unit
    supervision = Supervision.objects.create(
        petition=petition, kind=kind, by_unit=by_unit, to_unit=to_unit, reason=reason.strip(), due_on=due_on
    )
    link_unit(petition=petition, unit=by_unit, role=LinkRole.SUPERVISOR)
    link_unit(petition=petition, unit=to_unit, role=LinkRole.SUPERVISED)
    petition.is_supervised = True
    petition.version += 1
    petition.save(update_fields=["is_supervised", "version", "updated_at"])
    Reminder.objects.create(
        unit=to_unit,
        petition=petition,
        kind=Reminder.Kind.SUPERVISION,
        message=(
            _("%(kind)s on %(number)s: reply by %(date)s")
            % {"kind": Supervision.Kind(kind).label, "number": petition.number, "date": due_on.isoformat()}
        )[:300],
    )
    event_append(
        petition=petition,
        action="supervise",
        actor=user,
        actor_unit=by_unit,
        from_state=petition.state,
        to_state=petition.state,
        reason=reason.strip(),
        payload={"kind": kind, "to_unit": to_unit.pk, "due_on": due_on.isoformat()},
    )
    return supervision


@transaction.atomic
def supervision_reply(*, supervision_id: int, user: User, reply: str) -> Supervision:
    supervision = Supervision.objects.select_for_update().get(pk=supervision_id)
    petition = Petition.objects.select_for_update().get(
        pk=get_visible_petition(user, supervision.petition_id).pk
    )
    if supervision.replied_at is not None:
        raise DomainError(_("This supervision has already been answered."), code="done")
    if not scoping.can_act_in(user, supervision.to_unit, *scoping.AREA_WIDE_ROLES, Role.DEPARTMENT_HANDLER):
        raise DomainError(_("Only the supervised unit answers a supervision."), code="role")
    if not reply.strip():
        raise DomainError(_("Write the reply."), code="required")
    supervision.reply = reply.strip()
    supervision.replied_at = timezone.now()
    supervision.save(update_fields=["reply", "replied_at"])
    event_append(
        petition=petition,
        action="supervision_reply",
        actor=user,
        actor_unit=supervision.to_unit,
        from_state=petition.state,
        to_state=petition.state,
        reason=reply.strip(),
        payload={"supervision": supervision.pk},
    )
    return supervision
