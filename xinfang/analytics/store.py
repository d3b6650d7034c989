"""Trained routing models as versioned files: ``<dir>/router-0007/model.joblib`` beside ``meta.json``.

The directory is ``settings.XINFANG_MODEL_DIR`` (default ``var/models``; environment ``XINFANG_MODEL_DIR``).
``meta.json`` holds the version, the training data's hash, the date, the source, the row count, the
labels and the scores. The file ``ACTIVE`` names the version in use; without it the newest version is
active. A model file is loaded once per process and reloaded when the active version changes.

Models trained on the shared evaluation data stay in this directory, which is never committed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings
from django.utils import timezone

from .router import Trained

PREFIX = "router-"
ACTIVE = "ACTIVE"
_lock = threading.Lock()
_cache: dict[str, Any] = {}


@dataclass(frozen=True)
class ModelVersion:
    version: int
    path: Path
    meta: dict[str, Any]

    @property
    def model_file(self) -> Path:
        return self.path / "model.joblib"


def model_dir() -> Path:
    return Path(getattr(settings, "XINFANG_MODEL_DIR", Path(settings.BASE_DIR) / "var" / "models"))


def versions() -> list[ModelVersion]:
    root = model_dir()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob(f"{PREFIX}*")):
        meta_file = path / "meta.json"
        if not (path / "model.joblib").exists() or not meta_file.exists():
            continue
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            found.append(ModelVersion(int(meta["version"]), path, meta))
        except (ValueError, KeyError):
            continue
    return sorted(found, key=lambda v: v.version)


def active_version() -> ModelVersion | None:
    available = versions()
    if not available:
        return None
    chosen = model_dir() / ACTIVE
    if chosen.exists():
        try:
            wanted = int(chosen.read_text().strip())
        except ValueError:
            wanted = -1
        for version in available:
            if version.version == wanted:
                return version
    return available[-1]


def activate(version: int) -> ModelVersion:
    for candidate in versions():
        if candidate.version == version:
            (model_dir() / ACTIVE).write_text(f"{version}\n")
            return candidate
    raise LookupError(version)


def save(
    trained: Trained, *, source: str, data_hash: str, extra: dict[str, Any] | None = None
) -> ModelVersion:
    """Write the next version and make it active."""
    root = model_dir()
    root.mkdir(parents=True, exist_ok=True)
    with _lock:
        number = max((v.version for v in versions()), default=0) + 1
        path = root / f"{PREFIX}{number:04d}"
        path.mkdir()
        joblib.dump(trained.model, path / "model.joblib", compress=3)
        meta = {
            "version": number,
            "trained_at": timezone.localtime().isoformat(timespec="seconds"),
            "source": source,
            "data_hash": data_hash,
            "rows": trained.rows,
            "labels": trained.labels,
            "dropped_labels": trained.dropped,
            "scores": trained.scores,
            "training_seconds": trained.seconds,
            **(extra or {}),
        }
        (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        (root / ACTIVE).write_text(f"{number}\n")
    return ModelVersion(number, path, meta)


def load_active() -> tuple[ModelVersion, Any] | None:
    """The active version and its fitted pipeline, or None when no model has been trained."""
    version = active_version()
    if version is None:
        return None
    key = str(version.model_file)
    with _lock:
        model = _cache.get(key)
        if model is None:
            _cache.clear()
            model = joblib.load(version.model_file)  # our own file, written by ``save``
            _cache[key] = model
    return version, model
