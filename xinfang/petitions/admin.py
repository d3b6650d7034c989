"""Admin for petitions: everything readable, nothing deletable (records are never deleted)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Appeal,
    Attachment,
    Category,
    Clock,
    Evaluation,
    Extension,
    FollowUpTask,
    LeaderCase,
    Opinion,
    Petition,
    Petitioner,
    PetitionEvent,
    PetitionParty,
    Reminder,
    Suggestion,
    Supervision,
)


class NoDeleteMixin:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(NoDeleteMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = PetitionEvent
    fields = ("sequence", "at", "action", "from_state", "to_state", "actor", "actor_unit", "reason")


class ClockInline(ReadOnlyInline):
    model = Clock
    fields = ("kind", "unit", "started_on", "due_on", "status", "extended_days", "warned_at", "overdue_at")


class PartyInline(ReadOnlyInline):
    model = PetitionParty
    fields = ("petitioner", "role")


class SuggestionInline(ReadOnlyInline):
    model = Suggestion
    fk_name = "petition"
    fields = ("kind", "candidate", "score", "status", "decided_by", "decided_at", "note")


@admin.register(Petition)
class PetitionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("number", "subject", "state", "petition_type", "channel", "current_unit", "received_at")
    list_filter = (
        "state",
        "petition_type",
        "channel",
        "is_repeat",
        "is_bypass",
        "is_first_time",
        "is_collective",
    )
    search_fields = ("number", "subject", "request", "principal__name")
    date_hierarchy = "received_at"
    list_select_related = ("current_unit",)
    raw_id_fields = (
        "principal",
        "agent",
        "repeat_of",
        "final_of",
        "place",
        "registering_unit",
        "current_unit",
        "handling_unit",
        "accused_unit",
        "accused_user",
        "registered_by",
        "first_handler",
        "category",
    )
    # State, version and clocks change only through the services, which write the timeline.
    readonly_fields = (
        "number",
        "query_code",
        "state",
        "version",
        "registered_at",
        "accepted_at",
        "closed_at",
    )
    inlines = (PartyInline, ClockInline, SuggestionInline, EventInline)


@admin.register(Petitioner)
class PetitionerAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "home_unit", "created_at")
    search_fields = ("name",)
    # Encrypted values are never shown in lists; the change form shows what staff may see.
    exclude = ("id_number", "phone")
    readonly_fields = ("id_number_hash", "phone_hash")


@admin.register(PetitionEvent)
class PetitionEventAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("petition", "sequence", "action", "from_state", "to_state", "actor", "at")
    list_filter = ("action",)
    search_fields = ("petition__number",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "parent", "function", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name",)


for model, fields in [
    (Clock, ("petition", "kind", "unit", "due_on", "status")),
    (Reminder, ("unit", "petition", "kind", "message", "created_at", "read_at")),
    (Extension, ("petition", "days", "approved_by", "notice_sent_on")),
    (Opinion, ("petition", "stage", "unit", "decision", "issued_on", "delivered_on")),
    (Appeal, ("petition", "level", "unit", "requested_on")),
    (Evaluation, ("petition", "rating", "at", "via_portal")),
    (Suggestion, ("petition", "kind", "candidate", "score", "status")),
    (FollowUpTask, ("petition", "kind", "unit", "due_on", "done_at")),
    (LeaderCase, ("petition", "leader", "target_on", "done_at")),
    (Supervision, ("petition", "kind", "by_unit", "to_unit", "due_on", "replied_at")),
    (Attachment, ("petition", "original_name", "content_type", "size", "uploaded_at")),
]:
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (NoDeleteMixin, admin.ModelAdmin),
            {"list_display": fields, "raw_id_fields": ()},
        ),
    )
