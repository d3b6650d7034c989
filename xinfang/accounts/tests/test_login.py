"""Log-in: Chinese page, lockout after repeated failures, passwords never logged."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from xinfang.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_served_in_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-hans"' in body
    assert "登录" in body


def test_demo_login_reaches_the_workbench(demo):
    c = Client()
    response = c.post("/accounts/login/", {"username": "town", "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.context["user"].username == "town"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(demo):
    c = Client()
    for _ in range(3):
        c.post("/accounts/login/", {"username": "town", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.9")
    response = c.post(
        "/accounts/login/", {"username": "town", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in c.session


def test_failed_login_never_writes_the_password_to_the_log(demo, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Sup3r-secret-typed-by-mistake"
    Client().post("/accounts/login/", {"username": "town", "password": secret}, REMOTE_ADDR="10.0.0.8")
    assert caplog.records, "the failed attempt should be logged"
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_wrong_password_shows_a_translated_error_and_keeps_the_user_name(demo):
    response = Client().post(
        "/accounts/login/", {"username": "town", "password": "nope"}, REMOTE_ADDR="10.0.0.7"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="town"' in body
    assert "密码" in body
