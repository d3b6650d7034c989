"""Reads of petitions. Every list and lookup goes through ``visible_petitions``.

That one function applies jurisdiction and accusation secrecy.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from xinfang.accounts import scoping
from xinfang.orgs.selectors import ancestor_paths, path_prefix_q

from .models import Clock, ClockStatus, Petition, PetitionUnit


def _accused_exclusion(user: Any) -> Q:
    """Rows whose accused unit contains one of the user's seats, or that accuse the user."""
    seat_paths: set[str] = set()
    for membership in scoping.active_memberships(user):
        seat_paths.add(membership.unit.path)
        seat_paths.update(ancestor_paths(membership.unit.path))
        root = scoping.jurisdiction_root(membership)
        seat_paths.add(root.path)
        seat_paths.update(ancestor_paths(root.path))
    condition = Q(accused_user=user) if getattr(user, "pk", None) else Q(pk__in=[])
    if seat_paths:
        condition |= Q(accused_unit__path__in=seat_paths)
    return condition


def visible_petitions(user: Any) -> QuerySet[Petition]:
    """Petitions any unit of the user's jurisdiction has had a hand in, minus accusations against them."""
    qs = Petition.objects.all()
    if scoping.sees_everything(user):
        return qs
    roots = scoping.jurisdiction_roots(user)
    if not roots:
        return qs.none()
    links = PetitionUnit.objects.filter(petition=OuterRef("pk")).filter(
        path_prefix_q(roots, field="unit_path")
    )
    return qs.filter(Exists(links)).exclude(_accused_exclusion(user))


def get_visible_petition(user: Any, pk: int) -> Petition:
    petition = visible_petitions(user).filter(pk=pk).first()
    if petition is None:
        raise scoping.OutOfJurisdiction(_("This petition is outside your jurisdiction."))
    return petition


def running_clocks(petition: Petition) -> QuerySet[Clock]:
    return petition.clocks.filter(status=ClockStatus.RUNNING).order_by("due_on")


def timeline(petition: Petition) -> QuerySet[Any]:
    return petition.events.select_related("actor", "actor_unit").order_by("sequence")
