"""Text intelligence: routing suggestions, near-duplicates, category corrections, common issues, early
warning, the stored routing models. Reads go through ``visible_petitions``; the one write is a service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from xinfang.accounts import scoping
from xinfang.accounts.models import User
from xinfang.analytics import routing, selectors, services, store
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.selectors import get_visible_petition

from .errors import COMMON_ERRORS, WRITE_ERRORS
from .petition_schemas import Day, Id, Short, Text, VersionIn
from .schemas import ErrorOut

router = Router(tags=["analytics"])


class CategoryOptionOut(Schema):
    category: str
    category_id: int | None
    confidence: float
    level2: str
    level2_id: int | None
    level2_confidence: float


class RoutingOut(Schema):
    available: bool = Field(description="False when no routing model is trained or the text is too short")
    note: str
    model_version: int | None
    best: CategoryOptionOut | None
    alternatives: list[CategoryOptionOut]
    department_id: int | None
    department: str
    department_note: str


class RoutingQueryIn(Schema):
    text: Annotated[Text, Field(max_length=20_000)]
    place_id: Id | None = None


class MatchOut(Schema):
    petition_id: int
    number: str
    subject: str
    state: str
    received_at: dt.datetime
    similarity: float


class TextIn(Schema):
    text: Annotated[Text, Field(max_length=20_000)]


class CorrectionIn(VersionIn):
    category_id: Id
    note: Short = ""


class CorrectionOut(Schema):
    id: int
    petition_id: int
    from_category_id: int | None
    to_category_id: int
    suggested: str
    model_version: int | None
    corrected_at: dt.datetime


class GroupOut(Schema):
    key: int
    name: str
    terms: list[str]
    place: str
    people: int
    petitioners: int
    petitions: int
    recent: int
    growth: int
    support: int
    petition_ids: list[int]


class WarningFilter(Schema):
    day: Day | None = None


class PetitionRefOut(Schema):
    petition_id: int
    number: str
    subject: str
    received_at: dt.datetime


class ThreatOut(PetitionRefOut):
    words: list[str]


class EarlyWarningOut(Schema):
    day: dt.date
    rising: list[GroupOut]
    collective: list[GroupOut]
    collective_petitions: list[PetitionRefOut]
    threats: list[ThreatOut]
    repeats: list[PetitionRefOut]


class ModelVersionOut(Schema):
    version: int
    active: bool
    trained_at: str
    source: str
    data_hash: str
    rows: int
    labels: list[str]
    scores: dict[str, Any]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _matches(matches: list[selectors.Match]) -> list[MatchOut]:
    return [
        MatchOut(
            petition_id=m.petition.pk,
            number=m.petition.number,
            subject=m.petition.subject,
            state=m.petition.state,
            received_at=m.petition.received_at,
            similarity=round(m.score, 4),
        )
        for m in matches
        if m.petition is not None
    ]


def _group(view: selectors.GroupView) -> GroupOut:
    g = view.group
    return GroupOut(
        key=int(g.key),  # type: ignore[call-overload]
        name=g.name,
        terms=g.terms,
        place=g.place,
        people=g.people,
        petitioners=g.petitioners,
        petitions=g.size,
        recent=g.recent,
        growth=g.growth,
        support=g.support,
        petition_ids=view.petition_ids,
    )


def _ref(p: Petition) -> PetitionRefOut:
    return PetitionRefOut(petition_id=p.pk, number=p.number, subject=p.subject, received_at=p.received_at)


@router.post("/analytics/route", response={200: RoutingOut, **COMMON_ERRORS, 400: ErrorOut})
def suggest_route(request: HttpRequest, body: RoutingQueryIn) -> dict[str, Any]:
    """The suggested category (with confidence and alternatives) and competent department for a text."""
    place = None
    if body.place_id is not None:
        place = scoping.require_unit(_user(request), get_object_or_404(Unit, pk=body.place_id))
    return routing.suggest(body.text, place).as_dict()


@router.get("/analytics/petitions/{petition_id}/routing", response={200: RoutingOut, **COMMON_ERRORS})
def petition_routing(request: HttpRequest, petition_id: int) -> dict[str, Any]:
    petition = get_visible_petition(_user(request), petition_id)
    return routing.suggest(routing.petition_text(petition), petition.place).as_dict()


@router.post("/analytics/petitions/{petition_id}/category", response={200: CorrectionOut, **WRITE_ERRORS})
def correct_category(request: HttpRequest, petition_id: int, body: CorrectionIn) -> Any:
    """Set or correct the petition's category; stored (who, when, from → to) for the next training."""
    user = _user(request)
    get_visible_petition(user, petition_id)
    category = get_object_or_404(Category, pk=body.category_id)
    return services.category_correct(
        user=user,
        petition_id=petition_id,
        category=category,
        note=body.note,
        expected_version=body.expected_version,
    )


@router.get(
    "/analytics/petitions/{petition_id}/near-duplicates", response={200: list[MatchOut], **COMMON_ERRORS}
)
def petition_near_duplicates(request: HttpRequest, petition_id: int) -> list[MatchOut]:
    """Other petitions you may see on substantially the same matter, most similar first."""
    user = _user(request)
    petition = get_visible_petition(user, petition_id)
    text = routing.petition_text(petition)
    return _matches(selectors.near_duplicates(user, text, exclude=[petition.pk]))


@router.post("/analytics/near-duplicates", response={200: list[MatchOut], **COMMON_ERRORS, 400: ErrorOut})
def text_near_duplicates(request: HttpRequest, body: TextIn) -> list[MatchOut]:
    """Petitions you may see whose text says substantially the same as ``text``."""
    return _matches(selectors.near_duplicates(_user(request), body.text))


@router.get("/analytics/common-issues", response={200: list[GroupOut], **COMMON_ERRORS})
def common_issues(request: HttpRequest) -> list[GroupOut]:
    """共性问题 of your jurisdiction, best ranked first."""
    return [_group(v) for v in selectors.common_issue_groups(_user(request))]


@router.get("/analytics/early-warning", response={200: EarlyWarningOut, **COMMON_ERRORS})
def early_warning(request: HttpRequest, filters: Query[WarningFilter]) -> EarlyWarningOut:
    """The petition office's daily list for ``day`` (default today)."""
    today = timezone.localdate()
    day = min(filters.day, today) if filters.day else today
    w = selectors.early_warning(_user(request), day=day)
    return EarlyWarningOut(
        day=w.day,
        rising=[_group(v) for v in w.rising],
        collective=[_group(v) for v in w.collective],
        collective_petitions=[_ref(p) for p in w.collective_petitions],
        threats=[ThreatOut(**_ref(h.petition).dict(), words=h.words) for h in w.threats],
        repeats=[_ref(p) for p in w.repeats],
    )


@router.get("/analytics/router-models", response={200: list[ModelVersionOut], **COMMON_ERRORS})
def router_models(request: HttpRequest) -> list[ModelVersionOut]:
    """The stored routing model versions and which one is active."""
    active = store.active_version()
    return [
        ModelVersionOut(
            version=v.version,
            active=active is not None and active.version == v.version,
            trained_at=str(v.meta.get("trained_at", "")),
            source=str(v.meta.get("source", "")),
            data_hash=str(v.meta.get("data_hash", "")),
            rows=int(v.meta.get("rows", 0)),
            labels=list(v.meta.get("labels", [])),
            scores=dict(v.meta.get("scores", {})),
        )
        for v in store.versions()
    ]
