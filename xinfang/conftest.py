"""Fixtures shared by every app's tests."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.accounts.demo import build_demo_users
from xinfang.orgs.demo import build_demo_tree


def ensure_demo_data() -> None:
    build_demo_tree()
    build_demo_users()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    # The demo jurisdiction is loaded once per session; each test runs in a rolled-back transaction.
    with django_db_blocker.unblock():
        ensure_demo_data()


@pytest.fixture
def demo(db: Any) -> None:
    """The demo tree and users (re-created if a transactional test flushed them)."""
    ensure_demo_data()


@pytest.fixture
def unit(demo: None):
    from xinfang.orgs.models import Unit

    return lambda code: Unit.objects.get(code=code)


@pytest.fixture
def user(demo: None):
    from xinfang.accounts.models import User

    return lambda username: User.objects.get(username=username)


@pytest.fixture
def client_for(client: Any, demo: None):
    """A test client logged in as a demo user."""
    from django.test import Client

    def make(username: str) -> Client:
        from xinfang.accounts.models import User

        c = Client()
        c.force_login(
            User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
        )
        return c

    return make


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Hashing demo passwords with PBKDF2 costs ~0.5 s a login; tests don't need that strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No test sees the developer's trained routing models; a test that needs one trains it (analytics).
    import tempfile
    from pathlib import Path

    settings.XINFANG_MODEL_DIR = Path(tempfile.mkdtemp(prefix="xinfang-test-models-"))
