"""Petitions built through the real services: preconditions that a browser test is not about.

A test about routing does not need to type the registration, and one about jurisdiction does not need
to click through another town's intake; they call these instead. Everything a test *is* about goes
through the browser. The demo jurisdiction (``orgs.demo``) and logins (``accounts.demo``) must exist.
"""

from __future__ import annotations

from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.core.idnumber import check_character
from xinfang.orgs.models import Unit
from xinfang.petitions import services
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Petition
from xinfang.petitions.states import Channel, Decision, DeliveryMethod, PetitionType

# Places and organs of the demo tree, by their stable codes.
NANPINGYUAN = "ah-la-ja-wc-npy"  # 南屏苑社区, 望城街道, 金安区: user `town` registers here
HEPING = "ah-la-yj-pg-hp"  # 和平村, 平岗街道, 叶集区: user `town2` (and `cadre`) register here
JINAN_RSJ = "ah-la-ja-rsj"  # 金安区人力资源和社会保障局: user `handler`
JINAN_ZJJ = "ah-la-ja-zjj"  # 金安区住房和城乡建设局: user `handler2`


def valid_id(seed: int) -> str:
    """A well-formed resident ID number (GB 11643 check character) of a fictitious person."""
    first17 = f"341502{1960 + seed % 40:04d}{1 + seed % 12:02d}{1 + seed % 28:02d}{seed % 1000:03d}"
    return first17 + check_character(first17)


def user(username: str) -> User:
    return User.objects.get(username=username)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def walk_in(
    *,
    by: str = "town",
    place: str = NANPINGYUAN,
    subject: str = "小区雨污管道堵塞，污水外溢",
    request: str = "请求尽快疏通小区雨污管道并修复破损井盖",
    name: str = "王某某",
    seed: int = 1,
) -> Petition:
    """A visit registered at the desk of ``by``'s unit."""
    data = IntakeData(
        channel=Channel.VISIT,
        subject=subject,
        request=request,
        place=unit(place),
        principal=PersonData(name=name, id_number=valid_id(seed), phone=f"1385502{seed:04d}"),
    )
    return petition_register(user=user(by), data=data)


def forward(petition: Petition, *, by: str = "county", to: str = JINAN_RSJ) -> Petition:
    return services.petition_forward(petition_id=petition.pk, user=user(by), to_unit=unit(to))


def accept(petition: Petition, *, by: str = "handler") -> Petition:
    """Accepted as a grievance, notice sent today, and under investigation."""
    return services.petition_accept(
        petition_id=petition.pk,
        user=user(by),
        petition_type=PetitionType.GRIEVANCE,
        notice_sent_on=timezone.localdate(),
        route="start_handling",
    )


def reply(petition: Petition, *, by: str = "handler", decision: str = Decision.EXPLAIN) -> Petition:
    """Handling opinion issued and the written reply delivered in person today."""
    services.petition_issue_opinion(
        petition_id=petition.pk,
        user=user(by),
        decision=decision,
        facts_found="经现场核查，情况基本属实。",
        reasons="已责成相关单位限期整改。",
        legal_basis="《信访工作条例》第三十二条",
    )
    return services.petition_deliver_reply(
        petition_id=petition.pk,
        user=user(by),
        delivered_on=timezone.localdate(),
        method=DeliveryMethod.IN_PERSON,
    )


def rate(petition: Petition, rating: str) -> Petition:
    """The petitioner's rating, as sent from the portal."""
    return services.petition_evaluate(petition_id=petition.pk, user=None, rating=rating, via_portal=True)


def demo_petitions(scale: float = 0.05) -> int:
    """A small slice of the demo cases (~35 petitions in every state over the past year, ~3 s)."""
    from xinfang.petitions.demo import build_demo_petitions

    return build_demo_petitions(count_scale=scale)


def sweep() -> None:
    """One pass of the deadline sweeper (cron runs it in production): reminders of passed deadlines."""
    from xinfang.petitions.sweep import sweep_once

    sweep_once()
