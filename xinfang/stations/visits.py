"""Writes about people: walk-in visits at a station and hotline tickets turned into petitions.

A visit turned into a petition goes through the real intake (``petition_register``, channel
``station``); the petition's timeline gets a row naming the station and the visit. A hotline ticket is
converted the same way (channel ``hotline``) once staff confirm it is a 申诉求决 matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.core.errors import DomainError
from xinfang.core.idnumber import validate_id_number
from xinfang.core.phone import validate_phone
from xinfang.orgs.models import AREA_KINDS, ORGAN_KINDS, Unit
from xinfang.petitions.intake import IntakeData, IntakeError, PersonData, petition_register, petitioner_upsert
from xinfang.petitions.lifecycle import HANDLERS, INTAKE
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.services import event_append
from xinfang.petitions.states import Channel, PetitionType

from . import selectors
from .models import DepartmentSummons, HotlineSignal, Station, Visit, VisitOutcome
from .services import check_version, clean_text

SUMMONS_MAX_DAYS = 60


class VisitError(DomainError):
    """Field-by-field problems of a visit form, so each shows beside its field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms), code="invalid")


@dataclass
class Visitor:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""


def _visitor_errors(visitor: Visitor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not visitor.name.strip():
        errors.setdefault("visitor_name", []).append(_("Give the visitor's name."))
    elif len(visitor.name) > 100:
        errors.setdefault("visitor_name", []).append(_("A name may have at most 100 characters."))
    if visitor.id_number.strip():
        try:
            visitor.id_number = validate_id_number(visitor.id_number)
        except ValidationError as exc:
            errors.setdefault("visitor_id_number", []).extend(exc.messages)
    if visitor.phone.strip():
        try:
            visitor.phone = validate_phone(visitor.phone)
        except ValidationError as exc:
            errors.setdefault("visitor_phone", []).extend(exc.messages)
    if len(visitor.address) > 200:
        errors.setdefault("visitor_address", []).append(_("An address may have at most 200 characters."))
    return errors


def _lock_visit(visit_id: int, user: User, expected_version: int | None) -> Visit:
    visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
    if visit is None or not selectors.visible_visits(user).filter(pk=visit_id).exists():
        raise scoping.OutOfJurisdiction(_("This visit is outside your jurisdiction."))
    if not selectors.can_staff_desk(user, visit.station):
        raise DomainError(
            _("Only the station's duty staff and managers may do this."), code="role_not_allowed"
        )
    check_version(visit.version, expected_version, _("visit"))
    return visit


@transaction.atomic
def visit_register(
    *,
    user: User,
    station_id: int,
    visitor: Visitor,
    subject: str,
    notes: str = "",
    place: Unit | None = None,
    category: Category | None = None,
    people_count: int = 1,
    visited_at: dt.datetime | None = None,
    duty_staff: Sequence[User] | None = None,
) -> Visit:
    """Register a walk-in. Duty staff default to whoever the rota has on duty then, else the recorder."""
    station = Station.objects.select_related("unit").filter(pk=station_id).first()
    if station is None or not selectors.visible_stations(user).filter(pk=station_id).exists():
        raise scoping.OutOfJurisdiction(_("This station is outside your jurisdiction."))
    if not selectors.can_staff_desk(user, station):
        raise DomainError(
            _("Only the station's duty staff and managers may do this."), code="role_not_allowed"
        )
    errors = _visitor_errors(visitor)
    if not subject.strip():
        errors.setdefault("subject", []).append(_("Write down the matter the visitor raised."))
    elif len(subject) > 200:
        errors.setdefault("subject", []).append(_("The subject may have at most 200 characters."))
    place = place or station.unit
    if place.kind not in AREA_KINDS or not (
        scoping.can_see_unit(user, place) or place.is_within(station.unit)
    ):
        errors.setdefault("place", []).append(_("Choose a place in your jurisdiction."))
    if people_count < 1 or people_count > 100000:
        errors.setdefault("people_count", []).append(_("At least one person is involved."))
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + dt.timedelta(minutes=5):
        errors.setdefault("visited_at", []).append(_("The time of the visit cannot be in the future."))
    if errors:
        raise VisitError(errors)
    visit = Visit.objects.create(
        station=station,
        visitor=petitioner_upsert(
            PersonData(
                name=visitor.name.strip(),
                id_number=visitor.id_number,
                phone=visitor.phone,
                address=visitor.address.strip(),
                home_unit=station.unit,
            )
        ),
        visited_at=visited_at,
        people_count=people_count,
        subject=subject.strip(),
        notes=notes.strip(),
        place=place,
        category=category,
        recorded_by=user,
    )
    staff = list(duty_staff) if duty_staff else selectors.on_duty_at(station, visited_at)
    visit.duty_staff.set(staff or [user])
    return visit


@transaction.atomic
def visit_conclude(
    *, user: User, visit_id: int, outcome: str, note: str, expected_version: int | None = None
) -> Visit:
    """Resolved on the spot (say what was done) or referred to mediation (say to whom)."""
    visit = _lock_visit(visit_id, user, expected_version)
    if outcome not in (VisitOutcome.RESOLVED, VisitOutcome.MEDIATION):
        raise DomainError(_("Choose how the visit ended."), code="bad_outcome")
    if visit.outcome not in (VisitOutcome.PENDING, VisitOutcome.SUMMONED):
        raise DomainError(
            _("This visit is already concluded: %(outcome)s.") % {"outcome": visit.get_outcome_display()},
            code="already_concluded",
        )
    message = (
        _("Say what was done to resolve it.")
        if outcome == VisitOutcome.RESOLVED
        else _("Say to whom the matter was referred.")
    )
    visit.outcome_note = clean_text(note, limit=4000, message=message, code="no_note")
    visit.outcome = outcome
    visit.outcome_at = timezone.now()
    visit.outcome_by = user
    visit.version += 1
    visit.save()
    return visit


@transaction.atomic
def visit_summon(
    *,
    user: User,
    visit_id: int,
    department: Unit,
    task: str,
    due_on: dt.date,
    expected_version: int | None = None,
) -> DepartmentSummons:
    """Ask a department to come to the station by ``due_on`` (部门到驿站); the visit waits for it."""
    visit = _lock_visit(visit_id, user, expected_version)
    if visit.outcome not in (VisitOutcome.PENDING, VisitOutcome.SUMMONED):
        raise DomainError(
            _("This visit is already concluded: %(outcome)s.") % {"outcome": visit.get_outcome_display()},
            code="already_concluded",
        )
    if department.kind not in ORGAN_KINDS:
        raise DomainError(_("Choose a department or office, not an area."), code="bad_department")
    today = timezone.localdate()
    if not today <= due_on <= today + dt.timedelta(days=SUMMONS_MAX_DAYS):
        raise DomainError(
            _("The due date lies between today and %(days)d days from now.") % {"days": SUMMONS_MAX_DAYS},
            code="bad_due_date",
        )
    summons = DepartmentSummons.objects.create(
        visit=visit,
        department=department,
        task=clean_text(task, limit=2000, message=_("Say what the department is to do."), code="no_task"),
        due_on=due_on,
        created_by=user,
    )
    visit.outcome = VisitOutcome.SUMMONED
    visit.outcome_at = timezone.now()
    visit.outcome_by = user
    visit.version += 1
    visit.save()
    return summons


@transaction.atomic
def summons_complete(*, user: User, summons_id: int, result: str) -> DepartmentSummons:
    """The department came: what it did. Its own staff or the station's may record it."""
    summons = DepartmentSummons.objects.select_for_update().filter(pk=summons_id).first()
    if summons is None or not selectors.visible_summonses(user).filter(pk=summons_id).exists():
        raise scoping.OutOfJurisdiction(_("This task is outside your jurisdiction."))
    station = summons.visit.station
    if not (
        selectors.can_staff_desk(user, station) or scoping.can_act_in(user, summons.department, *HANDLERS)
    ):
        raise DomainError(
            _("Only the department or the station's staff may do this."), code="role_not_allowed"
        )
    if summons.done_at is not None:
        raise DomainError(_("This task is already done."), code="already_done")
    summons.result = clean_text(
        result, limit=4000, message=_("Say what the department did."), code="no_result"
    )
    summons.done_at = timezone.now()
    summons.done_by = user
    summons.save()
    return summons


def _intake(user: User, data: IntakeData) -> Petition:
    try:
        return petition_register(user=user, data=data)
    except IntakeError as exc:
        raise VisitError(exc.errors) from exc


@transaction.atomic
def visit_to_petition(
    *,
    user: User,
    visit_id: int,
    request: str,
    facts: str = "",
    petition_type: str = "",
    category: Category | None = None,
    expected_version: int | None = None,
) -> Petition:
    """Turn the visit into a petition in one step, through the real intake (channel: station)."""
    visit = _lock_visit(visit_id, user, expected_version)
    if visit.outcome not in (VisitOutcome.PENDING, VisitOutcome.SUMMONED):
        raise DomainError(
            _("This visit is already concluded: %(outcome)s.") % {"outcome": visit.get_outcome_display()},
            code="already_concluded",
        )
    if not any(m.role in INTAKE for m in scoping.active_memberships(user)) and not scoping.sees_everything(
        user
    ):
        raise DomainError(_("You hold no post that may register petitions."), code="role_not_allowed")
    visitor = visit.visitor
    petition = _intake(
        user,
        IntakeData(
            channel=Channel.STATION,
            subject=visit.subject,
            request=request,
            facts=facts or visit.notes,
            place=visit.place,
            # The visitor's own record, not a new match: without an ID number matching finds nobody.
            principal=PersonData(
                name=visitor.name,
                id_number=visitor.id_number,
                phone=visitor.phone,
                address=visitor.address,
                home_unit=visitor.home_unit,
                existing=visitor,
            ),
            category=category or visit.category,
            petition_type=petition_type,
            people_count=visit.people_count,
            received_at=visit.visited_at,
        ),
    )
    event_append(
        petition=petition,
        action="station_visit",
        actor=user,
        actor_unit=petition.registering_unit,
        reason=_("Registered from walk-in visit no. %(visit)d at %(station)s.")
        % {"visit": visit.pk, "station": visit.station.name},
        payload={"station_id": visit.station_id, "station_name": visit.station.name, "visit_id": visit.pk},
    )
    visit.outcome = VisitOutcome.PETITION
    visit.petition = petition
    visit.outcome_note = _("Registered as petition %(number)s.") % {"number": petition.number}
    visit.outcome_at = timezone.now()
    visit.outcome_by = user
    visit.version += 1
    visit.save()
    return petition


@transaction.atomic
def signal_to_petition(
    *,
    user: User,
    signal_id: int,
    confirmed_grievance: bool,
    principal: Visitor,
    subject: str,
    request: str,
    expected_version: int | None = None,
) -> Petition:
    """Turn a hotline ticket into a petition once staff confirm it is a 申诉求决 (grievance) matter."""
    signal = HotlineSignal.objects.select_for_update().filter(pk=signal_id).first()
    if signal is None or not selectors.visible_signals(user).filter(pk=signal_id).exists():
        raise scoping.OutOfJurisdiction(_("This hotline ticket is outside your jurisdiction."))
    check_version(signal.version, expected_version, _("hotline ticket"))
    if signal.petition_id is not None:
        raise DomainError(_("This ticket is already a petition."), code="already_converted")
    if not confirmed_grievance:
        raise VisitError(
            {"confirmed_grievance": [_("Confirm that the ticket is a grievance or request (申诉求决).")]}
        )
    if not scoping.can_act_in(user, signal.unit, *INTAKE):
        raise DomainError(_("You hold no post that may register petitions here."), code="role_not_allowed")
    errors = {k.replace("visitor_", "principal_"): v for k, v in _visitor_errors(principal).items()}
    if errors:
        raise VisitError(errors)
    petition = _intake(
        user,
        IntakeData(
            channel=Channel.HOTLINE,
            subject=subject,
            request=request,
            facts=signal.text,
            place=signal.unit,
            principal=PersonData(
                name=principal.name,
                id_number=principal.id_number,
                phone=principal.phone,
                address=principal.address,
            ),
            petition_type=PetitionType.GRIEVANCE,
            received_at=signal.received_at,
        ),
    )
    event_append(
        petition=petition,
        action="hotline_signal",
        actor=user,
        actor_unit=petition.registering_unit,
        reason=_("Registered from hotline ticket %(ticket)s, confirmed as a grievance or request.")
        % {"ticket": signal.ticket_id},
        payload={"ticket_id": signal.ticket_id, "signal_id": signal.pk},
    )
    signal.petition = petition
    signal.converted_by = user
    signal.converted_at = timezone.now()
    signal.version += 1
    signal.save()
    return petition
