from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .fixtures import train_small


@pytest.fixture
def model_dir(settings: Any, tmp_path: Path) -> Path:
    """An empty model directory of this test's own."""
    settings.XINFANG_MODEL_DIR = tmp_path / "models"
    return settings.XINFANG_MODEL_DIR


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small model trained from the demo templates, shared read-only by the tests of a session."""
    directory = tmp_path_factory.mktemp("small-model")
    train_small(directory)
    return directory


@pytest.fixture
def trained(settings: Any, small_model_dir: Path) -> Path:
    settings.XINFANG_MODEL_DIR = small_model_dir
    return small_model_dir
