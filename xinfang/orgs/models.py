"""The administrative tree: 省 > 市 > 县/区 > 乡镇/街道 > 村/社区 > 村民组/小区, with organs attached.

Areas (行政区域) and organs (机关: 职能部门, 信访部门, 纪检监察, 政法) live in one tree so that one
materialised-path prefix query answers "everything under 金安区", departments included.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWN = "town", _("Town / street")
    VILLAGE = "village", _("Village / community")
    GROUP = "group", _("Villager group / compound")
    PETITION_OFFICE = "petition_office", _("Petition office")
    DEPARTMENT = "department", _("Functional department")
    DISCIPLINE = "discipline", _("Discipline inspection")
    POLITICAL_LEGAL = "political_legal", _("Political-legal organ")


AREA_KINDS = (
    UnitKind.PROVINCE,
    UnitKind.CITY,
    UnitKind.COUNTY,
    UnitKind.TOWN,
    UnitKind.VILLAGE,
    UnitKind.GROUP,
)
ORGAN_KINDS = (
    UnitKind.PETITION_OFFICE,
    UnitKind.DEPARTMENT,
    UnitKind.DISCIPLINE,
    UnitKind.POLITICAL_LEGAL,
)
# Level of each area kind: 1 = province ... 6 = villager group. Organs take their area's level.
AREA_LEVEL = {kind: index + 1 for index, kind in enumerate(AREA_KINDS)}
# Which kind of area may sit directly under which; organs may sit under any area or organ.
ALLOWED_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    UnitKind.PROVINCE: (),
    UnitKind.CITY: (UnitKind.PROVINCE,),
    UnitKind.COUNTY: (UnitKind.CITY, UnitKind.PROVINCE),
    UnitKind.TOWN: (UnitKind.COUNTY,),
    UnitKind.VILLAGE: (UnitKind.TOWN,),
    UnitKind.GROUP: (UnitKind.VILLAGE,),
}


class Unit(MP_Node):
    """A node of the administrative tree: an area or an organ attached to an area."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), editable=False, default=1)
    division_code = models.CharField(
        _("division code"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("Official administrative division code, e.g. 341502 for 金安区."),
    )
    code = models.CharField(
        _("unit code"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier used by imports and integrations."),
    )
    # For organs: what the department is in charge of (e.g. "rsj" 人社); routing maps categories to it.
    function = models.CharField(_("function"), max_length=20, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs pattern ops unless the column collation is C.
            models.Index(fields=["path"], name="orgs_unit_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "level"], name="orgs_unit_kind_level"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_area(self) -> bool:
        return self.kind in AREA_KINDS

    @property
    def is_organ(self) -> bool:
        return self.kind in ORGAN_KINDS

    def area(self) -> Unit:
        """The area an organ belongs to (the nearest area ancestor); an area is its own area."""
        if self.is_area:
            return self
        from .selectors import ancestors

        nearest = ancestors(self).filter(kind__in=AREA_KINDS).order_by("-depth").first()
        return nearest or self

    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    def full_name(self) -> str:
        """Names from the province down, e.g. 安徽省六安市金安区望城街道."""
        from .selectors import ancestors

        names = [unit.name for unit in ancestors(self)] + [self.name]
        return "".join(names)

    def is_within(self, other: Unit) -> bool:
        """True when this unit is ``other`` or lies in its subtree."""
        return self.path.startswith(other.path)
