"""Reads of the administrative tree. Subtree and ancestor queries use the materialised path."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet

from .models import AREA_KINDS, Unit


def prefix_lookup(field: str, prefix: str) -> Q:
    """Rows whose materialised path ``field`` starts with ``prefix``, as an index range scan.

    PostgreSQL serves ``startswith`` from the varchar_pattern_ops index. SQLite runs it as a
    case-insensitive LIKE that cannot use the index, so there the same set is asked for as the
    range [prefix, prefix + "~"): path characters are 0-9A-Z, all below "~" in byte order.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "~"})
    return Q(**{f"{field}__startswith": prefix})


def subtree(unit: Unit, *, include_self: bool = True) -> QuerySet[Unit]:
    """All units under ``unit`` (one indexed prefix scan)."""
    qs = Unit.objects.filter(prefix_lookup("path", unit.path))
    if not include_self:
        qs = qs.exclude(pk=unit.pk)
    return qs


def subtree_of_any(units: Iterable[Unit]) -> QuerySet[Unit]:
    return Unit.objects.filter(path_prefix_q(units))


def path_prefix_q(units: Iterable[Unit], field: str = "path") -> Q:
    """A Q object matching rows whose ``field`` lies under any of ``units``; matches nothing if none."""
    condition = Q(pk__in=[])
    for prefix in minimal_prefixes(unit.path for unit in units):
        condition |= prefix_lookup(field, prefix)
    return condition


def minimal_prefixes(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by a shorter one, so queries carry no redundant clauses."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


def ancestor_paths(path: str, steplen: int = Unit.steplen) -> list[str]:
    return [path[:end] for end in range(steplen, len(path), steplen)]


def ancestors(unit: Unit, *, include_self: bool = False) -> QuerySet[Unit]:
    """Ancestors from the root down, computed from the path itself (one query by primary key index)."""
    paths = ancestor_paths(unit.path)
    if include_self:
        paths.append(unit.path)
    return Unit.objects.filter(path__in=paths).order_by("depth")


def area_ancestor(unit: Unit, kind: str) -> Unit | None:
    """The nearest ancestor-or-self area of ``kind`` (e.g. the county of a village)."""
    return ancestors(unit, include_self=True).filter(kind=kind).order_by("-depth").first()


def children(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(prefix_lookup("path", unit.path), depth=unit.depth + 1).order_by(
        "kind", "name"
    )


def parent_of(unit: Unit) -> Unit | None:
    if unit.depth <= 1:
        return None
    return Unit.objects.filter(path=unit.parent_path()).first()


def areas_only(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    return qs.filter(kind__in=AREA_KINDS)


def search_units(qs: QuerySet[Unit], text: str) -> QuerySet[Unit]:
    text = text.strip()
    if not text:
        return qs
    return qs.filter(Q(name__icontains=text) | Q(code__icontains=text) | Q(division_code__startswith=text))
