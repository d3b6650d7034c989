"""Text intelligence: the near-duplicate index, routing corrections and the per-locality routing table.

``TextFingerprint`` and ``TextBand`` are derived data (an index of the petitions' own text, rebuilt
from it at will); ``RoutingCorrection`` is a record and is never changed or deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.orgs.models import Unit
from xinfang.petitions.models import AppendOnlyError, Category, Petition


class TextFingerprint(models.Model):
    """One indexed petition: the digest of the text that its band keys were computed from, and the text's
    character 3-gram set (``fingerprints.pack``: sorted, 6 bytes a gram), so that candidates are re-scored
    exactly without fetching or re-tokenising their texts."""

    petition = models.OneToOneField(
        Petition,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="text_fingerprint",
        verbose_name=_("petition"),
    )
    text_hash = models.CharField(_("text digest"), max_length=40)
    shingles = models.PositiveIntegerField(_("character 3-grams"), default=0)
    # NULL: not yet computed (an entry older than the field); ``index_rebuild`` fills it.
    grams = models.BinaryField(_("3-gram set"), null=True, editable=False)
    indexed_at = models.DateTimeField(_("indexed at"), default=timezone.now)

    class Meta:
        verbose_name = _("text fingerprint")
        verbose_name_plural = _("text fingerprints")

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.text_hash[:8]}"


class TextBand(models.Model):
    """One MinHash LSH band key of a petition's text; lookups are ``key IN (…)`` on this index."""

    key = models.BigIntegerField(_("band key"))
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("petition")
    )

    class Meta:
        verbose_name = _("text band key")
        verbose_name_plural = _("text band keys")
        constraints = [
            # Also the lookup index: key first, the petition id read from the index alone.
            models.UniqueConstraint(fields=["key", "petition"], name="analytics_band_key_petition"),
        ]
        indexes = [models.Index(fields=["petition"], name="analytics_band_petition")]

    def __str__(self) -> str:
        return f"{self.key} → {self.petition_id}"


class RoutingCorrection(models.Model):
    """A staff correction of a petition's category (who, when, from → to), used at the next training."""

    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="routing_corrections", verbose_name=_("petition")
    )
    from_category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category before"),
    )
    to_category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category after")
    )
    suggested = models.CharField(_("model suggestion"), max_length=130, blank=True)
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("corrected by")
    )
    corrected_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("routing correction")
        verbose_name_plural = _("routing corrections")
        ordering = ["-corrected_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.from_category_id} → {self.to_category_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Routing corrections are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Routing corrections are never deleted.")


class CategoryRoute(models.Model):
    """Per locality: which department function is in charge of a category (谁主管、谁负责).

    The nearest entry above the place of the problem wins, a level-2 entry before its level 1; without
    any entry the category's own default (``Category.function``) applies. The department itself is then
    found by territory: the organ with that function in the place's county (domain.md §5).
    """

    area = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        limit_choices_to={"kind__in": ["province", "city", "county", "town"]},
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    function = models.CharField(
        _("department function"),
        max_length=20,
        help_text=_("The function key of the department in charge, e.g. zjj for housing and construction."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("category routing rule")
        verbose_name_plural = _("category routing rules")
        constraints = [
            models.UniqueConstraint(fields=["area", "category"], name="analytics_route_area_category")
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.category} → {self.function}"
