"""Units of the administrative tree, as far as the caller's jurisdiction reaches."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from xinfang.accounts import scoping
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import ancestors, prefix_lookup, search_units

from .errors import COMMON_ERRORS

router = Router(tags=["orgs"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    level: int
    code: str
    division_code: str
    parent_id: int | None
    depth: int
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_parent_id(obj: Unit) -> int | None:
        if obj.depth <= 1:
            return None
        return Unit.objects.filter(path=obj.parent_path()).values_list("pk", flat=True).first()


class UnitFilter(Schema):
    q: str = ""
    kind: str = ""
    under: int | None = None
    limit: int = 100
    offset: int = 0


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


@router.get("/units", response={200: UnitPage, **COMMON_ERRORS})
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> UnitPage:
    qs = scoping.visible_units(request.user)
    if filters.under is not None:
        root = scoping.require_unit(request.user, get_object_or_404(Unit, pk=filters.under))
        qs = qs.filter(prefix_lookup("path", root.path))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    qs = search_units(qs, filters.q).order_by("path")
    limit = max(1, min(filters.limit, 1000))
    offset = max(0, filters.offset)
    return UnitPage(count=qs.count(), items=list(qs[offset : offset + limit]))


@router.get("/units/{unit_id}", response={200: UnitOut, **COMMON_ERRORS})
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    return scoping.require_unit(request.user, get_object_or_404(Unit, pk=unit_id))


@router.get("/units/{unit_id}/ancestors", response={200: list[UnitOut], **COMMON_ERRORS})
def get_unit_ancestors(request: HttpRequest, unit_id: int) -> list[Unit]:
    unit = scoping.require_unit(request.user, get_object_or_404(Unit, pk=unit_id))
    # Ancestors above the caller's reach are part of the unit's address, so they are shown by name.
    return list(ancestors(unit))
