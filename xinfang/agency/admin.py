"""Admin of the agency: everything readable, nothing deletable. Mandates, claims and payments change only
through the services (revocations and corrections are recorded there, with who and when)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AgencyMandate, Agent, AgentStatusChange, AgentTask, Claim, ClaimPayment, MandateUse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(ReadOnlyInline):
    model = AgentStatusChange
    fields = ("status", "reason", "changed_by", "changed_at")


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "kind", "certificate_number", "certified_on", "status")
    list_filter = ("kind", "status")
    search_fields = ("person__name", "certificate_number")
    raw_id_fields = ("user", "person", "unit", "created_by")
    # Suspension and reinstatement go through the services, which keep the history below.
    readonly_fields = ("status", "version", "created_by", "created_at")
    inlines = (StatusChangeInline,)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UseInline(ReadOnlyInline):
    model = MandateUse
    fields = ("petition", "purpose", "used_by", "used_at")


@admin.register(AgencyMandate)
class AgencyMandateAdmin(ReadOnlyAdmin):
    list_display = ("principal", "agent", "starts_on", "ends_on", "covers_appeals", "revoked_on")
    list_filter = ("covers_appeals",)
    search_fields = ("principal__name", "agent__person__name")
    inlines = (UseInline,)


@admin.register(AgentTask)
class AgentTaskAdmin(ReadOnlyAdmin):
    list_display = ("petition", "agent", "kind", "due_on", "department", "done_at")
    list_filter = ("kind",)
    search_fields = ("petition__number", "agent__person__name")


class PaymentInline(ReadOnlyInline):
    model = ClaimPayment
    fk_name = "claim"
    fields = ("amount", "paid_on", "note", "corrects", "recorded_by", "recorded_at")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("petition", "claimant", "kind", "amount_claimed", "debtor", "recorded_at")
    list_filter = ("kind",)
    search_fields = ("petition__number", "claimant__name", "debtor")
    inlines = (PaymentInline,)


for model, fields in [
    (ClaimPayment, ("claim", "amount", "paid_on", "corrects", "recorded_by", "recorded_at")),
    (MandateUse, ("mandate", "petition", "purpose", "used_by", "used_at")),
    (AgentStatusChange, ("agent", "status", "reason", "changed_by", "changed_at")),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": fields}))
