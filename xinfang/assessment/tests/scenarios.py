"""Petitions built through the real services on chosen days (time-machine), for the indicator tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Decision, DeliveryMethod, PetitionType
from xinfang.petitions.tests.factories import register

TZ = ZoneInfo("Asia/Shanghai")
NANPINGYUAN = "ah-la-ja-wc-npy"  # 南屏苑社区, 望城街道, 金安区
SANSHIPU = "ah-la-ja-ssp-ssp"  # 三十铺社区, 三十铺镇, 金安区


def at(day: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TZ), tick=False)


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def users() -> tuple[User, User]:
    return User.objects.get(username="county"), User.objects.get(username="handler")


def accepted(
    *,
    seed: int,
    on: str,
    place: str = NANPINGYUAN,
    notice_on: str | None = None,
    exempt: str = "",
    subject: str = "",
) -> Petition:
    """Registered by the county bureau, forwarded to 金安区人社局 and accepted there on ``on``."""
    county, handler = users()
    with at(on):
        petition = register(
            by="county", place=place, id_seed=seed, subject=subject or f"拖欠工资问题第{seed}号"
        )
        services.petition_forward(
            petition_id=petition.pk, user=county, to_unit=Unit.objects.get(code="ah-la-ja-rsj")
        )
    with at(notice_on or on):
        return services.petition_accept(
            petition_id=petition.pk,
            user=handler,
            petition_type=PetitionType.GRIEVANCE,
            notice_sent_on=None if exempt else day(notice_on or on),
            notice_exemption=exempt,
            route="start_handling",
        )


def replied(petition: Petition, *, on: str) -> Petition:
    """Opinion issued and the written reply delivered on ``on``."""
    _county, handler = users()
    with at(on):
        services.petition_issue_opinion(
            petition_id=petition.pk,
            user=handler,
            decision=Decision.SUPPORT,
            facts_found="经核查属实",
            reasons="用人单位拖欠工资",
            legal_basis="《劳动合同法》第三十条",
        )
        return services.petition_deliver_reply(
            petition_id=petition.pk, user=handler, delivered_on=day(on), method=DeliveryMethod.IN_PERSON
        )


def rated(petition: Petition, *, rating: str, on: str) -> Petition:
    with at(on):
        return services.petition_evaluate(petition_id=petition.pk, user=None, rating=rating, via_portal=True)
