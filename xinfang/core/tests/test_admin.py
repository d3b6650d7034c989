from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from xinfang.core.models import ClockPolicy, ClockPolicyRule, CountMode, HolidayOverride, Limit
from xinfang.core.services import personal_data_reveal


@pytest.fixture
def admin_browser(django_user_model) -> Client:
    superuser = django_user_model.objects.create_superuser(username="coretest-admin", password="x")
    client = Client()
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("model", ["holidayoverride", "clockpolicy", "personaldataaccess"])
def test_core_admin_lists_open(admin_browser, model: str) -> None:
    assert admin_browser.get(reverse(f"admin:core_{model}_changelist")).status_code == 200


def test_an_admin_can_add_a_holiday_override(admin_browser) -> None:
    response = admin_browser.post(
        reverse("admin:core_holidayoverride_add"),
        {"date": "2027-10-01", "is_working_day": "", "note": "National Day"},
    )
    assert response.status_code == 302
    assert HolidayOverride.objects.get(date=dt.date(2027, 10, 1)).is_working_day is False


def _policy_form(unit_pk: int, limit: str, length: int, mode: str) -> dict[str, str]:
    return {
        "unit": str(unit_pk),
        "basis": "测试〔2024〕1号",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
        "rules-0-limit": limit,
        "rules-0-length": str(length),
        "rules-0-count_mode": mode,
        "rules-0-roll_forward": "on",
    }


def test_an_admin_can_set_a_locality_rule(admin_browser, tree) -> None:
    response = admin_browser.post(
        reverse("admin:core_clockpolicy_add"),
        _policy_form(tree.city.pk, Limit.OBJECTION, 3, CountMode.WORKING_DAYS),
    )
    assert response.status_code == 302
    rule = ClockPolicyRule.objects.get(policy__unit=tree.city)
    assert (rule.limit, rule.length) == (Limit.OBJECTION, 3)


def test_the_admin_refuses_a_rule_longer_than_the_law(admin_browser, tree) -> None:
    with translation.override("en"):
        response = admin_browser.post(
            reverse("admin:core_clockpolicy_add"),
            _policy_form(tree.city.pk, Limit.HANDLING, 90, CountMode.CALENDAR_DAYS),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert "at most 60 days" in response.content.decode()
    assert not ClockPolicy.objects.exists()


def test_the_reveal_log_is_read_only_in_the_admin(admin_browser, secret_note, staff) -> None:
    note = secret_note.objects.create(secret="13812345678")
    personal_data_reveal(user=staff, obj=note, field="secret", reason="check")
    from xinfang.core.models import PersonalDataAccess

    access = PersonalDataAccess.objects.get()
    assert admin_browser.get(reverse("admin:core_personaldataaccess_add")).status_code == 403
    assert (
        admin_browser.get(reverse("admin:core_personaldataaccess_delete", args=[access.pk])).status_code
        == 403
    )
    change_url = reverse("admin:core_personaldataaccess_change", args=[access.pk])
    assert admin_browser.get(change_url).status_code == 200
    assert admin_browser.post(change_url, {"reason": "edited"}).status_code == 403
    access.refresh_from_db()
    assert access.reason == "check"
