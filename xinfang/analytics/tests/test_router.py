from __future__ import annotations

import pytest

from xinfang.analytics import router, routing, store
from xinfang.analytics.router import Example, labels_of

from .fixtures import template_examples, train_small


def test_with_no_model_there_is_no_suggestion_and_the_note_says_why(model_dir):
    suggestion = routing.suggest("某公司拖欠工人工资三个月")
    assert not suggestion.available and suggestion.best is None
    assert "train_router" in suggestion.note


def test_a_short_text_gets_no_suggestion(trained):
    assert not routing.suggest("工资").available


def test_the_trained_model_routes_a_wage_complaint_to_labour_and_social_security(trained, db):
    suggestion = routing.suggest("宏达建筑劳务公司拖欠我们十几个人的工资，请求督促支付劳务报酬")
    assert suggestion.available and suggestion.best is not None
    assert suggestion.best.name == "劳动和社会保障"
    assert 0.5 < suggestion.best.probability <= 1.0
    assert all(a.probability <= suggestion.best.probability for a in suggestion.alternatives)
    assert suggestion.model_version == 1


def test_level_two_is_a_label_only_where_the_data_has_enough_rows():
    few = [Example("a", "城乡建设", "物业管理")] * (router.LEVEL2_MIN_ROWS - 1)
    enough = [Example("a", "城乡建设", "物业管理")] * router.LEVEL2_MIN_ROWS
    assert set(labels_of(few)) == {"城乡建设"}
    assert set(labels_of(enough)) == {"城乡建设/物业管理"}


def test_a_property_complaint_is_suggested_with_its_level_two_category(trained):
    prediction = routing.predict_texts(["望城花园小区物业服务差、乱收费，请求更换物业公司"])
    assert prediction is not None
    _version, (best,) = prediction
    assert (best.best.level1, best.best.level2) == ("城乡建设", "物业管理")


def active_number() -> int:
    active = store.active_version()
    assert active is not None
    return active.version


def test_every_training_makes_a_new_version_and_any_version_can_be_made_active(model_dir):
    first = train_small(model_dir, per_template=8)
    second = train_small(model_dir, per_template=9)
    assert (first.version, second.version) == (1, 2)
    assert active_number() == 2
    assert second.meta["data_hash"] != first.meta["data_hash"]
    store.activate(1)
    assert active_number() == 1
    loaded = store.load_active()
    assert loaded is not None and loaded[0].version == 1
    with pytest.raises(LookupError):
        store.activate(9)


def test_a_hold_out_score_is_stored_with_the_model():
    scores = router.evaluate(template_examples(per_template=12))
    assert 0.5 < scores["macro_f1"] <= 1.0
    assert set(scores["per_class_f1"]) >= {"劳动和社会保障", "城乡建设"}
