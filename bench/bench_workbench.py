"""The staff workbench over 10,000 petitions: the list, its searches and queues, the home page, a petition.

Target: the petition list renders in under 300 ms of server time.

Data: the demo tree and demo logins, and 10,000 petitions written with ``bulk_create`` as the services
would have left them (petitioners, parties, unit links, clocks, timeline events, a few pending
suggestions and deadline reminders), in every state of the lifecycle, about 60 % in 金安区 and the rest
in the other demo counties. Each petition is walked through the actions that lead to its state, so its
links, current unit, clocks and events agree with each other.

Measured: ``GET`` through Django's test ``Client`` (the whole middleware stack, no network), the time
taken around the request, as "county" (金安区信访局, who sees about 60 % of the petitions) and "town"
(望城街道, about 45 %): the list (first page, a search, a state filter, both, the overdue queue, page 20),
the workbench home (which counts every queue) and one petition's page. Median of 15 after 2 warm-ups; a
page whose first render takes over a second is rendered 3 times in all.

Baseline, in the same run, for the list and the home page: the same page from a view defined here and
served through the same middleware, rendering the same template with the same data computed the naive way:
every petition loaded with its linked units and kept when ``scoping.can_see_unit`` accepts one of them,
search and queue conditions tested per petition in Python, then each row's place, current unit, category,
petitioner and next deadline fetched one by one (no ``select_related``). Before timing, the two pages are
checked to show the same count and the same table (or the same queue counts and reminders).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bench.common import ServerClock, figure, format_seconds, heading, median_times, timed
from xinfang.accounts import scoping
from xinfang.accounts.demo import build_demo_users
from xinfang.accounts.models import User
from xinfang.core.calendar import LegalCalendar
from xinfang.core.crypto import keyed_hash
from xinfang.core.deadlines import NATIONAL_POLICY, due_date
from xinfang.core.idnumber import check_character, normalize_id_number
from xinfang.core.models import Limit
from xinfang.core.phone import parse_phone
from xinfang.orgs.demo import build_demo_tree
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.selectors import ancestor_paths
from xinfang.petitions import selectors
from xinfang.petitions.demo import ESTATES, FIRMS, GIVEN, ROADS, SURNAMES, TEMPLATES
from xinfang.petitions.detection import reason
from xinfang.petitions.lifecycle import TRANSITIONS
from xinfang.petitions.models import (
    Category,
    Clock,
    ClockStatus,
    LinkRole,
    NumberSequence,
    PartyRole,
    Petition,
    Petitioner,
    PetitionEvent,
    PetitionParty,
    PetitionUnit,
    Reminder,
    Suggestion,
)
from xinfang.petitions.services import HANDLING_LIMITS, ROUTE_LIMITS, default_route
from xinfang.petitions.states import OPEN_STATES, TERMINAL_STATES, Channel, PetitionType, State
from xinfang.petitions.sweep import NO_REMINDER_KINDS
from xinfang.petitions.taxonomy import load_default_taxonomy
from xinfang.web import forms as f
from xinfang.web.petitions import listing, queues

PETITIONS = 10_000
TARGET_SECONDS = 0.300
RUNS, WARMUP = 15, 2  # the app's pages
SEED = 2026

# Where the problems arose: (village code, share in %). 金安区 has 60 %, 望城街道 45 %.
PLACE_SHARES = [
    ("ah-la-ja-wc-npy", 25),
    ("ah-la-ja-wc-mz", 20),
    ("ah-la-ja-ssp-ssp", 15),
    ("ah-la-yj-pg-hp", 5),
    ("ah-la-yj-pg-xy", 5),
    ("ah-la-yj-sh-sh", 4),
    ("ah-hf-cf-ym-mn", 5),
    ("ah-hf-cf-ym-yms", 4),
    ("ah-hf-cf-sh-dc", 4),
    ("ah-hf-yh-hpl-ths", 4),
    ("ah-hf-yh-hpl-hqs", 5),
    ("ah-hf-yh-mgl-slq", 4),
]
# The demo staff who register (county petition bureau, or a town that has its own officer) and handle.
DESK_STAFF = {"ah-la-ja": "county", "ah-la-yj": "county_yj", "ah-hf-cf": "county_cf", "ah-hf-yh": "county_yh"}
TOWN_STAFF = {
    "ah-la-ja-wc": "town",
    "ah-la-yj-pg": "town2",
    "ah-hf-cf-ym": "town_ym",
    "ah-hf-yh-hpl": "town_hpl",
}
HANDLER_STAFF = {
    "ah-la-ja-rsj": "handler",
    "ah-la-ja-zjj": "handler2",
    "ah-la-yj-rsj": "handler_yj",
    "ah-hf-cf-slj": "handler_cf",
}
TOWN_DESK_SHARE = 0.2  # of petitions about a town with an officer, registered at the town

# Relative frequency of each end state (every state of the lifecycle appears).
STATE_WEIGHTS = {
    "received": 3,
    "registered": 5,
    "not_accepted_upper": 1,
    "not_accepted_final": 1,
    "triage": 3,
    "forwarded": 6,
    "assigned": 4,
    "objection_raised": 1,
    "redirected": 2,
    "referred_political_legal": 2,
    "referred_discipline": 1,
    "accepted": 3,
    "suggestion_study": 2,
    "diverted_procedure": 2,
    "duty_performance": 2,
    "in_handling": 12,
    "hearing": 1,
    "mediation": 2,
    "settled": 2,
    "opinion_issued": 3,
    "replied": 5,
    "evaluated": 6,
    "closed": 26,
    "review_requested": 2,
    "review_decided": 2,
    "re_review_requested": 1,
    "final": 1,
    "post_final_followup": 1,
}
HANDLED = ["forward", "accept", "start_handling"]
REPLIED = [*HANDLED, "issue_opinion", "deliver_reply"]
REVIEWED = [*REPLIED, "request_review", "decide_review"]
# The actions after registration that lead to each state (the transition table decides each target).
PLANS: dict[str, list[str]] = {
    "received": [],
    "registered": [],
    "not_accepted_upper": ["decline_upper"],
    "not_accepted_final": ["decline_final"],
    "triage": ["triage"],
    "forwarded": ["forward"],
    "assigned": ["assign"],
    "objection_raised": ["forward", "raise_objection"],
    "redirected": ["redirect"],
    "referred_political_legal": ["triage", "refer_political_legal"],
    "referred_discipline": ["refer_discipline"],
    "accepted": ["forward", "accept"],
    "suggestion_study": ["forward", "accept", "start_study"],
    "diverted_procedure": ["forward", "divert"],
    "duty_performance": ["forward", "accept", "start_duty"],
    "in_handling": HANDLED,
    "hearing": [*HANDLED, "open_hearing"],
    "mediation": [*HANDLED, "start_mediation"],
    "settled": [*HANDLED, "start_mediation", "settle"],
    "opinion_issued": [*HANDLED, "issue_opinion"],
    "replied": REPLIED,
    "evaluated": [*REPLIED, "evaluate"],
    "closed": [*REPLIED, "evaluate", "close"],
    "review_requested": [*REPLIED, "request_review"],
    "review_decided": REVIEWED,
    "re_review_requested": [*REVIEWED, "request_re_review"],
    "final": [*REVIEWED, "request_re_review", "decide_re_review"],
    "post_final_followup": [*REVIEWED, "request_re_review", "decide_re_review", "start_followup"],
}
# Actions the petition desk takes (the others are the handler's or the deciding unit's).
DESK_ACTIONS = frozenset(
    {
        "triage",
        "forward",
        "assign",
        "redirect",
        "refer_political_legal",
        "refer_discipline",
        "decline_upper",
        "decline_final",
        "evaluate",
        "request_review",
        "request_re_review",
    }
)
DUTY_KINDS = frozenset(str(k) for k in NO_REMINDER_KINDS)


# --- data ------------------------------------------------------------------------------------------


@dataclass
class Setting:
    """The demo world the petitions are generated in."""

    units: dict[str, Unit]
    by_path: dict[str, Unit]
    users: dict[str, User]
    categories: dict[str, list[Category]]  # first-level name -> [itself, its children]
    calendar: LegalCalendar = field(default_factory=LegalCalendar)

    def parent(self, unit: Unit) -> Unit:
        return self.by_path[unit.path[: -Unit.steplen]]

    def due(self, limit: Limit, start: dt.date) -> dt.date:
        # No locality policy exists in the bench database, so every unit counts by the national rules.
        return due_date(limit, start=start, unit=None, policy=NATIONAL_POLICY, calendar=self.calendar)


@dataclass
class ClockRow:
    kind: Limit
    unit: Unit
    started_on: dt.date
    due_on: dt.date
    status: str = ClockStatus.RUNNING
    stopped_on: dt.date | None = None


@dataclass
class Walk:
    """One petition walked through its plan: everything the services would have written for it."""

    target: str  # the state the walk ends in
    state: str
    received_at: dt.datetime
    registering_unit: Unit
    registered_by: User | None
    current_unit: Unit
    handling_unit: Unit | None = None
    petition_type: str = ""
    links: dict[tuple[int, str], Unit] = field(default_factory=dict)
    clocks: list[ClockRow] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
    return timezone.make_aware(local)


def _step_gap(action: str, rng: random.Random) -> int:
    if action == "deliver_reply":
        return rng.randint(8, 40)
    if action in {"decide_review", "decide_re_review"}:
        return rng.randint(10, 28)
    return rng.randint(1, 6)


def walk(
    world: Setting,
    rng: random.Random,
    *,
    state: str,
    place: Unit,
    desk: Unit,
    desk_user: User,
    handler: Unit,
    today: dt.date,
) -> Walk:
    """The petition's history from registration to ``state``, laid out backwards from its last day."""
    plan = PLANS[state]
    if state in TERMINAL_STATES or state in {"evaluated", "review_decided"}:
        last_day = today - dt.timedelta(days=rng.randint(0, 330))
    else:
        # Open matters moved recently; a tail of them waited long enough to miss a deadline.
        last_day = today - dt.timedelta(days=min(int(rng.expovariate(1 / 9)), 90))
    gaps = [_step_gap(action, rng) for action in plan]
    day = last_day - dt.timedelta(days=sum(gaps))
    received = state != "received"
    w = Walk(
        target=state,
        state=State.REGISTERED if received else State.RECEIVED,
        received_at=_moment(day, rng),
        registering_unit=desk,
        registered_by=desk_user if received else None,
        current_unit=desk,
    )
    w.fields["registered_at"] = w.received_at if received else None
    w.links[(desk.pk, LinkRole.REGISTERED)] = desk
    w.links[(place.pk, LinkRole.PLACE)] = place
    w.events.append(
        {
            "action": "register" if received else "receive",
            "from_state": "",
            "to_state": w.state,
            "actor": w.registered_by,
            "actor_unit": desk if received else None,
            "at": w.received_at,
            "payload": {},
        }
    )
    if received:
        limit = Limit.FORWARD if desk.kind == UnitKind.PETITION_OFFICE or desk.is_area else Limit.NOTICE
        start(world, w, limit, desk, day)
    county = world.parent(handler) if handler.is_organ else handler
    for action, gap in zip(plan, gaps, strict=True):
        day += dt.timedelta(days=gap)
        at = _moment(day, rng)
        at = max(at, w.events[-1]["at"] + dt.timedelta(minutes=1))
        from_state = w.state
        payload = apply(world, w, action, day, at, handler=handler, county=county, rng=rng)
        w.state = TRANSITIONS[action].target
        if action in DESK_ACTIONS:
            actor, actor_unit = desk_user, desk
        elif action in {"decide_review", "decide_re_review", "start_followup"}:
            actor, actor_unit = None, w.current_unit
        else:
            actor = world.users.get(HANDLER_STAFF.get(handler.code, ""))
            actor_unit = handler
        w.events.append(
            {
                "action": action,
                "from_state": from_state,
                "to_state": w.state,
                "actor": actor,
                "actor_unit": actor_unit,
                "at": at,
                "payload": payload,
            }
        )
    assert w.state == state, (state, w.state)
    return w


def start(world: Setting, w: Walk, limit: Limit, unit: Unit, day: dt.date) -> None:
    w.clocks.append(ClockRow(limit, unit, day, world.due(limit, day)))


def stop(w: Walk, day: dt.date, kinds: tuple[str, ...] | None = None, *, cancel: bool = False) -> None:
    for clock in w.clocks:
        if clock.status != ClockStatus.RUNNING or (kinds is not None and clock.kind not in kinds):
            continue
        if cancel:
            clock.status = ClockStatus.CANCELLED
        else:
            clock.status = ClockStatus.MET if day <= clock.due_on else ClockStatus.MISSED
        clock.stopped_on = day


def apply(
    world: Setting,
    w: Walk,
    action: str,
    day: dt.date,
    at: dt.datetime,
    *,
    handler: Unit,
    county: Unit,
    rng: random.Random,
) -> dict[str, Any]:
    """What each service does besides changing the state (see ``xinfang.petitions.services``)."""
    if action in {"forward", "assign"}:
        stop(w, day, (Limit.FORWARD,))
        w.current_unit = w.handling_unit = handler
        w.links[(handler.pk, LinkRole.FORWARDED_TO)] = handler
        start(world, w, Limit.NOTICE, handler, day)
        start(world, w, Limit.OBJECTION, handler, day)
        if action == "assign":
            start(world, w, Limit.ASSIGNMENT_FEEDBACK, handler, day)
        return {"to_unit": handler.pk, "to_unit_name": handler.name}
    if action == "raise_objection":
        stop(w, day, (Limit.OBJECTION,))
    elif action in {"redirect", "decline_upper", "decline_final", "divert"}:
        stop(w, day)
        w.fields["closed_at"] = at
    elif action in {"refer_political_legal", "refer_discipline"}:
        suffix, role = ("zfw", LinkRole.FORWARDED_TO) if action == "refer_political_legal" else ("jw", "")
        organ = world.units[f"{county.code}-{suffix}"]
        stop(w, day)
        w.fields["closed_at"] = at
        w.links[(organ.pk, role or LinkRole.DISCIPLINE)] = organ
        w.current_unit = organ
        if action == "refer_political_legal":
            w.fields["is_law_related"] = True
        else:
            w.petition_type = PetitionType.ACCUSATION
            w.fields["accused_description"] = "某社区工作人员"
        return {"to_unit": organ.pk, "to_unit_name": organ.name}
    elif action == "accept":
        stop(w, day, (Limit.FORWARD, Limit.NOTICE))
        stop(w, day, (Limit.OBJECTION,), cancel=True)
        w.handling_unit = w.current_unit
        w.links[(w.current_unit.pk, LinkRole.HANDLER)] = w.current_unit
        suggestion = w.target == State.SUGGESTION_STUDY
        w.petition_type = PetitionType.SUGGESTION if suggestion else PetitionType.GRIEVANCE
        w.fields["accepted_at"] = at
        w.fields["notice_sent_on"] = day
        # The handling clock runs from acceptance, with the limit of the type's usual route.
        start(world, w, ROUTE_LIMITS[default_route(w.petition_type)], w.current_unit, day)
    elif action in ROUTE_LIMITS:
        limit = ROUTE_LIMITS[action]
        if not any(c.kind == limit and c.status == ClockStatus.RUNNING for c in w.clocks):
            # Another route replaces the default clock, counted from the same day of acceptance.
            stop(w, day, HANDLING_LIMITS, cancel=True)
            start(world, w, limit, w.current_unit, timezone.localdate(w.fields["accepted_at"]))
    elif action == "settle":
        stop(w, day, HANDLING_LIMITS)
        start(world, w, Limit.EVALUATION_WINDOW, w.current_unit, day)
    elif action == "issue_opinion":
        stop(w, day, HANDLING_LIMITS)
        return {"decision": rng.choice(["support", "support", "explain", "not_support"])}
    elif action == "deliver_reply":
        w.fields["replied_on"] = day
        start(world, w, Limit.REVIEW_REQUEST, w.current_unit, day)
        start(world, w, Limit.EVALUATION_WINDOW, w.current_unit, day)
    elif action == "evaluate":
        stop(w, day, (Limit.EVALUATION_WINDOW,))
        return {"rating": rng.choice(["satisfied", "satisfied", "satisfied", "basically", "dissatisfied"])}
    elif action in {"request_review", "request_re_review"}:
        window = Limit.REVIEW_REQUEST if action == "request_review" else Limit.RE_REVIEW_REQUEST
        stop(w, day, (window, Limit.EVALUATION_WINDOW))
        # One level above the last decider: the department's own government, then the area above it.
        upper = county if action == "request_review" else world.parent(county)
        w.links[(upper.pk, LinkRole.REVIEWER)] = upper
        w.current_unit = upper
        limit = Limit.REVIEW_DECISION if action == "request_review" else Limit.RE_REVIEW_DECISION
        start(world, w, limit, upper, day)
        return {"unit": upper.pk, "unit_name": upper.name, "requested_on": day.isoformat()}
    elif action == "decide_review":
        stop(w, day, (Limit.REVIEW_DECISION,))
        start(world, w, Limit.RE_REVIEW_REQUEST, w.current_unit, day)
        return {"decision": "not_support"}
    elif action == "decide_re_review":
        stop(w, day, (Limit.RE_REVIEW_DECISION,))
        w.fields["closed_at"] = at
        return {"decision": "not_support"}
    elif action == "close":
        stop(w, day, cancel=True)
        w.fields["closed_at"] = at
    return {}


def _text(rng: random.Random, template: str, place: Unit) -> str:
    return template.format(
        firm=rng.choice(FIRMS),
        estate=rng.choice(ESTATES),
        road=rng.choice(ROADS),
        village=place.name,
        n=rng.randint(3, 40),
        amount=rng.randint(8, 90) * 1000,
        year=rng.choice([2024, 2025]),
        meters=rng.choice([300, 450, 600, 800]),
    )


def _person(rng: random.Random, serial: int, region: str) -> Petitioner:
    birth = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{region}{birth}{serial % 1000:03d}"
    id_number = first17 + check_character(first17)
    phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
    return Petitioner(
        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
        id_number=id_number,
        id_number_hash=keyed_hash(id_number, purpose="id_number"),
        phone=phone,
        phone_hash=keyed_hash(phone, purpose="phone"),
    )


def _query_code(rng: random.Random, taken: set[str]) -> str:
    from xinfang.petitions.intake import QUERY_CODE_ALPHABET

    while True:
        code = "".join(rng.choice(QUERY_CODE_ALPHABET) for _ in range(10))
        if code not in taken:
            taken.add(code)
            return code


@dataclass
class Generated:
    rows: Counter[str]
    detail_pk: int


def generate(count: int, *, seed: int = SEED) -> Generated:
    """Write ``count`` petitions and everything around them with ``bulk_create``."""
    rng = random.Random(seed)
    today = timezone.localdate()
    units = {u.code: u for u in Unit.objects.all()}
    categories: dict[str, list[Category]] = defaultdict(list)
    for category in Category.objects.filter(level__lte=2).select_related("parent"):
        top = category.parent or category
        categories[top.name].append(category)
    world = Setting(
        units=units,
        by_path={u.path: u for u in units.values()},
        users={u.username: u for u in User.objects.all()},
        categories=categories,
    )
    places = [units[code] for code, _share in PLACE_SHARES]
    shares = [share for _code, share in PLACE_SHARES]
    states, weights = list(STATE_WEIGHTS), list(STATE_WEIGHTS.values())
    assert set(states) == set(State.values) == set(PLANS), "every state must be generated"

    specs: list[tuple[Walk, dict[str, Any], Petitioner, Petitioner | None, Petitioner | None]] = []
    people: list[Petitioner] = []
    for serial in range(count):
        # The first petitions cover every state once; the rest follow the weights.
        state = states[serial] if serial < len(states) else rng.choices(states, weights=weights)[0]
        place = rng.choices(places, weights=shares)[0]
        town = world.parent(place)
        county = world.parent(town)
        desk, desk_user = units[f"{county.code}-xfj"], world.users[DESK_STAFF[county.code]]
        if town.code in TOWN_STAFF and rng.random() < TOWN_DESK_SHARE:
            desk, desk_user = town, world.users[TOWN_STAFF[town.code]]
        category_name, function, subject, request, facts = rng.choice(TEMPLATES)
        handler = units.get(f"{county.code}-{function}") or units[f"{county.code}-xfj"]
        w = walk(
            world,
            rng,
            state=state,
            place=place,
            desk=desk,
            desk_user=desk_user,
            handler=handler,
            today=today,
        )
        channel = rng.choice(list(Channel.values) + [Channel.VISIT] * 4 + [Channel.LETTER] * 2)
        people_count = rng.choice([1] * 12 + [2, 3, 6, 12])
        principal = _person(rng, serial, county.division_code)
        people.append(principal)
        agent = co = None
        if channel == Channel.AGENT:
            agent = _person(rng, serial + 500, county.division_code)
            people.append(agent)
        if people_count > 1:
            co = _person(rng, serial + 250, county.division_code)
            people.append(co)
        options: list[Category | None] = [*categories.get(category_name, [])] or [None]
        fields = {
            "channel": channel,
            "category": rng.choice(options),
            "subject": _text(rng, subject, place),
            "request": _text(rng, request, place),
            "facts": _text(rng, facts, place),
            "place": place,
            "people_count": people_count,
            "is_collective": people_count > 5,
            "is_urgent_major": rng.random() < 0.02,
            "is_threat": rng.random() < 0.01,
            "is_bypass": rng.random() < 0.02,
        }
        specs.append((w, fields, principal, agent, co))

    Petitioner.objects.bulk_create(people, batch_size=1000)
    # Numbers follow the order of receipt within each registering county and year, as next_number does.
    specs.sort(key=lambda spec: spec[0].received_at)
    sequences: Counter[tuple[str, int]] = Counter()
    codes: set[str] = set()
    petitions: list[Petition] = []
    for w, data, principal, agent, _co in specs:
        coded = w.registering_unit if w.registering_unit.division_code else None
        node = w.registering_unit
        while coded is None:
            node = world.parent(node)
            coded = node if node.division_code else None
        year = timezone.localtime(w.received_at).year
        sequences[(coded.division_code, year)] += 1
        petitions.append(
            Petition(
                number=f"{coded.division_code}-{year}-{sequences[(coded.division_code, year)]:06d}",
                query_code=_query_code(rng, codes),
                state=w.state,
                version=len(w.events),
                petition_type=w.petition_type,
                principal=principal,
                agent=agent,
                received_at=w.received_at,
                registering_unit=w.registering_unit,
                registered_by=w.registered_by,
                current_unit=w.current_unit,
                handling_unit=w.handling_unit,
                created_at=w.received_at,
                is_repeat=False,
                **data,
                **w.fields,
            )
        )
    Petition.objects.bulk_create(petitions, batch_size=1000)
    NumberSequence.objects.bulk_create(
        [NumberSequence(scope=scope, year=year, last=last) for (scope, year), last in sequences.items()]
    )

    parties: list[PetitionParty] = []
    links: list[PetitionUnit] = []
    clocks: list[Clock] = []
    events: list[PetitionEvent] = []
    for petition, (w, _data, principal, agent, co) in zip(petitions, specs, strict=True):
        parties.append(PetitionParty(petition=petition, petitioner=principal, role=PartyRole.PRINCIPAL))
        if co is not None:
            parties.append(PetitionParty(petition=petition, petitioner=co, role=PartyRole.CO_PETITIONER))
        if agent is not None:
            parties.append(PetitionParty(petition=petition, petitioner=agent, role=PartyRole.AGENT))
        for (_pk, role), unit in w.links.items():
            links.append(
                PetitionUnit(
                    petition=petition, unit=unit, unit_path=unit.path, role=role, created_at=w.received_at
                )
            )
        for c in w.clocks:
            stopped = _moment(c.stopped_on, rng) if c.stopped_on else None
            clocks.append(
                Clock(
                    petition=petition,
                    kind=c.kind.value,
                    unit=c.unit,
                    started_on=c.started_on,
                    due_on=c.due_on,
                    status=c.status,
                    stopped_at=stopped,
                )
            )
        for sequence, e in enumerate(w.events, start=1):
            events.append(PetitionEvent(petition=petition, sequence=sequence, **e))
    PetitionParty.objects.bulk_create(parties, batch_size=2000)
    PetitionUnit.objects.bulk_create(links, batch_size=2000)
    Clock.objects.bulk_create(clocks, batch_size=2000)
    PetitionEvent.objects.bulk_create(events, batch_size=2000)

    # Detection: a similar matter from the same place, not yet confirmed or dismissed by staff (5 %).
    suggestions = []
    earlier_by_place: dict[int, Petition] = {}
    for petition in petitions:
        earlier = earlier_by_place.get(petition.place_id)
        if earlier is not None and petition.state in OPEN_STATES and rng.random() < 0.05:
            suggestions.append(
                Suggestion(
                    petition=petition,
                    kind=Suggestion.Kind.REPEAT,
                    candidate=earlier,
                    score=0.8,
                    reasons=[reason("same_place"), reason("similar_text", score=80)],
                )
            )
        earlier_by_place[petition.place_id] = petition
    Suggestion.objects.bulk_create(suggestions)

    # What the sweeper would have raised for running duty clocks; about half read already.
    reminders = []
    numbers = {p.pk: p.number for p in petitions}
    for clock in clocks:
        if clock.status != ClockStatus.RUNNING or clock.kind in DUTY_KINDS:
            continue
        late = clock.due_on < today
        if not late and clock.due_on > today + dt.timedelta(days=3):
            continue
        kind = Reminder.Kind.OVERDUE if late else Reminder.Kind.APPROACHING
        values = {
            "number": numbers[clock.petition_id],
            "limit": str(Limit(clock.kind).label),
            "date": clock.due_on.isoformat(),
        }
        message = (
            _("Petition %(number)s: the deadline “%(limit)s” passed on %(date)s.")
            if late
            else _("Petition %(number)s: the deadline “%(limit)s” falls on %(date)s.")
        ) % values
        created = _moment(min(today, clock.due_on if late else today), rng)
        reminders.append(
            Reminder(
                unit=clock.unit,
                petition_id=clock.petition_id,
                clock=clock,
                kind=kind,
                message=message[:300],
                created_at=created,
                read_at=created + dt.timedelta(hours=2) if rng.random() < 0.5 else None,
            )
        )
    Reminder.objects.bulk_create(reminders, batch_size=2000)
    Clock.objects.filter(pk__in=[r.clock_id for r in reminders if r.kind == Reminder.Kind.OVERDUE]).update(
        overdue_at=timezone.now()
    )

    detail = next(
        p
        for p, spec in zip(petitions, specs, strict=True)
        if p.state == State.IN_HANDLING and p.place.code == "ah-la-ja-wc-npy" and spec[4] is not None
    )
    rows = Counter(
        {
            "petitioners": len(people),
            "petitions": len(petitions),
            "parties": len(parties),
            "unit links": len(links),
            "clocks": len(clocks),
            "events": len(events),
            "suggestions": len(suggestions),
            "reminders": len(reminders),
        }
    )
    return Generated(rows=rows, detail_pk=detail.pk)


# --- the naive pages -------------------------------------------------------------------------------
#
# The same pages computed the way code without the database's help would: every petition loaded with its
# linked units (and, when a filter needs them, its people, clocks or suggestions), jurisdiction, search and
# queue tested in Python per petition, then the page's rows drawn with their related rows fetched one
# by one (no select_related, the next deadline asked per row). Loading the related rows per petition as
# well (10,000 x links, units, people...) is slower still: about 25 s a page on SQLite, too slow to repeat.


def _seat_paths(user: Any) -> set[str]:
    """The paths whose accusations the user must not see (the same set ``selectors`` builds)."""
    paths: set[str] = set()
    for membership in scoping.active_memberships(user):
        root = scoping.jurisdiction_root(membership)
        for unit in (membership.unit, root):
            paths.add(unit.path)
            paths.update(ancestor_paths(unit.path))
    return paths


def naive_visible(user: Any, petition: Petition, seat_paths: set[str]) -> bool:
    if scoping.sees_everything(user):
        return True
    if petition.accused_user_id == user.pk:
        return False
    if petition.accused_unit_id is not None and petition.accused_unit.path in seat_paths:  # type: ignore[union-attr]
        return False
    return any(scoping.can_see_unit(user, link.unit) for link in petition.unit_links.all())


def naive_search(petition: Petition, text: str) -> bool:
    text = text.strip()
    needle = text.casefold()
    fields = (petition.number, petition.subject, petition.request, petition.facts)
    if any(needle in value.casefold() for value in fields) or petition.query_code.casefold() == needle:
        return True
    phone_hash = keyed_hash(text, purpose="phone") if parse_phone(text) is not None else None
    id_shape = re.fullmatch(r"\d{17}[\dX]|\d{15}", normalize_id_number(text))
    id_hash = keyed_hash(text, purpose="id_number") if id_shape else None
    for party in petition.parties.all():
        person = party.petitioner
        if needle in person.name.casefold():
            return True
        if (phone_hash and person.phone_hash == phone_hash) or (id_hash and person.id_number_hash == id_hash):
            return True
    return False


def _duty_clocks(petition: Petition) -> list[Clock]:
    """Running deadlines a unit owes (windows the petitioner may use left out)."""
    return [c for c in petition.clocks.all() if c.status == ClockStatus.RUNNING and c.kind not in DUTY_KINDS]


def naive_next_due(petition: Petition) -> dt.date | None:
    return min((c.due_on for c in _duty_clocks(petition)), default=None)


def naive_in_queue(user: Any, petition: Petition, key: str, today: dt.date) -> bool:
    """The queue conditions of ``queues.queue_q``, tested on one petition in Python."""
    state = petition.state

    def at(*units: str) -> bool:
        return any(scoping.can_see_unit(user, getattr(petition, name)) for name in units)

    def owed() -> list[Clock]:
        return [c for c in _duty_clocks(petition) if scoping.can_see_unit(user, c.unit)]

    if key == "to_register":
        return state == State.RECEIVED and at("current_unit", "registering_unit")
    if key == "to_accept":
        return state in queues.TO_ACCEPT_STATES and at("current_unit")
    if key == "in_handling":
        return state in queues.HANDLING_STATES and at("current_unit")
    if key == "due_soon":
        soon = today + dt.timedelta(days=queues.DUE_SOON_DAYS)
        return any(today <= c.due_on <= soon for c in owed())
    if key == "overdue":
        return any(c.due_on < today for c in owed())
    if key == "awaiting_evaluation":
        return state in queues.EVALUATION_STATES and at("current_unit", "registering_unit")
    if key == "reviews":
        return state in queues.REVIEW_STATES and at("current_unit")
    if key == "suggestions":
        pending = any(s.status == Suggestion.Status.PENDING for s in petition.suggestions.all())
        return pending and at("current_unit", "registering_unit")
    raise KeyError(key)


def naive_matches(user: Any, petition: Petition, data: dict[str, Any], today: dt.date) -> bool:
    if data.get("q") and not naive_search(petition, data["q"]):
        return False
    if data.get("queue") and not naive_in_queue(user, petition, data["queue"], today):
        return False
    unit = data.get("unit")
    if unit is not None and not any(
        link.unit_path.startswith(unit.path) for link in petition.unit_links.all()
    ):
        return False
    if data.get("state") and petition.state != data["state"]:
        return False
    if data.get("petition_type") and petition.petition_type != data["petition_type"]:
        return False
    category = data.get("category")
    if category is not None:
        node, found = petition.category, False
        for _level in range(3):
            if node is None:
                break
            found = found or node.pk == category.pk
            node = node.parent
        if not found:
            return False
    if data.get("channel") and petition.channel != data["channel"]:
        return False
    received_on = timezone.localdate(petition.received_at)
    if data.get("received_from") and received_on < data["received_from"]:
        return False
    return not (data.get("received_to") and received_on > data["received_to"])


QUEUE_RELATED: list[str | Prefetch] = ["current_unit", "registering_unit", "clocks__unit", "suggestions"]


def naive_visible_petitions(user: Any, related: list[str | Prefetch]) -> list[Petition]:
    """Every petition loaded, newest first, and kept when one of its linked units is in reach."""
    seat_paths = _seat_paths(user)
    everything = Petition.objects.order_by("-received_at", "-pk").prefetch_related(
        "unit_links__unit", *related
    )
    return [p for p in everything if naive_visible(user, p, seat_paths)]


def naive_petition_list(request: HttpRequest) -> HttpResponse:
    """``views.petition_list`` computed the naive way, rendering the same template."""
    user = request.user
    today = timezone.localdate()
    form = f.PetitionFilterForm(request.GET or None, user=user)
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    queue = queues.QUEUE_BY_KEY.get(data.get("queue") or "")
    # (Prefetching "parties__petitioner" would ask SQLite for 13,000 ids in one IN list, which it refuses.)
    people = Prefetch("parties", queryset=PetitionParty.objects.select_related("petitioner"))
    related: list[str | Prefetch] = [people] if data.get("q") else []
    related += QUEUE_RELATED if queue else []
    matching = [p for p in naive_visible_petitions(user, related) if naive_matches(user, p, data, today)]
    if queue and queue.urgent:
        matching.sort(key=lambda p: (naive_next_due(p) is None, naive_next_due(p) or dt.date.max))
    page = Paginator(matching, listing.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for p in page:
        p.next_due = naive_next_due(p)  # type: ignore[attr-defined]  # a query per row unless prefetched
        left = listing.days_left(p.next_due, today)  # type: ignore[attr-defined]
        rows.append(
            {
                "p": p,
                "flags": listing.flags_of(p),
                "left": left,
                "late": -left if left is not None else None,
                "due_class": listing.due_class(left),
            }
        )
    context = {"form": form, "page": page, "rows": rows, "queue": queue, "today": today}
    return render(request, "web/petition_list.html", context)


def naive_home(request: HttpRequest) -> HttpResponse:
    """``views.home`` with the queue counts and the unread reminders computed in Python."""
    user = request.user
    today = timezone.localdate()
    visible = naive_visible_petitions(user, QUEUE_RELATED)
    counts = {q.key: sum(1 for p in visible if naive_in_queue(user, p, q.key, today)) for q in queues.QUEUES}
    seat_paths = _seat_paths(user)
    reminders = (
        Reminder.objects.filter(read_at__isnull=True, unit_id__in=queues.reminder_units(user))
        .prefetch_related("petition__unit_links__unit")
        .order_by("-created_at", "-pk")
    )
    unread = [r for r in reminders if naive_visible(user, r.petition, seat_paths)]
    memberships = scoping.active_memberships(user)
    context = {
        "seats": [(m, scoping.jurisdiction_root(m)) for m in memberships],
        "unit_count": scoping.visible_units(user).count(),
        "queues": [(q, counts[q.key]) for q in queues.QUEUES],
        "reminders": unread[:20],
        "reminder_count": len(unread),
        "may_register": bool(f.intake_seats(user)) or scoping.sees_everything(user),
        "today": today,
    }
    return render(request, "web/home.html", context)


NAIVE_LIST = "/naive/petitions/"
NAIVE_HOME = "/naive/"
# The site's own URLs, plus the naive pages (served through the same middleware).
urlpatterns: list[URLPattern | URLResolver] = [
    path(NAIVE_LIST.strip("/") + "/", naive_petition_list),
    path(NAIVE_HOME.strip("/") + "/", naive_home),
    path("", include("config.urls")),
]


# --- measuring -------------------------------------------------------------------------------------

# The parts of a page that carry the data, compared between the app's page and the naive one.
PARTS = {
    "list": [r'<p class="muted resultcount">.*?</p>', r'<table class="plist">.*?</table>'],
    "home": [
        r'<ul class="queues">.*?</ul>',
        r'<section class="card" aria-labelledby="reminders-title">.*?</section>',
    ],
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
SLOW_SECONDS = 1.0  # a page slower than this on its first render is timed SLOW_RUNS times only
SLOW_RUNS = 3


def shown(html: str, kind: str) -> str:
    parts = []
    for pattern in PARTS[kind]:
        match = re.search(pattern, html, flags=re.DOTALL)
        assert match is not None, f"{pattern} not on the page"
        parts.append(CSRF.sub("", match.group(0)))
    return "\n".join(parts)


@dataclass
class Render:
    html: str
    seconds: float
    cpu: float
    queries: int


def first_render(client: Client, url: str) -> Render:
    """One request, its time and its queries (uncapped, unlike CaptureQueriesContext); a warm-up too."""
    queries = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    clock = ServerClock()
    with connection.execute_wrapper(counting):
        cpu, start = clock.now(), time.perf_counter()
        response = client.get(url)
        seconds, cpu = time.perf_counter() - start, clock.now() - cpu
    assert response.status_code == 200, (url, response.status_code)
    return Render(response.content.decode(), seconds, cpu, queries)


@dataclass
class Times:
    wall: float
    cpu: float
    how: str


def timing(client: Client, url: str, first: Render, *, runs: int, warmup: int) -> Times:
    """Median wall and server CPU time of ``url`` after the first render (a warm-up); a page that took
    seconds is rendered only ``SLOW_RUNS`` times in all, its first render counted."""
    if first.seconds > SLOW_SECONDS:
        walls, cpus = [first.seconds], [first.cpu]
        for _ in range(SLOW_RUNS - 1):
            again = first_render(client, url)
            walls.append(again.seconds)
            cpus.append(again.cpu)
        how = f"median of {SLOW_RUNS} (1st included)"
        return Times(statistics.median(walls), statistics.median(cpus), how)
    wall, cpu = median_times(lambda: client.get(url), runs=runs, warmup=warmup)
    return Times(wall, cpu, f"median of {runs} after {warmup + 1} warm-ups")


@dataclass
class Result:
    label: str
    times: Times
    queries: int
    ratio: float | None = None


def verdict(seconds: float) -> str:
    return "PASS" if seconds < TARGET_SECONDS else "FAIL"


def _line(name: str, times: Times, queries: int) -> None:
    print(
        f"    {name:<44} {format_seconds(times.cpu):>10} server CPU, {format_seconds(times.wall):>10} wall"
        f" ({queries} queries)"
    )


def measure_page(
    client: Client, user: str, label: str, url: str, naive_url: str | None, kind: str, results: list[Result]
) -> None:
    first = first_render(client, url)
    measured = timing(client, url, first, runs=RUNS, warmup=WARMUP - 1)
    print(f"  [{user}] {label}: {url}")
    _line(f"app, {measured.how}", measured, first.queries)
    ratio = None
    if naive_url is not None:
        naive = first_render(client, naive_url)
        assert shown(first.html, kind) == shown(naive.html, kind), f"{label}: the naive page shows other data"
        baseline = timing(client, naive_url, naive, runs=SLOW_RUNS, warmup=0)
        _line(f"naive, {baseline.how}", baseline, naive.queries)
        ratio = baseline.cpu / measured.cpu if measured.cpu > 0 else float("inf")
        print(f"    ratio baseline / measured (server CPU) {ratio:>17.1f}x")
    count = re.search(r'<p class="muted resultcount">(.*?)</p>', first.html, flags=re.DOTALL)
    shown_rows = len(set(re.findall(r'href="/petitions/(\d+)/"', first.html)))
    rows = f"  ({count.group(1).strip()}, {shown_rows} on the page)" if count and kind == "list" else ""
    target = format_seconds(TARGET_SECONDS)
    print(f"    target {target} server CPU: {verdict(measured.cpu)}{rows}", flush=True)
    results.append(Result(f"{user:<7} {label}", measured, first.queries, ratio))


def list_url(**params: str) -> str:
    base = reverse("web:petition_list")
    return f"{base}?{urlencode(params)}" if params else base


LIST_PAGES = [
    ("list, first page (default filters)", {}),
    ("search q=工资", {"q": "工资"}),
    ("filter state=in_handling", {"state": "in_handling"}),
    ("search + filter q=工资&state=in_handling", {"q": "工资", "state": "in_handling"}),
    ("queue=overdue (sorted by due date)", {"queue": "overdue"}),
    ("list, page 20", {"page": "20"}),
]


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} CPUs"


def setup_world() -> None:
    # Demo passwords are hashed with a cheap hasher: the logins are forced, and PBKDF2 would take seconds.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        build_demo_tree()
        build_demo_users()
        load_default_taxonomy()


def run() -> None:
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per forced login otherwise
    seconds, _ = timed(setup_world)
    figure("demo tree, demo users, default taxonomy", format_seconds(seconds))
    seconds, generated = timed(lambda: generate(PETITIONS))
    assert isinstance(generated, Generated)
    figure(f"generated {generated.rows['petitions']:,} petitions with bulk_create", format_seconds(seconds))
    figure("  rows", ", ".join(f"{name} {n:,}" for name, n in generated.rows.items()))
    states = Counter(Petition.objects.values_list("state", flat=True))
    largest = ", ".join(f"{s} {n:,}" for s, n in states.most_common(4))
    figure("  states", f"{len(states)} of {len(State.values)}; largest: {largest}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would shortly after a bulk load
    figure("machine", load())

    results: list[Result] = []
    with override_settings(ROOT_URLCONF=__name__):
        for username in ("county", "town"):
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            seen = selectors.visible_petitions(user).count()
            heading(f"as {username} ({scoping.jurisdiction_roots(user)[0].name}): sees {seen:,} petitions")
            for label, params in LIST_PAGES:
                naive = f"{NAIVE_LIST}?{urlencode(params)}" if params else NAIVE_LIST
                measure_page(client, username, label, list_url(**params), naive, "list", results)
            measure_page(client, username, "workbench home (queue counts)", "/", NAIVE_HOME, "home", results)
            detail = reverse("web:petition_detail", args=[generated.detail_pk])
            measure_page(client, username, "petition page", detail, None, "detail", results)

    heading(f"summary: server time per page, target {format_seconds(TARGET_SECONDS)} of server CPU")
    clock = ServerClock()
    if not clock.counts_database:
        print("  (the database backend's CPU time could not be read: server CPU is this process only)")
    print(f"  {'user    page':<56} {'server CPU':>10} {'wall':>10} {'queries':>8} {'vs naive':>9}")
    for result in results:
        ratio = f"{result.ratio:8.1f}x" if result.ratio is not None else ""
        cpu, wall = result.times.cpu, result.times.wall
        busy = "  (wall over: machine busy)" if wall >= TARGET_SECONDS > cpu else ""
        print(
            f"  {result.label:<56} {format_seconds(cpu):>10} {format_seconds(wall):>10}"
            f" {result.queries:>8} {ratio:>9}  {verdict(cpu)}{busy}"
        )
    figure("machine", load())
    failed = [r for r in results if r.times.cpu >= TARGET_SECONDS]
    figure(
        "overall", "PASS" if not failed else f"FAIL ({len(failed)} of {len(results)} pages over the target)"
    )
