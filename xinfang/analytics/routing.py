"""Routing suggestions: the category from the active model, then the competent department.

Territory, then function (属地管理、谁主管谁负责, domain.md §5): the department function in charge of the
category comes from the nearest ``CategoryRoute`` above the place (a level-2 rule before a level-1 one),
else from the category's default; the department is the organ with that function in the place's county
(or in the place's own area when the place is a county or above). With no trained model there is no
suggestion and the reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from xinfang.orgs.models import AREA_KINDS, Unit, UnitKind
from xinfang.orgs.selectors import ancestors, prefix_lookup
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.taxonomy import DEFAULT_FUNCTIONS

from . import router, store
from .models import CategoryRoute

MIN_TEXT = 6  # characters; shorter input gives no useful suggestion


@dataclass
class CategoryOption:
    name: str
    probability: float
    category: Category | None = None
    level2: str = ""
    level2_probability: float = 0.0
    level2_category: Category | None = None

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    @property
    def chosen(self) -> Category | None:
        return self.level2_category or self.category

    @property
    def label(self) -> str:
        return f"{self.name} / {self.level2}" if self.level2 else self.name


@dataclass
class RoutingSuggestion:
    available: bool
    note: str = ""
    model_version: int | None = None
    best: CategoryOption | None = None
    alternatives: list[CategoryOption] = field(default_factory=list)
    department: Unit | None = None
    department_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        def option(o: CategoryOption) -> dict[str, Any]:
            return {
                "category": o.name,
                "category_id": o.category.pk if o.category else None,
                "confidence": round(o.probability, 4),
                "level2": o.level2,
                "level2_id": o.level2_category.pk if o.level2_category else None,
                "level2_confidence": round(o.level2_probability, 4),
            }

        return {
            "available": self.available,
            "note": self.note,
            "model_version": self.model_version,
            "best": option(self.best) if self.best else None,
            "alternatives": [option(o) for o in self.alternatives],
            "department_id": self.department.pk if self.department else None,
            "department": self.department.name if self.department else "",
            "department_note": self.department_note,
        }


def petition_text(petition: Petition) -> str:
    return f"{petition.subject} {petition.request} {petition.facts}"


def _level2_threshold(option: router.Choice) -> bool:
    # A level-2 label is offered when it holds most of its level 1's probability.
    return bool(option.level2) and option.level2_probability >= 0.5 * option.probability


def _option(choice: router.Choice, tops: dict[str, Category]) -> CategoryOption:
    top = tops.get(choice.level1)
    level2 = choice.level2 if _level2_threshold(choice) else ""
    child = Category.objects.filter(parent=top, name=level2).first() if top and level2 else None
    return CategoryOption(
        name=choice.level1,
        probability=choice.probability,
        category=top,
        level2=level2,
        level2_probability=choice.level2_probability if level2 else 0.0,
        level2_category=child,
    )


def predict_texts(texts: list[str]) -> tuple[int, list[router.Prediction]] | None:
    loaded = store.load_active()
    if loaded is None:
        return None
    version, model = loaded
    return version.version, router.predict(model, texts)


def suggest(text: str, place: Unit | None = None) -> RoutingSuggestion:
    if len(text.strip()) < MIN_TEXT:
        return RoutingSuggestion(
            available=False, note=_("Type the subject or the request to get a suggestion.")
        )
    result = predict_texts([text])
    if result is None:
        return RoutingSuggestion(
            available=False,
            note=_(
                "No routing model is trained yet: run “manage.py train_router”. Choose the category yourself."
            ),
        )
    version, (prediction,) = result
    names = [prediction.best.level1, *(a.level1 for a in prediction.alternatives)]
    tops = {c.name: c for c in Category.objects.filter(parent=None, name__in=names)}
    best = _option(prediction.best, tops)
    suggestion = RoutingSuggestion(
        available=True,
        model_version=version,
        best=best,
        # Alternatives under one percent are noise to the reader.
        alternatives=[_option(a, tops) for a in prediction.alternatives if a.probability >= 0.01],
    )
    if place is None:
        suggestion.department_note = _("Choose the place of the problem to see the competent department.")
    else:
        suggestion.department = department_for(place=place, category=best.chosen, level1_name=best.name)
        if suggestion.department is None:
            suggestion.department_note = _("No department of this place is in charge of this category.")
    return suggestion


def function_for(*, place: Unit, category: Category | None, level1_name: str = "") -> str:
    """The department function in charge: nearest locality rule, then the category's default."""
    chain: list[Category] = []
    node = category
    while node is not None:
        chain.append(node)
        node = node.parent
    if chain:
        area_paths = [u.path for u in ancestors(place.area(), include_self=True)]
        rules = {
            (rule.area.path, rule.category_id): rule.function
            for rule in CategoryRoute.objects.filter(
                area__path__in=area_paths, category__in=chain
            ).select_related("area")
        }
        for path in reversed(area_paths):  # nearest area first
            for candidate in chain:  # most specific category first
                if (path, candidate.pk) in rules:
                    return rules[(path, candidate.pk)]
        return chain[-1].function
    return DEFAULT_FUNCTIONS.get(level1_name, "")


def department_for(*, place: Unit, category: Category | None, level1_name: str = "") -> Unit | None:
    function = function_for(place=place, category=category, level1_name=level1_name)
    if not function:
        return None
    area = place.area()
    county = next(
        (u for u in ancestors(area, include_self=True).order_by("-depth") if u.kind == UnitKind.COUNTY), None
    )
    seat = county or area
    if seat.kind not in AREA_KINDS:
        return None
    return (
        Unit.objects.filter(
            prefix_lookup("path", seat.path), depth=seat.depth + 1, function=function, is_active=True
        )
        .order_by("path")
        .first()
    )
