"""Fixtures of the stations tests: the demo tree and users, plus the station's own demo staff."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.stations.demo import ensure_station_staff


@pytest.fixture
def staff(demo: None) -> None:
    ensure_station_staff()


@pytest.fixture
def station(staff: None) -> Any:
    from .factories import make_station

    return make_station()


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """Messages in the English source text, whatever catalogs are compiled."""
    settings.LANGUAGE_CODE = "en"
