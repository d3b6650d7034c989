"""A user sees and acts only within their unit's subtree: by URL, API and export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from xinfang.accounts import scoping
from xinfang.accounts.models import ApiToken, Membership, Role
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_town_officer_jurisdiction_is_the_town_subtree(user, unit):
    town = user("town")
    visible = set(scoping.visible_units(town).values_list("code", flat=True))
    assert "ah-la-ja-wc" in visible
    assert "ah-la-ja-wc-npy" in visible
    assert "ah-la-ja" not in visible
    assert "ah-la-yj" not in visible
    assert not any(code.startswith("ah-la-yj") for code in visible)


def test_county_officer_in_the_petition_bureau_covers_the_whole_county(user, unit):
    county = user("county")
    assert scoping.can_see_unit(county, unit("ah-la-ja-wc-npy"))
    assert scoping.can_see_unit(county, unit("ah-la-ja-rsj"))
    assert not scoping.can_see_unit(county, unit("ah-la-yj-pg-hp"))


def test_department_handler_covers_only_the_department(user, unit):
    handler = user("handler")
    assert scoping.can_see_unit(handler, unit("ah-la-ja-rsj"))
    assert not scoping.can_see_unit(handler, unit("ah-la-ja-zjj"))
    assert not scoping.can_see_unit(handler, unit("ah-la-ja-wc"))


def test_inactive_membership_grants_nothing(user, unit):
    town = user("town")
    Membership.objects.filter(user=town).update(is_active=False)
    town = type(town).objects.get(pk=town.pk)
    assert scoping.visible_units(town).count() == 0
    assert not scoping.can_see_unit(town, unit("ah-la-ja-wc"))


def test_role_checks_are_bound_to_the_unit(user, unit):
    town = user("town")
    assert scoping.can_act_in(town, unit("ah-la-ja-wc-npy"), Role.TOWN_OFFICER)
    assert not scoping.can_act_in(town, unit("ah-la-ja-wc-npy"), Role.LEADER)
    assert not scoping.can_act_in(town, unit("ah-la-yj-pg"), Role.TOWN_OFFICER)


def test_wangcheng_officer_cannot_open_a_yeji_unit_by_url(client_for, unit):
    c = client_for("town")
    assert c.get(f"/units/{unit('ah-la-ja-wc-npy').pk}/").status_code == 200
    assert c.get(f"/units/{unit('ah-la-yj').pk}/").status_code == 404
    assert c.get(f"/units/{unit('ah-la-yj-pg-hp').pk}/").status_code == 404
    listing = c.get("/units/?q=叶集").content.decode()
    assert "叶集区" not in listing


def test_wangcheng_officer_cannot_reach_a_yeji_unit_through_the_api(client_for, unit):
    c = client_for("town")
    assert c.get(f"/api/v1/units/{unit('ah-la-ja-wc').pk}").status_code == 200
    response = c.get(f"/api/v1/units/{unit('ah-la-yj-pg').pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert c.get(f"/api/v1/units?under={unit('ah-la-yj').pk}").status_code == 404
    codes = {item["code"] for item in c.get("/api/v1/units?limit=1000").json()["items"]}
    assert "ah-la-ja-wc-npy" in codes
    assert not any(code.startswith("ah-la-yj") for code in codes)


def test_wangcheng_officer_export_holds_only_the_jurisdiction(client_for):
    c = client_for("town")
    response = c.get("/units/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "ah-la-ja-wc-npy" in codes
    assert not any(str(code).startswith("ah-la-yj") for code in codes)
    assert "ah-la-ja" not in codes


def test_api_token_authenticates_and_stays_in_jurisdiction(client, user, unit):
    _token, raw = ApiToken.issue(user=user("town"), name="test")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).json()["username"] == "town"
    assert client.get(f"/api/v1/units/{unit('ah-la-yj').pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/units/{unit('ah-la-ja-wc').pk}", headers=headers).status_code == 200


def test_revoked_or_unknown_token_is_refused(client, user):
    token, raw = ApiToken.issue(user=user("town"), name="test")
    token.revoked_at = token.created_at
    token.save()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_anonymous_visitor_is_sent_to_login(client, unit):
    response = client.get(f"/units/{unit('ah-la-ja-wc').pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/units").status_code == 401


def test_superuser_sees_every_unit(user):
    assert scoping.visible_units(user("admin")).count() == Unit.objects.count()
