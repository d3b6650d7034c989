"""Common-issue groups (共性问题): petitions of several people on one matter, across petitioners and places.

Each text becomes a TF-IDF vector of its content words (jieba, filler removed). Two petitions are linked
when their vectors are close (cosine ≥ ``LINK``), or moderately close (≥ ``PLACE_LINK``) and naming the
same estate, village, road, school or employer; groups are the connected components with at least
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


def _specific_places(text: str) -> set[str]:
    return {t for t in place_terms(text) if t not in VAGUE_PLACES and not CODED_PLACE.fullmatch(t)}


def _analyzer(text: str) -> list[str]:
    return content_words(text)


def _common_place(items: Sequence[IssueItem]) -> str:
    counts = Counter(item.place for item in items if item.place)
    return counts.most_common(1)[0][0] if counts else ""


def rank_score(group: IssueGroup) -> float:
    return math.log1p(group.people) + math.log1p(max(group.growth, 0)) + 0.5 * math.log1p(group.support)


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
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
    edges: list[tuple[int, int]] = []
    for start in range(0, len(items), CHUNK):
        block = (matrix[start : start + CHUNK] @ matrix.T).tocoo()
        for row, col, value in zip(block.row, block.col, block.data, strict=True):
            a, b = start + int(row), int(col)
            if b <= a:
                continue
            if value >= link or (value >= place_link and places[a] & places[b]):
                edges.append((a, b))
    vocabulary = np.array(vectorizer.get_feature_names_out())
    groups = []
    window_start = today - dt.timedelta(days=WINDOW_DAYS)
    previous_start = window_start - dt.timedelta(days=WINDOW_DAYS)
    for members in _components(len(items), edges):
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
        terms = [str(t) for t in vocabulary[np.argsort(-weights)] if not any(t in p for p in named)]
        days = [item.at.date() if isinstance(item.at, dt.datetime) else item.at for item in chosen]
        group = IssueGroup(
            items=sorted(chosen, key=lambda item: item.at),
            terms=terms[:KEY_TERMS],
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
