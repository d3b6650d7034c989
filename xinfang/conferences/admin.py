"""Admin for joint conferences: everything readable, nothing deletable, little editable.

Conferences are set up, and convenors, secretariat and members named, on the workbench pages, where the
services check the rules (the level of the area, a convenor's leader seat, members inside the area).
Here an administrator may correct a conference's name, office and meeting rule. Items, meetings,
minutes, decisions, escalations, measures and notices are the record written by the services (with the
petitions' timelines), so the admin only shows them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionTask,
    Dispute,
    Document,
    Escalation,
    ItemPetition,
    JointConference,
    KeyPeriod,
    Meeting,
    Member,
    Minutes,
    Notice,
    Participant,
    ProgressReport,
    SupervisionMeasure,
)


class NoDelete:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnly(NoDelete):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(ReadOnly, admin.TabularInline):
    model = Member
    extra = 0
    fields = ("unit", "duty", "joined_on", "left_on")


class ParticipantInline(ReadOnly, admin.TabularInline):
    model = Participant
    fk_name = "conference"
    extra = 0
    fields = ("user", "role", "title", "added_at", "ended_at")


class KeyPeriodInline(ReadOnly, admin.TabularInline):
    model = KeyPeriod
    extra = 0
    fields = ("starts_on", "ends_on", "ended_early_on", "reason", "set_by")


@admin.register(JointConference)
class JointConferenceAdmin(NoDelete, admin.ModelAdmin):
    list_display = ("name", "area", "form", "is_active", "monthly_day", "notice_lead_days")
    list_filter = ("form", "is_active")
    search_fields = ("name", "area__name")
    autocomplete_fields = ("office_unit",)
    readonly_fields = ("area", "is_active", "created_at", "created_by", "version")
    inlines = [ParticipantInline, MemberInline, KeyPeriodInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ItemPetitionInline(ReadOnly, admin.TabularInline):
    model = ItemPetition
    extra = 0
    fields = ("petition", "added_at")


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "conference", "source", "status", "proposing_unit", "proposed_at")
    list_filter = ("source", "status")
    search_fields = ("title", "reasons")
    inlines = [ItemPetitionInline]


@admin.register(Dispute)
class DisputeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("item", "decided_unit", "decided_at")


class AttendanceInline(ReadOnly, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ("unit", "status", "attendee", "absence_reason", "recorded_by")


@admin.register(Meeting)
class MeetingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("conference", "kind", "origin", "scheduled_at", "status", "held_at")
    list_filter = ("kind", "origin", "status")
    date_hierarchy = "scheduled_at"
    inlines = [AttendanceInline]


class DecisionInline(ReadOnly, admin.StackedInline):
    model = Decision
    extra = 0
    fields = ("item", "statement", "lead_unit", "due_on", "status")


@admin.register(Minutes)
class MinutesAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("number", "conference", "meeting", "status", "approved_by", "approved_at")
    list_filter = ("status",)
    inlines = [DecisionInline]


class TaskInline(ReadOnly, admin.TabularInline):
    model = DecisionTask
    extra = 0
    fields = ("unit", "role")


class ReportInline(ReadOnly, admin.TabularInline):
    model = ProgressReport
    extra = 0
    fields = ("at", "unit", "by", "text", "is_completion")


@admin.register(Decision)
class DecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("statement", "lead_unit", "due_on", "status", "done_on")
    list_filter = ("status", "funding")
    search_fields = ("statement", "measures", "result")
    inlines = [TaskInline, ReportInline]


@admin.register(Escalation)
class EscalationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("from_item", "upper_item", "status", "escalated_at", "due_on", "resolved_at")
    list_filter = ("status",)


@admin.register(Document)
class DocumentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("original_name", "escalation", "decision", "size", "uploaded_by", "uploaded_at")


@admin.register(SupervisionMeasure)
class SupervisionMeasureAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("kind", "unit", "conference", "issued_on", "issued_by", "lifted_on")
    list_filter = ("kind",)
    search_fields = ("unit__name", "reason")


@admin.register(Notice)
class NoticeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("message", "kind", "unit", "user", "created_at", "read_at")
    list_filter = ("kind",)
