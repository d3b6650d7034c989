from __future__ import annotations

from xinfang.accounts.models import User
from xinfang.analytics import fingerprints, selectors, services
from xinfang.analytics.models import TextBand, TextFingerprint
from xinfang.petitions.models import Suggestion
from xinfang.petitions.tests.factories import register

LIFT = "南屏苑二期小区电梯停运一个多月"
LIFT_REQUEST = "请求督促物业尽快修复南屏苑二期小区电梯，老人上下楼困难"


def test_registering_a_petition_indexes_its_text(demo):
    petition = register(subject=LIFT, request=LIFT_REQUEST)
    assert TextFingerprint.objects.filter(petition=petition).exists()
    assert TextBand.objects.filter(petition=petition).count() == fingerprints.BANDS


def test_an_earlier_petition_of_another_person_on_the_same_matter_is_found(demo):
    earlier = register(subject=LIFT, request=LIFT_REQUEST, person="甲某", id_seed=21)
    other = register(subject="三十铺社区路灯不亮", request="请求维修路灯", person="乙某", id_seed=22)
    town = User.objects.get(username="town")
    matches = selectors.near_duplicates(town, f"{LIFT}了 {LIFT_REQUEST}！")
    assert [m.petition_id for m in matches] == [earlier.pk]
    assert matches[0].score > 0.5
    assert other.pk not in [m.petition_id for m in matches]


def test_a_petition_outside_the_jurisdiction_is_never_a_match(demo):
    register(by="town2", place="ah-la-yj-pg-hp", subject=LIFT, request=LIFT_REQUEST, id_seed=23)
    town = User.objects.get(username="town")
    assert selectors.near_duplicates(town, f"{LIFT} {LIFT_REQUEST}") == []
    assert selectors.near_duplicates(User.objects.get(username="town2"), f"{LIFT} {LIFT_REQUEST}")


def test_the_same_name_with_the_same_text_is_proposed_as_a_repeat_without_an_id_match(demo):
    first = register(subject=LIFT, request=LIFT_REQUEST, person="韩立群", id_seed=24)
    again = register(subject=LIFT, request=LIFT_REQUEST + "，至今未修", person="韩立群", id_seed=25)
    suggestion = again.suggestions.get(kind=Suggestion.Kind.REPEAT)
    assert suggestion.candidate_id == first.pk
    assert {r["code"] for r in suggestion.reasons} == {"same_name", "similar_text"}


def test_another_name_with_the_same_text_is_no_repeat(demo):
    register(subject=LIFT, request=LIFT_REQUEST, person="韩立群", id_seed=26)
    other = register(subject=LIFT, request=LIFT_REQUEST, person="孔德明", id_seed=27)
    assert not other.suggestions.filter(kind=Suggestion.Kind.REPEAT).exists()


def test_rebuilding_the_index_is_idempotent_and_catches_up_missing_entries(demo):
    petition = register(subject=LIFT, request=LIFT_REQUEST, id_seed=28)
    TextBand.objects.filter(petition=petition).delete()
    TextFingerprint.objects.filter(petition=petition).delete()
    assert services.index_rebuild() == 1
    assert services.index_rebuild() == 0
    assert TextBand.objects.filter(petition=petition).count() == fingerprints.BANDS


def test_bulk_pairs_list_each_pair_of_the_same_matter_once(demo):
    a = register(subject=LIFT, request=LIFT_REQUEST, person="甲某", id_seed=29)
    b = register(subject=LIFT, request=LIFT_REQUEST + "。", person="乙某", id_seed=30)
    pairs = selectors.all_near_duplicate_pairs()
    assert [(x, y) for x, y, _s in pairs] == [(a.number, b.number)]
