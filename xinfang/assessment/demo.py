"""Demo data of assessment and accountability, built through the services over the demo petitions.

- 金安区's Party-building assessment of its towns and streets: petition work at 3 % (2020), raised to 18 %
  (2021, copied), and this year's scheme copied again, published and computed (the article: "from 3 % to
  18 %").
- 长丰县's secretaries' review (书记抓基层党建述职评议考核), where the county requires petition work to be at
  least 20 % (a share rule refuses less), computed for the towns' Party secretaries.
- The trace-back reviews of the demo's bypass, repeat, overdue and reopened petitions, one of them (a
  bypass petition) with a finding and concluded.
- A checklist of a special campaign with an item verified by a second person, one open, one overdue.
- A commendation drawn from this year's league table, with its figures.

Idempotent: every part is looked up before it is made. All people are fictitious.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from django.utils import timezone

from xinfang.accounts.demo import ensure_demo_user
from xinfang.accounts.models import Role, User
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition

from . import services
from .facts import facts_refresh
from .models import (
    AccountabilityReview,
    AssessmentScheme,
    Checklist,
    ChecklistSource,
    Commendation,
    CommendationKind,
    Ground,
    IndicatorSettings,
    ItemRule,
    ItemState,
    Outcome,
    ReviewStatus,
    SharePolicy,
    SubjectKind,
)
from .selectors import league, nominations
from .traceback import reviews_sweep

# Fictitious staff the assessment demo needs besides the shared demo logins.
DEMO_STAFF = [
    ("leader_cf", "唐长丰县领导", "ah-hf-cf", Role.LEADER, "县委副书记"),
    ("secretary_ym", "韩杨庙镇党委书记", "ah-hf-cf-ym", Role.LEADER, "镇党委书记"),
    ("secretary_sh", "邱水湖镇党委书记", "ah-hf-cf-sh", Role.LEADER, "镇党委书记"),
    ("secretary_wc", "范望城街道党工委书记", "ah-la-ja-wc", Role.LEADER, "街道党工委书记"),
]
JINAN_NAME = "{year}年度基层党建工作考核（金安区）"
CHANGFENG_NAME = "{year}年度党委（党组）书记抓基层党建述职评议考核（长丰县）"
CHECKLIST_TITLE = "信访积案化解专项整治清单（金安区）"


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def _items(*, early: bool) -> list[services.ItemData]:
    if early:
        # Before 2021 petition work was a small item scored on timeliness only.
        return [
            services.ItemData("on_time", Decimal(60), ItemRule.TARGET, Decimal(90), Decimal(50)),
            services.ItemData("timely_acceptance", Decimal(40), ItemRule.TARGET, Decimal(90), Decimal(50)),
        ]
    return [
        services.ItemData("on_time", Decimal(30), ItemRule.TARGET, Decimal(95), Decimal(60)),
        services.ItemData("satisfaction", Decimal(25), ItemRule.TARGET, Decimal(90), Decimal(60)),
        services.ItemData("one_time", Decimal(20), ItemRule.TARGET, Decimal(85), Decimal(50)),
        services.ItemData("timely_acceptance", Decimal(15), ItemRule.TARGET, Decimal(95), Decimal(60)),
        services.ItemData("repeat", Decimal(10), ItemRule.TARGET, Decimal(5), Decimal(30)),
        services.ItemData("supervision", Decimal(10), ItemRule.DEDUCT, per_count=Decimal(2)),
    ]


def _published(scheme: AssessmentScheme, user: User) -> AssessmentScheme:
    if scheme.status != "published":
        scheme = services.scheme_publish(scheme_id=scheme.pk, user=user)
    return scheme


def _jinan_schemes(today: dt.date) -> AssessmentScheme:
    leader = User.objects.get(username="leader")
    area = _unit("ah-la-ja")
    first = AssessmentScheme.objects.filter(area=area, year=2020, subject_kind=SubjectKind.TOWN).first()
    if first is None:
        first = services.scheme_create(
            user=leader,
            data=services.SchemeData(
                name=JINAN_NAME.format(year=2020),
                year=2020,
                area=area,
                subject_kind=SubjectKind.TOWN,
                total_points=Decimal(100),
                petition_share=Decimal(3),
                items=_items(early=True),
                basis="金安区基层党建工作考核办法（演示）",
            ),
        )
    first = _published(first, leader)
    raised = AssessmentScheme.objects.filter(area=area, year=2021, subject_kind=SubjectKind.TOWN).first()
    if raised is None:
        raised = services.scheme_copy(scheme_id=first.pk, user=leader, year=2021, petition_share=Decimal(18))
        raised = services.scheme_update(
            scheme_id=raised.pk,
            user=leader,
            data=services.SchemeData(
                **{
                    **services.SchemeData.of(raised).__dict__,
                    "items": _items(early=False),
                    "red_list_min": Decimal(85),
                    "black_list_below": Decimal(60),
                }
            ),
        )
    raised = _published(raised, leader)
    current = AssessmentScheme.objects.filter(
        area=area, year=today.year, subject_kind=SubjectKind.TOWN
    ).first()
    if current is None:
        current = services.scheme_copy(scheme_id=raised.pk, user=leader, year=today.year)
    return _published(current, leader)


def _changfeng_review(today: dt.date) -> AssessmentScheme:
    county = _unit("ah-hf-cf")
    SharePolicy.objects.get_or_create(
        unit=county,
        subject_kind=SubjectKind.SECRETARY,
        defaults={
            "minimum_share": Decimal(20),
            "basis": "长丰县书记抓基层党建述职评议考核要求（演示）",
        },
    )
    leader = User.objects.get(username="leader_cf")
    scheme = AssessmentScheme.objects.filter(
        area=county, year=today.year, subject_kind=SubjectKind.SECRETARY
    ).first()
    if scheme is None:
        scheme = services.scheme_create(
            user=leader,
            data=services.SchemeData(
                name=CHANGFENG_NAME.format(year=today.year),
                year=today.year,
                area=county,
                subject_kind=SubjectKind.SECRETARY,
                total_points=Decimal(100),
                petition_share=Decimal(20),
                items=_items(early=False),
                red_list_min=Decimal(85),
                black_list_below=Decimal(60),
                basis="长丰县书记抓基层党建述职评议考核要求（演示）",
            ),
        )
    return _published(scheme, leader)


def _review_with_outcome() -> AccountabilityReview | None:
    """A bypass petition's review with a finding about the unit that held the earlier matter."""
    reviews = AccountabilityReview.objects.filter(petition__is_bypass=True, petition__repeat_of__isnull=False)
    review = reviews.filter(petition__place__code__startswith="ah-la-ja").order_by("pk").first()
    if review is None or review.findings.exists():
        return review
    inspector = User.objects.get(username="inspector")
    earlier = review.chain[0] if review.chain else {}
    holder = None
    for holding in earlier.get("holdings", []):
        if holding.get("people") and holding.get("unit") and holding["unit"]["name"].endswith("局"):
            holder = holding
    person = User.objects.filter(pk=holder["people"][0]["id"]).first() if holder else None
    unit = Unit.objects.filter(pk=holder["unit"]["id"]).first() if holder else None
    services.finding_record(
        review_id=review.pk,
        user=inspector,
        subject_user=person,
        subject_unit=unit,
        subject_name=person.display_name() if person else (unit.name if unit else "承办单位"),
        ground=Ground.ART_45_1,
        outcome=Outcome.TALK,
        finding="经倒查，原承办单位对信访人反映的问题答复后未跟踪落实，群众诉求未真正解决，导致信访人越级到市上访。",
        written_feedback="已书面说明情况并制定整改措施。",
    )
    return services.review_conclude(
        review_id=review.pk,
        user=inspector,
        conclusion="对原承办人员进行约谈，责成限期化解；其他环节按时办理，不予追究。",
    )


def _travel(day: dt.date) -> time_machine.travel:
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


def _checklist(today: dt.date) -> Checklist:
    """Made six weeks ago: one item verified and closed, one due soon, one past its due date."""
    checklist = Checklist.objects.filter(title=CHECKLIST_TITLE).first()
    if checklist is not None:
        return checklist
    county, town = User.objects.get(username="county"), User.objects.get(username="town")
    start = today - dt.timedelta(days=42)
    with _travel(start):
        checklist = services.checklist_create(
            user=county,
            title=CHECKLIST_TITLE,
            area=_unit("ah-la-ja"),
            source=ChecklistSource.CAMPAIGN,
            source_ref=f"{start.year}年信访积案化解专项整治",
            description="对重复信访、越级信访事项逐件建立问题清单，明确责任单位、责任人和完成时限，销号前须复核并回访。",
        )
        pipes = (
            Petition.objects.filter(place__code="ah-la-ja-wc-npy", subject__contains="雨污管道")
            .order_by("pk")
            .first()
        )
        done = services.checklist_item_add(
            checklist_id=checklist.pk,
            user=county,
            title="南屏苑小区雨污管道堵塞问题彻底整改",
            owner_unit=_unit("ah-la-ja-wc"),
            owner=town,
            due_on=start + dt.timedelta(days=21),
            detail="街道牵头，会同住建局和物业公司疏通并改造雨污管道。",
            petition_id=pipes.pk if pipes else None,
        )
        services.checklist_item_add(
            checklist_id=checklist.pk,
            user=county,
            title="绿源果业公司拖欠工资问题专项督办",
            owner_unit=_unit("ah-la-ja-rsj"),
            owner=User.objects.get(username="handler"),
            due_on=today + dt.timedelta(days=20),
            detail="核实欠薪人数和金额，督促企业制定支付计划。",
        )
        services.checklist_item_add(
            checklist_id=checklist.pk,
            user=county,
            title="三十铺镇道路破损问题限期修复",
            owner_unit=_unit("ah-la-ja-ssp"),
            due_on=start + dt.timedelta(days=30),
            detail="列入镇年度道路维修计划，明确资金来源。",
        )
    with _travel(start + dt.timedelta(days=18)):
        services.checklist_item_submit(
            item_id=done.pk,
            user=town,
            evidence_text="已完成三栋楼前污水井疏通和200米管道改造，附施工验收单。",
        )
    with _travel(start + dt.timedelta(days=20)):
        services.checklist_item_verify(
            item_id=done.pk,
            user=county,
            accept=True,
            return_visit="电话回访信访人及两户邻居，确认雨天不再外溢，表示满意。",
        )
    return checklist


def _commendation(run_scheme: AssessmentScheme) -> Commendation | None:
    run = run_scheme.runs.order_by("-computed_at").first()
    if run is None:
        return None
    existing = Commendation.objects.filter(source_run__scheme=run_scheme).first()
    if existing is not None:
        return existing
    leader = User.objects.get(username="leader")
    found = nominations(run)
    top = next(iter(league(run)), None)
    if found:
        nomination = found[0]
        unit, evidence = nomination.unit, nomination.evidence
    elif top is not None and top.petition_score is not None:
        unit = top.unit
        evidence = {
            "scheme": run.scheme.name,
            "run": run.pk,
            "as_of": run.as_of.isoformat(),
            "petition_score": str(top.petition_score),
            "rank": top.rank,
            "items": top.items,
        }
    else:
        return None
    return services.commendation_record(
        user=leader,
        year=run_scheme.year,
        kind=CommendationKind.UNIT,
        unit=unit,
        title=f"{run_scheme.year}年度信访工作先进集体",
        citation="信访事项按期办结、群众满意度高，矛盾纠纷就地化解，信访工作考核成绩突出。",
        by_area=run_scheme.area,
        decided_on=timezone.localdate(),
        evidence=evidence,
        source_run=run,
    )


def build_demo_assessment() -> dict[str, int]:
    """Create the assessment demo once (later calls find it). Returns counts for the seed message."""
    for row in DEMO_STAFF:
        ensure_demo_user(*row)
    today = timezone.localdate()
    IndicatorSettings.objects.get_or_create(
        unit=_unit("ah"),
        defaults={"basis": "安徽省信访工作考核口径（演示）：基本满意计入满意，未评价不计入。"},
    )
    facts_refresh(today=today)
    reviews_sweep(today=today)
    jinan = _jinan_schemes(today)
    changfeng = _changfeng_review(today)
    for scheme, username in ((jinan, "leader"), (changfeng, "leader_cf")):
        if not scheme.runs.exists():
            services.scheme_compute(
                scheme_id=scheme.pk, user=User.objects.get(username=username), today=today
            )
    _review_with_outcome()
    _checklist(today)
    _commendation(jinan)
    return {
        "schemes": AssessmentScheme.objects.count(),
        "reviews": AccountabilityReview.objects.count(),
        "concluded": AccountabilityReview.objects.filter(status=ReviewStatus.CONCLUDED).count(),
        "closed_items": Checklist.objects.filter(items__state=ItemState.CLOSED).count(),
    }
