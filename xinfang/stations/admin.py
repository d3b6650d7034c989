"""Admin of the stations app: set-up is editable, records (rotas, visits, tickets) only readable.

Nothing is deletable: people leave pools, absences are cancelled, rotas are superseded.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Assignment,
    CoverageGap,
    DepartmentSummons,
    DutyPool,
    HotlineImport,
    HotlineSignal,
    OpeningPeriod,
    PoolMember,
    Rota,
    Shift,
    Station,
    SwapRequest,
    Unavailability,
    Visit,
)


class NoDeleteMixin:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Records written by the services: readable evidence, never edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OpeningPeriodInline(NoDeleteMixin, admin.TabularInline):
    model = OpeningPeriod
    extra = 0
    fields = ("weekday", "starts_at", "ends_at", "is_active")


class DutyPoolInline(NoDeleteMixin, admin.TabularInline):
    model = DutyPool
    extra = 0
    fields = ("unit", "name", "people_per_shift", "weekdays", "position", "is_active")
    raw_id_fields = ("unit",)


@admin.register(Station)
class StationAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "unit", "opened_on", "status")
    list_filter = ("status",)
    search_fields = ("name", "unit__name", "address")
    raw_id_fields = ("unit", "created_by")
    filter_horizontal = ("serving_area", "managers")
    readonly_fields = ("version", "created_at")
    inlines = (OpeningPeriodInline, DutyPoolInline)


@admin.register(DutyPool)
class DutyPoolAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "station", "unit", "people_per_shift", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "station__name", "unit__name")
    raw_id_fields = ("station", "unit")


@admin.register(PoolMember)
class PoolMemberAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("user", "pool", "joined_on", "left_on")
    search_fields = ("user__username", "user__full_name", "pool__name")
    raw_id_fields = ("pool", "user", "added_by")


@admin.register(Unavailability)
class UnavailabilityAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("user", "starts_on", "ends_on", "kind", "cancelled_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__full_name", "reason")
    raw_id_fields = ("user", "recorded_by", "cancelled_by")
    date_hierarchy = "starts_on"


@admin.register(OpeningPeriod)
class OpeningPeriodAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("station", "weekday", "starts_at", "ends_at", "is_active")
    list_filter = ("weekday", "is_active")
    raw_id_fields = ("station",)


class ShiftInline(ReadOnlyMixin, admin.TabularInline):
    model = Shift
    extra = 0
    fields = ("date", "starts_at", "ends_at", "pattern_weekday", "is_adjusted_workday")


@admin.register(Rota)
class RotaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("station", "period_kind", "starts_on", "ends_on", "number", "status", "gap_count")
    list_filter = ("status", "period_kind")
    search_fields = ("station__name",)
    inlines = (ShiftInline,)


@admin.register(Shift)
class ShiftAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("rota", "date", "starts_at", "ends_at", "is_adjusted_workday")
    date_hierarchy = "date"


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("shift", "pool", "user", "is_current", "created_by_swap", "ended_by_swap")
    list_filter = ("is_current",)
    search_fields = ("user__username", "user__full_name")


@admin.register(CoverageGap)
class CoverageGapAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("rota", "shift", "pool", "needed", "filled")


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("rota", "first", "second", "status", "requested_by", "decided_by", "decided_at")
    list_filter = ("status",)


class SummonsInline(ReadOnlyMixin, admin.TabularInline):
    model = DepartmentSummons
    extra = 0
    fields = ("department", "task", "due_on", "done_at", "result")


@admin.register(Visit)
class VisitAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("visited_at", "station", "subject", "outcome", "recorded_by")
    list_filter = ("outcome",)
    search_fields = ("subject", "station__name")
    date_hierarchy = "visited_at"
    # The visitor's personal data is read (masked, reveal logged) on the workbench, not here.
    exclude = ("visitor",)
    inlines = (SummonsInline,)


@admin.register(DepartmentSummons)
class DepartmentSummonsAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("department", "visit", "due_on", "done_at")


@admin.register(HotlineImport)
class HotlineImportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("filename", "imported_by", "imported_at", "created", "duplicates")


@admin.register(HotlineSignal)
class HotlineSignalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("ticket_id", "received_at", "unit", "kind", "category", "satisfaction", "petition")
    list_filter = ("kind", "satisfaction")
    search_fields = ("ticket_id", "text", "area_text")
    date_hierarchy = "received_at"
