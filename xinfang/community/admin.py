"""Admin of social forces, mediation and campaigns. The registry and the locality's eligibility questions
are kept here; referrals, consents, agreements and consent changes are records, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    ConsentCampaign,
    EligibilityCheck,
    Household,
    HouseholdConsent,
    MediationAgreement,
    MediationConsent,
    MediationParty,
    MediationReferral,
    SocialForce,
    SocialForceLink,
    SocialForceMember,
)


class NoDelete:
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoDelete, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(NoDelete, admin.TabularInline):
    model = SocialForceMember
    extra = 0
    can_delete = False
    # Phones are encrypted: not shown in the admin (the registry page shows them masked).
    fields = ("name", "title", "skills", "joined_on", "left_on")


@admin.register(SocialForce)
class SocialForceAdmin(NoDelete, admin.ModelAdmin):
    list_display = ("name", "kind", "area", "contact_name", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "skills")
    raw_id_fields = ("area", "created_by")
    exclude = ("contact_phone",)
    readonly_fields = ("version", "created_by", "created_at")
    inlines = (MemberInline,)


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(NoDelete, admin.ModelAdmin):
    """A locality's own questions; switch one off with "active" rather than deleting it."""

    list_display = ("question", "unit", "excludes_when_yes", "is_active", "order")
    list_filter = ("is_active",)
    raw_id_fields = ("unit",)


class PartyInline(ReadOnlyInline):
    model = MediationParty
    fields = ("side", "name", "petitioner")


@admin.register(MediationReferral)
class MediationReferralAdmin(ReadOnlyAdmin):
    list_display = (
        "petition",
        "status",
        "unit",
        "mediator",
        "referred_at",
        "first_contact_due_at",
        "first_contact_at",
    )
    list_filter = ("status",)
    search_fields = ("petition__number",)
    inlines = (PartyInline,)


class HouseholdInline(ReadOnlyInline):
    model = Household
    fields = ("address_label", "head_name", "status", "status_on")


@admin.register(ConsentCampaign)
class ConsentCampaignAdmin(NoDelete, admin.ModelAdmin):
    list_display = ("name", "area", "social_force", "threshold", "starts_on")
    raw_id_fields = ("area", "social_force", "created_by")
    readonly_fields = ("created_by", "created_at")
    inlines = (HouseholdInline,)


@admin.register(SocialForceMember)
class SocialForceMemberAdmin(ReadOnlyAdmin):
    list_display = ("name", "force", "title", "joined_on", "left_on")
    search_fields = ("name", "force__name")
    exclude = ("phone",)


for model, fields in [
    (SocialForceLink, ("petition", "force", "role", "linked_by", "linked_at", "ended_at")),
    (MediationParty, ("referral", "side", "name")),
    (MediationConsent, ("party", "consents", "given_on", "method", "recorded_by", "recorded_at")),
    (MediationAgreement, ("number", "referral", "signed_on", "created_by")),
    (Household, ("address_label", "campaign", "head_name", "status", "status_on")),
    (HouseholdConsent, ("household", "status", "on", "worked_by", "recorded_by", "recorded_at")),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": fields}))
