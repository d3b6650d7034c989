"""Helpers that build petitions through the real services, as staff would."""

from __future__ import annotations

from typing import Any

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Channel

ID_NUMBERS = ["34150219800101001X", "341502198502024313", "341504199003037718", "340121197204041210"]


def valid_id(seed: int) -> str:
    """A syntactically valid resident ID number (GB 11643 check digit) for a fictitious person."""
    from xinfang.core.idnumber import check_character

    first17 = f"341502{1960 + seed % 40:04d}{1 + seed % 12:02d}{1 + seed % 28:02d}{seed % 1000:03d}"
    return first17 + check_character(first17)


def register(
    *,
    by: str = "town",
    place: str = "ah-la-ja-wc-npy",
    subject: str = "小区雨污管道堵塞，污水外溢",
    request: str = "请求尽快疏通小区雨污管道并修复破损井盖",
    person: str = "王某某",
    id_seed: int = 1,
    channel: str = Channel.VISIT,
    **extra: Any,
) -> Petition:
    user = User.objects.get(username=by)
    data = IntakeData(
        channel=channel,
        subject=subject,
        request=request,
        place=Unit.objects.get(code=place),
        principal=PersonData(name=person, id_number=valid_id(id_seed), phone=f"1385502{id_seed:04d}"),
        **extra,
    )
    return petition_register(user=user, data=data)
