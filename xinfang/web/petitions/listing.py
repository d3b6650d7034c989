"""The petition list: search, filters and queues over ``visible_petitions``, for the page and the export.

Search is plain ``icontains`` on the number, subject, request, facts and people's names (the same on
SQLite and PostgreSQL). ID and phone numbers are stored encrypted, so they are never searched as text:
a query that is a whole phone or ID number is matched through its keyed hash instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from xinfang.core.crypto import keyed_hash
from xinfang.core.idnumber import normalize_id_number
from xinfang.core.phone import parse_phone
from xinfang.orgs.models import Unit
from xinfang.petitions import selectors
from xinfang.petitions.models import Clock, ClockStatus, Petition, PetitionParty, PetitionUnit
from xinfang.petitions.sweep import NO_REMINDER_KINDS

from . import queues

PAGE_SIZE = 50
EXPORT_LIMIT = 20000
_ID_SHAPE = re.compile(r"\d{17}[\dX]|\d{15}")


def search_q(text: str) -> Q:
    text = text.strip()
    people = PetitionParty.objects.filter(petition=OuterRef("pk"), petitioner__name__icontains=text)
    condition = (
        Q(number__icontains=text)
        | Q(subject__icontains=text)
        | Q(request__icontains=text)
        | Q(facts__icontains=text)
        | Q(query_code__iexact=text)
        | Q(Exists(people))
    )
    if parse_phone(text) is not None:
        by_phone = PetitionParty.objects.filter(
            petition=OuterRef("pk"), petitioner__phone_hash=keyed_hash(text, purpose="phone")
        )
        condition |= Q(Exists(by_phone))
    if _ID_SHAPE.fullmatch(normalize_id_number(text)):
        by_id = PetitionParty.objects.filter(
            petition=OuterRef("pk"), petitioner__id_number_hash=keyed_hash(text, purpose="id_number")
        )
        condition |= Q(Exists(by_id))
    return condition


def filtered_petitions(user: Any, data: dict[str, Any], today: dt.date) -> QuerySet[Petition]:
    """Visible petitions matching cleaned ``PetitionFilterForm`` data (no ordering, no joins yet)."""
    qs = selectors.visible_petitions(user)
    if data.get("q"):
        qs = qs.filter(search_q(data["q"]))
    if data.get("queue"):
        qs = qs.filter(queues.queue_q(user, data["queue"], today))
    unit: Unit | None = data.get("unit")
    if unit is not None:
        links = PetitionUnit.objects.filter(petition=OuterRef("pk"), unit_path__startswith=unit.path)
        qs = qs.filter(Exists(links))
    if data.get("state"):
        qs = qs.filter(state=data["state"])
    if data.get("petition_type"):
        qs = qs.filter(petition_type=data["petition_type"])
    category = data.get("category")
    if category is not None:
        qs = qs.filter(
            Q(category=category) | Q(category__parent=category) | Q(category__parent__parent=category)
        )
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    if data.get("received_from"):
        qs = qs.filter(received_at__date__gte=data["received_from"])
    if data.get("received_to"):
        qs = qs.filter(received_at__date__lte=data["received_to"])
    return qs


def next_due_subquery() -> Subquery:
    """The nearest running deadline a unit owes (windows the petitioner may use left out)."""
    clocks = (
        Clock.objects.filter(petition=OuterRef("pk"), status=ClockStatus.RUNNING)
        .exclude(kind__in=[str(k) for k in NO_REMINDER_KINDS])
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return Subquery(clocks)


def for_table(qs: QuerySet[Petition], *, by_due: bool = False) -> QuerySet[Petition]:
    """Everything a list row shows, in the same query: no query per row.

    The petitioner's encrypted columns are left out: the list shows names only, and not decrypting
    fifty ID numbers keeps the page fast.
    """
    qs = (
        qs.select_related("place", "current_unit", "category", "principal")
        .defer("principal__id_number", "principal__phone", "request", "facts")
        .annotate(next_due=next_due_subquery())
    )
    if by_due:
        return qs.order_by(F("next_due").asc(nulls_last=True), "-received_at", "-pk")
    return qs.order_by("-received_at", "-pk")


def flags_of(petition: Petition, *, with_first_time: bool = False) -> list[str]:
    """Flags worth a badge. Most matters are first-time ones, so that flag is shown only where asked."""
    flags = []
    if petition.is_urgent_major:
        flags.append(_("urgent"))
    if petition.is_threat:
        flags.append(_("threat"))
    if petition.is_collective:
        flags.append(_("collective"))
    if petition.is_repeat:
        flags.append(_("repeat"))
    if petition.is_bypass:
        flags.append(_("bypass"))
    if petition.is_first_time and with_first_time:
        flags.append(_("first-time"))
    if petition.is_law_related:
        flags.append(_("law-related"))
    if petition.is_anonymous:
        flags.append(_("anonymous"))
    return flags


def days_left(due_on: dt.date | None, today: dt.date) -> int | None:
    return None if due_on is None else (due_on - today).days


def due_class(left: int | None) -> str:
    """CSS class of a deadline: overdue, due within 3 days, or nothing."""
    if left is None:
        return ""
    if left < 0:
        return "overdue"
    if left <= queues.DUE_SOON_DAYS:
        return "soon"
    return ""
