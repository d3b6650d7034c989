"""How the community's timeline rows read on a petition page: labels and the details worth showing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ConsentMethod, LinkRole

EVENT_LABELS = {
    "social_force_linked": gettext_lazy("Social force takes part"),
    "social_force_unlinked": gettext_lazy("Social force no longer takes part"),
    "mediation_referred": gettext_lazy("Referred to people's mediation"),
    "mediation_consent": gettext_lazy("Consent to mediation recorded"),
    "mediator_assigned": gettext_lazy("Mediator assigned"),
    "mediation_contact": gettext_lazy("Mediator contacted the parties"),
    "mediation_withdrawn": gettext_lazy("Mediation referral withdrawn"),
}


def _choice(enum: Any, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def event_details(payload: dict[str, Any]) -> list[tuple[str, str]]:
    details: list[tuple[str, str]] = []
    if payload.get("force_name"):
        details.append((_("Social force"), payload["force_name"]))
    if payload.get("link_role"):
        details.append((_("Takes part as"), _choice(LinkRole, payload["link_role"])))
    if payload.get("respondents"):
        details.append((_("Other side"), "、".join(payload["respondents"])))
    if payload.get("party_name"):
        answer = _("consents") if payload.get("consents") else _("refuses")
        details.append((payload["party_name"], answer))
    if payload.get("consent_method"):
        details.append((_("How"), _choice(ConsentMethod, payload["consent_method"])))
    if payload.get("mediator_name"):
        details.append((_("Mediator"), payload["mediator_name"]))
    if payload.get("due_at"):
        details.append((_("First contact due by"), payload["due_at"][:16].replace("T", " ")))
    if payload.get("contacted_at"):
        on_time = _("on time") if payload.get("on_time") else _("late")
        details.append((_("Contacted at"), f"{payload['contacted_at'][:16].replace('T', ' ')} ({on_time})"))
    return details
