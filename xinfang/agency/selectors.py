"""Reads of the petition agency. Agents and mandates are scoped by the unit the agent serves (through
``scoping``); petitions, claims and tasks only through ``visible_petitions``, so an accusation never
reaches the accused through the agency pages either.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.accounts import scoping
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.selectors import ancestor_paths, prefix_lookup
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import visible_petitions

from .models import AgencyMandate, Agent, AgentTask, Claim, ClaimPayment, MandateUse, PaidStatus

MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


# --- agents and mandates ---------------------------------------------------------------------------


def visible_agents(user: Any) -> QuerySet[Agent]:
    """Agents serving a unit of the user's jurisdiction, and the user's own agent record."""
    qs = Agent.objects.select_related("unit", "person", "user")
    if scoping.sees_everything(user):
        return qs
    return qs.filter(scoping.jurisdiction_q(user, "unit__path") | Q(user_id=getattr(user, "pk", None)))


def get_visible_agent(user: Any, agent_id: int) -> Agent:
    agent = visible_agents(user).filter(pk=agent_id).first()
    if agent is None:
        raise scoping.OutOfJurisdiction(_("This agent is outside your jurisdiction."))
    return agent


def agent_of(user: Any) -> Agent | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Agent.objects.select_related("unit", "person").filter(user=user).first()


def in_force_q(day: dt.date) -> Q:
    return Q(starts_on__lte=day, ends_on__gte=day) & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))


def mandates_in_force(agents: Iterable[Agent], day: dt.date) -> dict[int, int]:
    """How many mandates of each agent are in force on ``day``."""
    rows = (
        AgencyMandate.objects.filter(agent__in=list(agents))
        .filter(in_force_q(day))
        .values("agent_id")
        .annotate(n=Count("pk"))
    )
    return {row["agent_id"]: row["n"] for row in rows}


def visible_mandates(user: Any) -> QuerySet[AgencyMandate]:
    return AgencyMandate.objects.filter(agent__in=visible_agents(user)).select_related(
        "agent__person", "agent__unit", "principal", "recorded_by", "revocation_recorded_by"
    )


def get_visible_mandate(user: Any, mandate_id: int) -> AgencyMandate:
    mandate = visible_mandates(user).filter(pk=mandate_id).first()
    if mandate is None:
        raise scoping.OutOfJurisdiction(_("Not found."))
    return mandate


def mandate_state(mandate: AgencyMandate, today: dt.date) -> str:
    if mandate.revoked_on is not None and mandate.revoked_on <= today:
        return "revoked"
    if today < mandate.starts_on:
        return "not_yet"
    if today > mandate.ends_on:
        return "expired"
    return "in_force"


MANDATE_STATE_LABELS = {
    "revoked": gettext_lazy("Revoked"),
    "not_yet": gettext_lazy("Not yet in force"),
    "expired": gettext_lazy("Expired"),
    "in_force": gettext_lazy("In force"),
}


def mandate_state_label(state: str) -> str:
    return str(MANDATE_STATE_LABELS[state])


# --- agency matters --------------------------------------------------------------------------------


def agency_petitions(user: Any) -> QuerySet[Petition]:
    """Petitions the user may see that an agent files or follows, or that carry claims."""
    filed = MandateUse.objects.filter(petition=OuterRef("pk"))
    claims = Claim.objects.filter(petition=OuterRef("pk"))
    by_agent = Agent.objects.filter(person_id=OuterRef("agent_id"))
    return visible_petitions(user).filter(Exists(filed) | Exists(claims) | Exists(by_agent))


def get_agency_petition(user: Any, petition_id: int) -> Petition:
    petition = (
        visible_petitions(user)
        .select_related("current_unit", "registering_unit", "place", "principal", "agent")
        .filter(pk=petition_id)
        .first()
    )
    if petition is None:
        raise scoping.OutOfJurisdiction(_("This petition is outside your jurisdiction."))
    return petition


def with_recovered(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    payments = ClaimPayment.objects.filter(claim=OuterRef("pk")).order_by().values("claim")
    recovered = Subquery(payments.annotate(total=Sum("amount")).values("total"), output_field=MONEY)
    last_paid = Subquery(
        payments.filter(amount__gt=0).annotate(last=Max("paid_on")).values("last"),
    )
    return qs.annotate(recovered=Coalesce(recovered, Value(ZERO), output_field=MONEY), last_paid_on=last_paid)


def visible_claims(user: Any) -> QuerySet[Claim]:
    return with_recovered(
        Claim.objects.filter(petition__in=visible_petitions(user).values("pk")).select_related(
            "claimant", "petition__place", "petition__agent"
        )
    ).order_by("petition_id", "pk")


def paid_status(claimed: Decimal, recovered: Decimal) -> PaidStatus:
    if recovered >= claimed:
        return PaidStatus.PAID
    if recovered > 0:
        return PaidStatus.PART_PAID
    return PaidStatus.UNPAID


@dataclass
class Totals:
    claims: int = 0
    claimants: set[int] = field(default_factory=set)
    claimed: Decimal = ZERO
    recovered: Decimal = ZERO
    paid: int = 0

    def add(self, claim: Claim) -> None:
        self.claims += 1
        self.claimants.add(claim.claimant_id)
        self.claimed += claim.amount_claimed
        recovered = getattr(claim, "recovered", ZERO)
        self.recovered += recovered
        if paid_status(claim.amount_claimed, recovered) == PaidStatus.PAID:
            self.paid += 1

    @property
    def claimant_count(self) -> int:
        return len(self.claimants)

    @property
    def outstanding(self) -> Decimal:
        return self.claimed - self.recovered

    @property
    def percent(self) -> str:
        return f"{(100 * self.recovered / self.claimed):.1f}%" if self.claimed else "—"


def totals_of(claims: Iterable[Claim]) -> Totals:
    totals = Totals()
    for claim in claims:
        totals.add(claim)
    return totals


def grouped(claims: Iterable[Claim], key: Callable[[Claim], Any]) -> dict[Any, Totals]:
    groups: dict[Any, Totals] = defaultdict(Totals)
    for claim in claims:
        groups[key(claim)].add(claim)
    return dict(groups)


def villages_of(places: Iterable[Unit]) -> dict[int, Unit]:
    """The village or community each place lies in (a place above village level stands for itself)."""
    places = list(places)
    prefixes = {p for place in places for p in [*ancestor_paths(place.path), place.path]}
    villages = {u.path: u for u in Unit.objects.filter(path__in=prefixes, kind=UnitKind.VILLAGE)}
    result = {}
    for place in places:
        found = next((villages[p] for p in [place.path, *ancestor_paths(place.path)] if p in villages), None)
        result[place.pk] = found or place
    return result


@dataclass
class Row:
    """One line of a totals table: what it is about and its totals."""

    label: str
    totals: Totals
    obj: Any = None


def totals_by_village(claims: list[Claim]) -> list[Row]:
    villages = villages_of({c.petition.place for c in claims})
    groups = grouped(claims, lambda c: villages[c.petition.place_id].pk)
    units = {u.pk: u for u in villages.values()}
    return sorted(
        (Row(units[k].name, t, units[k]) for k, t in groups.items()),
        key=lambda r: -r.totals.recovered,
    )


def totals_by_agent(claims: list[Claim]) -> list[Row]:
    agents = {
        a.person_id: a for a in Agent.objects.filter(person_id__in={c.petition.agent_id for c in claims})
    }
    groups = grouped(claims, lambda c: c.petition.agent_id)
    rows = []
    for person_id, totals in groups.items():
        agent = agents.get(person_id) if isinstance(person_id, int) else None
        rows.append(Row(agent.person.name if agent else _("No certified agent"), totals, agent))
    return sorted(rows, key=lambda r: -r.totals.recovered)


def totals_by_petitioner(claims: list[Claim]) -> list[Row]:
    people = {c.claimant_id: c.claimant for c in claims}
    groups = grouped(claims, lambda c: c.claimant_id)
    return sorted(
        (Row(people[k].name, t, people[k]) for k, t in groups.items()),
        key=lambda r: r.label,
    )


def totals_by_matter(claims: list[Claim]) -> list[Row]:
    petitions = {c.petition_id: c.petition for c in claims}
    groups = grouped(claims, lambda c: c.petition_id)
    return [Row(petitions[k].number, t, petitions[k]) for k, t in groups.items()]


# --- pages -------------------------------------------------------------------------------------------


def open_tasks(agent: Agent, user: Any) -> QuerySet[AgentTask]:
    return (
        AgentTask.objects.filter(
            agent=agent, done_at__isnull=True, petition__in=visible_petitions(user).values("pk")
        )
        .select_related("petition", "department")
        .order_by("due_on", "pk")
    )


def caseload(user: Any, agent: Agent, today: dt.date | None = None) -> dict[str, Any]:
    """An agent's caseload: mandates in force, open tasks by due date, matters and their states, money."""
    today = today or timezone.localdate()
    mandates = list(
        AgencyMandate.objects.filter(agent=agent).filter(in_force_q(today)).select_related("principal")
    )
    tasks = list(open_tasks(agent, user))
    matters = list(
        agency_petitions(user)
        .filter(Q(agent_id=agent.person_id) | Q(mandate_uses__mandate__agent=agent))
        .distinct()
        .select_related("current_unit", "principal")
        .order_by("-received_at")
    )
    claims = list(visible_claims(user).filter(petition__in=[p.pk for p in matters]))
    by_matter = grouped(claims, lambda c: c.petition_id)
    return {
        "mandates": mandates,
        "tasks": [(t, t.is_overdue(today)) for t in tasks],
        "overdue_tasks": sum(1 for t in tasks if t.is_overdue(today)),
        "matters": [(p, by_matter.get(p.pk)) for p in matters],
        "open_matters": sum(1 for p in matters if p.is_open),
        "totals": totals_of(claims),
    }


def ledger(user: Any, unit: Unit) -> dict[str, Any]:
    """台账 of a village or community (or any area): its agents' mandates, the agency matters about
    places in it, every claim and what was recovered, with totals."""
    mandates = list(
        visible_mandates(user)
        .filter(prefix_lookup("agent__unit__path", unit.path))
        .order_by("starts_on", "pk")
    )
    matters = list(
        agency_petitions(user)
        .filter(prefix_lookup("place__path", unit.path))
        .select_related("current_unit", "principal", "agent", "place")
        .order_by("received_at", "pk")
    )
    claims = list(visible_claims(user).filter(petition__in=[p.pk for p in matters]))
    by_matter = grouped(claims, lambda c: c.petition_id)
    return {
        "unit": unit,
        "mandates": mandates,
        "matters": [(p, by_matter.get(p.pk)) for p in matters],
        "claims": [(c, paid_status(c.amount_claimed, c.recovered)) for c in claims],  # type: ignore[attr-defined]
        "totals": totals_of(claims),
        "by_petitioner": totals_by_petitioner(claims),
    }


def agency_totals(user: Any) -> dict[str, Any]:
    """Totals recovered in the user's jurisdiction, by village and by agent."""
    claims = list(visible_claims(user).filter(petition__in=agency_petitions(user).values("pk")))
    return {
        "totals": totals_of(claims),
        "by_village": totals_by_village(claims),
        "by_agent": totals_by_agent(claims),
    }


def payments_of(claim: Claim) -> QuerySet[ClaimPayment]:
    return claim.payments.select_related("recorded_by", "corrects").order_by("paid_on", "pk")
