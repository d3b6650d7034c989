"""Jurisdiction: the one place that decides what a staff user may see and act on.

Views, the API and exports all call these functions; none filters by unit on its own.

A membership's *jurisdiction root* is its unit, except that petition officers, leaders, discipline
inspectors and administrators who sit in an organ (e.g. 金安区信访局) cover the organ's whole area
(金安区). A department handler covers only the department.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import path_prefix_q

from .models import Membership, Role, User

M = TypeVar("M", bound=Model)

AREA_WIDE_ROLES = frozenset(
    {
        Role.VILLAGE_CADRE,
        Role.TOWN_OFFICER,
        Role.COUNTY_OFFICER,
        Role.LEADER,
        Role.DISCIPLINE_INSPECTOR,
        Role.SYSTEM_ADMIN,
    }
)


class OutOfJurisdiction(PermissionDenied):
    """Raised when a user reaches for something outside their subtree; views answer 404."""


def active_memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_xinfang_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, unit__is_active=True).select_related("unit")
        )
        user._xinfang_memberships = cached
    return cached


def sees_everything(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def jurisdiction_root(membership: Membership) -> Unit:
    cached = getattr(membership, "_jurisdiction_root", None)
    if cached is not None:
        return cached
    unit = membership.unit
    root = unit.area() if unit.is_organ and membership.role in AREA_WIDE_ROLES else unit
    # Memberships are cached per request on the user, so each area is looked up once a request.
    membership._jurisdiction_root = root  # type: ignore[attr-defined]
    return root


def jurisdiction_roots(user: Any, roles: Iterable[str] | None = None) -> list[Unit]:
    wanted = set(roles) if roles is not None else None
    return [jurisdiction_root(m) for m in active_memberships(user) if wanted is None or m.role in wanted]


def user_roles(user: Any) -> set[str]:
    return {m.role for m in active_memberships(user)}


def has_role(user: Any, *roles: str) -> bool:
    return sees_everything(user) or bool(user_roles(user) & set(roles))


def jurisdiction_q(user: Any, path_field: str = "path", roles: Iterable[str] | None = None) -> Q:
    """A filter for rows whose unit path (``path_field``) lies in the user's jurisdiction."""
    if sees_everything(user):
        return Q()
    return path_prefix_q(jurisdiction_roots(user, roles), field=path_field)


def scope_queryset(
    user: Any, qs: QuerySet[M], *, path_field: str, roles: Iterable[str] | None = None
) -> QuerySet[M]:
    """Restrict any queryset to the user's jurisdiction through the unit path at ``path_field``."""
    return qs.filter(jurisdiction_q(user, path_field, roles)).distinct() if not sees_everything(user) else qs


def visible_units(user: Any) -> QuerySet[Unit]:
    return scope_queryset(user, Unit.objects.all(), path_field="path")


def can_see_unit(user: Any, unit: Unit) -> bool:
    if sees_everything(user):
        return True
    return any(unit.path.startswith(root.path) for root in jurisdiction_roots(user))


def require_unit(user: Any, unit: Unit) -> Unit:
    if not can_see_unit(user, unit):
        raise OutOfJurisdiction(_("This unit is outside your jurisdiction."))
    return unit


def can_act_in(user: Any, unit: Unit, *roles: str) -> bool:
    """True when one of the user's memberships with one of ``roles`` covers ``unit``."""
    if sees_everything(user):
        return True
    return any(unit.path.startswith(root.path) for root in jurisdiction_roots(user, roles))


def require_role_in(user: Any, unit: Unit, *roles: str) -> None:
    if not can_act_in(user, unit, *roles):
        raise OutOfJurisdiction(_("You do not have a role that may do this here."))


def primary_membership(user: Any) -> Membership | None:
    memberships = active_memberships(user)
    return min(memberships, key=lambda m: m.unit.depth) if memberships else None


def home_unit(user: User) -> Unit | None:
    membership = primary_membership(user)
    return jurisdiction_root(membership) if membership else None
