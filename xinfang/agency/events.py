"""How the agency's timeline rows read on a petition page: labels and the details worth showing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ClaimKind, TaskKind

EVENT_LABELS = {
    "agency_filed": gettext_lazy("Filed on behalf by the agent"),
    "agency_mandate_revoked": gettext_lazy("Mandate revoked by the principal"),
    "agent_task_added": gettext_lazy("Agent task added"),
    "agent_task_done": gettext_lazy("Agent task done"),
    "claim_added": gettext_lazy("Claim added"),
    "claim_payment": gettext_lazy("Money recovered"),
    "claim_payment_corrected": gettext_lazy("Payment corrected"),
}


def _choice(enum: Any, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value


def event_details(payload: dict[str, Any]) -> list[tuple[str, str]]:
    details: list[tuple[str, str]] = []
    if payload.get("agent_name"):
        details.append((_("Agent"), payload["agent_name"]))
    if payload.get("task_kind"):
        details.append((_("Task"), _choice(TaskKind, payload["task_kind"])))
    if payload.get("department_name"):
        details.append((_("Department"), payload["department_name"]))
    if payload.get("task_due_on"):
        details.append((_("Due"), payload["task_due_on"]))
    if payload.get("late"):
        details.append((_("Done"), _("after the due date")))
    if payload.get("claimant_name"):
        details.append((_("Claimant"), payload["claimant_name"]))
    if payload.get("claim_kind"):
        details.append((_("Kind"), _choice(ClaimKind, payload["claim_kind"])))
    if payload.get("principal_name"):
        details.append((_("Principal"), payload["principal_name"]))
    if payload.get("claims"):
        details.append((_("Claims"), str(payload["claims"])))
    if payload.get("amount"):
        details.append((_("Amount (yuan)"), payload["amount"]))
    if payload.get("paid_on"):
        details.append((_("Paid on"), payload["paid_on"]))
    if payload.get("recovered") and payload.get("claimed"):
        details.append((_("Recovered of claimed (yuan)"), f"{payload['recovered']} / {payload['claimed']}"))
    if payload.get("revoked_on"):
        details.append((_("Revoked on"), payload["revoked_on"]))
    if payload.get("agent_mandate"):
        details.append((_("Requested by the agent under mandate"), f"#{payload['agent_mandate']}"))
    return details
