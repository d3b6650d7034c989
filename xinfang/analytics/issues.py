"""Common-issue groups (共性问题): petitions of several people on one matter, across petitioners and places.

Each text becomes a TF-IDF vector of its content words (jieba, filler removed). Two petitions are linked
when their vectors are close (cosine ≥ ``LINK``), or moderately close (≥ ``PLACE_LINK``) and naming the
same estate, village, road, school or employer, but never when each names places and none in common (the
same complaint about two estates is two matters); groups are the connected components with at least
``MIN_PETITIONERS`` different petitioners. A group is named by its most weighty terms and its most
named place, and ranked by ``rank_score``: people affected, then growth (this week against the week
before) and support (likes where the data has them, co-signers on petitions), each on a log scale so
that one huge group does not hide every other.

Pure computation: callers pass ``IssueItem`` rows (petitions, or messages of the evaluation data).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .text import CODED_PLACE, content_words, place_terms

LINK = 0.5
PLACE_LINK = 0.3
MIN_PETITIONERS = 2
WINDOW_DAYS = 7
KEY_TERMS = 3
CHUNK = 400
VAGUE_PLACES = frozenset(
    {"小区", "社区", "学校", "公司", "医院", "项目", "市场", "物业公司", "开发商", "工地", "政府", "街道"}
)


@dataclass(frozen=True)
class IssueItem:
    id: Hashable
    text: str
    person: Hashable
    at: dt.datetime
    people: int = 1
    likes: int = 0
    place: str = ""


@dataclass
class IssueGroup:
    items: list[IssueItem]
    terms: list[str] = field(default_factory=list)
    place: str = ""
    people: int = 0
    petitioners: int = 0
    recent: int = 0
    previous: int = 0
    support: int = 0
    score: float = 0.0

    @property
    def key(self) -> Hashable:
        return min(item.id for item in self.items)  # type: ignore[type-var]

    @property
    def size(self) -> int:
        return len(self.items)

    @property
    def growth(self) -> int:
        return self.recent - self.previous

    @property
    def name(self) -> str:
        terms = "、".join(self.terms)
        return f"{self.place}：{terms}" if self.place else terms

    @property
    def ids(self) -> list[Hashable]:
        return [item.id for item in self.items]


@lru_cache(maxsize=8192)
def _specific_places(text: str) -> frozenset[str]:
    """The text's named places, each in its longest form (南屏苑 is dropped beside 南屏苑二期小区)."""
    named = {t for t in place_terms(text) if t not in VAGUE_PLACES and not CODED_PLACE.fullmatch(t)}
    return frozenset(t for t in named if not any(t != other and t in other for other in named))


def _same_place(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two texts name one place; a short form in a long one counts (丽发新城, 丽发新城小区)."""
    return any(x in y or y in x for x in a for y in b)


def _distinct_terms(ranked: Sequence[str], named: set[str], count: int) -> list[str]:
    """The first ``count`` terms that neither repeat the place nor each other (物业 beside 物业公司)."""
    chosen: list[str] = []
    for term in ranked:
        if any(term in p for p in named) or any(term in c or c in term for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == count:
            break
    return chosen


def _analyzer(text: str) -> list[str]:
    return content_words(text)


def _common_place(items: Sequence[IssueItem]) -> str:
    counts = Counter(item.place for item in items if item.place)
    return counts.most_common(1)[0][0] if counts else ""


def rank_score(group: IssueGroup) -> float:
    return math.log1p(group.people) + math.log1p(max(group.growth, 0)) + 0.5 * math.log1p(group.support)


def _components(
    n: int, edges: list[tuple[float, int, int]], places: Sequence[frozenset[str]]
) -> list[list[int]]:
    """Connected components, strongest links first, never joining two groups that name different
    places: a letter naming no place must not bridge the 望城路 group and the 史河路 group."""
    parent = list(range(n))
    named: list[frozenset[str]] = list(places)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _value, a, b in sorted(edges, reverse=True):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if named[ra] and named[rb] and not _same_place(named[ra], named[rb]):
            continue
        root, other = min(ra, rb), max(ra, rb)
        parent[other] = root
        named[root] = named[ra] | named[rb]
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return [members for members in groups.values() if len(members) > 1]


def group_items(
    items: Sequence[IssueItem],
    *,
    today: dt.date,
    min_petitioners: int = MIN_PETITIONERS,
    link: float = LINK,
    place_link: float = PLACE_LINK,
) -> list[IssueGroup]:
    """The common-issue groups among ``items``, best ranked first."""
    if len(items) < 2:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        analyzer=_analyzer, sublinear_tf=True, max_df=0.3 if len(items) >= 50 else 1.0
    )
    try:
        matrix = vectorizer.fit_transform([item.text for item in items])
    except ValueError:  # no content word at all
        return []
    places = [_specific_places(item.text) for item in items]
    edges: list[tuple[float, int, int]] = []
    for start in range(0, len(items), CHUNK):
        block = (matrix[start : start + CHUNK] @ matrix.T).tocoo()
        for row, col, value in zip(block.row, block.col, block.data, strict=True):
            a, b = start + int(row), int(col)
            if b <= a:
                continue
            same_place = _same_place(places[a], places[b])
            if places[a] and places[b] and not same_place:
                continue  # the same complaint about two estates (or employers, roads) is two matters
            if value >= link or (value >= place_link and same_place):
                edges.append((float(value), a, b))
    vocabulary = np.array(vectorizer.get_feature_names_out())
    groups = []
    window_start = today - dt.timedelta(days=WINDOW_DAYS)
    previous_start = window_start - dt.timedelta(days=WINDOW_DAYS)
    for members in _components(len(items), edges, places):
        chosen = [items[i] for i in members]
        persons: dict[Hashable, int] = {}
        for item in chosen:
            persons[item.person] = max(persons.get(item.person, 0), item.people)
        if len(persons) < min_petitioners:
            continue
        weights = np.asarray(matrix[members].sum(axis=0)).ravel()
        place_counts = Counter(p for i in members for p in places[i])
        # The group's place is a name most of its petitions share (longest first on a tie), not one
        # letter's aside.
        enough = max(2, math.ceil(0.3 * len(members)))
        shared = sorted(
            (p for p, n in place_counts.items() if n >= enough), key=lambda p: (-place_counts[p], -len(p))
        )
        named = set(shared[:1])
        terms = _distinct_terms(
            [str(t) for t in vocabulary[np.argsort(-weights)[: 8 * KEY_TERMS]]], named, KEY_TERMS
        )
        days = [item.at.date() if isinstance(item.at, dt.datetime) else item.at for item in chosen]
        group = IssueGroup(
            items=sorted(chosen, key=lambda item: item.at),
            terms=terms,
            place=next(iter(named), "") or _common_place(chosen),
            people=sum(persons.values()),
            petitioners=len(persons),
            recent=sum(1 for d in days if window_start < d <= today),
            previous=sum(1 for d in days if previous_start < d <= window_start),
            support=sum(item.likes for item in chosen),
        )
        group.score = rank_score(group)
        groups.append(group)
    return sorted(groups, key=lambda g: (-g.score, -g.people, str(g.key)))
