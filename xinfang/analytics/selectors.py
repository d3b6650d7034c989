"""Reads of the analytics app. Every petition read goes through ``visible_petitions(user)``.

- ``near_duplicates``: earlier petitions on substantially the same matter (the MinHash index, then a
  precise re-score on the text).
- ``common_issue_groups``: the 共性问题 groups of a user's jurisdiction.
- ``early_warning``: the petition office's daily list (rising groups, collective petitions forming,
  threat words, repeat petitioners whose matter is still open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.petitions.detection import COLLECTIVE_PEOPLE, THREAT_WORDS
from xinfang.petitions.models import PartyRole, Petition, PetitionParty, Suggestion
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import OPEN_STATES

from . import fingerprints, issues
from .models import TextBand
from .text import similarity

# Jaccard similarity of 3-gram sets from which two texts are "substantially the same matter": on the
# 200 labelled pairs (bench_analytics.py) 0.3 kept precision at 0.93 and found most labelled pairs.
NEAR_DUPLICATE = 0.3
CANDIDATES = 50  # petitions re-scored per lookup, those sharing the most band keys first
RECENT_DAYS = 90  # common issues: open petitions, and closed ones received in this window
GROUP_SOURCE_LIMIT = 3000
WARNING_DAYS = 7
REPEAT_DAYS = 30


@dataclass
class Match:
    petition_id: int
    score: float
    petition: Petition | None = None

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _text(subject: str, request: str, facts: str) -> str:
    return f"{subject} {request} {facts}"


def index_candidates(text: str, *, limit: int = CANDIDATES, exclude: Iterable[int] = ()) -> list[int]:
    """Ids of petitions sharing band keys with ``text``, most shared keys first (one indexed query)."""
    keys = fingerprints.text_keys(text)
    if not keys:
        return []
    rows = (
        TextBand.objects.filter(key__in=keys)
        .exclude(petition_id__in=list(exclude))
        .values("petition_id")
        .annotate(hits=Count("key"))
        .order_by("-hits", "-petition_id")[:limit]
    )
    return [row["petition_id"] for row in rows]


def rescore(text: str, candidates: QuerySet[Petition], *, threshold: float) -> list[Match]:
    matches = []
    for pk, subject, request, facts in candidates.values_list("pk", "subject", "request", "facts"):
        score = similarity(text, _text(subject, request, facts))
        if score >= threshold:
            matches.append(Match(pk, score))
    return sorted(matches, key=lambda m: (-m.score, -m.petition_id))


def near_duplicates(
    user: Any,
    text: str,
    *,
    exclude: Iterable[int] = (),
    threshold: float = NEAR_DUPLICATE,
    limit: int = 10,
    before: dt.datetime | None = None,
) -> list[Match]:
    """Petitions the user may see that say substantially the same as ``text``, most similar first."""
    ids = index_candidates(text, exclude=exclude)
    if not ids:
        return []
    qs = visible_petitions(user).filter(pk__in=ids)
    if before is not None:
        qs = qs.filter(received_at__lte=before)
    matches = rescore(text, qs, threshold=threshold)[:limit]
    by_pk = Petition.objects.select_related("current_unit", "place").in_bulk([m.petition_id for m in matches])
    for match in matches:
        match.petition = by_pk.get(match.petition_id)
    return matches


def same_matter_any_person(petition: Petition, *, threshold: float = NEAR_DUPLICATE) -> list[Match]:
    """Unscoped: earlier petitions with substantially the same text, for detection at intake."""
    text = _text(petition.subject, petition.request, petition.facts)
    ids = index_candidates(text, exclude=[petition.pk])
    qs = Petition.objects.filter(pk__in=ids, received_at__lte=petition.received_at)
    return rescore(text, qs, threshold=threshold)


def all_near_duplicate_pairs(threshold: float = NEAR_DUPLICATE) -> list[tuple[str, str, float]]:
    """Every pair of indexed petitions on substantially the same matter (bulk run), by number."""
    pairs: list[tuple[str, str, float]] = []
    numbers = dict(Petition.objects.values_list("pk", "number"))
    rows = Petition.objects.order_by("pk").values_list("pk", "subject", "request", "facts")
    for pk, subject, request, facts in rows.iterator(chunk_size=1000):
        text = _text(subject, request, facts)
        ids = [i for i in index_candidates(text, exclude=[pk]) if i < pk]
        for match in rescore(text, Petition.objects.filter(pk__in=ids), threshold=threshold):
            pairs.append((numbers[match.petition_id], numbers[pk], match.score))
    return pairs


# --- common issues ----------------------------------------------------------------------------------


def _group_source(user: Any, today: dt.date) -> QuerySet[Petition]:
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=RECENT_DAYS), dt.time.min))
    return (
        visible_petitions(user)
        .filter(Q(state__in=OPEN_STATES) | Q(received_at__gte=since))
        .select_related("place")
        .order_by("-received_at")
    )


def _issue_items(petitions: Iterable[Petition]) -> list[issues.IssueItem]:
    rows = list(petitions)
    signers = dict(
        PetitionParty.objects.filter(
            petition__in=rows, role__in=[PartyRole.CO_PETITIONER, PartyRole.REPRESENTATIVE]
        )
        .values("petition_id")
        .annotate(n=Count("pk"))
        .values_list("petition_id", "n")
    )
    return [
        issues.IssueItem(
            id=p.pk,
            text=_text(p.subject, p.request, p.facts),
            person=p.principal_id,
            at=timezone.localtime(p.received_at),
            people=max(1, p.people_count),
            likes=signers.get(p.pk, 0),
            place=p.place.name,
        )
        for p in rows
    ]


@dataclass
class GroupView:
    group: issues.IssueGroup
    petitions: list[Petition] = field(default_factory=list)

    @property
    def petition_ids(self) -> list[int]:
        return [p.pk for p in self.petitions]

    @property
    def open_count(self) -> int:
        return sum(1 for p in self.petitions if p.state in OPEN_STATES)

    @property
    def agenda_title(self) -> str:
        return self.group.name

    @property
    def agenda_reasons(self) -> str:
        g = self.group
        return _(
            "%(size)d petitions of %(petitioners)d petitioners, %(people)d people affected; "
            "%(recent)d in the last %(days)d days (%(growth)+d); key terms: %(terms)s"
        ) % {
            "size": g.size,
            "petitioners": g.petitioners,
            "people": g.people,
            "recent": g.recent,
            "days": issues.WINDOW_DAYS,
            "growth": g.growth,
            "terms": "、".join(g.terms),
        }


def common_issue_groups(user: Any, *, today: dt.date | None = None, limit: int = 50) -> list[GroupView]:
    """The user's 共性问题 groups, best ranked first, each with its petitions (visible ones only)."""
    today = today or timezone.localdate()
    rows = list(_group_source(user, today)[:GROUP_SOURCE_LIMIT])
    groups = issues.group_items(_issue_items(rows), today=today)[:limit]
    by_pk: dict[Hashable, Petition] = {p.pk: p for p in rows}
    return [GroupView(g, [by_pk[i] for i in g.ids if i in by_pk]) for g in groups]


def common_issue_group(user: Any, key: Hashable, *, today: dt.date | None = None) -> GroupView | None:
    for view in common_issue_groups(user, today=today, limit=GROUP_SOURCE_LIMIT):
        if key in view.group.ids:
            return view
    return None


# --- early warning ----------------------------------------------------------------------------------


@dataclass
class ThreatHit:
    petition: Petition
    words: list[str]


@dataclass
class EarlyWarning:
    day: dt.date
    rising: list[GroupView]
    collective: list[GroupView]
    collective_petitions: list[Petition]
    threats: list[ThreatHit]
    repeats: list[Petition]

    @property
    def collective_count(self) -> int:
        return len(self.collective) + len(self.collective_petitions)

    @property
    def total(self) -> int:
        return (
            len(self.rising)
            + len(self.collective)
            + len(self.collective_petitions)
            + len(self.threats)
            + len(self.repeats)
        )


def threat_words_in(text: str) -> list[str]:
    return [word for word in THREAT_WORDS if word in text]


def early_warning(user: Any, *, day: dt.date | None = None) -> EarlyWarning:
    """The daily list for the petition office of ``user``'s jurisdiction, as of ``day``."""
    day = day or timezone.localdate()
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    week = end - dt.timedelta(days=WARNING_DAYS)
    visible = visible_petitions(user).filter(received_at__lt=end)
    groups = common_issue_groups(user, today=day)
    rising = [g for g in groups if g.group.recent >= 2 and g.group.growth > 0]
    collective = [
        g for g in groups if g.group.people >= COLLECTIVE_PEOPLE and g.group.recent >= 1 and g.open_count
    ]
    collective_petitions = list(
        visible.filter(received_at__gte=week, is_collective=True)
        .select_related("current_unit")
        .order_by("-received_at")[:50]
    )
    flagged = Q(is_threat=True) | Q(suggestions__kind=Suggestion.Kind.THREAT)
    words = Q()
    for word in THREAT_WORDS:
        words |= Q(subject__contains=word) | Q(request__contains=word) | Q(facts__contains=word)
    threat_rows = (
        visible.filter(received_at__gte=week)
        .filter(flagged | words)
        .distinct()
        .select_related("current_unit")
        .order_by("-received_at")[:50]
    )
    threats = [ThreatHit(p, threat_words_in(_text(p.subject, p.request, p.facts))) for p in threat_rows]
    month = end - dt.timedelta(days=REPEAT_DAYS)
    repeat_of_open = Q(repeat_of__state__in=OPEN_STATES) | Q(state__in=OPEN_STATES)
    pending_repeat = Q(
        suggestions__kind=Suggestion.Kind.REPEAT, suggestions__status=Suggestion.Status.PENDING
    )
    repeats = list(
        visible.filter(received_at__gte=month)
        .filter((Q(is_repeat=True) & repeat_of_open) | (pending_repeat & Q(state__in=OPEN_STATES)))
        .distinct()
        .select_related("current_unit", "repeat_of")
        .order_by("-received_at")[:50]
    )
    return EarlyWarning(day, rising, collective, collective_petitions, threats, repeats)
