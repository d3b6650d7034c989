"""Helpers of the workbench tests: petitions made through the real services, moved where a test needs them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.models import Clock, ClockStatus, Petition
from xinfang.petitions.states import PetitionType
from xinfang.petitions.tests.factories import register

__all__ = ["accepted_by_handler", "force_due", "register", "set_state"]


def set_state(petition: Petition, state: str) -> Petition:
    """Put a petition in ``state`` directly (test set-up for queues that read the state only)."""
    Petition.objects.filter(pk=petition.pk).update(state=state)
    petition.refresh_from_db()
    return petition


def force_due(petition: Petition, days_from_today: int) -> Clock:
    """Move the petition's first running clock so that it falls due ``days_from_today`` from today."""
    clock = (
        petition.clocks.filter(status=ClockStatus.RUNNING).exclude(kind="objection").order_by("pk").first()
    )
    assert clock is not None
    clock.due_on = timezone.localdate() + dt.timedelta(days=days_from_today)
    clock.save(update_fields=["due_on"])
    return clock


def accepted_by_handler(**extra: Any) -> Petition:
    """Registered by the county bureau, forwarded to 金安区人社局 and accepted there into handling."""
    county = User.objects.get(username="county")
    handler = User.objects.get(username="handler")
    petition = register(by="county", **extra)
    services.petition_forward(
        petition_id=petition.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
    )
    return services.petition_accept(
        petition_id=petition.pk,
        user=handler,
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=timezone.localdate(),
        route="start_handling",
    )
