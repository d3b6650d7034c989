from __future__ import annotations

import pytest

from xinfang.accounts.models import User
from xinfang.analytics import routing, services
from xinfang.analytics.models import CategoryRoute, RoutingCorrection
from xinfang.analytics.training import CORRECTION_WEIGHT, examples_from_database
from xinfang.core.errors import ConflictError, DomainError
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Category, Petition
from xinfang.petitions.taxonomy import load_default_taxonomy
from xinfang.petitions.tests.factories import register


@pytest.fixture
def taxonomy(demo):
    load_default_taxonomy()


def category(level1: str, level2: str = "") -> Category:
    top = Category.objects.get(parent=None, name=level1)
    return Category.objects.get(parent=top, name=level2) if level2 else top


def department(place: Unit, category: Category) -> str:
    unit = routing.department_for(place=place, category=category)
    assert unit is not None
    return unit.code


def test_the_department_is_found_by_territory_then_function(taxonomy):
    village = Unit.objects.get(code="ah-la-ja-wc-npy")
    assert department(village, category("劳动和社会保障")) == "ah-la-ja-rsj"
    other = Unit.objects.get(code="ah-hf-cf-ym-mn")
    assert department(other, category("劳动和社会保障")) == "ah-hf-cf-rsj"


def test_a_locality_rule_overrides_the_default_department_below_its_area_only(taxonomy):
    irrigation = category("农村农业", "农田水利")
    CategoryRoute.objects.create(area=Unit.objects.get(code="ah-hf-cf"), category=irrigation, function="slj")
    changfeng = Unit.objects.get(code="ah-hf-cf-ym-mn")
    jinan = Unit.objects.get(code="ah-la-ja-ssp-ssp")
    assert department(changfeng, irrigation) == "ah-hf-cf-slj"
    assert department(jinan, irrigation) == "ah-la-ja-nyj"
    # The rule is for the level-2 category: other matters of the level 1 keep the default.
    assert department(changfeng, category("农村农业")) == "ah-hf-cf-nyj"


def test_a_correction_is_stored_with_who_and_from_to_and_written_on_the_timeline(taxonomy):
    petition = register(by="town", category=category("环境保护"))
    town = User.objects.get(username="town")
    correction = services.category_correct(
        user=town, petition_id=petition.pk, category=category("城乡建设", "物业管理"), note="物业问题"
    )
    assert correction.from_category is not None
    assert (correction.from_category.name, correction.to_category.name) == ("环境保护", "物业管理")
    assert correction.corrected_by == town
    petition.refresh_from_db()
    assert petition.category is not None and petition.category.name == "物业管理"
    event = petition.events.get(action="category_corrected")
    assert event.payload["to_category"] == "城乡建设 / 物业管理" and event.reason == "物业问题"


def test_a_corrected_petition_weighs_more_at_the_next_training(taxonomy):
    petition = register(by="town", category=category("环境保护"))
    plain = register(by="town", category=category("环境保护"), id_seed=2)
    services.category_correct(
        user=User.objects.get(username="town"), petition_id=petition.pk, category=category("城乡建设")
    )
    by_text = {e.weight: e.level1 for e in examples_from_database()}
    assert by_text[CORRECTION_WEIGHT] == "城乡建设"
    assert by_text[1.0] == "环境保护"
    plain_category = Petition.objects.get(pk=plain.pk).category
    assert plain_category is not None and plain_category.name == "环境保护"


def test_a_stale_form_or_the_same_category_changes_nothing(taxonomy):
    petition = register(by="town", category=category("环境保护"))
    town = User.objects.get(username="town")
    with pytest.raises(ConflictError):
        services.category_correct(
            user=town, petition_id=petition.pk, category=category("城乡建设"), expected_version=99
        )
    with pytest.raises(DomainError):
        services.category_correct(user=town, petition_id=petition.pk, category=category("环境保护"))
    assert not RoutingCorrection.objects.exists()
    assert not petition.events.filter(action="category_corrected").exists()


def test_a_leader_who_does_not_register_cannot_correct_the_category(taxonomy):
    petition = register(by="town", category=category("环境保护"))
    with pytest.raises(DomainError):
        services.category_correct(
            user=User.objects.get(username="leader"), petition_id=petition.pk, category=category("城乡建设")
        )


def test_corrections_are_never_changed_or_deleted(taxonomy):
    petition = register(by="town", category=category("环境保护"))
    correction = services.category_correct(
        user=User.objects.get(username="town"), petition_id=petition.pk, category=category("城乡建设")
    )
    with pytest.raises(RuntimeError):
        correction.save()
    with pytest.raises(RuntimeError):
        correction.delete()
