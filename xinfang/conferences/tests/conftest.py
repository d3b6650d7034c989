"""Fixtures of the conference tests: the demo staff, the 杨庙镇 and 长丰县 conferences, files in tmp."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.conferences import demo as conference_demo
from xinfang.conferences.models import JointConference


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(demo: None) -> None:
    """The conference demo staff (convenors of 杨庙镇 and 长丰县, the 庙南社区 cadre) and the categories."""
    from xinfang.petitions.taxonomy import load_default_taxonomy

    conference_demo.ensure_conference_staff()
    load_default_taxonomy()


@pytest.fixture
def town(staff: None) -> JointConference:
    """杨庙镇信访工作联席会议: convenor leader_ym, secretariat town_ym, town organs and villages."""
    return conference_demo.set_up("ym")


@pytest.fixture
def county(staff: None) -> JointConference:
    """长丰县信访工作联席会议: convenor leader_cf, secretariat county_cf, county organs and towns."""
    return conference_demo.set_up("cf")
