from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ClockPolicy, ClockPolicyRule, HolidayOverride, PersonalDataAccess


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("-date",)


class ClockPolicyRuleInline(admin.TabularInline):
    model = ClockPolicyRule
    extra = 1
    fields = ("limit", "length", "count_mode", "roll_forward")


@admin.register(ClockPolicy)
class ClockPolicyAdmin(admin.ModelAdmin):
    list_display = ("unit", "basis", "rule_count", "updated_at")
    search_fields = ("unit__name", "unit__code", "basis")
    autocomplete_fields = ("unit",)
    inlines = (ClockPolicyRuleInline,)
    list_select_related = ("unit",)

    @admin.display(description=_("rules"))
    def rule_count(self, obj: ClockPolicy) -> int:
        return obj.rules.count()


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the reveal log is evidence and is never edited or deleted."""

    list_display = ("at", "user", "content_type", "object_id", "field_name", "ip_address")
    list_filter = ("content_type", "field_name")
    search_fields = ("user__username", "user__full_name", "reason", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user", "content_type")
    readonly_fields = ("at", "user", "content_type", "object_id", "field_name", "reason", "ip_address")
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
