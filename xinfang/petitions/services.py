"""Writes to petitions. Every service runs in one transaction, locks the petition row, checks the
transition table and the actor's role, and appends its event. A refused action changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import Membership, Role, User
from xinfang.agency import rights as principal_rights
from xinfang.core.calendar import add_calendar_days, roll_to_working_day
from xinfang.core.deadlines import validate_extension
from xinfang.core.errors import ConflictError, DomainError
from xinfang.core.models import Limit
from xinfang.orgs.models import Unit

from . import clocks
from .lifecycle import RETURN_TO_ROUTED, TRANSITIONS, Transition
from .models import (
    Appeal,
    Evaluation,
    Extension,
    FollowUpTask,
    LinkRole,
    Opinion,
    Petition,
    PetitionEvent,
    PetitionUnit,
)
from .states import Decision, DeliveryMethod, NoticeExemption, PetitionType, Procedure, Rating, State

# Which handling clock a route starts (domain.md §3.1).
ROUTE_LIMITS = {
    "start_study": Limit.SUGGESTION_STUDY,
    "start_duty": Limit.DUTY_PERFORMANCE,
    "start_handling": Limit.HANDLING,
}
HANDLING_LIMITS = tuple(ROUTE_LIMITS.values())


# --- shared plumbing -------------------------------------------------------------------------


def event_append(
    *,
    petition: Petition,
    action: str,
    actor: User | None,
    actor_unit: Unit | None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> PetitionEvent:
    """Append one timeline row. Callers hold the petition row lock, so the sequence cannot collide."""
    last = petition.events.aggregate(last=Max("sequence"))["last"] or 0
    return PetitionEvent.objects.create(
        petition=petition,
        sequence=last + 1,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        actor_unit=actor_unit,
        reason=reason,
        payload=payload or {},
    )


def link_unit(*, petition: Petition, unit: Unit, role: str) -> None:
    PetitionUnit.objects.get_or_create(
        petition=petition, unit=unit, role=role, defaults={"unit_path": unit.path}
    )


def acting_membership(user: User, units: list[Unit], roles: frozenset[str]) -> Membership | None:
    """The user's seat that covers one of ``units`` with one of ``roles`` (nearest unit first)."""
    for unit in units:
        candidates = [
            m
            for m in scoping.active_memberships(user)
            if m.role in roles and unit.path.startswith(scoping.jurisdiction_root(m).path)
        ]
        if candidates:
            return max(candidates, key=lambda m: scoping.jurisdiction_root(m).depth)
    if scoping.sees_everything(user):
        memberships = scoping.active_memberships(user)
        return memberships[0] if memberships else None
    return None


def _lock(petition_id: int) -> Petition:
    # No joins under FOR UPDATE: PostgreSQL re-checks joined rows after waiting for a lock, and a
    # concurrent change of current_unit would make the row vanish from the result.
    return Petition.objects.select_for_update().get(pk=petition_id)


def _check_version(petition: Petition, expected_version: int | None) -> None:
    if expected_version is not None and petition.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this petition a moment ago. "
                "Reload the page to see the change, then try again."
            )
        )


def refusal(transition: Transition, state: str) -> DomainError:
    return DomainError(
        _("“%(action)s” is not possible while the petition is “%(state)s”.")
        % {"action": transition.label, "state": State(state).label},
        code="not_allowed_in_state",
    )


def _acting_units(petition: Petition, transition: Transition) -> list[Unit]:
    units = [petition.current_unit]
    if transition.action in {"evaluate", "request_review", "request_re_review"}:
        # The petitioner may bring these to the desk where the matter was registered.
        units.append(petition.registering_unit)
    return units


# What the petitioner may do personally through the portal (with the query code), without staff.
CITIZEN_ACTIONS = frozenset({"evaluate", "request_review", "request_re_review"})


def transition_apply(
    *,
    petition_id: int,
    action: str,
    user: User | None,
    expected_version: int | None = None,
    citizen: bool = False,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    apply: Callable[[Petition, Membership | None], dict[str, Any] | None] | None = None,
) -> Petition:
    """Run one action of the transition table on a locked petition; ``apply`` does its specific work.

    ``citizen`` marks the petitioner acting in person through the portal (they proved who they are with
    the query code); only ``CITIZEN_ACTIONS`` are open to them and no staff role is involved.
    """
    transition = TRANSITIONS[action]
    if citizen and action not in CITIZEN_ACTIONS:
        raise DomainError(_("This can only be done by staff."), code="staff_only")
    if not citizen and user is None:
        raise DomainError(_("Log in to do this."), code="unauthenticated")
    with transaction.atomic():
        petition = _lock(petition_id)
        if not citizen and not _visible_to(user, petition):  # type: ignore[arg-type]
            raise scoping.OutOfJurisdiction(_("This petition is outside your jurisdiction."))
        _check_version(petition, expected_version)
        if petition.state not in transition.sources:
            raise refusal(transition, petition.state)
        membership = (
            None
            if citizen or user is None
            else acting_membership(user, _acting_units(petition, transition), transition.roles)
        )
        if not citizen and membership is None and not scoping.sees_everything(user):
            raise DomainError(
                _("Your role does not allow “%(action)s” on this petition.") % {"action": transition.label},
                code="role_not_allowed",
            )
        from_state = petition.state
        target = _resolve_target(petition, transition)
        extra = apply(petition, membership) if apply else None
        petition.state = target
        petition.version += 1
        petition.save()
        event_append(
            petition=petition,
            action=action,
            actor=user,
            actor_unit=membership.unit if membership else None,
            from_state=from_state,
            to_state=target,
            reason=reason,
            payload={**(payload or {}), **(extra or {}), **({"via": "portal"} if citizen else {})},
        )
    return petition


def _resolve_target(petition: Petition, transition: Transition) -> str:
    if transition.target != RETURN_TO_ROUTED:
        return transition.target
    last_routing = petition.events.filter(action__in=["forward", "assign"]).order_by("-sequence").first()
    return State.ASSIGNED if last_routing and last_routing.action == "assign" else State.FORWARDED


def _visible_to(user: User, petition: Petition) -> bool:
    from .selectors import visible_petitions

    return visible_petitions(user).filter(pk=petition.pk).exists()


def _today(value: dt.date | None) -> dt.date:
    return value or timezone.localdate()


def _require_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required")
    return value


def _not_future(day: dt.date | None) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError(_("The date cannot be in the future."), code="future")


def _unit_in_tree(unit: Unit | None, message: str) -> Unit:
    if unit is None:
        raise DomainError(message, code="required")
    return unit


# --- routing ----------------------------------------------------------------------------------


def petition_triage(*, petition_id: int, user: User, expected_version: int | None = None) -> Petition:
    return transition_apply(
        petition_id=petition_id, action="triage", user=user, expected_version=expected_version
    )


def _route(
    *,
    petition_id: int,
    user: User,
    action: str,
    to_unit: Unit,
    note: str,
    expected_version: int | None,
    feedback_days: int | None = None,
) -> Petition:
    to_unit = _unit_in_tree(to_unit, _("Choose the unit to send the petition to."))

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        if to_unit.pk == petition.current_unit_id:
            raise DomainError(_("The petition is already with this unit."), code="same_unit")
        today = timezone.localdate()
        clocks.clocks_stop(petition=petition, kinds=[Limit.FORWARD], on=today)
        petition.current_unit = to_unit
        petition.handling_unit = to_unit
        link_unit(petition=petition, unit=to_unit, role=LinkRole.FORWARDED_TO)
        # The handler's clocks run from its receipt, which is today.
        clocks.clock_start(petition=petition, limit=Limit.NOTICE, unit=to_unit, start=today)
        clocks.clock_start(petition=petition, limit=Limit.OBJECTION, unit=to_unit, start=today)
        extra: dict[str, Any] = {"to_unit": to_unit.pk, "to_unit_name": to_unit.name}
        if action == "assign":
            clock = clocks.clock_start(
                petition=petition, limit=Limit.ASSIGNMENT_FEEDBACK, unit=to_unit, start=today
            )
            if feedback_days:
                # A locally set feedback deadline replaces the default one (calendar days, rolled forward).
                clock.due_on = roll_to_working_day(add_calendar_days(today, feedback_days))
                clock.save(update_fields=["due_on"])
            extra["feedback_due_on"] = clock.due_on.isoformat()
        return extra

    return transition_apply(
        petition_id=petition_id,
        action=action,
        user=user,
        expected_version=expected_version,
        reason=note,
        apply=apply,
    )


def petition_forward(
    *, petition_id: int, user: User, to_unit: Unit, note: str = "", expected_version: int | None = None
) -> Petition:
    """转送: send to the competent unit (territory first, then function)."""
    return _route(
        petition_id=petition_id,
        user=user,
        action="forward",
        to_unit=to_unit,
        note=note,
        expected_version=expected_version,
    )


def petition_assign(
    *,
    petition_id: int,
    user: User,
    to_unit: Unit,
    note: str = "",
    feedback_days: int | None = None,
    expected_version: int | None = None,
) -> Petition:
    """交办: like forwarding, plus a feedback deadline and a completion report."""
    if feedback_days is not None and not 1 <= feedback_days <= 90:
        raise DomainError(_("The feedback deadline must be between 1 and 90 days."), code="invalid_days")
    return _route(
        petition_id=petition_id,
        user=user,
        action="assign",
        to_unit=to_unit,
        note=note,
        expected_version=expected_version,
        feedback_days=feedback_days,
    )


def petition_raise_objection(
    *, petition_id: int, user: User, reason: str, expected_version: int | None = None
) -> Petition:
    reason = _require_text(reason, _("Give the reasons why the matter is not in your remit."))

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        clock = clocks.running_clock(petition, Limit.OBJECTION)
        if clock is None or timezone.localdate() > clock.due_on:
            raise DomainError(
                _("The 5 working days for an objection have passed; the matter must be handled."),
                code="objection_late",
            )
        clocks.clocks_stop(petition=petition, kinds=[Limit.OBJECTION])
        return {}

    return transition_apply(
        petition_id=petition_id,
        action="raise_objection",
        user=user,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def petition_agree_objection(
    *, petition_id: int, user: User, note: str = "", expected_version: int | None = None
) -> Petition:
    """Materials go back to the forwarder, which routes again with a new forwarding clock (design choice)."""

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        clocks.clocks_stop(petition=petition, kinds=[Limit.NOTICE, Limit.ASSIGNMENT_FEEDBACK], cancel=True)
        back_to = _last_forwarder(petition) or petition.registering_unit
        petition.current_unit = back_to
        petition.handling_unit = None
        clocks.clock_start(petition=petition, limit=Limit.FORWARD, unit=back_to, start=timezone.localdate())
        return {"returned_to": back_to.pk}

    return transition_apply(
        petition_id=petition_id,
        action="agree_objection",
        user=user,
        reason=note,
        expected_version=expected_version,
        apply=apply,
    )


def _last_forwarder(petition: Petition) -> Unit | None:
    event = petition.events.filter(action__in=["forward", "assign"]).order_by("-sequence").first()
    return event.actor_unit if event else None


def petition_reject_objection(
    *, petition_id: int, user: User, reason: str, expected_version: int | None = None
) -> Petition:
    """Back to the handler; its clocks keep running unchanged (design choice)."""
    reason = _require_text(reason, _("Say why the objection is rejected."))
    return transition_apply(
        petition_id=petition_id,
        action="reject_objection",
        user=user,
        reason=reason,
        expected_version=expected_version,
    )


def _terminal_route(
    *,
    petition_id: int,
    user: User,
    action: str,
    reason: str,
    expected_version: int | None,
    to_unit: Unit | None = None,
    payload: dict[str, Any] | None = None,
    before: Callable[[Petition], None] | None = None,
) -> Petition:
    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        if before:
            before(petition)
        clocks.clocks_stop(petition=petition)
        petition.closed_at = timezone.now()
        extra: dict[str, Any] = {}
        if to_unit is not None:
            link_unit(
                petition=petition,
                unit=to_unit,
                role=LinkRole.DISCIPLINE if action == "refer_discipline" else LinkRole.FORWARDED_TO,
            )
            petition.current_unit = to_unit
            extra = {"to_unit": to_unit.pk, "to_unit_name": to_unit.name}
        return extra

    return transition_apply(
        petition_id=petition_id,
        action=action,
        user=user,
        reason=reason,
        payload=payload,
        expected_version=expected_version,
        apply=apply,
    )


def petition_redirect(
    *, petition_id: int, user: User, reason: str, expected_version: int | None = None
) -> Petition:
    """告知另行提出: outside this system; the petitioner is told where to go."""
    reason = _require_text(reason, _("Tell the petitioner where to raise the matter."))
    return _terminal_route(
        petition_id=petition_id,
        user=user,
        action="redirect",
        reason=reason,
        expected_version=expected_version,
    )


def petition_refer_political_legal(
    *, petition_id: int, user: User, to_unit: Unit, reason: str, expected_version: int | None = None
) -> Petition:
    reason = _require_text(reason, _("Explain the legal route to the petitioner (释法明理)."))

    def mark(petition: Petition) -> None:
        petition.is_law_related = True

    return _terminal_route(
        petition_id=petition_id,
        user=user,
        action="refer_political_legal",
        reason=reason,
        expected_version=expected_version,
        to_unit=to_unit,
        before=mark,
    )


def petition_refer_discipline(
    *, petition_id: int, user: User, to_unit: Unit, reason: str = "", expected_version: int | None = None
) -> Petition:
    """检举控告 to 纪检监察. The accused never sees it (selectors hide it)."""
    from xinfang.orgs.models import UnitKind

    if to_unit is None or to_unit.kind != UnitKind.DISCIPLINE:
        raise DomainError(_("Choose a discipline inspection unit."), code="not_discipline")

    def check(petition: Petition) -> None:
        accused = petition.accused_unit
        if accused is not None and to_unit.path.startswith(accused.path):
            raise DomainError(
                _("An accusation cannot be sent to a unit inside the accused unit."), code="accused"
            )

    return _terminal_route(
        petition_id=petition_id,
        user=user,
        action="refer_discipline",
        reason=reason,
        expected_version=expected_version,
        to_unit=to_unit,
        before=check,
    )


def petition_divert(
    *, petition_id: int, user: User, procedure: str, reason: str, expected_version: int | None = None
) -> Petition:
    """不予受理 with the procedure to use instead (诉访分离, Art. 31 (1)-(4))."""
    if procedure not in Procedure.values:
        raise DomainError(_("Choose the procedure the petitioner should use."), code="procedure")
    reason = _require_text(reason, _("Give the reason and the body the petitioner should turn to."))

    def set_procedure(petition: Petition) -> None:
        petition.diverted_procedure = procedure
        if procedure == Procedure.LITIGATION:
            petition.is_law_related = True

    return _terminal_route(
        petition_id=petition_id,
        user=user,
        action="divert",
        reason=reason,
        expected_version=expected_version,
        payload={"procedure": procedure},
        before=set_procedure,
    )


def petition_decline_upper(
    *, petition_id: int, user: User, open_case: Petition, expected_version: int | None = None
) -> Petition:
    """Art. 19 ¶3: the same matter is accepted or in handling below within its limit."""
    if not open_case.is_open:
        raise DomainError(_("The earlier petition is no longer in handling."), code="not_open")

    def link(petition: Petition) -> None:
        petition.repeat_of = open_case
        petition.is_bypass = True

    reason = _("Already handled at %(unit)s as %(number)s.") % {
        "unit": open_case.current_unit.name,
        "number": open_case.number,
    }
    return _terminal_route(
        petition_id=petition_id,
        user=user,
        action="decline_upper",
        reason=reason,
        expected_version=expected_version,
        payload={"open_case": open_case.pk},
        before=link,
    )


def petition_decline_final(
    *, petition_id: int, user: User, final_case: Petition, expected_version: int | None = None
) -> Petition:
    """Art. 36 ¶3: same facts and reasons as a final matter are not accepted again."""
    if final_case.state not in {State.FINAL, State.POST_FINAL_FOLLOWUP}:
        raise DomainError(_("The earlier petition is not final."), code="not_final")

    def link(petition: Petition) -> None:
        petition.final_of = final_case
        petition.is_repeat = True
        petition.repeat_of = final_case

    reason = _("Same facts and reasons as final matter %(number)s.") % {"number": final_case.number}
    return _terminal_route(
        petition_id=petition_id,
        user=user,
        action="decline_final",
        reason=reason,
        expected_version=expected_version,
        payload={"final_case": final_case.pk},
        before=link,
    )


# --- acceptance and handling ---------------------------------------------------------------------


def petition_accept(
    *,
    petition_id: int,
    user: User,
    petition_type: str,
    notice_sent_on: dt.date | None = None,
    notice_exemption: str = "",
    route: str | None = None,
    expected_version: int | None = None,
) -> Petition:
    """受理: the type is fixed and the written notice is sent (or an exemption recorded, Art. 23 ¶2)."""
    if petition_type not in PetitionType.values:
        raise DomainError(_("Choose the type of the petition."), code="type")
    if notice_exemption and notice_exemption not in NoticeExemption.values:
        raise DomainError(_("Unknown notice exemption."), code="exemption")
    if not notice_exemption and notice_sent_on is None:
        raise DomainError(
            _("Give the date the acceptance notice was sent, or why no notice is owed."), code="notice"
        )
    if notice_sent_on and notice_sent_on > timezone.localdate():
        raise DomainError(_("The notice date cannot be in the future."), code="future")

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        today = timezone.localdate()
        petition.petition_type = petition_type
        petition.accepted_at = timezone.now()
        petition.notice_sent_on = notice_sent_on
        petition.notice_exemption = notice_exemption
        clocks.clocks_stop(petition=petition, kinds=[Limit.FORWARD, Limit.NOTICE], on=notice_sent_on or today)
        clocks.clocks_stop(petition=petition, kinds=[Limit.OBJECTION], cancel=True)
        if petition.handling_unit_id is None:
            petition.handling_unit = petition.current_unit
        link_unit(petition=petition, unit=petition.current_unit, role=LinkRole.HANDLER)
        # The handling clock runs from acceptance even before a route is chosen (domain.md §3.1).
        clocks.clock_start(
            petition=petition,
            limit=ROUTE_LIMITS[default_route(petition_type)],
            unit=petition.current_unit,
            start=today,
        )
        if membership and petition.first_handler_id is None:
            petition.first_handler = membership.user
        return {
            "petition_type": petition_type,
            "notice_sent_on": notice_sent_on.isoformat() if notice_sent_on else "",
        }

    # Acceptance and the chosen route commit together or not at all.
    with transaction.atomic():
        petition = transition_apply(
            petition_id=petition_id,
            action="accept",
            user=user,
            expected_version=expected_version,
            apply=apply,
        )
        if route:
            petition = petition_start_route(petition_id=petition.pk, user=user, route=route)
    return petition


def default_route(petition_type: str) -> str:
    return {
        PetitionType.SUGGESTION: "start_study",
        PetitionType.GRIEVANCE: "start_handling",
        PetitionType.ACCUSATION: "start_handling",
    }[PetitionType(petition_type)]


def petition_start_route(
    *, petition_id: int, user: User, route: str, expected_version: int | None = None
) -> Petition:
    if route not in ROUTE_LIMITS:
        raise DomainError(_("Unknown handling route."), code="route")

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        limit = ROUTE_LIMITS[route]
        if clocks.running_clock(petition, limit) is not None:
            return {}
        # The route has its own limit: replace the default clock started at acceptance, same start day.
        clocks.clocks_stop(petition=petition, kinds=HANDLING_LIMITS, cancel=True)
        start = timezone.localdate(petition.accepted_at) if petition.accepted_at else timezone.localdate()
        clocks.clock_start(petition=petition, limit=limit, unit=petition.current_unit, start=start)
        return {}

    return transition_apply(
        petition_id=petition_id, action=route, user=user, expected_version=expected_version, apply=apply
    )


def petition_open_hearing(
    *, petition_id: int, user: User, note: str = "", expected_version: int | None = None
) -> Petition:
    return transition_apply(
        petition_id=petition_id,
        action="open_hearing",
        user=user,
        reason=note,
        expected_version=expected_version,
    )


def petition_close_hearing(
    *, petition_id: int, user: User, note: str = "", expected_version: int | None = None
) -> Petition:
    return transition_apply(
        petition_id=petition_id,
        action="close_hearing",
        user=user,
        reason=note,
        expected_version=expected_version,
    )


def petition_start_mediation(
    *, petition_id: int, user: User, note: str = "", expected_version: int | None = None
) -> Petition:
    """访调对接: both parties consent; the handling clock keeps running (design choice)."""
    return transition_apply(
        petition_id=petition_id,
        action="start_mediation",
        user=user,
        reason=note,
        expected_version=expected_version,
    )


def petition_end_mediation(
    *, petition_id: int, user: User, reason: str, expected_version: int | None = None
) -> Petition:
    reason = _require_text(reason, _("Say why mediation ended without agreement."))
    return transition_apply(
        petition_id=petition_id,
        action="end_mediation",
        user=user,
        reason=reason,
        expected_version=expected_version,
    )


def petition_settle(
    *,
    petition_id: int,
    user: User,
    agreement: str,
    signed_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Petition:
    """调解协议书 / 和解协议书: the written agreement stops the handling clock."""
    agreement = _require_text(agreement, _("Write down the agreement the parties signed."))
    _not_future(signed_on)

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        day = _today(signed_on)
        clocks.clocks_stop(petition=petition, kinds=HANDLING_LIMITS, on=day)
        petition.replied_on = day
        clocks.clock_start(
            petition=petition, limit=Limit.EVALUATION_WINDOW, unit=petition.current_unit, start=day
        )
        return {"agreement": agreement, "signed_on": day.isoformat()}

    return transition_apply(
        petition_id=petition_id, action="settle", user=user, expected_version=expected_version, apply=apply
    )


def petition_extend(
    *,
    petition_id: int,
    user: User,
    days: int,
    reason: str,
    approved_by: User,
    notice_sent_on: dt.date,
    expected_version: int | None = None,
) -> Petition:
    """Art. 34: one extension of at most 30 days, approved by the unit head, reason told to the petitioner."""
    reason = _require_text(reason, _("Give the reason for the extension; it is told to the petitioner."))
    _not_future(notice_sent_on)
    with transaction.atomic():
        petition = _lock(petition_id)
        if not _visible_to(user, petition):
            raise scoping.OutOfJurisdiction(_("This petition is outside your jurisdiction."))
        _check_version(petition, expected_version)
        validate_extension(days, unit=petition.current_unit)
        from .lifecycle import EXTENDABLE_STATES

        if petition.state not in EXTENDABLE_STATES:
            raise DomainError(
                _("Handling can be extended only while it is under way (now “%(state)s”).")
                % {"state": State(petition.state).label},
                code="not_allowed_in_state",
            )
        if Extension.objects.filter(petition=petition).exists():
            raise DomainError(_("This petition has already been extended once."), code="extended")
        membership = acting_membership(user, [petition.current_unit], TRANSITIONS["start_handling"].roles)
        if membership is None and not scoping.sees_everything(user):
            raise DomainError(_("Your role does not allow extending this petition."), code="role_not_allowed")
        if not (
            scoping.can_act_in(
                approved_by, petition.current_unit, Role.LEADER, Role.COUNTY_OFFICER, Role.TOWN_OFFICER
            )
            or scoping.sees_everything(approved_by)
        ):
            raise DomainError(
                _("The extension must be approved by the head of the handling unit."), code="approver"
            )
        clock = next(
            (
                clocks.running_clock(petition, limit)
                for limit in HANDLING_LIMITS
                if clocks.running_clock(petition, limit)
            ),
            None,
        )
        if clock is None:
            raise DomainError(_("No handling clock is running."), code="no_clock")
        if timezone.localdate() > clock.due_on:
            raise DomainError(
                _("The handling deadline has already passed; it can no longer be extended."), code="late"
            )
        Extension.objects.create(
            petition=petition,
            days=days,
            reason=reason,
            approved_by=approved_by,
            notice_sent_on=notice_sent_on,
        )
        clocks.clock_extend(clock=clock, days=days)
        petition.version += 1
        petition.save()
        event_append(
            petition=petition,
            action="extend",
            actor=user,
            actor_unit=membership.unit if membership else None,
            from_state=petition.state,
            to_state=petition.state,
            reason=reason,
            payload={"days": days, "due_on": clock.due_on.isoformat(), "approved_by": approved_by.pk},
        )
    return petition


def petition_issue_opinion(
    *,
    petition_id: int,
    user: User,
    decision: str,
    facts_found: str,
    reasons: str,
    legal_basis: str,
    issued_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Petition:
    """信访处理意见书 (Art. 32). 支持 opens an execution task; 不予支持 a guidance task."""
    if decision not in Decision.values:
        raise DomainError(_("Choose the decision: supported, explained or not supported."), code="decision")
    facts_found = _require_text(facts_found, _("State the facts found."))
    reasons = _require_text(reasons, _("State the reasons."))
    legal_basis = _require_text(legal_basis, _("State the legal basis."))
    _not_future(issued_on)

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        day = _today(issued_on)
        opinion = Opinion.objects.create(
            petition=petition,
            stage=Opinion.Stage.HANDLING,
            unit=petition.current_unit,
            decision=decision,
            facts_found=facts_found,
            reasons=reasons,
            legal_basis=legal_basis,
            issued_on=day,
            issued_by=user,
        )
        clocks.clocks_stop(petition=petition, kinds=HANDLING_LIMITS, on=day)
        _open_opinion_task(petition, decision)
        return {"opinion": opinion.pk, "decision": decision}

    return transition_apply(
        petition_id=petition_id,
        action="issue_opinion",
        user=user,
        expected_version=expected_version,
        apply=apply,
    )


def _open_opinion_task(petition: Petition, decision: str) -> None:
    kind = {
        Decision.SUPPORT: FollowUpTask.Kind.EXECUTION,
        Decision.NOT_SUPPORT: FollowUpTask.Kind.GUIDANCE,
    }.get(Decision(decision))
    if kind:
        FollowUpTask.objects.create(petition=petition, kind=kind, unit=petition.current_unit)


def petition_deliver_reply(
    *,
    petition_id: int,
    user: User,
    delivered_on: dt.date,
    method: str,
    reply_text: str = "",
    expected_version: int | None = None,
) -> Petition:
    """答复送达: the petitioner received the written reply; the 30-day review window opens."""
    if method not in DeliveryMethod.values:
        raise DomainError(_("Choose how the reply was delivered."), code="method")
    if delivered_on > timezone.localdate():
        raise DomainError(_("The delivery date cannot be in the future."), code="future")

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        if petition.state in {State.SUGGESTION_STUDY, State.DUTY_PERFORMANCE}:
            _require_text(reply_text, _("Write the reply to the petitioner."))
            clocks.clocks_stop(petition=petition, kinds=HANDLING_LIMITS, on=delivered_on)
        opinion = petition.opinions.filter(stage=Opinion.Stage.HANDLING).order_by("-pk").first()
        if opinion is not None and opinion.delivered_on is None:
            opinion.delivered_on = delivered_on
            opinion.delivery_method = method
            opinion.save(update_fields=["delivered_on", "delivery_method"])
        petition.replied_on = delivered_on
        unit = petition.current_unit
        clocks.clock_start(petition=petition, limit=Limit.REVIEW_REQUEST, unit=unit, start=delivered_on)
        clocks.clock_start(petition=petition, limit=Limit.EVALUATION_WINDOW, unit=unit, start=delivered_on)
        return {"delivered_on": delivered_on.isoformat(), "method": method, "reply": reply_text}

    return transition_apply(
        petition_id=petition_id,
        action="deliver_reply",
        user=user,
        expected_version=expected_version,
        apply=apply,
    )


# --- the petitioner's side: evaluation and appeals -----------------------------------------------


def petition_evaluate(
    *,
    petition_id: int,
    user: User | None,
    rating: str,
    comment: str = "",
    via_portal: bool = False,
    expected_version: int | None = None,
) -> Petition:
    """满意度评价 within the window. 不满意 opens a re-handling check (design choice)."""
    if rating not in Rating.values:
        raise DomainError(_("Choose a rating."), code="rating")

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        if not via_portal:
            principal_rights.refuse_agent_rating(user=user, petition=petition)
        clock = clocks.running_clock(petition, Limit.EVALUATION_WINDOW)
        if clock is None or timezone.localdate() > clock.due_on:
            raise DomainError(_("The time for rating this reply has passed."), code="evaluation_closed")
        clocks.clocks_stop(petition=petition, kinds=[Limit.EVALUATION_WINDOW])
        Evaluation.objects.create(
            petition=petition,
            rating=rating,
            comment=comment,
            via_portal=via_portal,
            recorded_by=None if via_portal else user,
        )
        if rating == Rating.DISSATISFIED:
            FollowUpTask.objects.create(
                petition=petition, kind=FollowUpTask.Kind.REHANDLING_CHECK, unit=petition.current_unit
            )
        return {"rating": rating}

    return transition_apply(
        petition_id=petition_id,
        action="evaluate",
        user=user,
        reason=comment,
        expected_version=expected_version,
        apply=apply,
        citizen=via_portal,
    )


def review_unit_for(unit: Unit) -> Unit:
    """One level above a decider: an organ's own government (its area), an area's parent area."""
    from xinfang.orgs.models import AREA_KINDS
    from xinfang.orgs.selectors import ancestors

    if unit.is_organ:
        return unit.area()
    parent = ancestors(unit).filter(kind__in=AREA_KINDS).order_by("-depth").first()
    if parent is None:
        raise DomainError(
            _("There is no level above %(unit)s to review it.") % {"unit": unit.name}, code="top"
        )
    return parent


def _appeal_request(
    *,
    petition_id: int,
    user: User | None,
    level: str,
    requested_on: dt.date,
    grounds: str,
    window: Limit,
    decision_limit: Limit,
    action: str,
    expected_version: int | None,
    citizen: bool = False,
) -> Petition:
    grounds = _require_text(grounds, _("State what the petitioner disagrees with."))
    if requested_on > timezone.localdate():
        raise DomainError(_("The request date cannot be in the future."), code="future")

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        mandate = (
            None
            if citizen
            else principal_rights.agent_appeal_mandate(
                user=user, petition=petition, requested_on=requested_on, level=level
            )
        )
        clock = clocks.running_clock(petition, window)
        if clock is None or requested_on > clock.due_on:
            raise DomainError(
                _(
                    "The 30 days to request this have passed, so it is not an appeal. "
                    "The petitioner may raise new facts or reasons as a new petition."
                ),
                code="appeal_late",
            )
        clocks.clocks_stop(petition=petition, kinds=[window, Limit.EVALUATION_WINDOW], on=requested_on)
        decider = _last_decider(petition)
        upper = review_unit_for(decider)
        Appeal.objects.create(
            petition=petition, level=level, requested_on=requested_on, unit=upper, grounds=grounds
        )
        link_unit(petition=petition, unit=upper, role=LinkRole.REVIEWER)
        petition.current_unit = upper
        clocks.clock_start(petition=petition, limit=decision_limit, unit=upper, start=requested_on)
        extra: dict[str, Any] = {
            "unit": upper.pk,
            "unit_name": upper.name,
            "requested_on": requested_on.isoformat(),
        }
        if mandate is not None:
            extra["agent_mandate"] = mandate.pk
        return extra

    return transition_apply(
        petition_id=petition_id,
        action=action,
        user=user,
        reason=grounds,
        expected_version=expected_version,
        apply=apply,
        citizen=citizen,
    )


def _last_decider(petition: Petition) -> Unit:
    opinion = petition.opinions.order_by("-pk").first()
    if opinion is not None:
        return opinion.unit
    return petition.handling_unit or petition.current_unit


def petition_request_review(
    *,
    petition_id: int,
    user: User | None,
    requested_on: dt.date,
    grounds: str,
    expected_version: int | None = None,
    citizen: bool = False,
) -> Petition:
    """复查: within 30 days of receiving the reply, to one level above the handler (Art. 35)."""
    return _appeal_request(
        petition_id=petition_id,
        user=user,
        level=Appeal.Level.REVIEW,
        requested_on=requested_on,
        grounds=grounds,
        window=Limit.REVIEW_REQUEST,
        decision_limit=Limit.REVIEW_DECISION,
        action="request_review",
        expected_version=expected_version,
        citizen=citizen,
    )


def petition_request_re_review(
    *,
    petition_id: int,
    user: User | None,
    requested_on: dt.date,
    grounds: str,
    expected_version: int | None = None,
    citizen: bool = False,
) -> Petition:
    """复核: within 30 days of receiving the review opinion, one level above the reviewer (Art. 36)."""
    return _appeal_request(
        petition_id=petition_id,
        user=user,
        level=Appeal.Level.RE_REVIEW,
        requested_on=requested_on,
        grounds=grounds,
        window=Limit.RE_REVIEW_REQUEST,
        decision_limit=Limit.RE_REVIEW_DECISION,
        action="request_re_review",
        expected_version=expected_version,
        citizen=citizen,
    )


def _appeal_decide(
    *,
    petition_id: int,
    user: User,
    level: str,
    action: str,
    decision: str,
    facts_found: str,
    reasons: str,
    legal_basis: str,
    delivered_on: dt.date,
    decision_limit: Limit,
    next_window: Limit | None,
    hearing_days: int,
    expected_version: int | None,
) -> Petition:
    if decision not in Decision.values:
        raise DomainError(_("Choose the decision: supported, explained or not supported."), code="decision")
    facts_found = _require_text(facts_found, _("State the facts found."))
    reasons = _require_text(reasons, _("State the reasons."))
    legal_basis = _require_text(legal_basis, _("State the legal basis."))
    if delivered_on > timezone.localdate():
        raise DomainError(_("The delivery date cannot be in the future."), code="future")
    if hearing_days < 0 or hearing_days > 60:
        raise DomainError(_("Hearing days must be between 0 and 60."), code="hearing_days")

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        appeal = petition.appeals.get(level=level)
        clock = clocks.running_clock(petition, decision_limit)
        if clock is not None and hearing_days:
            clocks.clock_exclude_days(clock=clock, days=hearing_days)
        opinion = Opinion.objects.create(
            petition=petition,
            stage=level,
            unit=appeal.unit,
            decision=decision,
            facts_found=facts_found,
            reasons=reasons,
            legal_basis=legal_basis,
            issued_on=delivered_on,
            issued_by=user,
            delivered_on=delivered_on,
            delivery_method=DeliveryMethod.IN_PERSON,
        )
        appeal.opinion = opinion
        appeal.hearing_days = hearing_days
        appeal.save(update_fields=["opinion", "hearing_days"])
        clocks.clocks_stop(petition=petition, kinds=[decision_limit], on=delivered_on)
        if next_window is not None:
            clocks.clock_start(petition=petition, limit=next_window, unit=appeal.unit, start=delivered_on)
        else:
            petition.closed_at = timezone.now()
            FollowUpTask.objects.create(
                petition=petition, kind=FollowUpTask.Kind.POST_FINAL, unit=appeal.unit
            )
        _open_opinion_task(petition, decision)
        return {"decision": decision, "opinion": opinion.pk, "hearing_days": hearing_days}

    return transition_apply(
        petition_id=petition_id, action=action, user=user, expected_version=expected_version, apply=apply
    )


def petition_decide_review(
    *,
    petition_id: int,
    user: User,
    decision: str,
    facts_found: str,
    reasons: str,
    legal_basis: str,
    delivered_on: dt.date,
    expected_version: int | None = None,
) -> Petition:
    return _appeal_decide(
        petition_id=petition_id,
        user=user,
        level=Appeal.Level.REVIEW,
        action="decide_review",
        decision=decision,
        facts_found=facts_found,
        reasons=reasons,
        legal_basis=legal_basis,
        delivered_on=delivered_on,
        decision_limit=Limit.REVIEW_DECISION,
        next_window=Limit.RE_REVIEW_REQUEST,
        hearing_days=0,
        expected_version=expected_version,
    )


def petition_decide_re_review(
    *,
    petition_id: int,
    user: User,
    decision: str,
    facts_found: str,
    reasons: str,
    legal_basis: str,
    delivered_on: dt.date,
    hearing_days: int = 0,
    expected_version: int | None = None,
) -> Petition:
    """复核意见: the matter becomes final; the same facts and reasons are not accepted again (Art. 36 ¶3)."""
    return _appeal_decide(
        petition_id=petition_id,
        user=user,
        level=Appeal.Level.RE_REVIEW,
        action="decide_re_review",
        decision=decision,
        facts_found=facts_found,
        reasons=reasons,
        legal_basis=legal_basis,
        delivered_on=delivered_on,
        decision_limit=Limit.RE_REVIEW_DECISION,
        next_window=None,
        hearing_days=hearing_days,
        expected_version=expected_version,
    )


def petition_close(
    *, petition_id: int, user: User, reason: str = "", expected_version: int | None = None
) -> Petition:
    """办结. Closing while the review window is open needs a reason (e.g. the petitioner waived it)."""

    def apply(petition: Petition, membership: Membership | None) -> dict[str, Any]:
        window = clocks.running_clock(petition, Limit.REVIEW_REQUEST) or clocks.running_clock(
            petition, Limit.RE_REVIEW_REQUEST
        )
        if window is not None and timezone.localdate() <= window.due_on:
            if not reason.strip():
                raise DomainError(
                    _("The petitioner may still request a review until %(date)s; give a reason to close now.")
                    % {"date": window.due_on.isoformat()},
                    code="window_open",
                )
            principal_rights.refuse_agent_waiver(user=user, petition=petition)
        clocks.clocks_stop(petition=petition, cancel=True)
        petition.closed_at = timezone.now()
        return {}

    return transition_apply(
        petition_id=petition_id,
        action="close",
        user=user,
        reason=reason,
        expected_version=expected_version,
        apply=apply,
    )


def petition_start_followup(
    *, petition_id: int, user: User, plan: str, expected_version: int | None = None
) -> Petition:
    """终结后化解: guidance, conflict resolution, assistance. Never reopens the matter."""
    plan = _require_text(plan, _("Describe the follow-up plan."))
    return transition_apply(
        petition_id=petition_id,
        action="start_followup",
        user=user,
        reason=plan,
        expected_version=expected_version,
    )
