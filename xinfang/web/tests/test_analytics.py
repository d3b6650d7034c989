"""The analytics pages of the workbench: intake hints, the petition page's routing card, common issues,
early warning."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xinfang.accounts.models import User
from xinfang.analytics.demo import build_demo_common_issue
from xinfang.analytics.models import RoutingCorrection
from xinfang.analytics.tests.fixtures import train_small
from xinfang.petitions.models import Category
from xinfang.petitions.taxonomy import load_default_taxonomy

from .helpers import register

SUGGEST = "/analytics/intake/suggest/"
ISSUES = "/analytics/issues/"
WARNINGS = "/analytics/warnings/"


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """One small model for the tests of this module (training is the slow part)."""
    directory = tmp_path_factory.mktemp("models")
    train_small(directory, per_template=15)
    return directory


@pytest.fixture
def trained(settings, model_files, demo):
    load_default_taxonomy()
    settings.XINFANG_MODEL_DIR = model_files


@pytest.fixture
def lift_group(demo):
    load_default_taxonomy()
    build_demo_common_issue()


def test_typing_the_matter_suggests_category_department_and_earlier_same_matter(client_for, trained):
    earlier = register(
        by="town", subject="恒通物流公司拖欠司机工资", request="请求督促恒通物流公司支付拖欠的工资"
    )
    html = (
        client_for("town")
        .post(
            SUGGEST,
            {
                "subject": "恒通物流公司拖欠司机工资",
                "request": "请求督促恒通物流公司支付拖欠的工资",
                "place": "南屏苑社区",
            },
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert "劳动和社会保障" in html
    assert "金安区人力资源和社会保障局" in html
    assert re.search(r"\d+% confident", html)
    assert earlier.number in html


def test_without_a_model_the_intake_hint_says_so_and_still_finds_the_same_matter(
    client_for, demo, settings, tmp_path
):
    settings.XINFANG_MODEL_DIR = tmp_path / "none"
    earlier = register(
        by="town", subject="恒通物流公司拖欠司机工资", request="请求督促恒通物流公司支付拖欠的工资"
    )
    html = (
        client_for("town")
        .post(
            SUGGEST, {"subject": "恒通物流公司拖欠司机工资", "request": "请求督促恒通物流公司支付拖欠的工资"}
        )
        .content.decode()
    )
    assert "No routing model is trained yet" in html
    assert earlier.number in html


def test_the_intake_hint_never_shows_petitions_outside_the_jurisdiction(client_for, demo):
    theirs = register(by="town2", place="ah-la-yj-pg-hp", subject="恒通物流公司拖欠司机工资", id_seed=3)
    html = client_for("town").post(SUGGEST, {"subject": "恒通物流公司拖欠司机工资"}).content.decode()
    assert theirs.number not in html


def test_the_intake_form_asks_for_the_hint_while_typing(client_for, demo):
    html = client_for("town").get("/petitions/new/").content.decode()
    assert 'id="routing"' in html and f'hx-post="{SUGGEST}"' in html


def test_the_petition_page_loads_the_routing_card_which_shows_the_suggestion(client_for, trained):
    petition = register(by="town", subject="宏达建筑劳务公司拖欠工人工资", request="请求督促支付劳务报酬")
    town = client_for("town")
    page = town.get(f"/petitions/{petition.pk}/").content.decode()
    assert f'hx-get="/analytics/petitions/{petition.pk}/card/"' in page
    card = town.get(f"/analytics/petitions/{petition.pk}/card/").content.decode()
    assert "劳动和社会保障" in card and "金安区人力资源和社会保障局" in card


def test_a_correction_from_the_card_is_stored_and_a_bad_one_is_shown_beside_the_field(client_for, trained):
    petition = register(by="town", subject="宏达建筑劳务公司拖欠工人工资")
    target = Category.objects.get(parent=None, name="劳动和社会保障")
    town = client_for("town")
    url = f"/analytics/petitions/{petition.pk}/category/"
    refused = town.post(url, {"expected_version": petition.version, "category": "", "note": "typed note"})
    assert refused.status_code == 400 and "Choose the category." in refused.content.decode()
    assert "typed note" in refused.content.decode()
    done = town.post(url, {"expected_version": petition.version, "category": target.pk, "note": "人社"})
    assert done.status_code == 302
    assert RoutingCorrection.objects.get(petition=petition).to_category == target
    stale = town.post(
        url, {"expected_version": petition.version, "category": target.pk}, HTTP_HX_REQUEST="true"
    )
    assert "Someone else changed this petition" in stale.content.decode()


def test_the_card_of_a_petition_outside_the_jurisdiction_is_not_found(client_for, demo):
    theirs = register(by="town2", place="ah-la-yj-pg-hp", id_seed=4)
    assert client_for("town").get(f"/analytics/petitions/{theirs.pk}/card/").status_code == 404


def test_the_common_issue_page_lists_the_demo_group_and_its_detail_links_the_petitions(
    client_for, lift_group
):
    town = client_for("town")
    html = town.get(ISSUES).content.decode()
    assert "南屏苑二期小区" in html and "5 petitioners" in html
    found = re.search(r'href="/analytics/issues/(\d+)/"', html)
    assert found is not None
    key = found.group(1)
    detail = town.get(f"{ISSUES}{key}/").content.decode()
    assert len(re.findall(r'href="/petitions/\d+/"', detail)) == 5
    assert client_for("town2").get(f"{ISSUES}{key}/").status_code == 404


def test_the_early_warning_page_shows_the_threat_with_a_link_to_its_petition(client_for, lift_group):
    html = client_for("county").get(WARNINGS).content.decode()
    assert "拉横幅" in html
    assert "Rising common issues" in html
    assert re.search(r'href="/petitions/\d+/"', html)


def test_the_early_warning_page_is_in_chinese_by_default(client_for, lift_group):
    html = client_for("county").get(WARNINGS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预警" in html


def test_the_nav_shows_the_early_warning_to_petition_offices_only(client_for, demo):
    assert WARNINGS in client_for("county").get("/").content.decode()
    assert WARNINGS not in client_for("handler").get("/").content.decode()


def test_the_intake_hint_needs_a_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="town"), backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(SUGGEST, {"subject": "拖欠工资"}).status_code == 403


def _group_key(client) -> str:
    found = re.search(r'href="/analytics/issues/(\d+)/"', client.get(ISSUES).content.decode())
    assert found is not None
    return found.group(1)


def test_a_common_issue_goes_to_the_town_conference_agenda_in_one_step_and_only_once(client_for, lift_group):
    from xinfang.conferences import demo as conference_demo
    from xinfang.conferences.models import ItemSource, ItemStatus

    conference_demo.ensure_conference_staff()
    conference = conference_demo.set_up("wc")  # 望城街道's joint conference
    town = client_for("town")
    key = _group_key(town)
    detail = town.get(f"{ISSUES}{key}/").content.decode()
    assert "Send to the conference agenda" in detail and conference.name in detail

    response = town.post(f"{ISSUES}{key}/conference/")
    item = conference.items.get()
    assert response.status_code == 302 and response["Location"] == f"/conferences/items/{item.pk}/"
    assert item.source == ItemSource.COMMON_ISSUE and item.status == ItemStatus.PROPOSED
    assert item.petitions.count() == 5 and "南屏苑二期小区" in item.title
    assert "5 petitions of 5 petitioners" in item.reasons

    again = town.post(f"{ISSUES}{key}/conference/")  # a second click proposes nothing new
    assert again["Location"] == f"/conferences/items/{item.pk}/" and conference.items.count() == 1
    assert item.title in town.get(f"{ISSUES}{key}/").content.decode()  # the page shows where it stands


def test_without_a_conference_the_group_page_says_so_and_a_post_changes_nothing(client_for, lift_group):
    from xinfang.conferences.models import AgendaItem

    town = client_for("town")
    key = _group_key(town)
    assert "No active joint conference covers your area." in town.get(f"{ISSUES}{key}/").content.decode()
    response = town.post(f"{ISSUES}{key}/conference/", follow=True)
    assert "No active joint conference covers your area." in response.content.decode()
    assert not AgendaItem.objects.exists()
    assert client_for("town2").post(f"{ISSUES}{key}/conference/").status_code == 404
