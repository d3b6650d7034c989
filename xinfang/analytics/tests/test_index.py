from __future__ import annotations

import importlib
import re

from django.apps import apps as django_apps
from django.db import connection

from xinfang.accounts.models import User
from xinfang.analytics import fingerprints, selectors, services
from xinfang.analytics.models import TextBand, TextFingerprint
from xinfang.analytics.routing import petition_text
from xinfang.analytics.text import shingles, similarity
from xinfang.petitions.models import Suggestion
from xinfang.petitions.tests.factories import register

LIFT = "南屏苑二期小区电梯停运一个多月"
LIFT_REQUEST = "请求督促物业尽快修复南屏苑二期小区电梯，老人上下楼困难"


def test_registering_a_petition_indexes_its_text(demo):
    petition = register(subject=LIFT, request=LIFT_REQUEST)
    assert TextFingerprint.objects.filter(petition=petition).exists()
    assert TextBand.objects.filter(petition=petition).count() == fingerprints.BANDS


def test_an_earlier_petition_of_another_person_on_the_same_matter_is_found(demo):
    earlier = register(subject=LIFT, request=LIFT_REQUEST, person="甲某", id_seed=21)
    other = register(subject="三十铺社区路灯不亮", request="请求维修路灯", person="乙某", id_seed=22)
    town = User.objects.get(username="town")
    matches = selectors.near_duplicates(town, f"{LIFT}了 {LIFT_REQUEST}！")
    assert [m.petition_id for m in matches] == [earlier.pk]
    assert matches[0].score > 0.5
    assert other.pk not in [m.petition_id for m in matches]


def test_a_petition_outside_the_jurisdiction_is_never_a_match(demo):
    register(by="town2", place="ah-la-yj-pg-hp", subject=LIFT, request=LIFT_REQUEST, id_seed=23)
    town = User.objects.get(username="town")
    assert selectors.near_duplicates(town, f"{LIFT} {LIFT_REQUEST}") == []
    assert selectors.near_duplicates(User.objects.get(username="town2"), f"{LIFT} {LIFT_REQUEST}")


def test_the_same_name_with_the_same_text_is_proposed_as_a_repeat_without_an_id_match(demo):
    first = register(subject=LIFT, request=LIFT_REQUEST, person="韩立群", id_seed=24)
    again = register(subject=LIFT, request=LIFT_REQUEST + "，至今未修", person="韩立群", id_seed=25)
    suggestion = again.suggestions.get(kind=Suggestion.Kind.REPEAT)
    assert suggestion.candidate_id == first.pk
    assert {r["code"] for r in suggestion.reasons} == {"same_name", "similar_text"}


def test_another_name_with_the_same_text_is_no_repeat(demo):
    register(subject=LIFT, request=LIFT_REQUEST, person="韩立群", id_seed=26)
    other = register(subject=LIFT, request=LIFT_REQUEST, person="孔德明", id_seed=27)
    assert not other.suggestions.filter(kind=Suggestion.Kind.REPEAT).exists()


def test_rebuilding_the_index_is_idempotent_and_catches_up_missing_entries(demo):
    petition = register(subject=LIFT, request=LIFT_REQUEST, id_seed=28)
    TextBand.objects.filter(petition=petition).delete()
    TextFingerprint.objects.filter(petition=petition).delete()
    assert services.index_rebuild() == 1
    assert services.index_rebuild() == 0
    assert TextBand.objects.filter(petition=petition).count() == fingerprints.BANDS


def test_bulk_pairs_list_each_pair_of_the_same_matter_once(demo):
    a = register(subject=LIFT, request=LIFT_REQUEST, person="甲某", id_seed=29)
    b = register(subject=LIFT, request=LIFT_REQUEST + "。", person="乙某", id_seed=30)
    pairs = selectors.all_near_duplicate_pairs()
    assert [(x, y) for x, y, _s in pairs] == [(a.number, b.number)]


def test_an_index_entry_keeps_the_exact_3_gram_set_of_the_petition_text(demo):
    petition = register(subject=LIFT, request=LIFT_REQUEST, id_seed=31)
    entry = TextFingerprint.objects.get(petition=petition)
    text = petition_text(petition)
    assert (fingerprints.unpack(entry.grams) == fingerprints.gram_codes(text)).all()
    assert entry.shingles == len(shingles(text))


def test_a_lookup_is_one_query_and_scores_exactly_the_text_similarity(demo, django_assert_num_queries):
    earlier = register(subject=LIFT, request=LIFT_REQUEST, person="甲某", id_seed=32)
    text = f"{LIFT}了 {LIFT_REQUEST}！"
    with django_assert_num_queries(1):
        matches = selectors.index_matches(text)
    assert [m.petition_id for m in matches] == [earlier.pk]
    assert matches[0].score == similarity(text, petition_text(earlier))


def test_a_candidate_whose_size_cannot_reach_the_threshold_is_not_re_scored(demo):
    earlier = register(subject=LIFT, request=LIFT_REQUEST, id_seed=33)
    text = f"{LIFT} {LIFT_REQUEST}"
    assert earlier.pk in selectors.index_candidates(text)
    entry = TextFingerprint.objects.get(petition=earlier)
    # As if the earlier text were four times as long: at best 0.25 similar, below the threshold.
    TextFingerprint.objects.filter(petition=earlier).update(shingles=entry.shingles * 4)
    assert earlier.pk not in selectors.index_candidates(text)
    assert earlier.pk in selectors.index_candidates(text, threshold=0.2)


def test_an_entry_without_its_3_gram_set_is_skipped_by_lookups_and_filled_by_the_rebuild(demo):
    petition = register(subject=LIFT, request=LIFT_REQUEST, id_seed=34)
    TextFingerprint.objects.filter(petition=petition).update(grams=None, shingles=fingerprints.BANDS)
    assert selectors.index_matches(f"{LIFT} {LIFT_REQUEST}") == []
    assert services.index_rebuild() == 1
    entry = TextFingerprint.objects.get(petition=petition)
    assert entry.grams is not None and entry.shingles == len(shingles(petition_text(petition)))
    assert [m.petition_id for m in selectors.index_matches(f"{LIFT} {LIFT_REQUEST}")] == [petition.pk]


def test_the_migration_fills_the_3_gram_sets_and_keys_of_older_entries(demo):
    petition = register(subject=LIFT, request=LIFT_REQUEST, id_seed=35)
    keys = set(TextBand.objects.filter(petition=petition).values_list("key", flat=True))
    TextBand.objects.filter(petition=petition).delete()
    TextFingerprint.objects.filter(petition=petition).update(grams=None, shingles=fingerprints.BANDS)
    migration = importlib.import_module("xinfang.analytics.migrations.0002_textfingerprint_grams")
    migration.fill_grams(django_apps, None)
    entry = TextFingerprint.objects.get(petition=petition)
    assert (fingerprints.unpack(entry.grams) == fingerprints.gram_codes(petition_text(petition))).all()
    assert set(TextBand.objects.filter(petition=petition).values_list("key", flat=True)) == keys


def test_the_candidates_query_searches_the_band_key_index(demo):
    register(subject=LIFT, request=LIFT_REQUEST, id_seed=36)
    found = fingerprints.fingerprint(f"{LIFT} {LIFT_REQUEST}")
    keys = sorted(set(found.keys))
    sql = selectors._candidate_sql(len(keys), 1)
    params = [*keys, 0, 1, 10_000, selectors.CANDIDATES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny test table would be scanned anyway
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # Index-only, plain or bitmap index scan: which one depends on the visibility map.
            assert re.search(r"Index (Only )?Scan (using|on) analytics_band_key_petition", plan), plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "SEARCH b USING COVERING INDEX" in plan
        assert "Seq Scan on analytics_textband" not in plan and "SCAN b" not in plan
