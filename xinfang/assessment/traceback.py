"""倒查: the chain of responsibility of a bypass, repeat, overdue or reopened petition.

Built from the timeline (who did what, at which unit, when) and the clocks (which deadline each unit owed
and how it ended). For a repeat or bypass petition the chain starts with the earlier matter it came back
about (``repeat_of``, followed back a few steps): that is where handling failed.

- *Holdings*: each unit that held a matter, from when to when, the people who acted there, and the clocks
  it owed in that time with their outcome.
- *Duties*: the deadlines missed and the duties of Art. 42-46 they touch, each with the unit and people
  who held the matter then (found automatically), and the questions only a reviewer can answer (did the
  reply answer the request? was a collective visit handled well?) marked ``auto: False``.

The chain is stored as codes with parameters and translated when shown, in the reader's language. Every
petition that qualifies gets an ``AccountabilityReview``; the chain is rebuilt while the review is open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.core.models import Limit
from xinfang.orgs.models import AREA_KINDS, Unit, UnitKind
from xinfang.orgs.selectors import ancestors
from xinfang.petitions.lifecycle import TRANSITIONS
from xinfang.petitions.models import Appeal, Clock, ClockStatus, Opinion, Petition, Supervision
from xinfang.petitions.states import Decision, Rating
from xinfang.petitions.sweep import NO_REMINDER_KINDS

from .models import AccountabilityReview, Ground, ReviewStatus, Trigger

# How far back a repeat or bypass petition's earlier matters are followed.
MAX_EARLIER = 4
# The duty each missed deadline touches (Art. 43-46).
CLOCK_GROUNDS: dict[str, str] = {
    Limit.FORWARD: Ground.ART_43,
    Limit.NOTICE: Ground.ART_44_3,
    Limit.ASSIGNMENT_FEEDBACK: Ground.ART_45_1,
    Limit.HANDLING: Ground.ART_45_1,
    Limit.DUTY_PERFORMANCE: Ground.ART_45_1,
    Limit.SUGGESTION_STUDY: Ground.ART_45_1,
    Limit.REVIEW_DECISION: Ground.ART_45_1,
    Limit.RE_REVIEW_DECISION: Ground.ART_45_1,
    Limit.URGENT_REPORT: Ground.ART_46_4,
    Limit.MEDIATION_FIRST_CONTACT: Ground.ART_45_4,
}
# Timeline actions that are not lifecycle transitions, as the chain shows them.
OTHER_ACTIONS: dict[str, Promise] = {
    "receive": _("Received online"),
    "suggestion_confirmed": _("Detection check confirmed"),
    "suggestion_dismissed": _("Detection check dismissed"),
    "extend": _("Handling extended"),
    "supervise": _("Supervision opened"),
    "supervision_reply": _("Supervision answered"),
    "leader_case": _("Leader took the case"),
    "leader_case_progress": _("Leader reported progress"),
    "attach": _("Materials added"),
}
# Why a duty is listed, by code (translated when shown).
DUTY_TEXTS: dict[str, Promise] = {
    "clock_missed": _("“%(limit)s” met %(late)d days late (due %(due)s)."),
    "clock_overdue": _("“%(limit)s” still open %(late)d days after its due date (%(due)s)."),
    "review_supported": _("The review supported the request the handling opinion had not supported."),
    "supervision_unanswered": _("A supervision due %(due)s was not answered."),
    "came_back": _(
        "The petitioner came back about this matter after the reply: did the reply answer the request?"
    ),
    "dissatisfied": _("The petitioner rated the handling “dissatisfied”: was the request looked into again?"),
    "collective": _("A collective matter climbed upward: was it handled on the spot in time?"),
    "urgent": _("A major or urgent matter: was it reported upward at once?"),
}


def action_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    if transition is not None:
        return str(transition.label)
    label = OTHER_ACTIONS.get(action)
    return str(label) if label is not None else action


def limit_label(kind: str) -> str:
    try:
        return str(Limit(kind).label)
    except ValueError:
        return kind


def duty_text(duty: dict[str, Any]) -> str:
    template = DUTY_TEXTS.get(duty.get("code", ""))
    if template is None:
        return ""
    params = dict(duty.get("params", {}))
    if "limit" in params:
        params["limit"] = limit_label(params["limit"])
    return str(template) % params if params else str(template)


def enabled_triggers() -> set[str]:
    configured = getattr(settings, "XINFANG", {}).get("TRACEBACK_TRIGGERS")
    return set(configured) if configured else set(Trigger.values)


# --- which petitions ---------------------------------------------------------------------------------


def _duty_clocks(today: dt.date) -> QuerySet[Clock]:
    return Clock.objects.exclude(kind__in=NO_REMINDER_KINDS).filter(
        Q(status=ClockStatus.MISSED) | Q(status=ClockStatus.RUNNING, due_on__lt=today)
    )


def triggers_of(petition: Petition, today: dt.date) -> list[str]:
    found = []
    if petition.is_bypass:
        found.append(Trigger.BYPASS.value)
    if petition.is_repeat:
        found.append(Trigger.REPEAT.value)
    if _duty_clocks(today).filter(petition=petition).exists():
        found.append(Trigger.OVERDUE.value)
    if Appeal.objects.filter(petition=petition).exists():
        found.append(Trigger.REOPENED.value)
    return [t for t in found if t in enabled_triggers()]


def candidates(today: dt.date) -> QuerySet[Petition]:
    """Petitions that qualify for a trace-back and have no review yet."""
    enabled = enabled_triggers()
    condition = Q(pk__in=[])
    if Trigger.BYPASS in enabled:
        condition |= Q(is_bypass=True)
    if Trigger.REPEAT in enabled:
        condition |= Q(is_repeat=True)
    if Trigger.OVERDUE in enabled:
        condition |= Q(Exists(_duty_clocks(today).filter(petition=OuterRef("pk"))))
    if Trigger.REOPENED in enabled:
        condition |= Q(Exists(Appeal.objects.filter(petition=OuterRef("pk"))))
    reviewed = AccountabilityReview.objects.filter(petition=OuterRef("pk"))
    return Petition.objects.filter(condition).exclude(Exists(reviewed))


# --- the chain ---------------------------------------------------------------------------------------


def earlier_matters(petition: Petition) -> list[Petition]:
    """The matters this one came back about, oldest first (bounded, and safe against loops)."""
    chain: list[Petition] = []
    seen = {petition.pk}
    current = petition
    while current.repeat_of_id is not None and current.repeat_of_id not in seen and len(chain) < MAX_EARLIER:
        current = Petition.objects.select_related("place").get(pk=current.repeat_of_id)
        seen.add(current.pk)
        chain.append(current)
    return list(reversed(chain))


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name()}


def _unit(unit: Unit | None) -> dict[str, Any] | None:
    return None if unit is None else {"id": unit.pk, "name": unit.name}


def _holder_after(event: Any, holder: int | None) -> int | None:
    """The unit holding the matter after a timeline event (only lifecycle actions move it)."""
    if event.action in {"register", "receive"}:
        return event.petition.registering_unit_id
    if event.action not in TRANSITIONS:
        return holder
    payload = event.payload or {}
    for key in ("to_unit", "unit", "returned_to"):
        value = payload.get(key)
        if isinstance(value, int):
            return value
    return holder


def holdings(petition: Petition, today: dt.date) -> list[dict[str, Any]]:
    """Who held one matter, from when to when, who acted there, and the clocks it owed meanwhile."""
    events = list(petition.events.select_related("actor", "actor_unit", "petition").order_by("sequence"))
    units = {petition.registering_unit_id: petition.registering_unit}
    periods: list[dict[str, Any]] = []
    holder: int | None = None
    for event in events:
        after = _holder_after(event, holder)
        step = {
            "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
            "action": event.action,
            "person": _person(event.actor),
            "unit": _unit(event.actor_unit),
            "reason": (event.reason or "")[:200],
        }
        if periods and after == holder:
            periods[-1]["steps"].append(step)
            continue
        day = timezone.localdate(event.at).isoformat()
        if periods:
            # The step that hands the matter on belongs to the unit that handed it on.
            periods[-1]["steps"].append(step)
            periods[-1]["until"] = day
        holder = after
        periods.append({"unit_id": holder, "from": day, "until": None, "steps": [] if periods else [step]})
    clocks = list(petition.clocks.select_related("unit").order_by("started_on", "pk"))
    ids = {p["unit_id"] for p in periods if p["unit_id"]} | {c.unit_id for c in clocks}
    units.update({u.pk: u for u in Unit.objects.filter(pk__in=ids)})
    for period in periods:
        period["unit"] = _unit(units.get(period["unit_id"]))
        people: dict[int, dict[str, Any]] = {}
        for step in period["steps"]:
            if step["person"] is not None:
                people[step["person"]["id"]] = step["person"]
        period["people"] = list(people.values())
        period["clocks"] = []
    for clock in clocks:
        # A clock belongs to the latest holding of its unit begun by its start, else to the holding then.
        started = clock.started_on.isoformat()
        begun = [p for p in periods if p["from"] <= started] or periods[:1]
        same_unit = [p for p in begun if p["unit_id"] == clock.unit_id]
        if begun:
            (same_unit or begun)[-1]["clocks"].append(_clock(clock, today))
    return periods


def _clock(clock: Clock, today: dt.date) -> dict[str, Any]:
    stopped = timezone.localdate(clock.stopped_at) if clock.stopped_at else None
    if clock.kind in NO_REMINDER_KINDS:
        late = 0  # the petitioner's windows and the objection option are nobody's duty
    elif clock.status == ClockStatus.MISSED and stopped:
        late = (stopped - clock.due_on).days
    elif clock.status == ClockStatus.RUNNING and clock.due_on < today:
        late = (today - clock.due_on).days
    else:
        late = 0
    return {
        "kind": clock.kind,
        "unit": _unit(clock.unit),
        "due_on": clock.due_on.isoformat(),
        "status": clock.status,
        "stopped_on": stopped.isoformat() if stopped else None,
        "late": late,
        "duty": clock.kind not in NO_REMINDER_KINDS,
    }


def _duties_of(petition: Petition, periods: list[dict[str, Any]], *, came_back: bool) -> list[dict[str, Any]]:
    duties: list[dict[str, Any]] = []
    number = petition.number
    for period in periods:
        for clock in period["clocks"]:
            if not clock["duty"] or clock["late"] <= 0:
                continue
            code = "clock_missed" if clock["status"] == ClockStatus.MISSED else "clock_overdue"
            owner = clock["unit"] or period["unit"]
            duties.append(
                {
                    "petition": number,
                    "ground": CLOCK_GROUNDS.get(clock["kind"], Ground.ART_45_4),
                    "unit": owner,
                    "people": _people_at(periods, owner["id"] if owner else None),
                    "code": code,
                    "params": {"limit": clock["kind"], "late": clock["late"], "due": clock["due_on"]},
                    "auto": True,
                }
            )
    handling = petition.opinions.filter(stage=Opinion.Stage.HANDLING).order_by("pk").first()
    review = petition.opinions.filter(stage=Opinion.Stage.REVIEW).order_by("pk").first()
    if handling and review and review.decision == Decision.SUPPORT and handling.decision != Decision.SUPPORT:
        duties.append(
            _manual(petition, periods, Ground.ART_45_2, "review_supported", handling.unit, auto=True)
        )
    for supervision in Supervision.objects.filter(petition=petition, replied_at__isnull=True).select_related(
        "to_unit"
    ):
        if supervision.due_on < timezone.localdate():
            duties.append(
                {
                    "petition": number,
                    "ground": Ground.ART_45_4,
                    "unit": _unit(supervision.to_unit),
                    "people": _people_at(periods, supervision.to_unit_id),
                    "code": "supervision_unanswered",
                    "params": {"due": supervision.due_on.isoformat()},
                    "auto": True,
                }
            )
    if came_back and petition.replied_on is not None:
        duties.append(_manual(petition, periods, Ground.ART_45_2, "came_back", petition.handling_unit))
    if came_back and petition.evaluations.filter(rating=Rating.DISSATISFIED).exists():
        duties.append(_manual(petition, periods, Ground.ART_45_4, "dissatisfied", petition.handling_unit))
    return duties


def _people_at(periods: list[dict[str, Any]], unit_id: int | None) -> list[dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for period in periods:
        if period["unit_id"] == unit_id:
            for person in period["people"]:
                people[person["id"]] = person
    return list(people.values())


def _manual(
    petition: Petition,
    periods: list[dict[str, Any]],
    ground: str,
    code: str,
    unit: Unit | None,
    *,
    auto: bool = False,
) -> dict[str, Any]:
    return {
        "petition": petition.number,
        "ground": ground,
        "unit": _unit(unit),
        "people": _people_at(periods, unit.pk if unit else None),
        "code": code,
        "params": {},
        "auto": auto,
    }


def build_chain(petition: Petition, today: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The chain (one entry per matter, earlier matters first) and the duties it shows missed."""
    matters = [*earlier_matters(petition), petition]
    chain: list[dict[str, Any]] = []
    duties: list[dict[str, Any]] = []
    for matter in matters:
        periods = holdings(matter, today)
        is_earlier = matter.pk != petition.pk
        chain.append(
            {
                "petition_id": matter.pk,
                "number": matter.number,
                "subject": matter.subject,
                "state": matter.state,
                "earlier": is_earlier,
                "holdings": periods,
            }
        )
        duties.extend(_duties_of(matter, periods, came_back=is_earlier))
    if petition.is_collective and petition.is_bypass:
        duties.append(_manual(petition, [], Ground.ART_46_3, "collective", _county_of(petition)))
    if petition.is_urgent_major:
        duties.append(_manual(petition, [], Ground.ART_46_4, "urgent", _county_of(petition)))
    return chain, duties


def _county_of(petition: Petition) -> Unit:
    """The county-level area where the problem arose (or the place's own area when higher)."""
    place = petition.place
    area = place if place.kind in AREA_KINDS else place.area()
    if area.kind in (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY):
        return area
    county = ancestors(area).filter(kind=UnitKind.COUNTY).order_by("-depth").first()
    return county or area


# --- opening and rebuilding --------------------------------------------------------------------------


@transaction.atomic
def review_open(*, petition: Petition, today: dt.date | None = None) -> AccountabilityReview | None:
    """Open the review of one qualifying petition (once: a second call returns the existing one)."""
    today = today or timezone.localdate()
    existing = AccountabilityReview.objects.filter(petition=petition).first()
    if existing is not None:
        return existing
    petition = Petition.objects.select_related("place").get(pk=petition.pk)  # as stored, flags confirmed
    triggers = triggers_of(petition, today)
    if not triggers:
        return None
    chain, duties = build_chain(petition, today)
    try:
        with transaction.atomic():
            return AccountabilityReview.objects.create(
                petition=petition,
                area=_county_of(petition),
                year=today.year,
                triggers=triggers,
                chain=chain,
                duties=duties,
            )
    except IntegrityError:
        # Another sweeper opened it a moment ago (one review per petition is the table's own rule).
        return AccountabilityReview.objects.get(petition=petition)


def review_rebuild(review: AccountabilityReview, today: dt.date | None = None) -> AccountabilityReview:
    """Rebuild an open review's triggers and chain from the records as they are now."""
    if review.status != ReviewStatus.OPEN:
        return review
    today = today or timezone.localdate()
    petition = Petition.objects.select_related("place").get(pk=review.petition_id)
    triggers = sorted(
        set(review.triggers) | set(triggers_of(petition, today)), key=list(Trigger.values).index
    )
    review.chain, review.duties = build_chain(petition, today)
    review.triggers = triggers
    review.built_at = timezone.now()
    review.save(update_fields=["chain", "duties", "triggers", "built_at"])
    return review


def reviews_sweep(*, today: dt.date | None = None, batch: Iterable[int] | None = None) -> tuple[int, int]:
    """Open the reviews of every newly qualifying petition and rebuild the open ones that changed.

    Returns (opened, rebuilt). Run after the deadline sweep (``manage.py refresh_assessment``).
    """
    today = today or timezone.localdate()
    opened = 0
    qs = candidates(today).select_related("place")
    if batch is not None:
        qs = qs.filter(pk__in=list(batch))
    for petition in qs.order_by("pk").iterator(chunk_size=200):
        opened += int(review_open(petition=petition, today=today) is not None)
    rebuilt = 0
    stale = AccountabilityReview.objects.filter(status=ReviewStatus.OPEN).filter(
        Q(petition__updated_at__gt=F("built_at")) | Q(built_at__date__lt=today)
    )
    for review in stale.order_by("pk").iterator(chunk_size=200):
        with transaction.atomic():
            locked = AccountabilityReview.objects.select_for_update().get(pk=review.pk)
            review_rebuild(locked, today)
        rebuilt += 1
    return opened, rebuilt
