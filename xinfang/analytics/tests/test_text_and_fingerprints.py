from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinfang.analytics import fingerprints
from xinfang.analytics.text import normalize, place_terms, similarity

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
