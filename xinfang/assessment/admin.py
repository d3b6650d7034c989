"""Admin of assessment and accountability: everything readable, the records append-only.

Indicator settings and share rules are the locality's configuration and may be edited here; schemes,
runs, reviews, findings, checklists and commendations are written through the services (the pages and
the API) and shown read-only. Nothing is deletable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    AccountabilityReview,
    AssessmentScheme,
    Checklist,
    ChecklistItem,
    Commendation,
    FactState,
    IndicatorSettings,
    ReviewFinding,
    SchemeItem,
    ScoreRun,
    SharePolicy,
)


class NoDelete:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnly(NoDelete, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(NoDelete, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorSettings)
class IndicatorSettingsAdmin(NoDelete, admin.ModelAdmin):
    list_display = ("unit", "basic_counts", "unrated_counts", "one_time_days", "basis", "updated_at")
    raw_id_fields = ("unit",)


@admin.register(SharePolicy)
class SharePolicyAdmin(NoDelete, admin.ModelAdmin):
    list_display = ("unit", "subject_kind", "minimum_share", "basis")
    raw_id_fields = ("unit",)


class ItemInline(ReadOnlyInline):
    model = SchemeItem
    fields = ("indicator", "weight", "rule", "target", "floor", "per_count")


@admin.register(AssessmentScheme)
class SchemeAdmin(ReadOnly):
    list_display = ("name", "year", "area", "subject_kind", "petition_share", "status")
    list_filter = ("status", "subject_kind", "year")
    inlines = [ItemInline]


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnly):
    list_display = ("scheme", "computed_at", "as_of", "source")


class FindingInline(ReadOnlyInline):
    model = ReviewFinding
    fields = ("subject_name", "ground", "outcome", "recorded_by", "recorded_at", "supersedes")


@admin.register(AccountabilityReview)
class ReviewAdmin(ReadOnly):
    list_display = ("petition", "area", "year", "status", "opened_at")
    list_filter = ("status", "year")
    inlines = [FindingInline]


class ChecklistItemInline(ReadOnlyInline):
    model = ChecklistItem
    fields = ("title", "owner_unit", "due_on", "state", "verified_by", "verified_at")


@admin.register(Checklist)
class ChecklistAdmin(ReadOnly):
    list_display = ("title", "area", "source", "created_at")
    inlines = [ChecklistItemInline]


@admin.register(Commendation)
class CommendationAdmin(ReadOnly):
    list_display = ("year", "title", "kind", "unit", "person", "decided_on")


@admin.register(FactState)
class FactStateAdmin(ReadOnly):
    list_display = ("key", "as_of", "refreshed_at", "built_at", "last_grains")
