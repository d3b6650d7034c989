"""The petition list: search in Chinese, filters, queues, paging without a query per row, and the export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xinfang.core.idnumber import mask_id_number
from xinfang.core.phone import mask_phone
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Category
from xinfang.petitions.states import Channel, PetitionType, State
from xinfang.petitions.tests.factories import valid_id

from .helpers import force_due, register, set_state

pytestmark = pytest.mark.django_db

LIST = reverse("web:petition_list")


def numbers_in(response: Any) -> set[str]:
    return {row["p"].number for row in response.context["rows"]}


def test_search_finds_by_number_subject_request_and_petitioner_name(client_for):
    sewer = register(by="town", subject="小区雨污管道堵塞", person="钱某某", id_seed=1)
    wages = register(
        by="town", subject="工地拖欠农民工工资", request="请求支付工资四万六千元", person="孙某某", id_seed=2
    )
    town = client_for("town")
    assert numbers_in(town.get(LIST, {"q": sewer.number})) == {sewer.number}
    assert numbers_in(town.get(LIST, {"q": "雨污"})) == {sewer.number}
    assert numbers_in(town.get(LIST, {"q": "四万六千"})) == {wages.number}
    assert numbers_in(town.get(LIST, {"q": "孙某"})) == {wages.number}


def test_search_by_an_exact_phone_or_id_number_uses_the_keyed_hash(client_for):
    target = register(by="town", subject="楼顶漏水", id_seed=7)
    register(by="town", subject="楼道堆物", id_seed=8)
    town = client_for("town")
    assert numbers_in(town.get(LIST, {"q": "138-5502-0007"})) == {target.number}
    assert numbers_in(town.get(LIST, {"q": valid_id(7)})) == {target.number}
    # Part of a phone number is not searchable: the number is stored encrypted.
    assert numbers_in(town.get(LIST, {"q": "5502"})) == set()


def test_filters_by_state_type_channel_category_unit_and_date(client_for):
    category = Category.objects.create(name="城乡建设")
    sub = Category.objects.create(name="物业管理", parent=category, level=2)
    visit = register(by="town", subject="物业乱收费", place="ah-la-ja-wc-npy", id_seed=31, category=sub)
    phone = register(
        by="town",
        subject="道路破损",
        place="ah-la-ja-wc-mz",
        id_seed=32,
        channel=Channel.PHONE,
        petition_type=PetitionType.SUGGESTION,
    )
    set_state(phone, State.TRIAGE)
    town = client_for("town")
    assert numbers_in(town.get(LIST, {"state": State.TRIAGE})) == {phone.number}
    assert numbers_in(town.get(LIST, {"petition_type": PetitionType.SUGGESTION})) == {phone.number}
    assert numbers_in(town.get(LIST, {"channel": Channel.VISIT})) == {visit.number}
    assert numbers_in(town.get(LIST, {"category": category.pk})) == {visit.number}
    mz = Unit.objects.get(code="ah-la-ja-wc-mz")
    assert numbers_in(town.get(LIST, {"unit": mz.pk})) == {phone.number}
    today = visit.received_at.date().isoformat()
    assert numbers_in(town.get(LIST, {"received_from": today, "received_to": today})) == {
        visit.number,
        phone.number,
    }
    assert numbers_in(town.get(LIST, {"received_to": "2000-01-01"})) == set()


def test_a_unit_outside_the_jurisdiction_is_no_filter_choice(client_for):
    register(by="town")
    other = Unit.objects.get(code="ah-la-yj-pg")
    response = client_for("town").get(LIST, {"unit": other.pk})
    assert response.context["form"].errors["unit"]
    assert other.name not in str(response.context["form"]["unit"])


def test_the_overdue_queue_lists_only_late_matters_nearest_first(client_for):
    late = register(by="town", subject="违章搭建", id_seed=41)
    later = register(by="town", subject="占道经营", id_seed=42)
    register(by="town", subject="宠物扰民", id_seed=43)
    force_due(late, -5)
    force_due(later, -1)
    response = client_for("town").get(LIST, {"queue": "overdue"})
    assert [row["p"].number for row in response.context["rows"]] == [late.number, later.number]
    assert "overdue" in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_row_or_many(client_for, django_assert_max_num_queries):
    town = client_for("town")
    register(by="town", id_seed=50)
    with django_assert_max_num_queries(20) as one:
        assert town.get(LIST).status_code == 200
    for seed in range(51, 71):
        register(by="town", subject=f"第{seed}号诉求", id_seed=seed)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = town.get(LIST)
    assert len(response.context["rows"]) == 21


def test_the_list_is_paged_by_fifty(client_for):
    for seed in range(100, 152):
        register(by="town", subject=f"诉求{seed}", id_seed=seed)
    town = client_for("town")
    first = town.get(LIST)
    assert len(first.context["rows"]) == 50
    second = town.get(LIST, {"page": 2})
    assert len(second.context["rows"]) == 2


def test_another_towns_petition_is_not_reachable_by_url_list_or_export(client_for):
    theirs = register(
        by="town2", place="ah-la-yj-pg-hp", subject="和平村土地流转租金拖欠", person="周某某", id_seed=60
    )
    ours = register(by="town", subject="南屏苑停车难", id_seed=61)
    town = client_for("town")
    assert town.get(reverse("web:petition_detail", args=[theirs.pk])).status_code == 404
    assert numbers_in(town.get(LIST)) == {ours.number}
    assert numbers_in(town.get(LIST, {"q": theirs.number})) == set()
    sheet = export_rows(town)
    assert [row[0] for row in sheet[1:]] == [ours.number]
    assert theirs.subject not in str(sheet)


def test_an_accusation_against_the_town_is_hidden_from_the_town(client_for):
    accusation = register(
        by="county",
        subject="举报街道干部违规发放补贴",
        petition_type=PetitionType.ACCUSATION,
        accused_unit=Unit.objects.get(code="ah-la-ja-wc"),
        id_seed=62,
    )
    town = client_for("town")
    assert town.get(reverse("web:petition_detail", args=[accusation.pk])).status_code == 404
    assert numbers_in(town.get(LIST, {"q": "补贴"})) == set()
    assert accusation.number not in str(export_rows(town))
    # The county bureau that registered it sees it.
    assert client_for("county").get(reverse("web:petition_detail", args=[accusation.pk])).status_code == 200


def export_rows(client: Any) -> list[tuple[Any, ...]]:
    response = client.get(reverse("web:petition_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_follows_the_filters_and_masks_personal_data(client_for):
    wanted = register(by="town", subject="电梯故障", id_seed=70)
    register(by="town", subject="水管爆裂", id_seed=71)
    town = client_for("town")
    response = town.get(reverse("web:petition_export"), {"q": "电梯"})
    rows = [tuple(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert [row[0] for row in rows[1:]] == [wanted.number]
    text = str(rows)
    full_id, full_phone = valid_id(70), "13855020070"
    assert full_id not in text and full_phone not in text
    assert mask_id_number(full_id) in text and mask_phone(full_phone) in text
