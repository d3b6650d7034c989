"""Reads of the analytics app. Every petition read goes through ``visible_petitions(user)``.

- ``near_duplicates``: earlier petitions on substantially the same matter (the MinHash index, then an
  exact re-score on the stored 3-gram sets).
- ``common_issue_groups``: the 共性问题 groups of a user's jurisdiction.
- ``early_warning``: the petition office's daily list (rising groups, collective petitions forming,
  threat words, repeat petitioners whose matter is still open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.petitions.detection import COLLECTIVE_PEOPLE, THREAT_WORDS
from xinfang.petitions.models import PartyRole, Petition, PetitionParty, Suggestion
from xinfang.petitions.selectors import visible_petitions
from xinfang.petitions.states import OPEN_STATES

from . import fingerprints, issues
from .models import TextBand, TextFingerprint

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


def _candidate_sql(keys: int, excluded: int) -> str:
    band = TextBand._meta.db_table
    entry = TextFingerprint._meta.db_table
    qn = connection.ops.quote_name
    marks = ", ".join(["%s"] * keys)
    skip = f" AND b.petition_id NOT IN ({', '.join(['%s'] * excluded)})" if excluded else ""
    # The inner query reads the (key, petition) index alone (EXPLAIN: a covering index search on SQLite,
    # an index-only scan on PostgreSQL); the entries are then read by primary key for the few candidates,
    # and only those whose 3-gram count can reach the threshold are ranked. Only quoted table and column
    # names and placeholders are formatted in; every value is a parameter.
    return (
        f"SELECT c.petition_id, c.hits, f.{qn('grams')} FROM ("  # noqa: S608
        f"SELECT b.petition_id AS petition_id, COUNT(*) AS hits FROM {qn(band)} b "
        f"WHERE b.{qn('key')} IN ({marks}){skip} GROUP BY b.petition_id"
        f") c JOIN {qn(entry)} f ON f.petition_id = c.petition_id "
        f"WHERE f.{qn('shingles')} BETWEEN %s AND %s AND f.{qn('grams')} IS NOT NULL "
        "ORDER BY c.hits DESC, c.petition_id DESC LIMIT %s"
    )


def _candidate_rows(
    found: fingerprints.Fingerprint, *, threshold: float, limit: int, exclude: Iterable[int]
) -> list[tuple[int, int, bytes]]:
    """(petition id, shared keys, packed 3-grams) of the indexed petitions sharing band keys with the
    text and of a size that can reach ``threshold``, most shared keys first (one query)."""
    keys = sorted(set(found.keys))
    if not keys:
        return []
    skip = sorted(set(exclude))
    low, high = fingerprints.size_bounds(found.size, threshold)
    with connection.cursor() as cursor:
        cursor.execute(_candidate_sql(len(keys), len(skip)), [*keys, *skip, low, high, limit])
        return [(pk, hits, grams) for pk, hits, grams in cursor.fetchall()]


def index_candidates(
    text: str, *, limit: int = CANDIDATES, exclude: Iterable[int] = (), threshold: float = NEAR_DUPLICATE
) -> list[int]:
    """Ids of the petitions a lookup re-scores: sharing band keys with ``text``, most shared keys first."""
    rows = _candidate_rows(fingerprints.fingerprint(text), threshold=threshold, limit=limit, exclude=exclude)
    return [pk for pk, _hits, _grams in rows]


def index_matches(
    text: str, *, threshold: float = NEAR_DUPLICATE, limit: int = CANDIDATES, exclude: Iterable[int] = ()
) -> list[Match]:
    """Every indexed petition (no scoping) whose text is at least ``threshold`` similar, most similar
    first: one indexed query for the candidates and their stored 3-gram sets, then the exact Jaccard
    similarity of the sets (the value ``text.similarity`` gives on the texts), without reading a text."""
    found = fingerprints.fingerprint(text)
    rows = _candidate_rows(found, threshold=threshold, limit=limit, exclude=exclude)
    if not rows:
        return []
    scores = fingerprints.jaccard_packed(found.codes, [grams for _pk, _hits, grams in rows])
    matches = [
        Match(pk, float(score))
        for (pk, _hits, _grams), score in zip(rows, scores, strict=True)
        if score >= threshold
    ]
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
    matches = index_matches(text, exclude=exclude, threshold=threshold)
    if not matches:
        return []
    qs = visible_petitions(user).filter(pk__in=[m.petition_id for m in matches])
    if before is not None:
        qs = qs.filter(received_at__lte=before)
    by_pk = {p.pk: p for p in qs.select_related("current_unit", "place")}
    kept = [m for m in matches if m.petition_id in by_pk][:limit]
    for match in kept:
        match.petition = by_pk[match.petition_id]
    return kept


def same_matter_any_person(petition: Petition, *, threshold: float = NEAR_DUPLICATE) -> list[Match]:
    """Unscoped: earlier petitions with substantially the same text, for detection at intake."""
    text = _text(petition.subject, petition.request, petition.facts)
    matches = index_matches(text, exclude=[petition.pk], threshold=threshold)
    if not matches:
        return []
    earlier = set(
        Petition.objects.filter(
            pk__in=[m.petition_id for m in matches], received_at__lte=petition.received_at
        ).values_list("pk", flat=True)
    )
    return [m for m in matches if m.petition_id in earlier]


def all_near_duplicate_pairs(threshold: float = NEAR_DUPLICATE) -> list[tuple[str, str, float]]:
    """Every pair of indexed petitions on substantially the same matter (bulk run), by number."""
    pairs: list[tuple[str, str, float]] = []
    numbers = dict(Petition.objects.values_list("pk", "number"))
    rows = Petition.objects.order_by("pk").values_list("pk", "subject", "request", "facts")
    for pk, subject, request, facts in rows.iterator(chunk_size=1000):
        text = _text(subject, request, facts)
        for match in index_matches(text, exclude=[pk], threshold=threshold):
            if match.petition_id < pk:
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
