"""Fixtures of every test in xinfang/web/tests (the workbench's, the portal's and the dashboard's)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Attachments written by intake go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """Pages render with the English msgids, so tests read the same text whatever catalogs are compiled.

    A test that checks the Chinese page asks for it (``HTTP_ACCEPT_LANGUAGE="zh-hans"``).
    """
    settings.LANGUAGE_CODE = "en"
