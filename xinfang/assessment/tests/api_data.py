"""Records of assessment and accountability for the API tests (the schemathesis run steers ids onto them)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.assessment import services
from xinfang.assessment.models import ChecklistSource, ItemRule, SubjectKind
from xinfang.assessment.traceback import review_open
from xinfang.orgs.models import Unit
from xinfang.petitions.detection import suggestion_decide
from xinfang.petitions.tests.factories import register


def assessment_ids() -> dict[str, list[int]]:
    """A draft and a computed scheme of 金安区, a review of a repeat petition, a checklist with one item."""
    leader = User.objects.get(username="leader")
    county = User.objects.get(username="county")
    area = Unit.objects.get(code="ah-la-ja")
    year = timezone.localdate().year
    data = services.SchemeData(
        name=f"{year}年度基层党建工作考核（金安区）",
        year=year,
        area=area,
        subject_kind=SubjectKind.TOWN,
        total_points=Decimal(100),
        petition_share=Decimal(18),
        items=[
            services.ItemData("on_time", Decimal(60), ItemRule.TARGET, Decimal(90), Decimal(50)),
            services.ItemData("satisfaction", Decimal(40), ItemRule.TARGET, Decimal(90), Decimal(50)),
        ],
    )
    draft = services.scheme_create(user=leader, data=data)
    published = services.scheme_publish(
        scheme_id=services.scheme_create(user=leader, data=data).pk, user=leader
    )
    run = services.scheme_compute(scheme_id=published.pk, user=leader)
    first = register(by="county", id_seed=91, subject="小区物业乱收费问题")
    again = register(by="county", id_seed=91, subject="小区物业乱收费问题")
    for suggestion in again.suggestions.all():
        suggestion_decide(suggestion_id=suggestion.pk, user=county, confirm=True)
    review = review_open(petition=again)
    checklist = services.checklist_create(
        user=county, title="清单", area=area, source=ChecklistSource.CAMPAIGN
    )
    item = services.checklist_item_add(
        checklist_id=checklist.pk,
        user=county,
        title="整改",
        owner_unit=Unit.objects.get(code="ah-la-ja-wc"),
        due_on=timezone.localdate(),
    )
    units = [area.pk, Unit.objects.get(code="ah-la-ja-wc").pk, Unit.objects.get(code="ah-la-yj").pk]
    people = [User.objects.get(username="handler").pk, User.objects.get(username="town").pk]
    return {
        "scheme_id": [draft.pk, published.pk],
        "run_id": [run.pk],
        "review_id": [review.pk] if review else [],
        "checklist_id": [checklist.pk],
        "item_id": [item.pk],
        "area": units,
        "area_id": units,
        "owner_unit_id": units,
        "subject_unit_id": units,
        "subject_user_id": people,
        "owner_id": people,
        "supersedes_id": [],
        "first_petition": [first.pk],
    }
