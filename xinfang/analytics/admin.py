from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CategoryRoute, RoutingCorrection


@admin.register(CategoryRoute)
class CategoryRouteAdmin(admin.ModelAdmin):
    """The per-locality routing table is configuration: administrators edit it here."""

    list_display = ("area", "category", "function", "note", "updated_at")
    list_filter = ("function",)
    search_fields = ("area__name", "category__name", "function")
    autocomplete_fields = ()
    raw_id_fields = ("area",)


@admin.register(RoutingCorrection)
class RoutingCorrectionAdmin(admin.ModelAdmin):
    """Corrections are records: read-only."""

    list_display = ("petition", "from_category", "to_category", "suggested", "corrected_by", "corrected_at")
    list_select_related = ("petition", "from_category", "to_category", "corrected_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
