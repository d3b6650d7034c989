from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.analytics import store

from .fixtures import template_examples


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def training_csv(tmp_path: Path, per_template: int = 6) -> Path:
    rows = [{"text": e.text, "category": e.level1} for e in template_examples(per_template=per_template)]
    return write_csv(tmp_path / "train.csv", rows)


def test_train_router_from_a_csv_stores_a_versioned_model_with_its_metadata(model_dir, tmp_path, capsys):
    call_command("train_router", csv=training_csv(tmp_path))
    (version,) = store.versions()
    meta = json.loads((version.path / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == 1 and meta["source"] == "csv:train.csv"
    assert meta["rows"] == 66 and len(meta["data_hash"]) == 64
    assert 0 < meta["scores"]["macro_f1"] <= 1
    assert "version 1" in capsys.readouterr().out


def test_train_router_refuses_a_csv_without_the_columns(model_dir, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", [{"body": "x", "label": "y"}])
    with pytest.raises(CommandError, match="text, category"):
        call_command("train_router", csv=bad)
    assert store.versions() == []


def test_train_router_from_the_database_needs_categorised_petitions(model_dir, db):
    with pytest.raises(CommandError, match="too few"):
        call_command("train_router")


def test_classify_petitions_keeps_every_column_and_adds_category_and_confidence(model_dir, tmp_path):
    call_command("train_router", csv=training_csv(tmp_path, per_template=12), no_scores=True)
    source = write_csv(
        tmp_path / "in.csv",
        [
            {"id": "7", "text": "恒通物流公司拖欠我们工资半年，请求督促支付", "category": "劳动和社会保障"},
            {"id": "8", "text": "望城路路面坑洼严重，雨天积水，请求维修", "category": "交通运输"},
        ],
    )
    out = tmp_path / "out.csv"
    call_command("classify_petitions", str(source), str(out))
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "text", "input_category", "category", "confidence"]
    assert [r["id"] for r in rows] == ["7", "8"]
    assert [r["category"] for r in rows] == ["劳动和社会保障", "交通运输"]
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)


def test_classify_petitions_without_a_model_or_a_text_column_fails_clearly(model_dir, tmp_path):
    source = write_csv(tmp_path / "in.csv", [{"text": "拖欠工资"}])
    with pytest.raises(CommandError, match="train_router"):
        call_command("classify_petitions", str(source), str(tmp_path / "out.csv"))
    call_command("train_router", csv=training_csv(tmp_path), no_scores=True)
    no_text = write_csv(tmp_path / "notext.csv", [{"body": "拖欠工资"}])
    with pytest.raises(CommandError, match="'text'"):
        call_command("classify_petitions", str(no_text), str(tmp_path / "out.csv"))


def test_router_models_lists_the_versions_and_activates_one(model_dir, tmp_path, capsys):
    call_command("train_router", csv=training_csv(tmp_path), no_scores=True)
    call_command("train_router", csv=training_csv(tmp_path), no_scores=True)
    call_command("router_models", activate=1)
    out = capsys.readouterr().out
    assert "version 1 is now active" in out
    active = store.active_version()
    assert active is not None and active.version == 1
    with pytest.raises(CommandError):
        call_command("router_models", activate=5)


def test_index_petitions_writes_near_duplicate_pairs(demo, tmp_path):
    from xinfang.petitions.tests.factories import register

    a = register(subject="南屏苑二期小区电梯停运", person="甲某", id_seed=51)
    b = register(subject="南屏苑二期小区电梯停运", person="乙某", id_seed=52)
    out = tmp_path / "pairs.csv"
    call_command("index_petitions", rebuild=True, pairs=out)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["earlier"], r["later"]) for r in rows] == [(a.number, b.number)]
