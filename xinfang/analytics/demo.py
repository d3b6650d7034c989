"""Demo data of the text intelligence: a common issue forming at one estate, a threat, locality routing
rules, the near-duplicate index of every demo petition and a trained routing model.

The petitions go through the real intake service with the clock moved back; all people are fictitious.
The routing model is trained from the shared evaluation data when it sits beside the checkout (the
model file stays under var/, never committed), otherwise from the demo petitions' own categories.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import time_machine
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.orgs.models import Unit
from xinfang.petitions.intake import IntakeData, PersonData, petition_register
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.states import Channel

from . import services, store, training
from .models import CategoryRoute

SHARED_LABELLED = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tipdm2020c" / "messages_labeled.csv"
)
MARKER = "南屏苑二期小区电梯"

# (days ago, name, people, subject, request, facts): five residents, one broken lift, two weeks.
LIFT_PETITIONS = [
    (
        12,
        "韩立群",
        1,
        "南屏苑二期小区电梯长期停运",
        "请求督促物业尽快修复南屏苑二期小区电梯",
        "南屏苑二期小区3号楼电梯停运一个多月，物业一直推诿，老人上下楼困难。",
    ),
    (
        9,
        "孔德明",
        3,
        "南屏苑二期小区电梯停运无人维修",
        "请求住建部门督促物业修复南屏苑二期电梯",
        "南屏苑二期小区电梯停运已一个多月，物业公司称没有维修资金，住户出行困难。",
    ),
    (
        5,
        "蒋慧芳",
        12,
        "南屏苑二期小区多部电梯停运物业推诿",
        "请求协调维修资金，尽快修复南屏苑二期小区电梯",
        "南屏苑二期小区多部电梯停运，物业推诿，十多户老人只能爬楼，大家联名反映。",
    ),
    (
        3,
        "沈国栋",
        1,
        "南屏苑二期小区电梯故障停运",
        "请求尽快修复南屏苑二期小区电梯并公开维修资金使用情况",
        "南屏苑二期小区电梯停运，物业收取电梯维护费却不维修。",
    ),
    (
        1,
        "邱玉兰",
        1,
        "南屏苑二期小区电梯停运一个多月",
        "请求尽快修复南屏苑二期小区电梯",
        "南屏苑二期小区电梯停运一个多月，再不解决我们就去市里拉横幅。",
    ),
]
# Per locality: irrigation channels are the water bureau's in every demo county (not agriculture's).
LOCAL_ROUTES = [("ah-hf-cf", "农村农业", "农田水利", "slj"), ("ah-la-yj", "农村农业", "农田水利", "slj")]


def _person(index: int, name: str) -> PersonData:
    from xinfang.core.idnumber import check_character

    first17 = f"341502{1961 + index:04d}0{1 + index}1{index}{index:03d}"[:17]
    return PersonData(name=name, id_number=first17 + check_character(first17), phone=f"1395502{index:04d}")


def build_demo_common_issue() -> int:
    """Five residents of 南屏苑二期 about one lift over two weeks (a rising group, one with a threat)."""
    if Petition.objects.filter(subject__startswith=MARKER).exists():
        return 0
    town = User.objects.get(username="town")
    place = Unit.objects.get(code="ah-la-ja-wc-npy-g2")
    category = Category.objects.filter(parent__name="城乡建设", name="物业管理").first()
    today = timezone.localdate()
    for index, (days, name, people, subject, request, facts) in enumerate(LIFT_PETITIONS, start=1):
        moment = dt.datetime.combine(
            today - dt.timedelta(days=days), dt.time(9, 30), tzinfo=timezone.get_current_timezone()
        )
        with time_machine.travel(moment, tick=False):
            petition_register(
                user=town,
                data=IntakeData(
                    channel=Channel.VISIT,
                    subject=subject,
                    request=request,
                    facts=facts,
                    place=place,
                    principal=_person(index, name),
                    category=category,
                    people_count=people,
                ),
            )
    return len(LIFT_PETITIONS)


def build_demo_routes() -> int:
    made = 0
    for area_code, level1, level2, function in LOCAL_ROUTES:
        category = Category.objects.filter(parent__name=level1, name=level2).first()
        area = Unit.objects.filter(code=area_code).first()
        if category is None or area is None:
            continue
        _route, created = CategoryRoute.objects.get_or_create(
            area=area, category=category, defaults={"function": function, "note": "灌溉渠道由水利局负责"}
        )
        made += int(created)
    return made


def build_demo_router(*, shared: Path = SHARED_LABELLED) -> store.ModelVersion | None:
    """Train the first routing model (skipped when one exists)."""
    if store.versions():
        return None
    if shared.exists():
        import csv

        with shared.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        from .router import Example

        examples = [Example(text=r["subject"] + r["body"], level1=r["category"]) for r in rows]
        # The demo petitions add the categories the evaluation data lacks (农村农业, 民政 …).
        examples += training.examples_from_database()
        return training.train_and_store(examples, source=f"csv:{shared.name} + database", with_scores=True)
    return training.train_and_store(training.examples_from_database(), source="database (demo petitions)")


def build_demo_analytics() -> dict[str, int]:
    made = {"routes": build_demo_routes(), "common_issue": build_demo_common_issue()}
    made["indexed"] = services.index_rebuild(only_missing=True)
    version = build_demo_router()
    made["model_version"] = version.version if version else 0
    return made
