from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.analytics import issues, selectors
from xinfang.analytics.demo import build_demo_common_issue
from xinfang.petitions.tests.factories import register

TODAY = dt.date(2026, 3, 20)


def item(pk: int, text: str, person: str, days_ago: int, people: int = 1, likes: int = 0) -> issues.IssueItem:
    moment = dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(10))
    return issues.IssueItem(id=pk, text=text, person=person, at=moment, people=people, likes=likes)


LIFT = [
    item(1, "南屏苑二期小区电梯停运一个多月，物业推诿不修", "a", 10),
    item(2, "南屏苑二期小区电梯停运，物业公司不维修，老人爬楼困难", "b", 3, people=12),
    item(3, "南屏苑二期小区电梯长期停运无人维修，请求修复电梯", "c", 1, likes=5),
]
WAGES = [
    item(4, "恒通物流公司拖欠司机工资三个月，请求督促支付工资", "d", 2),
    item(5, "恒通物流公司拖欠工资，我们几个司机讨薪无果", "e", 20),
]
LONER = [item(6, "望城路路灯不亮，夜间出行不安全", "f", 1)]


def test_petitions_of_several_people_on_one_matter_form_one_group_each():
    groups = issues.group_items(LIFT + WAGES + LONER, today=TODAY)
    assert sorted(sorted(int(i) for i in g.ids) for g in groups) == [[1, 2, 3], [4, 5]]  # type: ignore[call-overload]


def test_a_group_is_ranked_by_people_growth_and_support_and_named_by_place_and_terms():
    lift, wages = issues.group_items(LIFT + WAGES + LONER, today=TODAY)
    assert lift.ids == [1, 2, 3]
    assert (lift.people, lift.petitioners, lift.support) == (14, 3, 5)
    assert (lift.recent, lift.previous, lift.growth) == (2, 1, 1)
    assert "电梯" in lift.terms
    assert "南屏苑二期小区" in lift.name
    assert wages.people == 2 and lift.score > wages.score


def test_the_same_complaint_about_two_estates_makes_two_groups_not_one():
    fees = [
        item(10, "南屏苑小区物业服务差、乱收费，请求整改", "g", 3),
        item(11, "南屏苑小区物业服务差、乱收费，请求物业整改", "h", 2),
        item(12, "庙南家园小区物业服务差、乱收费，请求整改", "i", 2),
        item(13, "庙南家园小区物业服务差、乱收费，请求整改到位", "j", 1),
    ]
    groups = issues.group_items(fees + LIFT, today=TODAY)
    assert sorted(sorted(int(i) for i in g.ids) for g in groups) == [[1, 2, 3], [10, 11], [12, 13]]  # type: ignore[call-overload]
    assert {g.place for g in groups} == {"南屏苑小区", "庙南家园小区", "南屏苑二期小区"}


def test_a_group_name_does_not_repeat_a_term_inside_another_or_the_place():
    ranked = ["南屏苑", "物业", "物业公司", "电梯", "停运"]
    assert issues._distinct_terms(ranked, {"南屏苑二期小区"}, 3) == ["物业", "电梯", "停运"]
    lift = issues.group_items(LIFT, today=TODAY)[0]
    assert not any(a != b and a in b for a in lift.terms for b in lift.terms), lift.terms


def test_one_person_writing_several_times_is_no_common_issue():
    same_person = [issues.IssueItem(**{**vars(i), "person": "a"}) for i in LIFT]
    assert issues.group_items(same_person, today=TODAY) == []


def test_the_demo_lift_group_is_listed_for_the_town_and_not_for_another_town(demo):
    from xinfang.petitions.taxonomy import load_default_taxonomy

    load_default_taxonomy()
    build_demo_common_issue()
    town_groups = selectors.common_issue_groups(User.objects.get(username="town"))
    assert town_groups and town_groups[0].group.petitioners == 5
    assert "南屏苑二期小区" in town_groups[0].group.name
    assert selectors.common_issue_groups(User.objects.get(username="town2")) == []


def test_the_early_warning_lists_the_threat_the_rising_group_and_the_open_repeat(demo):
    from xinfang.petitions.taxonomy import load_default_taxonomy

    load_default_taxonomy()
    build_demo_common_issue()
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        register(by="county", id_seed=41, subject="三十铺社区道路破损", request="请求维修道路")
    again = register(by="county", id_seed=41, subject="三十铺社区道路破损", request="请求维修道路，至今未修")
    warning = selectors.early_warning(User.objects.get(username="county"))
    assert any("拉横幅" in hit.words for hit in warning.threats)
    assert warning.rising and "南屏苑二期小区" in warning.rising[0].group.name
    assert warning.collective and warning.collective[0].group.people >= 5
    assert again in warning.repeats
    elsewhere = selectors.early_warning(User.objects.get(username="town2"))
    assert elsewhere.total == 0


def test_the_early_warning_of_an_earlier_day_does_not_see_later_petitions(demo):
    register(by="county", id_seed=42, request="再不解决就去跳楼")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert selectors.early_warning(User.objects.get(username="county"), day=yesterday).threats == []
    assert selectors.early_warning(User.objects.get(username="county")).threats


def test_a_letter_naming_no_place_does_not_join_the_groups_of_two_roads():
    roads = [
        item(20, "望城路道路破损多年未修，请求维修望城路破损路面", "k", 3),
        item(21, "望城路道路破损多年未修，请求尽快维修望城路破损路面", "l", 2),
        item(22, "史河路道路破损多年未修，请求维修史河路破损路面", "m", 2),
        item(23, "史河路道路破损多年未修，请求尽快维修史河路破损路面", "n", 1),
        item(24, "道路破损多年未修，请求维修破损路面", "o", 1),
    ]
    groups = issues.group_items(roads, today=TODAY)
    by_place = {g.place: sorted(int(i) for i in g.ids) for g in groups}  # type: ignore[call-overload]
    assert set(by_place) == {"望城路", "史河路"}
    assert [i for i in by_place["望城路"] if i != 24] == [20, 21]
    assert [i for i in by_place["史河路"] if i != 24] == [22, 23]
