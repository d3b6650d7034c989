"""Writes to the administrative tree."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ALLOWED_PARENT_KINDS, AREA_KINDS, AREA_LEVEL, Unit, UnitKind


def check_placement(*, kind: str, parent: Unit | None) -> None:
    """Refuse a unit that cannot sit where it is put (e.g. a village directly under a city)."""
    if kind not in UnitKind.values:
        raise ValidationError(_("Unknown unit kind: %(kind)s") % {"kind": kind})
    if parent is None:
        if kind != UnitKind.PROVINCE:
            raise ValidationError(_("Only a province can be a root of the tree."))
        return
    if kind in AREA_KINDS and parent.kind not in ALLOWED_PARENT_KINDS[kind]:
        raise ValidationError(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": UnitKind(kind).label, "parent": UnitKind(parent.kind).label}
        )


def level_for(*, kind: str, parent: Unit | None) -> int:
    if kind in AREA_KINDS:
        return AREA_LEVEL[UnitKind(kind)]
    return parent.level if parent is not None else 1


@transaction.atomic
def unit_create(
    *,
    name: str,
    kind: str,
    code: str,
    parent: Unit | None = None,
    division_code: str = "",
    address: str = "",
    phone: str = "",
    function: str = "",
) -> Unit:
    name = name.strip()
    code = code.strip()
    if not name:
        raise ValidationError(_("A unit needs a name."))
    if not code:
        raise ValidationError(_("A unit needs a code."))
    check_placement(kind=kind, parent=parent)
    if Unit.objects.filter(code=code).exists():
        raise ValidationError(_("The unit code %(code)s is already used.") % {"code": code})
    fields = {
        "name": name,
        "kind": kind,
        "code": code,
        "division_code": division_code.strip(),
        "address": address,
        "phone": phone,
        "function": function.strip(),
        "level": level_for(kind=kind, parent=parent),
    }
    if parent is None:
        return Unit.objects.add_root(create_kwargs=fields)
    # Re-read the parent: treebeard computes the child path from its numchild, which may be stale.
    parent = Unit.objects.get(pk=parent.pk)
    return Unit.objects.add_child(parent, create_kwargs=fields)
