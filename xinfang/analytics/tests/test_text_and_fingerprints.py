from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinfang.analytics import fingerprints
from xinfang.analytics.text import normalize, place_terms, shingles, similarity

LIFT = "南屏苑二期小区3号楼电梯停运一个多月，物业一直推诿，老人上下楼困难。"
LIFT_AGAIN = "南屏苑二期小区3号楼电梯停运一个多月了，物业一直推诿，老人上下楼很困难！"
WAGES = "绿源果业公司拖欠20名工人工资，多次讨要无果，请求督促支付劳务报酬。"
chinese = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=4, max_size=80)


def test_normalisation_ignores_spacing_punctuation_and_full_width_forms():
    assert normalize("Ａ７县 小区，电梯！") == normalize("a7县小区电梯")


@given(chinese)
def test_a_text_is_fully_similar_to_itself_and_to_a_re_punctuated_copy(text):
    assert similarity(text, text) == 1.0
    assert similarity(text, "，".join(text)) == 1.0


@given(chinese, chinese)
def test_similarity_is_symmetric_and_between_zero_and_one(a, b):
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0


def test_a_lightly_edited_letter_scores_high_and_another_matter_low():
    assert similarity(LIFT, LIFT_AGAIN) > 0.6
    assert similarity(LIFT, WAGES) < 0.1


def test_the_same_text_always_gets_the_same_band_keys():
    assert fingerprints.text_keys(LIFT) == fingerprints.text_keys("  " + LIFT)
    assert len(fingerprints.text_keys(LIFT)) == fingerprints.BANDS


def test_a_near_duplicate_shares_band_keys_and_another_matter_shares_none():
    keys = set(fingerprints.text_keys(LIFT))
    assert keys & set(fingerprints.text_keys(LIFT_AGAIN))
    assert not keys & set(fingerprints.text_keys(WAGES))


def test_an_empty_text_has_no_keys():
    assert fingerprints.text_keys("，。 ") == []


def test_the_candidate_probability_rises_steeply_around_the_threshold():
    assert fingerprints.candidate_probability(0.1) < 0.05
    assert fingerprints.candidate_probability(0.6) > 0.95


def test_place_terms_name_estates_roads_and_employers():
    found = place_terms("望城花园小区门口的望城路破损，恒通物流公司的货车每天碾压")
    assert "望城花园小区" in found
    assert any(term.endswith("望城路") for term in found)
    assert any(term.endswith("物流公司") for term in found)


def test_a_company_keeps_the_words_of_its_trade_in_its_name_and_a_verb_before_a_road_is_cut():
    assert "城南建设工程公司" in place_terms("请求督促城南建设工程公司尽快支付拖欠的劳务报酬")
    assert "望城路" in place_terms("请求建设望城路人行道")
    assert {"和平新村小区", "和平路"} <= set(place_terms("和平新村小区门前的和平路破损"))


# --- exact 3-gram sets and the vectorised MinHash ------------------------------------------------------

mixed = st.text(
    alphabet=st.sampled_from(list("南屏苑电梯停运物业，。！ Ａ７ab3xé-　"))
    | st.characters(max_codepoint=0x2FFF),
    max_size=60,
)


@given(mixed)
def test_gram_codes_stand_for_exactly_the_shingles_of_the_text(text):
    codes = fingerprints.gram_codes(text)
    assert {fingerprints.decode_gram(int(code)) for code in codes} == shingles(text)
    assert len(codes) == len(shingles(text))
    assert (fingerprints.unpack(fingerprints.pack(codes)) == codes).all()


@given(mixed, mixed)
def test_the_stored_gram_sets_score_exactly_the_similarity_of_the_texts(a, b):
    left, right = fingerprints.gram_codes(a), fingerprints.gram_codes(b)
    assert fingerprints.jaccard(left, right) == similarity(a, b)
    packed = fingerprints.jaccard_packed(left, [fingerprints.pack(right), fingerprints.pack(left)])
    assert packed[0] == similarity(a, b)
    assert packed[1] == (1.0 if len(left) else 0.0)


def test_a_short_text_is_one_gram_that_no_longer_text_shares():
    assert fingerprints.jaccard(fingerprints.gram_codes("ab"), fingerprints.gram_codes("abc")) == 0.0
    assert fingerprints.jaccard(fingerprints.gram_codes("电梯"), fingerprints.gram_codes("，电梯！")) == 1.0


@given(mixed)
def test_the_vectorised_minhash_gives_datasketchs_values(text):
    reference = fingerprints.datasketch_signature(text)
    ours = fingerprints.signature(text)
    if reference is None:
        assert ours is None
    else:
        assert ours is not None and (ours == reference).all()
    assert fingerprints.text_keys(text) == fingerprints.band_keys(reference)


@given(st.lists(mixed, max_size=12))
def test_fingerprints_in_bulk_equal_fingerprints_one_by_one(texts):
    for text, found in zip(texts, fingerprints.many_fingerprints(texts), strict=True):
        alone = fingerprints.fingerprint(text)
        assert found.keys == alone.keys == fingerprints.band_keys(fingerprints.datasketch_signature(text))
        assert found.packed == alone.packed
        assert found.size == len(shingles(text))
        assert found.digest == fingerprints.text_hash(text)


@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=1, max_value=5000))
def test_the_size_bound_keeps_every_pair_that_can_reach_the_threshold(mine, other):
    low, high = fingerprints.size_bounds(mine, 0.3)
    best = min(mine, other) / max(mine, other)  # Jaccard similarity when one set contains the other
    assert (low <= other <= high) == (best >= 0.3)
